package scanner

import (
	"testing"

	"github.com/leakfix/leakfix/rules"
)

func TestClassifyPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want PathClass
	}{
		{"internal/auth/token.go", PathSource},
		{"internal/auth/token_test.go", PathTest},
		{"pkg/testdata/creds.json", PathFixture},
		{"openpgp/keys_test_data.go", PathFixture},
		{"integration_tests/testdata/test_vectors.json", PathFixture},
		{"integration_tests/run.sh", PathTest},
		{"src/__tests__/api.spec.ts", PathTest},
		{"tests/test_login.py", PathTest},
		{"src/test/java/acme/DbTest.java", PathTest},
		{"docs/install.md", PathDocs},
		{"README.md", PathDocs},
		{"examples/client/main.go", PathExample},
		{"config/app.env.example", PathExample},
		{"contest/main.go", PathSource},
		{"latest/config.yaml", PathSource},
	} {
		if got := ClassifyPath(tc.path); got != tc.want {
			t.Errorf("ClassifyPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestConfidenceByContext runs the default pack on the same lines in
// different files and contexts: the finding's confidence (or whether it is
// reported at all) must follow the path class, the surrounding words, the
// value's shape and the rule's format strength.
func TestConfidenceByContext(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{NoBase64: true})
	const pw = `db_password = "Vk7mQ3rZt9Lw"` + "\n"
	const random = `session_secret = "q8Zr2LmX0vKp4TnW7yBc9DfGh1Js3Ue5"` + "\n"
	for _, tc := range []struct {
		name, path, text, rule, want string // want "" = not reported
	}{
		{"password in source", "app/settings.py", pw, "generic-password-assignment", "medium"},
		{"password in a test", "app/tests/test_settings.py", pw, "generic-password-assignment", "low"},
		{"password in docs", "docs/setup.md", pw, "generic-password-assignment", "low"},
		{"password by example words", "app/settings.py", `db_password = "Vk7mQ3rZt9Lw"  # example value` + "\n", "generic-password-assignment", "low"},
		{"random generic value raised", "app/settings.py", random, "generic-api-key", "medium"},
		{"random generic value in a test", "app/settings_test.go", random, "generic-api-key", "low"},
		{"fixture identifier in a test is dropped", "app/settings_test.go", `expectedSecret := "q8Zr2LmX0vKp4TnW7yBc9DfGh1Js3Ue5"` + "\n", "generic-api-key", ""},
		{"fixture identifier in source is kept, low", "app/settings.go", `expectedSecret := "q8Zr2LmX0vKp4TnW7yBc9DfGh1Js3Ue5"` + "\n", "generic-api-key", "low"},
		{"code expression dropped", "app/run.go", `secret_arg := "client-secret=q8Zr2LmX0vKp4Tn" + secret` + "\n", "generic-api-key", ""},
		{"private key in test data: low", "ssh/testdata/keys.go", "var k = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDJ2WJ0hV4a8wQ0rU3x7Y1d2f3g4h5i6j7k8l9m0n1o2p3q4r5s6t7u8v\n-----END OPENSSH PRIVATE KEY-----\n`\n", "private-key-openssh", "low"},
		{"private key in a test file: medium", "crypto/key_test.go", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDJ2WJ0hV4a8wQ0rU3x7Y1d2f3g4h5i6j7k8l9m0n1o2p3q4r5s6t7u8v\n-----END OPENSSH PRIVATE KEY-----\n", "private-key-openssh", "medium"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := d.Detect(Fragment{Path: tc.path, Data: []byte(tc.text)})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, f := range fs {
				if f.RuleID == tc.rule {
					got = f.Confidence
				}
			}
			if got != tc.want {
				t.Errorf("%s in %s: confidence %q, want %q (findings %v)", tc.rule, tc.path, got, tc.want, ruleIDs(fs))
			}
		})
	}
}

func ruleIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+"/"+f.Confidence)
	}
	return out
}
