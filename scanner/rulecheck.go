package scanner

import (
	"fmt"
	"strings"

	"github.com/leakfix/leakfix/rules"
)

// ExampleFailure is a rule example that was not found, or a negative that
// was.
type ExampleFailure struct {
	RuleID string
	Line   int    // line of the rule in its pack
	Kind   string // "example", "negative" or "missing"
	Index  int    // 1-based position in the rule's list
	Got    []string
}

func (f ExampleFailure) String() string {
	switch f.Kind {
	case "missing":
		return fmt.Sprintf("line %d: rule %s: has no examples", f.Line, f.RuleID)
	case "example":
		return fmt.Sprintf("line %d: rule %s: example %d is not reported as %s (reported: %s)",
			f.Line, f.RuleID, f.Index, f.RuleID, orNone(f.Got))
	default:
		return fmt.Sprintf("line %d: rule %s: negative %d is reported as %s", f.Line, f.RuleID, f.Index, f.RuleID)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nothing"
	}
	return strings.Join(s, ", ")
}

// CheckExamples scans every rule's examples and negatives with the whole
// pack, as a user's scan would: an example must come out as that rule's
// finding (so a more specific or more confident rule stealing it is a
// failure too), a negative must not. requireExamples makes a rule without
// examples a failure, which the default pack demands.
func CheckExamples(cfg *rules.Config, requireExamples bool) []ExampleFailure {
	d := New(cfg, Options{})
	var fails []ExampleFailure
	for _, r := range cfg.Rules {
		if requireExamples && len(r.Examples) == 0 {
			fails = append(fails, ExampleFailure{RuleID: r.ID, Line: r.Line, Kind: "missing"})
		}
		path := r.ExampleFile
		if path == "" {
			path = "src/example"
		}
		ids := func(text string) []string {
			fs, _ := d.Detect(Fragment{Path: path, Data: []byte(text)})
			var out []string
			for _, f := range fs {
				out = append(out, f.RuleID)
			}
			return out
		}
		for i, ex := range r.Examples {
			got := ids(ex)
			if !containsString(got, r.ID) {
				fails = append(fails, ExampleFailure{RuleID: r.ID, Line: r.Line, Kind: "example", Index: i + 1, Got: got})
			}
		}
		for i, neg := range r.Negatives {
			got := ids(neg)
			if containsString(got, r.ID) {
				fails = append(fails, ExampleFailure{RuleID: r.ID, Line: r.Line, Kind: "negative", Index: i + 1, Got: got})
			}
		}
	}
	return fails
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
