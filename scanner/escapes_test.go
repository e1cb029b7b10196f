package scanner

import (
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// TestEscapesWorthDecoding: a line is decoded for its backslash escapes
// when a \u or \x escape spells printable ASCII, or when a rule keyword
// starts right after a one-letter escape; not for format strings.
func TestEscapesWorthDecoding(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`"\u0067\u0068p_x"`, true},
		{`s = "\x67hp"`, true},
		{`fmt.Printf("%s\n", x)`, false},
		{`table = "\u4e00\u4e01"`, false},
		{`"line\nghp_0123456789abcdefghij0123456789abcd"`, true},
		{`"\tpassword"`, true},
		{`"\n\t\r\0"`, false},
		{`"\nplain words\t"`, false},
		{`ends with \`, false},
		{`\u00zz then \nghp_`, true},
		{`\u00zz`, false},
		{``, false},
	} {
		if got := d.escapesWorthDecoding([]byte(tc.line)); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.line, got, tc.want)
		}
	}
}
