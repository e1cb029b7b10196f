package scanner

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// TestValidatedRuleExamples: the pack's examples for rules with a
// checksum or structure validator are built to pass it, so each is reported
// with the validator's confidence, and for checksums, changing one
// character of the secret drops the finding to low confidence.
func TestValidatedRuleExamples(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	n := 0
	for _, r := range cfg.Rules {
		if r.Validate == "" {
			continue
		}
		for _, ex := range r.Examples {
			fs, _ := d.Detect(Fragment{Path: "src/example", Data: []byte(ex)})
			f := findingOf(fs, r.ID)
			if f == nil {
				t.Errorf("%s: example not found: %s", r.ID, ex)
				continue
			}
			n++
			if f.Confidence == "low" {
				t.Errorf("%s: example fails its %s check: %s", r.ID, r.Validate, ex)
			}
			if !strings.HasSuffix(r.Validate, "-crc32") {
				continue // structure checks are exercised in rules/validate_test.go
			}
			// A checksum catches any one changed character.
			mid := f.SecretStart + (f.SecretEnd-f.SecretStart)/2
			broken := []byte(ex)
			if broken[mid] == 'Q' {
				broken[mid] = 'R'
			} else {
				broken[mid] = 'Q'
			}
			fs, _ = d.Detect(Fragment{Path: "src/example", Data: broken})
			if g := findingOf(fs, r.ID); g != nil && g.Confidence != "low" {
				t.Errorf("%s: broken example still has confidence %s: %s", r.ID, g.Confidence, broken)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d validated examples; validators are not wired to the pack", n)
	}
}

func findingOf(fs []Finding, id string) *Finding {
	for i := range fs {
		if fs[i].RuleID == id {
			return &fs[i]
		}
	}
	return nil
}

// TestJWTClassifiedByIssuer: a JWT is reported under the provider its
// issuer claim names.
func TestJWTClassifiedByIssuer(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc([]byte(`{"aud":"00000003-0000-0000-c000-000000000000","iss":"https://sts.windows.net/5f1c2b7e-3a4d-4e8f-9b0a-1c2d3e4f5a6b/","appid":"c3d4e5f6"}`)) +
		".Zm9yZ2VkLXNpZ25hdHVyZS1ieXRlcy1mb3ItYS10ZXN0LXRva2Vu"
	fs, _ := d.Detect(Fragment{Path: "notes/call.sh", Data: []byte("GRAPH_TOKEN=" + tok + "\n")})
	f := findingOf(fs, "jwt")
	if f == nil {
		t.Fatalf("JWT not reported as jwt: %+v", fs)
	}
	if f.Provider != "azure-ad" || f.Confidence != "medium" {
		t.Errorf("provider/confidence = %s/%s, want azure-ad/medium", f.Provider, f.Confidence)
	}
}
