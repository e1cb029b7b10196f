package configfile

import (
	"errors"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
)

// FuzzRewriteConfig: for any input in any format and any secret span, the
// rewriter refuses or returns output, never panics; JSON, YAML and TOML
// output is re-parsed by the rewriter itself before it is returned.
func FuzzRewriteConfig(f *testing.F) {
	f.Add([]byte("KEY=abcdefgh\n"), uint8(0), uint16(4), uint8(8), false)
	f.Add([]byte("a:\n  - 'abcdefgh'\n  b: |\n    abcdefgh\n"), uint8(1), uint16(9), uint8(8), false)
	f.Add([]byte(`{"k": "xabcdefgh"}`), uint8(2), uint16(9), uint8(8), false)
	f.Add([]byte("[s]\nk = \"\"\"abcdefgh\"\"\" # c\n"), uint8(5), uint16(11), uint8(8), false)
	f.Add([]byte("k = \"abcdefgh\"\n"), uint8(6), uint16(5), uint8(8), true)
	f.Add([]byte("ENV K='a abcdefgh'\n"), uint8(7), uint16(9), uint8(8), false)
	f.Add([]byte("X=${X:-abcdefgh}\n"), uint8(0), uint16(7), uint8(8), true)
	names := []string{"a.env", "a.yaml", "a.json", "a.ini", "a.properties", "a.toml", "a.tfvars", "Dockerfile"}
	rw := New()
	f.Fuzz(func(t *testing.T, src []byte, format uint8, start uint16, n uint8, weak bool) {
		s, e := int(start), int(start)+int(n)
		if n == 0 || e > len(src) {
			return
		}
		name := names[int(format)%len(names)]
		secret := rewrite.Secret{Name: "fuzz-key", Value: string(src[s:e]), Start: s, End: e,
			Line: rewrite.LineOf(src, s), WeakDefault: weak, Identifier: "FUZZ_KEY"}
		out, err := rw.Rewrite(name, src, []rewrite.Secret{secret})
		var unfixed *rewrite.Unfixed
		if (err == nil || errors.As(err, &unfixed)) && out == nil {
			t.Fatalf("no output and no refusal")
		}
		if err != nil && !errors.As(err, &unfixed) && out != nil {
			t.Fatalf("refusal with output: %v", err)
		}
	})
}
