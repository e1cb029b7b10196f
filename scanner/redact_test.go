package scanner

import (
	"strings"
	"testing"
)

// TestRedactedHidesEncodedToken: a secret found inside a base64 blob is
// redacted in the line too, not only the decoded value: the encoded token
// is the secret to anyone with base64 -d.
func TestRedactedHidesEncodedToken(t *testing.T) {
	const token = "c2tfbGl2ZV9PQ05WeEwzUTU2eGk3NmhKTmw5UzJ0bTU="
	f := Finding{Secret: "sk_live_OCNVxL3Q56xi76hJNl9S2tm5", Match: token, Encoding: "base64",
		Line: "  stripe-secret-key: " + token}
	r := f.Redacted()
	for _, s := range []string{r.Line, r.Match, r.Secret} {
		if strings.Contains(s, token) || strings.Contains(s, f.Secret) {
			t.Errorf("redacted field %q still holds the secret", s)
		}
	}
	if r.Line != "  stripe-secret-key: "+RedactedText {
		t.Errorf("line %q", r.Line)
	}
}
