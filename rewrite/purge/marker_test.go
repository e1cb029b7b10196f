package purge

import (
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// TestMarkerIsNeverAFinding: after a rewrite, history holds
// `***REMOVED:name***` where each secret was. If a rule fired on that,
// `leakfix history` would never come back clean after a purge. For every
// example of every rule in the default pack, the secrets found are
// replaced by their markers and the text is scanned again.
func TestMarkerIsNeverAFinding(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	firing := map[string][]string{} // rule that fires → example rules
	checked := 0
	for _, r := range cfg.Rules {
		for _, ex := range r.Examples {
			checked++
			path := "example.txt"
			if r.ExampleFile != "" {
				path = r.ExampleFile
			}
			fs, _ := d.Detect(scanner.Fragment{Path: path, Data: []byte(ex)})
			if len(fs) == 0 {
				continue
			}
			if err := naming.Assign(fs, cfg, nil); err != nil {
				t.Fatal(err)
			}
			out := ex
			for _, f := range Build(fs).Text {
				if f.Kind == Literal {
					out = strings.ReplaceAll(out, f.raw, f.Replacement)
				}
			}
			for _, f := range fs {
				out = strings.ReplaceAll(out, f.Secret, Marker(f.SecretName))
			}
			after, _ := d.Detect(scanner.Fragment{Path: path, Data: []byte(out)})
			for _, f := range after {
				if strings.Contains(f.Secret, "***REMOVED:") {
					firing[f.RuleID] = append(firing[f.RuleID], r.ID)
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d rule examples checked: the pack's examples were not loaded", checked)
	}
	ids := make([]string, 0, len(firing))
	for rule := range firing {
		ids = append(ids, rule)
	}
	sort.Strings(ids)
	for _, rule := range ids {
		t.Errorf("rule %s reports the purge marker ***REMOVED:name*** as a secret (in examples of %s): "+
			"the marker must count as a placeholder", rule, strings.Join(dedupeStrings(firing[rule]), ", "))
	}
}
