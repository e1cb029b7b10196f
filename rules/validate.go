package rules

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"sort"
	"strings"
)

// A validator checks the structure a provider builds into its secrets (a
// checksum, an encoding) that a regex cannot: a secret that passes is
// almost surely real, one that fails is a made-up or mistyped value. A rule
// names its validator in its `validate` field.
type validator struct {
	check func(secret string) bool
	// valid is the confidence a finding gets when the check passes.
	valid string
}

var validators = map[string]validator{
	// GitHub's token format (2021): prefix, 30 random base62 characters,
	// then the CRC32 of those 30 in base62, zero-padded to 6.
	"github-crc32": {check: crc32Base62Tail, valid: "high"},
	// npm's granular and automation tokens use GitHub's scheme.
	"npm-crc32": {check: crc32Base62Tail, valid: "high"},
	// PyPI API tokens are `pypi-` and a base64url v2 binary macaroon.
	"pypi-macaroon": {check: pypiMacaroon, valid: "high"},
	// A JWT's header and payload are base64url JSON objects, the header
	// naming its algorithm.
	"jwt": {check: jwtShape, valid: "medium"},
}

// Validators lists the names a rule's `validate` field may take.
func Validators() []string {
	names := make([]string, 0, len(validators))
	for n := range validators {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Inspection is what a rule's validator learned about one secret.
type Inspection struct {
	// Confidence is the validator's confidence when the check passes,
	// "low" when it fails.
	Confidence string
	// Provider names who issued the secret, when the secret says so (a
	// JWT's issuer), else "".
	Provider string
}

// Inspect runs the rule's validator, if it has one, on secret; ok is false
// when the rule has none.
func (r *Rule) Inspect(secret string) (in Inspection, ok bool) {
	v, ok := validators[r.Validate]
	if !ok {
		return Inspection{Confidence: r.Confidence}, false
	}
	if !v.check(secret) {
		return Inspection{Confidence: "low"}, true
	}
	in = Inspection{Confidence: v.valid}
	if r.Validate == "jwt" {
		in.Provider = jwtIssuerProvider(secret)
	}
	return in, true
}

// ValidatedConfidence is Inspect's confidence.
func (r *Rule) ValidatedConfidence(secret string) (string, bool) {
	in, ok := r.Inspect(secret)
	return in.Confidence, ok
}

// jwtIssuers maps a fragment of a JWT's "iss" claim to the provider that
// issues such tokens; the first match wins.
var jwtIssuers = []struct{ fragment, provider string }{
	{"login.microsoftonline.com", "azure-ad"},
	{"sts.windows.net", "azure-ad"},
	{"securetoken.google.com", "firebase"},
	{"accounts.google.com", "google"},
	{"token.actions.githubusercontent.com", "github"},
	{"kubernetes/serviceaccount", "kubernetes"},
	{"kubernetes.default.svc", "kubernetes"},
	{"cognito-idp.", "aws-cognito"},
	{".auth0.com", "auth0"},
	{".okta.com", "okta"},
	{".oktapreview.com", "okta"},
	{"supabase", "supabase"},
	{"appleid.apple.com", "apple"},
	{"clerk.", "clerk"},
	{"gitlab", "gitlab"},
	{"/realms/", "keycloak"},
}

// jwtIssuerProvider classifies a well-formed JWT by its issuer claim.
func jwtIssuerProvider(secret string) string {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 {
		return ""
	}
	var payload struct {
		Iss string `json:"iss"`
	}
	if !decodeJSONPart(parts[1], &payload) || payload.Iss == "" {
		return ""
	}
	iss := strings.ToLower(payload.Iss)
	for _, m := range jwtIssuers {
		if strings.Contains(iss, m.fragment) {
			return m.provider
		}
	}
	return ""
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// EncodeBase62 writes n in base 62, left-padded with zeros to width.
func EncodeBase62(n uint32, width int) string {
	var b []byte
	for n > 0 {
		b = append(b, base62[n%62])
		n /= 62
	}
	for len(b) < width {
		b = append(b, '0')
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// crc32Base62Tail checks `<prefix>_<30 body chars><6 checksum chars>`.
func crc32Base62Tail(secret string) bool {
	i := strings.IndexByte(secret, '_')
	if i < 0 {
		return false
	}
	rest := secret[i+1:]
	if len(rest) != 36 {
		return false
	}
	body, sum := rest[:30], rest[30:]
	return EncodeBase62(crc32.ChecksumIEEE([]byte(body)), 6) == sum
}

// pypiMacaroon checks that the token decodes to a version-2 binary
// macaroon whose location is PyPI and that ends in a 32-byte signature.
func pypiMacaroon(secret string) bool {
	raw, ok := strings.CutPrefix(secret, "pypi-")
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil || len(b) < 2 || b[0] != 2 {
		return false
	}
	p := macaroonReader{b: b[1:]}
	// Header: location (1), identifier (2), end of section.
	t, loc := p.field()
	if t != 1 || (string(loc) != "pypi.org" && string(loc) != "test.pypi.org") {
		return false
	}
	if t, id := p.field(); t != 2 || len(id) == 0 {
		return false
	}
	if t, _ := p.field(); t != 0 {
		return false
	}
	// Caveats, each a section ending in EOS, then an empty section.
	for {
		t, _ := p.field()
		if p.bad {
			return false
		}
		if t == 0 {
			break
		}
		for t != 0 && !p.bad {
			t, _ = p.field()
		}
	}
	t, sig := p.field()
	return !p.bad && t == 6 && len(sig) == 32 && len(p.b) == 0
}

type macaroonReader struct {
	b   []byte
	bad bool
}

// field reads one v2 field: a type byte, then (unless it is the end of a
// section, 0) a varint length and that many bytes.
func (m *macaroonReader) field() (int, []byte) {
	if m.bad || len(m.b) == 0 {
		m.bad = true
		return -1, nil
	}
	t := int(m.b[0])
	m.b = m.b[1:]
	if t == 0 {
		return 0, nil
	}
	n, k := binary.Uvarint(m.b)
	if k <= 0 || n > uint64(len(m.b)-k) {
		m.bad = true
		return -1, nil
	}
	data := m.b[k : k+int(n)]
	m.b = m.b[k+int(n):]
	return t, data
}

// jwtShape checks header.payload.signature with JSON-object header and
// payload, and an "alg" in the header.
func jwtShape(secret string) bool {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 {
		return false
	}
	var header map[string]any
	var payload map[string]any
	if !decodeJSONPart(parts[0], &header) || !decodeJSONPart(parts[1], &payload) {
		return false
	}
	_, hasAlg := header["alg"]
	return hasAlg
}

func decodeJSONPart(s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(b))
	return d.Decode(v) == nil && !d.More()
}
