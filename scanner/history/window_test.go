package history

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// TestRotatedKeyWithGitleaksConfig: gitleaks configs have no `multiline`
// field, but their private-key regex spans lines; history's line skipping
// must give it the same wide window the tree scan does, so a key rotated
// under an unchanged BEGIN line (only the body changes) is found in both
// commits. The two keys share their first body lines (as same-size keys
// of one type share their DER prefix), so no changed line is within the
// few context lines of the BEGIN keyword.
func TestRotatedKeyWithGitleaksConfig(t *testing.T) {
	cfg, err := rules.LoadFile(filepath.Join("..", "..", "testdata", "compat", "gitleaks.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Rule("private-key"); r == nil || r.Multiline {
		t.Fatalf("gitleaks config should have a private-key rule without multiline: %+v", r)
	}
	key := func(body string) string {
		var b strings.Builder
		b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
		for i := 0; i < 6; i++ {
			b.WriteString(strings.Repeat("MIIEpAIBAAKCAQEAx1"[i:]+"Zq", 6)[:64] + "\n")
		}
		for i := 0; i < 8; i++ {
			b.WriteString(strings.Repeat(body, 64/len(body)) + "\n")
		}
		b.WriteString("-----END RSA PRIVATE KEY-----\n")
		return b.String()
	}
	r := newTestRepo(t)
	c1 := r.commit("key one", map[string]string{"deploy/id_rsa": "# deploy key\n" + key("c3ByaW5nLWtleS1vbmU")})
	c2 := r.commit("key two", map[string]string{"deploy/id_rsa": "# deploy key\n" + key("QWERTYuiopASDF12")})
	d := scanner.New(cfg, scanner.Options{NoBase64: true})
	for _, skip := range []bool{false, true} {
		fs, _, err := Scan(context.Background(), r.dir, d, Options{NoLineSkip: !skip})
		if err != nil {
			t.Fatal(err)
		}
		commits := map[string]bool{}
		for _, f := range fs {
			if f.RuleID == "private-key" {
				commits[f.Commit] = true
			}
		}
		if !commits[c1] || !commits[c2] {
			t.Errorf("line skip %v: private keys found in %v, want both %s and %s", skip, commits, c1, c2)
		}
	}
}
