package scanner

import "testing"

func TestNameOperatorFollows(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`key = "x"`, true},
		{`key_id: abc`, true},
		{`token" : "x"`, true},
		{`secret := x`, true},
		{`secret ::= x`, true},
		{`TOKEN ?= x`, true},
		{`token ??= x`, true},
		{`token ||= x`, true},
		{`key += x`, true},
		{`secret .= 'x'`, true},
		{`secret.='x'`, true},
		{`key => x`, true},
		{`keyPress(event)`, false},
		{`tokens are parsed`, false},
		{`key`, false},
		{`key""= x`, false}, // the regex allows one quote
	}
	for _, tt := range tests {
		if got := nameOperatorFollows([]byte(tt.in)); got != tt.want {
			t.Errorf("nameOperatorFollows(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
