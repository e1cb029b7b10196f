package rules

import (
	"encoding/base64"
	"hash/crc32"
	"strings"
	"testing"
)

func TestEncodeBase62(t *testing.T) {
	for _, tc := range []struct {
		n    uint32
		want string
	}{
		{0, "000000"}, {9, "000009"}, {10, "00000A"}, {61, "00000z"}, {62, "000010"},
		{62*62 + 1, "000101"}, {4294967295, "4gfFC3"},
	} {
		if got := EncodeBase62(tc.n, 6); got != tc.want {
			t.Errorf("EncodeBase62(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// checksummed builds a token in GitHub's format from a 30-character body.
func checksummed(prefix, body string) string {
	return prefix + body + EncodeBase62(crc32.ChecksumIEEE([]byte(body)), 6)
}

// macaroon builds a version-2 binary macaroon for location loc.
func macaroon(loc string, sigLen int) string {
	b := []byte{2, 1, byte(len(loc))}
	b = append(b, loc...)
	id := strings.Repeat("\x07", 32)
	b = append(b, 2, byte(len(id)))
	b = append(b, id...)
	b = append(b, 0)
	cav := `{"version":1,"permissions":"user"}`
	b = append(b, 2, byte(len(cav)))
	b = append(b, cav...)
	b = append(b, 0, 0, 6, byte(sigLen))
	b = append(b, strings.Repeat("\x42", sigLen)...)
	return "pypi-" + base64.RawURLEncoding.EncodeToString(b)
}

func jwtOf(header, payload string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(header)) + "." + e([]byte(payload)) + ".c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
}

func TestValidators(t *testing.T) {
	body := "Rk3q9ZxT0bWm4LpV7cN2sY8dF1gH5j"
	good := checksummed("ghp_", body)
	for _, tc := range []struct {
		validator, secret string
		want              bool
	}{
		{"github-crc32", good, true},
		{"github-crc32", checksummed("gho_", body), true},
		{"github-crc32", good[:len(good)-1] + flip(good[len(good)-1]), false},
		{"github-crc32", "ghp_" + strings.Repeat("a", 36), false},
		{"github-crc32", "ghp_" + body, false},
		{"github-crc32", "no-underscore", false},
		{"npm-crc32", checksummed("npm_", body), true},
		{"npm-crc32", "npm_" + body + "000000", false},
		{"pypi-macaroon", macaroon("pypi.org", 32), true},
		{"pypi-macaroon", macaroon("test.pypi.org", 32), true},
		{"pypi-macaroon", macaroon("evil.example", 32), false},
		{"pypi-macaroon", macaroon("pypi.org", 31), false},
		{"pypi-macaroon", macaroon("pypi.org", 32)[:60], false},
		{"pypi-macaroon", "pypi-AgEIcHlwaS5vcmc" + strings.Repeat("A", 80), false},
		{"pypi-macaroon", "pypi-!!!", false},
		{"jwt", jwtOf(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"42"}`), true},
		{"jwt", jwtOf(`{"typ":"JWT"}`, `{"sub":"42"}`), false},
		{"jwt", jwtOf(`{"alg":"HS256"}`, `not json`), false},
		{"jwt", jwtOf(`{"alg":"HS256"}`, `{"a":1}{"b":2}`), false},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9", false},
	} {
		r := &Rule{ID: "t", Validate: tc.validator, Confidence: "medium"}
		conf, checked := r.ValidatedConfidence(tc.secret)
		if !checked {
			t.Fatalf("%s: no check ran", tc.validator)
		}
		if got := conf != "low"; got != tc.want {
			t.Errorf("%s(%q) valid = %v (confidence %s), want %v", tc.validator, tc.secret, got, conf, tc.want)
		}
	}
}

func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestValidatedConfidenceWithoutValidator(t *testing.T) {
	r := &Rule{ID: "t", Confidence: "medium"}
	if c, ok := r.ValidatedConfidence("anything"); ok || c != "medium" {
		t.Fatalf("got %q, %v; want the rule's own confidence and no check", c, ok)
	}
}

func TestUnknownValidatorIsAnError(t *testing.T) {
	_, err := Parse("t.toml", []byte(`
[[rules]]
id = "a"
regex = '''tok_[a-z]{8}'''
validate = "crc64-please"
`))
	if err == nil || !strings.Contains(err.Error(), `validate "crc64-please" is not one of`) {
		t.Fatalf("err = %v", err)
	}
}

func TestJWTIssuerProvider(t *testing.T) {
	r := &Rule{ID: "jwt", Validate: "jwt", Confidence: "low"}
	for _, tc := range []struct{ payload, want string }{
		{`{"iss":"https://login.microsoftonline.com/0b1c2d3e/v2.0","sub":"x"}`, "azure-ad"},
		{`{"iss":"https://sts.windows.net/0b1c2d3e/"}`, "azure-ad"},
		{`{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:ns:sa"}`, "kubernetes"},
		{`{"iss":"https://token.actions.githubusercontent.com"}`, "github"},
		{`{"iss":"https://acme.eu.auth0.com/"}`, "auth0"},
		{`{"iss":"https://abcd.supabase.co/auth/v1","role":"service_role"}`, "supabase"},
		{`{"iss":"https://auth.acme.test"}`, ""},
		{`{"sub":"no issuer"}`, ""},
		{`{"iss":42}`, ""},
	} {
		in, ok := r.Inspect(jwtOf(`{"alg":"RS256"}`, tc.payload))
		if tc.payload == `{"iss":42}` {
			// A non-string issuer does not decode: the token is still
			// well-formed, but names no provider.
			if !ok || in.Provider != "" {
				t.Errorf("%s: got %+v, %v", tc.payload, in, ok)
			}
			continue
		}
		if !ok || in.Confidence != "medium" || in.Provider != tc.want {
			t.Errorf("%s: got %+v, %v; want provider %q", tc.payload, in, ok, tc.want)
		}
	}
}
