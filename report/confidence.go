package report

import (
	"sort"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// resultLevel is a finding's SARIF level: its severity's, one step milder
// when the detector has low confidence in it (a generic match, or one in
// a test or docs file), so code scanning ranks sure findings first.
func resultLevel(severity, confidence string) string {
	l := level(severity)
	if confidence != "low" {
		return l
	}
	switch l {
	case "error":
		return "warning"
	default:
		return "note"
	}
}

// byConfidence orders findings for the text report: surest first, then
// most severe, otherwise in scan order (file by file).
func byConfidence(findings []scanner.Finding) []scanner.Finding {
	out := append([]scanner.Finding(nil), findings...)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := rules.ConfidenceRank(out[i].Confidence), rules.ConfidenceRank(out[j].Confidence)
		if ci != cj {
			return ci > cj
		}
		return severityRank(out[i].Severity) > severityRank(out[j].Severity)
	})
	return out
}
