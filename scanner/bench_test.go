package scanner

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// sourceLike generates n bytes of code-shaped text: identifiers,
// assignments, calls, comments, the occasional keyword-bearing line and a
// rare secret, so that the benchmark exercises the prefilter, windows and
// regexes the way real trees do.
func sourceLike(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	words := []string{"user", "count", "items", "result", "handler", "config", "request", "response",
		"buffer", "index", "value", "name", "path", "client", "server", "session", "cache", "logger"}
	var b strings.Builder
	for b.Len() < n {
		w1, w2 := words[r.Intn(len(words))], words[r.Intn(len(words))]
		switch r.Intn(40) {
		case 0:
			fmt.Fprintf(&b, "    api_key = os.environ.get(%q)\n", strings.ToUpper(w1)+"_KEY")
		case 1:
			fmt.Fprintf(&b, "    token_type = \"bearer\"  # %s %s\n", w1, w2)
		case 2:
			fmt.Fprintf(&b, "    password = request.form[%q]\n", w2)
		case 3:
			if r.Intn(50) == 0 {
				fmt.Fprintf(&b, "GROQ_API_KEY = \"gsk_%052d\"\n", r.Int63())
			} else {
				fmt.Fprintf(&b, "// %s handles %s for the %s\n", w1, w2, w1)
			}
		default:
			fmt.Fprintf(&b, "    %s_%s = %s.get_%s(%d, %q)\n", w1, w2, w2, w1, r.Intn(1000), w1)
		}
	}
	return []byte(b.String()[:n])
}

func benchmarkDetect(b *testing.B, cfg *rules.Config) {
	data := sourceLike(4<<20, 1)
	d := New(cfg, Options{})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.Detect(Fragment{Path: "bench/source.py", Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectDefaultPack is the detector's per-byte cost on source-like
// text with the whole default pack.
func BenchmarkDetectDefaultPack(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	benchmarkDetect(b, cfg)
}

// BenchmarkDetectNoBase64 isolates the base64 pass's share of the cost.
func BenchmarkDetectNoBase64(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	data := sourceLike(4<<20, 1)
	d := New(cfg, Options{NoBase64: true})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(Fragment{Path: "bench/source.py", Data: data})
	}
}

// BenchmarkFingerprint is the cost of one new secret's Argon2id hash.
func BenchmarkFingerprint(b *testing.B) {
	h := newHasher()
	for i := 0; i < b.N; i++ {
		h.Fingerprint("r", "f", fmt.Sprintf("secret-%d", i))
	}
}

// BenchmarkDetectSmallFragments is the history scanner's case: many small
// pieces (changed lines with context) rather than whole files, where
// per-call set-up rather than per-byte cost can dominate.
func BenchmarkDetectSmallFragments(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	data := sourceLike(1<<20, 2)
	const piece = 512
	d := New(cfg, Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for off := 0; off < len(data); off += piece {
			d.Detect(Fragment{Path: "bench/source.py", Data: data[off:min(off+piece, len(data))]})
		}
	}
}
