package baseline

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestImportDetectSecrets: entries whose SHA-1 matches a leakfix finding in
// the same file are imported, named with the prefix a scan gives them; the
// rest are listed with a reason; findings detect-secrets did not list are
// counted, not imported.
func TestImportDetectSecrets(t *testing.T) {
	const known, unknown = "itk_1a24f1ab1d5ea42d199528f8", "itk_3b248032aaae27e1079b2b77"
	cfg, err := rules.Parse("pack.toml", []byte("[[rules]]\nid = \"internal-token\"\nregex = '''\\b(itk_[0-9a-f]{24})\\b'''\nkeywords = [\"itk_\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.py"), []byte("A = \""+known+"\"\nB = \""+unknown+"\"\n"), 0o644)
	ds := &DetectSecrets{Results: map[string][]DetectSecretsEntry{
		"a.py":         {{Type: "Hex High Entropy String", HashedSecret: sha1Hex(known), LineNumber: 1}},
		"gone.py":      {{Type: "Secret Keyword", HashedSecret: sha1Hex("x"), LineNumber: 3}},
		"../escape.py": {{Type: "Secret Keyword", HashedSecret: sha1Hex("y"), LineNumber: 1}},
	}}
	res, err := ImportDetectSecrets(context.Background(), scanner.New(cfg, scanner.Options{}), root, "svc/", ds, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 3 || res.Matched != 1 || res.Extra != 1 || len(res.Findings) != 1 || len(res.Unmatched) != 2 {
		t.Fatalf("result %+v", res)
	}
	if f := res.Findings[0]; f.File != "svc/a.py" || f.StartLine != 1 || f.Secret != known {
		t.Errorf("imported %s:%d, want svc/a.py:1", f.File, f.StartLine)
	}
	reasons := map[string]string{}
	for _, u := range res.Unmatched {
		reasons[u.File] = u.Reason
	}
	if reasons["gone.py"] != "the file no longer exists" || reasons["../escape.py"] != "file name is outside the root" {
		t.Errorf("reasons %v", reasons)
	}
}
