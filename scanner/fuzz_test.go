package scanner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// FuzzDetect runs the default pack over arbitrary bytes: no panic, and
// every finding's offsets and positions are consistent with the input.
func FuzzDetect(f *testing.F) {
	f.Add([]byte(`groq_api_key = "` + groqKey + `"`))
	f.Add([]byte("openai_key = \"9be2c9a5dfa84b3cb03e3af8caa94ccb\"\r\n\xff\xfe"))
	f.Add([]byte("data:\n  k: cG9zdGdyZXM6Ly9hcHA6UzNjcjN0UHcwcmRAZGIuaW50ZXJuYWw6NTQzMi9hcHA=\n"))
	// The seed-002 services and the Kubernetes Secret are realistic text
	// with secrets in every shape the pack knows.
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "seed002", "*", "src", "*.py"))
	k8s, _ := filepath.Glob(filepath.Join("..", "testdata", "k8s", "*.yaml"))
	seeds = append(seeds, k8s...)
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	cfg, err := rules.Default()
	if err != nil {
		f.Fatal(err)
	}
	d := New(cfg, Options{})
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, _ := d.Detect(Fragment{Path: "fuzz.txt", Data: data})
		for _, x := range fs {
			if x.SecretStart < 0 || x.SecretEnd > len(data) || x.SecretStart >= x.SecretEnd {
				t.Fatalf("bad offsets %d..%d for %d bytes", x.SecretStart, x.SecretEnd, len(data))
			}
			if x.Encoding == "" && string(data[x.SecretStart:x.SecretEnd]) != x.Secret {
				t.Fatalf("offsets do not hold the secret")
			}
			if x.StartLine < 1 || x.EndLine < x.StartLine || x.StartColumn < 1 {
				t.Fatalf("bad position %d:%d-%d:%d", x.StartLine, x.StartColumn, x.EndLine, x.EndColumn)
			}
		}
	})
}
