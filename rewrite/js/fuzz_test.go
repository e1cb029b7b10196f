package js

import (
	"errors"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
)

// FuzzRewriteJS: whatever the input and wherever the secret falls, the
// rewriter either refuses with an error or returns output that tokenizes.
func FuzzRewriteJS(f *testing.F) {
	f.Add([]byte("const K = \"abcdefgh\";\n"), uint16(11), uint8(8), false)
	f.Add([]byte("'use strict'\nconst u = `x${y}abcdefgh`;\n"), uint16(25), uint8(8), false)
	f.Add([]byte("const s = process.env.S || 'abcdefgh';\n"), uint16(28), uint8(8), true)
	f.Add([]byte("// abcdefgh\nconst o = { 'abcdefgh': 1 };\n"), uint16(3), uint8(8), false)
	f.Add([]byte("import x from 'y';\nconst r = a / b / 'abcdefgh';\n"), uint16(38), uint8(8), false)
	rw, err := New("", "/tmp/lib/secrets.cjs")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte, start uint16, n uint8, weak bool) {
		s, e := int(start), int(start)+int(n)
		if n == 0 || e > len(src) {
			return
		}
		secret := rewrite.Secret{Name: "fuzz-key", Value: string(src[s:e]), Start: s, End: e,
			Line: rewrite.LineOf(src, s), WeakDefault: weak}
		out, err := rw.Rewrite("/tmp/src/fuzz.js", src, []rewrite.Secret{secret})
		var unfixed *rewrite.Unfixed
		switch {
		case err == nil, errors.As(err, &unfixed):
			if out == nil {
				t.Fatalf("no output and no refusal")
			}
			if _, err := tokenize(out); err != nil {
				t.Fatalf("output does not tokenize: %v\n%q", err, out)
			}
		default:
			if out != nil {
				t.Fatalf("refusal with output: %v", err)
			}
		}
	})
}
