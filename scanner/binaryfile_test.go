package scanner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/scantest"
)

// TestBinaryKeystoresInTree: real PKCS#12, JKS and JCEKS files are found
// by path at line 1 with their git blob id as the secret and high
// confidence (the magic matches); a binary file with only the extension
// is low; nothing in the JSON output holds the files' bytes.
func TestBinaryKeystoresInTree(t *testing.T) {
	real, fake := scantest.Keystores(t)
	dir := t.TempDir()
	for _, k := range append(real, fake) {
		p := filepath.Join(dir, filepath.FromSlash(k.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, k.Data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	// 64 bytes: every keystore is over --max-file-size and is hashed
	// from the file in a stream instead of read whole; same findings.
	for _, maxSize := range []int64{0, 64} {
		t.Run(fmt.Sprint("max-size-", maxSize), func(t *testing.T) {
			checkTreeKeystores(t, d, dir, maxSize, real, fake)
		})
	}
}

func checkTreeKeystores(t *testing.T, d *scanner.Detector, dir string, maxSize int64, real []scantest.Keystore, fake scantest.Keystore) {
	fs, _, err := (&scanner.FileSource{Roots: []string{dir}, MaxFileSize: maxSize}).Scan(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]scanner.Finding{}
	for _, f := range fs {
		if _, dup := byFile[f.File]; dup {
			t.Errorf("%s: more than one finding", f.File)
		}
		byFile[f.File] = f
	}
	for _, k := range append(real, fake) {
		f, ok := byFile[filepath.Join(dir, k.Path)]
		if !ok {
			f, ok = byFile[k.Path]
		}
		if !ok {
			t.Errorf("%s: not found (findings %v)", k.Path, keys(byFile))
			continue
		}
		want := "high"
		if k.Path == fake.Path {
			want = "low"
		}
		if f.RuleID != k.Rule || f.StartLine != 1 || f.Secret != scanner.GitBlobID(k.Data) || f.Confidence != want || !f.IsWholeFile() {
			t.Errorf("%s: got %s line %d confidence %s whole %v secret %.12s, want %s line 1 confidence %s blob %.12s",
				k.Path, f.RuleID, f.StartLine, f.Confidence, f.IsWholeFile(), f.Secret, k.Rule, want, scanner.GitBlobID(k.Data))
		}
		out, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, k.Data[:min(len(k.Data), 16)]) || strings.Contains(string(out), "\\u0000") {
			t.Errorf("%s: JSON holds the file's bytes: %s", k.Path, out)
		}
	}
}

func keys(m map[string]scanner.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
