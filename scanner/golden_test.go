package scanner

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner/scantest"
)

// generatedTree builds a deterministic tree that exercises every path of a
// tree scan: bench/gentree's code-shaped text (seed 7), every example of
// the default pack in its own file, some of them again inside a zip, behind
// base64, and in a file big enough to be streamed with examples straddling
// the segment cuts.
func generatedTree(t *testing.T, cfg *rules.Config) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to run bench/gentree")
	}
	dir := t.TempDir()
	gen := exec.Command("go", "run", "./bench/gentree", "-out", filepath.Join(dir, "gen"), "-mb", "2", "-seed", "7")
	gen.Dir = ".."
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gentree: %v\n%s", err, out)
	}
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var examples []string
	for _, r := range cfg.Rules {
		examples = append(examples, r.Examples...)
	}
	if len(examples) < 500 {
		t.Fatalf("only %d rule examples: the golden tree would be too thin", len(examples))
	}
	exts := []string{".env", ".py", ".go", ".yaml", ".json", ".properties", ".js", ".txt"}
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	var encoded strings.Builder
	var big bytes.Buffer
	filler := strings.Repeat("    value = compute(item, index)  # nothing to see\n", 40)
	for i, ex := range examples {
		write(fmt.Sprintf("svc%02d/conf_%04d%s", i%13, i, exts[i%len(exts)]), []byte("# settings\n"+ex+"\n"))
		switch i % 9 {
		case 0:
			w, err := zw.Create(fmt.Sprintf("conf/entry_%04d.env", i))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "# packed\n%s\n", ex)
		case 1:
			if !strings.Contains(ex, "\n") {
				fmt.Fprintf(&encoded, "blob_%d: %s\n", i, base64.StdEncoding.EncodeToString([]byte(ex)))
			}
		case 2:
			big.WriteString(filler)
			big.WriteString(ex + "\n")
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write("dist/bundle.zip", zipBuf.Bytes())
	write("encoded/values.yaml", []byte(encoded.String()))
	// Past the 8 MiB streaming threshold, with examples spread across it.
	for big.Len() < 9<<20 {
		big.WriteString(filler)
	}
	write("dumps/big.sql", big.Bytes())
	return dir
}

// TestGeneratedTreeGolden compares a whole tree scan with the report
// recorded before a change (path, line, column, rule, confidence,
// encoding, fingerprint): speed and memory work must not lose, add or move
// a finding. `go test ./scanner -run GeneratedTreeGolden -update` rewrites
// testdata/generated-tree.golden when a change of findings is intended
// (new rules or examples change it too).
func TestGeneratedTreeGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 12 MB tree")
	}
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	dir := generatedTree(t, cfg)
	fs, _, err := (&FileSource{Roots: []string{dir}, NoIgnore: true}).Scan(context.Background(), New(cfg, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d %s %s %s %s\n", f.File, f.StartLine, f.StartColumn, f.RuleID, f.Confidence, f.Encoding, f.Fingerprint)
	}
	scantest.Golden(t, "testdata/generated-tree.golden", b.String())
}
