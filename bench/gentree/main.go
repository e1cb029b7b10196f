// Command gentree writes a synthetic source tree of a given size for the
// scan benchmark: many files of code-shaped text in nested directories,
// with a few secrets sprinkled in so the whole pipeline runs.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "directory to create")
	mb := flag.Int("mb", 200, "total size in MB")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		log.Fatal("gentree: -out is required")
	}
	if err := generate(*out, int64(*mb)*1_000_000, *seed); err != nil {
		log.Fatalf("gentree: %v", err)
	}
}

var words = []string{"user", "count", "items", "result", "handler", "config", "request", "response",
	"buffer", "index", "value", "name", "path", "client", "server", "session", "cache", "logger",
	"token", "key", "secret", "password", "auth", "data", "parse", "render", "update", "delete"}

var exts = []string{".py", ".go", ".js", ".ts", ".yaml", ".json", ".md", ".java", ".rb", ".env"}

func generate(dir string, total int64, seed int64) error {
	r := rand.New(rand.NewSource(seed))
	var written int64
	for n := 0; written < total; n++ {
		path := filepath.Join(dir, fmt.Sprintf("pkg%03d", n/200), fmt.Sprintf("mod%02d", n%17),
			fmt.Sprintf("file%06d%s", n, exts[r.Intn(len(exts))]))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		size := 2000 + r.Intn(60000)
		nw, err := writeFile(path, size, r)
		if err != nil {
			return err
		}
		written += nw
	}
	return nil
}

func writeFile(path string, size int, r *rand.Rand) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriter(f)
	var n int
	for n < size {
		a, b := words[r.Intn(len(words))], words[r.Intn(len(words))]
		var line string
		switch k := r.Intn(200); {
		case k == 0 && r.Intn(20) == 0:
			line = fmt.Sprintf("AWS_ACCESS_KEY_ID = \"AKIA%s\"\n", randString(r, base32Alphabet, 16))
		case k == 1 && r.Intn(20) == 0:
			line = fmt.Sprintf("github_token = \"ghp_%036x\"\n", r.Uint64())
		case k < 10:
			line = fmt.Sprintf("    %s_%s = os.getenv(%q)\n", a, b, a+"_"+b)
		case k < 20:
			line = fmt.Sprintf("// %s: the %s of the %s is checked before %s\n", a, b, a, b)
		default:
			line = fmt.Sprintf("    %s%d := %s.%s(ctx, %d, %q)\n", a, r.Intn(99), b, a, r.Intn(1e6), b)
		}
		m, err := w.WriteString(line)
		if err != nil {
			f.Close()
			return 0, err
		}
		n += m
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return int64(n), f.Close()
}

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}
