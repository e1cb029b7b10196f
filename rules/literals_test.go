package rules

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string // nil: no set
	}{
		{`(?:[A-Z][A-Z0-9_]*)?(?:PASSWORD|PASSPHRASE)=(\S+)`, []string{"PASSWORD=", "PASSPHRASE="}},
		{`(?i)api[_-]?key\s*=\s*"([a-z0-9]{32})"`, []string{"api-key", "api_key", "apikey"}},
		{`\b(gsk_[A-Za-z0-9]{52})\b`, []string{"gsk_"}},
		{`(?:xoxb|xoxp)-[0-9]+`, []string{"xoxb-", "xoxp-"}}, // rebuilt across the parser's prefix factoring
		{`a*bcd?`, nil},      // "bc" too short
		{`(?:abc|d)e+`, nil}, // "d" branch too short
		{`(?:abc)?defg`, []string{"abcdefg", "defg"}},
		{`[Pp]assword\s*=`, []string{"password"}}, // the parser folds [Pp] into the literal
		{`_(?:PASS|PWD|PASSWD)=`, []string{"_PASS=", "_PWD=", "_PASSWD="}},
		{`(?:abc)?x`, nil},
	}
	for _, tt := range tests {
		got := requiredLiterals(tt.expr)
		if tt.want == nil {
			if got != nil {
				t.Errorf("%s: got %v, want none", tt.expr, got.lits)
			}
			continue
		}
		if got == nil {
			t.Errorf("%s: got none, want %v", tt.expr, tt.want)
			continue
		}
		var texts []string
		for _, l := range got.lits {
			texts = append(texts, string(l.text))
		}
		if strings.Join(texts, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.expr, texts, tt.want)
		}
	}
}

// TestRequiredLiteralsAreNecessary checks soundness on the whole default
// pack: wherever a rule's regex matches (its examples, and random
// mutations of them), its required literals must admit the text.
func TestRequiredLiteralsAreNecessary(t *testing.T) {
	cfg, err := DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	withSets := 0
	for _, r := range cfg.Rules {
		lits := r.Literals()
		if lits == nil {
			continue
		}
		withSets++
		re := regexp.MustCompile(r.Regex)
		texts := append(append([]string(nil), r.Examples...), r.Negatives...)
		for _, ex := range r.Examples {
			for i := 0; i < 20; i++ {
				b := []byte(ex)
				k := rng.Intn(len(b))
				b[k] ^= 0x20 // flip case (and sometimes punctuation)
				texts = append(texts, string(b))
			}
		}
		for _, text := range texts {
			if re.MatchString(text) && !lits.Admits([]byte(text)) {
				t.Errorf("rule %s matches %q but its required literals refuse it", r.ID, text)
			}
		}
	}
	if withSets < 50 {
		t.Errorf("only %d rules have required literals; the derivation is not working", withSets)
	}
	t.Logf("%d of %d rules have required literals", withSets, len(cfg.Rules))
}
