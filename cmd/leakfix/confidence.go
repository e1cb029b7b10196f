package main

import (
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/pflag"
)

// registerMinConfidence adds --min-confidence to a command that reports
// findings (scan, history).
func registerMinConfidence(fs *pflag.FlagSet, rf *reportFlags) {
	fs.StringVar(&rf.minConfidence, "min-confidence", "low", "report only findings at or above this confidence: high, medium or low (context such as test/docs paths lowers a finding's confidence)")
}

func validMinConfidence(c string) error {
	if rules.ConfidenceRank(c) == 0 {
		return usageError("--min-confidence %q: want high, medium or low", c)
	}
	return nil
}

// atLeastConfidence keeps the findings whose confidence is at or above min.
func atLeastConfidence(findings []scanner.Finding, min string) []scanner.Finding {
	floor := rules.ConfidenceRank(min)
	if floor <= rules.ConfidenceRank("low") {
		return findings
	}
	kept := findings[:0]
	for _, f := range findings {
		if rules.ConfidenceRank(f.Confidence) >= floor {
			kept = append(kept, f)
		}
	}
	return kept
}
