package goanalyzer

import (
	"errors"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
)

// FuzzRewrite feeds arbitrary Go source and one secret span to the
// rewriter: it must either refuse (an error, no output) or return output
// that parses as Go, and no error may quote a secret longer than the
// redaction marker. The seed corpus is in testdata/fuzz/FuzzRewrite.
func FuzzRewrite(f *testing.F) {
	f.Add("package p\n\nvar k = \"abcdefghijklmnop\"\n", uint16(19), uint16(8), false)
	f.Add("package p\n\nconst (\n\ta = 1\n\tk = `x secret y`\n)\n", uint16(37), uint16(6), false)
	f.Add("package p\n\nvar k = getEnv(\"JWT_SECRET\", \"devsecret\")\n", uint16(38), uint16(9), true)
	r, err := NewRewriter(Options{ImportPath: "example.com/lib/secrets"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string, start, length uint16, weak bool) {
		b := []byte(src)
		s := int(start) % (len(b) + 1)
		e := s + 1 + int(length)%64
		if e > len(b) {
			return
		}
		sec := rewrite.Secret{Name: "fuzz-key", Value: string(b[s:e]), Start: s, End: e,
			Line: rewrite.LineOf(b, s), RuleID: "fuzz-rule", WeakDefault: weak}
		// A path in no directory: no sibling files, no go list.
		out, err := r.Rewrite("/nonexistent/leakfix-fuzz/p.go", b, []rewrite.Secret{sec})
		var unfixed *rewrite.Unfixed
		switch {
		case err == nil || errors.As(err, &unfixed):
			if _, perr := parser.ParseFile(token.NewFileSet(), "out.go", out, parser.ParseComments); perr != nil {
				t.Fatalf("output does not parse: %v\n--- in\n%s\n--- out\n%s", perr, src, out)
			}
		default:
			if out != nil {
				t.Fatalf("error %v came with output", err)
			}
		}
		if err != nil && len(sec.Value) > len("REDACTED") && strings.Contains(err.Error(), sec.Value) {
			t.Fatalf("error quotes the secret: %v", err)
		}
	})
}
