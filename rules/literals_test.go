package rules

import (
	"math/rand"
	"regexp"
	"regexp/syntax"
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

// TestRequiredLiteralSetsTogether: a second set every match needs turns
// away windows the first (the keywords) lets through.
func TestRequiredLiteralSetsTogether(t *testing.T) {
	tests := []struct {
		expr     string
		keywords []string
		admit    []string
		refuse   []string
	}{
		{`\b(?:curl|wget)\b[^\r\n]*?[ \t](?:-u|--user|-U)(?:[ \t]+|=)[^\s:]+:([^\s'"@]{4,})|\bwget\b[^\r\n]*?[ \t]--password[ \t=]([^\s'"]{4,})`,
			[]string{"curl", "wget"},
			[]string{"curl -u deploy:Mz7kQr3Lt9Wx https://x", "wget --password=Kr8mQz3Lt7Wv https://x", "curl --user a:bcdefg"},
			[]string{"curl_easy_setopt(curl, CURLOPT_URL, url);", "wget https://example.com/a.tgz"}},
		{`(?i)(?:create|alter)\s+user\s+\S+\s+identified\s+by\s+'([^']{4,})'`,
			[]string{"identified"},
			[]string{"CREATE USER app IDENTIFIED BY 'Tq8kLm3R'"},
			[]string{"-- the account is identified by its name", "user identified by 'x'"}},
	}
	for _, tt := range tests {
		tree, err := syntax.Parse(tt.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		lits := treeRequiredLiterals(tree, tt.keywords...)
		if lits == nil || len(lits.more) == 0 {
			t.Errorf("%s: no second set", tt.expr)
			continue
		}
		re := regexp.MustCompile(tt.expr)
		for _, s := range tt.admit {
			if !re.MatchString(s) {
				t.Fatalf("%s does not match %q: fix the test", tt.expr, s)
			}
			if !lits.Admits([]byte(s)) {
				t.Errorf("%s: refuses %q, which it matches", tt.expr, s)
			}
		}
		for _, s := range tt.refuse {
			if lits.Admits([]byte(s)) {
				t.Errorf("%s: admits %q", tt.expr, s)
			}
		}
		// Without keywords the sets the keywords spell are kept first and
		// the keyword-free ones may not make the cut; never less sound.
		if l := treeRequiredLiterals(tree); l != nil {
			for _, s := range tt.admit {
				if !l.Admits([]byte(s)) {
					t.Errorf("%s without keywords: refuses %q", tt.expr, s)
				}
			}
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
