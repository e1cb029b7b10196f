package scanner

import "testing"

func TestNameThenOperator(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{`password = "x"`, true},
		{`Password: "x"`, true},
		{`password_prod := "x"`, true},
		{`pw[] = "x"`, true},
		{`Password string = "x"`, true},
		{`password: String = "x"`, true},
		{`password", "x")`, true},
		{`password\": \"x\"`, true},
		{`pwd.equals("x")`, true},
		{`pass .= 'x'`, true},
		{`PASS ?= "x"`, true},
		{`pass ::= 'x'`, true},
		{`pw = b"x"`, true},
		{`password = @"x"`, true},
		{`setPassword("x")`[3:], true},
		{`password89 := logger.password(ctx, 1, "logger")`, false},
		{`password(ctx, "x")`, false},
		{`PASS ?= x`, false},
		{`== "x"`, true},
		{`passed to the handler`, false},
		{`pwq7Zk+9/aB==`, false},
		{`password is required`, false},
		{`passes`, false},
		{`pass`, false},
	} {
		if got := nameThenOperator([]byte(tc.text), true); got != tc.want {
			t.Errorf("nameThenOperator(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestNameThenOperatorBare(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{`PASS ?= x`, true},
		{`pass ::= x`, true},
		{`pwd=x`, true},
		{`password: x`, true},
		{`password =`, false},
		{`passed to x`, false},
	} {
		if got := nameThenOperator([]byte(tc.text), false); got != tc.want {
			t.Errorf("nameThenOperator(%q, bare) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
