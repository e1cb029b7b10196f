package rules

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

func runGate(t *testing.T, expr string) *ValueGate {
	t.Helper()
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	return treeRunGate(tree)
}

func TestRunGate(t *testing.T) {
	tts := `(?i:tts)[\w.-]*?[ \t]*=[ \t]*["']?([0-9a-f]{32}|[A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9]{18}ACOG[A-Za-z0-9]{4})\b`
	key84 := strings.Repeat("Ab3", 17) + "xJQQJ99A" + strings.Repeat("z", 17) + "ACOG" + "Wq06"
	tests := []struct {
		name, expr string
		admit      []string
		refuse     []string
	}{
		{"two key shapes", tts,
			[]string{`tts_key = "2a87f12db4b7449aa1d20959c9b62fbe"`, `tts_key = "` + key84 + `"`},
			// A base64 line has long alphanumeric runs, but no 84-byte one
			// and no 32-byte lowercase hex one.
			[]string{`cYJLlGjBAw7JZJdRh+p0hwg3XHxTTs0O6zrEseThwlU6VOjGJ8LsmcbTFJgoWBDdxHBUAT7GyZPNaMrY`}},
		{"several groups", `\b([A-Za-z0-9]{20}AZCS[A-Za-z0-9]{4})\b|key=([A-Za-z0-9+/]{40}==)`,
			[]string{strings.Repeat("a", 20) + "AZCS1234", "key=" + strings.Repeat("b/", 20) + "=="},
			[]string{"key=" + strings.Repeat("ab", 10) + "+/" + strings.Repeat("c", 8)}},
		{"repeat of alternatives takes the union", `x((?:[a-f]{8}|[0-9]{8}){2})`,
			[]string{"xabcdefab12345678"},
			[]string{"x1234567abcdefa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := runGate(t, tt.expr)
			if g == nil {
				t.Fatal("no gate")
			}
			re := regexp.MustCompile(tt.expr)
			for _, s := range tt.admit {
				if !re.MatchString(s) {
					t.Fatalf("test input %q does not match", s)
				}
				if !g.Admits([]byte(s)) {
					t.Errorf("gate refuses a match: %q", s)
				}
			}
			for _, s := range tt.refuse {
				if g.Admits([]byte(s)) {
					t.Errorf("gate admits %q", s)
				}
			}
		})
	}
	// No gate where some branch needs no long run.
	for _, expr := range []string{`key=[ \t]*([a-f0-9]{8})`, `(?i:tts)[^\n]*?(?:[0-9a-f]{32}|secret)`, `a?[0-9]{6}b?[0-9]{6}`} {
		if runGate(t, expr) != nil {
			t.Errorf("%s: want no gate", expr)
		}
	}
}

// Every example of every default rule must pass its gate: the gate is only
// ever a necessary condition.
func TestRunGateAdmitsPackExamples(t *testing.T) {
	cfg, err := DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	gated := 0
	for i := range cfg.Rules {
		r := cfg.Rules[i]
		g := r.Gate()
		if g == nil {
			continue
		}
		gated++
		for _, ex := range r.Examples {
			if !g.Admits([]byte(ex)) {
				t.Errorf("%s: gate refuses example %q", r.ID, ex)
			}
		}
	}
	if gated == 0 {
		t.Fatal("no default rule has a gate")
	}
}
