package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/leakfix/leakfix/scanner"
)

// printStages says under --verbose where the detector's time went and
// which rules' regexes cost the most (scanner.Stages): the first place to
// look when a scan, or a rule of the user's own, is slow.
func printStages(e *env, st *scanner.Stages) {
	if st == nil {
		return
	}
	var parts []string
	for _, s := range st.Totals() {
		if s.Time > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", s.Name, s.Time.Round(time.Millisecond)))
		}
	}
	if len(parts) == 0 {
		return
	}
	fmt.Fprintf(e.stderr, "leakfix: time by stage, summed over workers: %s\n", strings.Join(parts, ", "))
	var rules []string
	for _, r := range st.Costliest(5) {
		rules = append(rules, fmt.Sprintf("%s %s", r.Name, r.Time.Round(time.Millisecond)))
	}
	if len(rules) > 0 {
		fmt.Fprintf(e.stderr, "leakfix: costliest rules (regex time): %s\n", strings.Join(rules, ", "))
	}
}
