package python

import (
	"errors"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
)

// FuzzRewritePython: whatever the input, and wherever the secret spans
// fall, the rewriter either refuses with an error or produces output that
// still tokenizes — it never panics and never returns output with an
// unexpected error.
func FuzzRewritePython(f *testing.F) {
	f.Add([]byte("KEY = \"abcdefgh\"\n"), uint16(7), uint8(8), false)
	f.Add([]byte("\"\"\"doc\"\"\"\nfrom __future__ import annotations\nK = f'x{y}abcdefgh'\n"), uint16(53), uint8(8), false)
	f.Add([]byte("K = os.getenv(\"K\", \"abcdefgh\")\n"), uint16(20), uint8(8), true)
	f.Add([]byte("# abcdefgh\nK = b'abcdefgh' 'x'\n"), uint16(2), uint8(8), false)
	f.Add([]byte("K = rb'''abcdefgh\"'''\n"), uint16(9), uint8(8), false)
	rw, err := New("")
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
		out, err := rw.Rewrite("fuzz.py", src, []rewrite.Secret{secret})
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
