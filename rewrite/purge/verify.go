package purge

import "github.com/leakfix/leakfix/scanner"

// Survivors returns the findings of a scan made after the rewrite that the
// earlier report already held: the same fingerprint (rule, file, value),
// or — when the report holds values, as one written with --show-secrets
// does — the same value anywhere. A value the rewrite replaced is gone
// from both, so what is returned is exactly what the rewrite missed.
func Survivors(before, after []scanner.Finding) []scanner.Finding {
	fingerprints := map[string]bool{}
	values := map[string]bool{}
	for _, f := range before {
		if f.Fingerprint != "" {
			fingerprints[f.Fingerprint] = true
		}
		if f.Secret != "" && f.Secret != scanner.RedactedText {
			values[f.Secret] = true
		}
	}
	var out []scanner.Finding
	for _, f := range after {
		if fingerprints[f.Fingerprint] || values[f.Secret] {
			out = append(out, f)
		}
	}
	return out
}
