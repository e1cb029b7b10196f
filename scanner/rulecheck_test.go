package scanner

import (
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// TestDefaultPackExamples runs every rule's examples and negatives through
// the whole default pack, in the manner of analysistest: the rules carry
// their own test data, and this one test checks them all.
func TestDefaultPackExamples(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]ExampleFailure{}
	for _, f := range CheckExamples(cfg, true) {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	for _, r := range cfg.Rules {
		t.Run(r.ID, func(t *testing.T) {
			for _, f := range byRule[r.ID] {
				t.Error(f.String())
			}
		})
	}
}

// TestCheckExamplesCatchesBadRules makes sure the example check can fail.
func TestCheckExamplesCatchesBadRules(t *testing.T) {
	cfg, err := rules.Parse("t.toml", []byte(`
[[rules]]
id = "a"
regex = '''tok_[a-z]{8}'''
keywords = ["tok_"]
examples = ['''x = "tok_abcdefgh"''', '''x = "tok_short"''']
negatives = ['''x = "tok_qwzxplmn"''']
[[rules]]
id = "b"
regex = '''b'''
`))
	if err != nil {
		t.Fatal(err)
	}
	fails := CheckExamples(cfg, true)
	kinds := map[string]int{}
	for _, f := range fails {
		kinds[f.RuleID+"/"+f.Kind]++
	}
	if kinds["a/example"] != 1 || kinds["a/negative"] != 1 || kinds["b/missing"] != 1 || len(fails) != 3 {
		t.Fatalf("failures = %v", fails)
	}
}
