package scanner

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
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

// BenchmarkDetectTree runs Detect over every regular file under
// $LEAKFIX_BENCH_TREE (a real corpus: the Go module sources, a curl work
// tree), read into memory first, one goroutine: the per-byte cost of the
// detector, archives and decoding included, without the file walk. With
// -cpuprofile it says where a tree scan's time goes.
func BenchmarkDetectTree(b *testing.B) {
	root := os.Getenv("LEAKFIX_BENCH_TREE")
	if root == "" {
		b.Skip("set LEAKFIX_BENCH_TREE to a directory to scan")
	}
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	var frags []Fragment
	var size int64
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 8<<20 {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		frags = append(frags, Fragment{Path: filepath.ToSlash(rel), Data: data})
		size += int64(len(data))
		return nil
	})
	d := New(cfg, Options{})
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range frags {
			if IsBinary(f.Data) && !d.OpensArchive(f.Data) {
				continue
			}
			d.Detect(f)
		}
	}
}

// escapeHeavy is source text where most lines hold format verbs and
// backslash escapes ("%02x", "\n") but no encoded secret: the inline
// decode layers' common case.
func escapeHeavy(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "\tfmt.Fprintf(w, \"%%02x %%s\\n\", buf[%d], name) // key %d\n", i%64, i)
		fmt.Fprintf(&b, "\tre := regexp.MustCompile(`\\d+\\.\\w+`) + \"\\t\\\"token\\\"\"\n")
	}
	return []byte(b.String()[:n])
}

// BenchmarkDetectEscapes is the percent and backslash-escape layers' cost
// on text full of format strings and escapes.
func BenchmarkDetectEscapes(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	data := escapeHeavy(1 << 20)
	d := New(cfg, Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(Fragment{Path: "bench/format.go", Data: data})
	}
}

// BenchmarkPathPatterns is the cost of judging a fragment's path against
// every path-scoped rule: reversed and anchored, as the detector does, and
// forwards, as the patterns are written.
func BenchmarkPathPatterns(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	paths := []string{
		"github.com/klauspost/compress@v1.18.6/zstd/testdata/fuzz/encode-corpus-encoded.zip!19252ae9afef355edcf2799ab715986069b7b45bedcfd0a216d90eb8f2437b92",
		"golang.org/x/tools@v0.52.0/internal/typesinternal/zerovalue_test.go",
		"deploy/k8s/overlays/prod/application-prod.yaml",
		"src/main.c",
	}
	d := New(cfg, Options{})
	var scoped []int
	for i, r := range cfg.Rules {
		if r.PathRegexp() != nil {
			scoped = append(scoped, i)
		}
	}
	b.Run("reversed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, p := range paths {
				var rev reversePath
				for _, ri := range scoped {
					d.pathMatches(ri, cfg.Rules[ri].PathRegexp(), p, &rev)
				}
			}
		}
	})
	b.Run("forwards", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, p := range paths {
				for _, ri := range scoped {
					cfg.Rules[ri].PathRegexp().MatchString(p)
				}
			}
		}
	})
}
