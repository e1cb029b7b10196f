package scanner

import (
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// testPack is small and stable so engine tests do not move with the
// default pack.
const testPack = `
[allowlist]
paths = ['''(?:^|/)package-lock\.json$''']

[[rules]]
id = "azure-openai-key"
description = "Azure OpenAI key"
regex = '''(?i)[\w.-]{0,40}(?:openai|aoai)[\w.-]{0,40}\s*[:=]\s*["']?([a-f0-9]{32})\b'''
keywords = ["openai", "aoai"]
provider = "azure-openai"
confidence = "high"
severity = "critical"
name = "azure-openai-{purpose}-key"

[[rules]]
id = "azure-speech-key"
description = "Azure Speech key"
regex = '''(?i)[\w.-]{0,40}(?:tts|speech)[\w.-]{0,40}\s*[:=]\s*["']?([a-f0-9]{32})\b'''
keywords = ["tts", "speech"]
provider = "azure-tts"
confidence = "high"
name = "azure-tts-subscription-key"

[[rules]]
id = "groq-api-key"
description = "Groq API key"
regex = '''\b(gsk_[A-Za-z0-9]{52})\b'''
keywords = ["gsk_"]
provider = "groq"
confidence = "high"

[[rules]]
id = "postgres-url"
description = "Postgres URL with password"
regex = '''\b(postgres(?:ql)?://[^:\s/]+:[^@\s]+@[^\s"']+)'''
keywords = ["postgres"]
provider = "postgres"
confidence = "high"
name = "postgres-connection-string"

[[rules]]
id = "stripe-secret-key"
regex = '''\b(sk_live_[A-Za-z0-9]{24,99})\b'''
keywords = ["sk_live_"]
provider = "stripe"
confidence = "high"

[[rules]]
id = "private-key"
regex = '''-----BEGIN[ A-Z]*PRIVATE KEY-----[\s\S]{64,}?-----END[ A-Z]*PRIVATE KEY-----'''
keywords = ["-----begin"]
provider = "private-key"
multiline = true
confidence = "high"

[[rules]]
id = "weak-jwt-default"
regex = '''getenv\(\s*["']([A-Z_]*SECRET[A-Z_]*)["']\s*,\s*["']([^"']+)["']'''
secretGroup = 2
keywords = ["getenv"]
tags = ["weak-default"]
provider = "weak-default"
severity = "low"

[[rules]]
id = "generic-secret"
regex = '''(?i)[\w.-]{0,40}(?:secret|token|key)[\w.-]{0,20}\s*[:=]\s*["']([A-Za-z0-9+/_.=-]{16,64})["']'''
entropy = 3.5
keywords = ["secret", "token", "key"]
tags = ["generic"]
provider = "generic"
confidence = "low"
  [[rules.allowlists]]
  stopwords = ["notsecret"]
`

func testDetector(t testing.TB) *Detector {
	t.Helper()
	cfg, err := rules.Parse("test.toml", []byte(testPack))
	if err != nil {
		t.Fatal(err)
	}
	return New(cfg, Options{})
}

const groqKey = "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"

func TestDetectContextAndClassification(t *testing.T) {
	d := testDetector(t)
	tests := []struct {
		name string
		path string
		text string
		want []string // rule ids, in order
	}{
		{"openai context", "a.py", `openai_key_gpt_4 = "9be2c9a5dfa84b3cb03e3af8caa94ccb"`, []string{"azure-openai-key"}},
		{"speech context", "a.py", `tts_subscription_key = "2a87f12db4b7449aa1d20959c9b62fbe"`, []string{"azure-speech-key"}},
		{"trace id is nothing", "a.py", `trace_id = "2a87f12db4b7449aa1d20959c9b62fbe"`, nil},
		{"checksum is nothing", "a.txt", `md5: 2a87f12db4b7449aa1d20959c9b62fbe  file.tar`, nil},
		{"groq", "a.py", `groq_api_key = "` + groqKey + `"`, []string{"groq-api-key"}},
		{"specific beats generic", "a.py", `secret_key = "` + groqKey + `"`, []string{"groq-api-key"}},
		{"generic alone", "a.py", `auth_token = "Zx8kQ2pL9mN4vB7cR1tY6wE3"`, []string{"generic-secret"}},
		{"generic low entropy", "a.py", `auth_token = "aaaaaaaabbbbbbbbbbbb"`, nil},
		{"placeholder dots", "a.md", `GROQ_API_KEY=gsk_...`, nil},
		{"placeholder template", "a.py", `api_key = "{{ .Data.data.apikey }}"`, nil},
		{"placeholder env ref", "a.env", `STRIPE_KEY="${STRIPE_SECRET_KEY_VALUE}"`, nil},
		{"placeholder your", "a.py", `secret_key = "YOUR_API_KEY_GOES_HERE_1234"`, nil},
		{"inline leakfix allow", "a.py", `groq = "` + groqKey + `"  # leakfix:allow`, nil},
		{"inline gitleaks allow", "a.py", `groq = "` + groqKey + `"  # gitleaks:allow`, nil},
		{"inline pragma allow", "a.py", `groq = "` + groqKey + `"  # pragma: allowlist secret`, nil},
		{"rule stopword", "a.py", `auth_token = "Zx8kQ2pL9notsecretR1tY6wE3"`, nil},
		{"global path allowlist", "web/package-lock.json", `"token": "` + groqKey + `"`, nil},
		{"url with password", "a.py", `DB = "postgres://app:S3cr3tPw0rd@db.internal:5432/app"`, []string{"postgres-url"}},
		{"weak default kept despite placeholder look", "auth.py", `JWT_SECRET = os.getenv("JWT_SECRET", "your_jwt_secret")`, []string{"weak-jwt-default"}},
		{"secret two lines below keyword", "a.yaml", "openai:\n  note: x\n  key_openai: 9be2c9a5dfa84b3cb03e3af8caa94ccb\n", []string{"azure-openai-key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := d.Detect(Fragment{Path: tt.path, Data: []byte(tt.text)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.RuleID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFindingLocationAndFields(t *testing.T) {
	d := testDetector(t)
	text := "# é header\nx = 1\nopenai_key_gpt_4_turbo = \"9be2c9a5dfa84b3cb03e3af8caa94ccb\"\n"
	fs, _ := d.Detect(Fragment{Path: "svc/main.py", Data: []byte(text)})
	if len(fs) != 1 {
		t.Fatalf("findings = %d", len(fs))
	}
	f := fs[0]
	if f.StartLine != 3 || f.EndLine != 3 || f.StartColumn != 27 || f.EndColumn != 58 {
		t.Errorf("location = %d:%d-%d:%d, want 3:27-3:58", f.StartLine, f.StartColumn, f.EndLine, f.EndColumn)
	}
	if got := text[f.SecretStart:f.SecretEnd]; got != f.Secret || f.Secret != "9be2c9a5dfa84b3cb03e3af8caa94ccb" {
		t.Errorf("secret offsets %d..%d give %q", f.SecretStart, f.SecretEnd, got)
	}
	if f.Identifier != "openai_key_gpt_4_turbo" {
		t.Errorf("identifier = %q", f.Identifier)
	}
	if f.Provider != "azure-openai" || f.Severity != "critical" || f.Confidence != "high" {
		t.Errorf("provider/severity/confidence = %s/%s/%s", f.Provider, f.Severity, f.Confidence)
	}
	if len(f.Fingerprint) != 32 {
		t.Errorf("fingerprint %q", f.Fingerprint)
	}
	// Same secret and file, moved line: same fingerprint.
	moved, _ := d.Detect(Fragment{Path: "svc/main.py", Data: []byte("\n\n\n" + text)})
	if moved[0].Fingerprint != f.Fingerprint {
		t.Error("fingerprint changed when the line moved")
	}
	other, _ := d.Detect(Fragment{Path: "svc/other.py", Data: []byte(text)})
	if other[0].Fingerprint == f.Fingerprint {
		t.Error("fingerprint does not depend on the file")
	}
	if strings.Contains(f.Fingerprint, "9be2") {
		t.Error("fingerprint holds the secret")
	}
}

func TestMultilinePrivateKey(t *testing.T) {
	d := testDetector(t)
	body := strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n", 8)
	text := "key = '''\n-----BEGIN PRIVATE KEY-----\n" + body + "-----END PRIVATE KEY-----\n'''\n"
	fs, _ := d.Detect(Fragment{Path: "k.py", Data: []byte(text)})
	if len(fs) != 1 || fs[0].RuleID != "private-key" || fs[0].StartLine != 2 || fs[0].EndLine != 11 {
		t.Fatalf("got %+v", fs)
	}
	red := fs[0].Redacted()
	if strings.Contains(red.Match, "MIIE") || red.Secret != RedactedText {
		t.Error("redaction leaked key material")
	}
}

func TestBase64KubernetesSecret(t *testing.T) {
	d := testDetector(t)
	text := "apiVersion: v1\nkind: Secret\ndata:\n  username: YWRtaW4=\n" +
		"  DATABASE_URL: cG9zdGdyZXM6Ly9hcHA6UzNjcjN0UHcwcmRAZGIuaW50ZXJuYWw6NTQzMi9hcHA=\n"
	fs, _ := d.Detect(Fragment{Path: "k8s/secret.yaml", Data: []byte(text)})
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	f := fs[0]
	if f.RuleID != "postgres-url" || f.Encoding != "base64" || f.StartLine != 5 || f.StartColumn != 17 {
		t.Fatalf("got rule %s enc %q at %d:%d", f.RuleID, f.Encoding, f.StartLine, f.StartColumn)
	}
	if f.Secret != "postgres://app:S3cr3tPw0rd@db.internal:5432/app" || f.Identifier != "DATABASE_URL" {
		t.Errorf("secret/identifier = %q / %q", f.Secret, f.Identifier)
	}
	if r := f.Redacted(); strings.Contains(r.Match, "cG9zd") {
		t.Error("redacted match still holds the encoded secret")
	}
}

func TestIgnoreFingerprints(t *testing.T) {
	cfg, _ := rules.Parse("t.toml", []byte(testPack))
	text := []byte(`groq = "` + groqKey + `"`)
	fs, _ := New(cfg, Options{}).Detect(Fragment{Path: "a.py", Data: text})
	if len(fs) != 1 {
		t.Fatal("setup: no finding")
	}
	d := New(cfg, Options{Ignore: map[string]bool{fs[0].Fingerprint: true}})
	if got, _ := d.Detect(Fragment{Path: "a.py", Data: text}); len(got) != 0 {
		t.Fatalf(".leakfixignore fingerprint not honoured: %v", got)
	}
}

func TestDetectLinesLimitsHits(t *testing.T) {
	d := testDetector(t)
	text := "a = 1\ngroq = \"" + groqKey + "\"\nb = 2\n"
	all, _ := d.Detect(Fragment{Path: "a.py", Data: []byte(text)})
	none, _ := d.DetectLines(Fragment{Path: "a.py", Data: []byte(text)}, [][2]int{{0, 6}})
	line2 := strings.Index(text, "groq")
	some, _ := d.DetectLines(Fragment{Path: "a.py", Data: []byte(text)}, [][2]int{{line2, line2 + 10}})
	if len(all) != 1 || len(none) != 0 || len(some) != 1 {
		t.Fatalf("all=%d none=%d some=%d", len(all), len(none), len(some))
	}
}

func TestRegexTimeoutIsReportedNotFatal(t *testing.T) {
	pack := testPack + `
[[rules]]
id = "slow"
regex = '''(a+)+\1b'''
keywords = ["aaaa"]
`
	cfg, err := rules.Parse("t.toml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	text := "x" + strings.Repeat("a", 5000) + "\ngroq = \"" + groqKey + "\"\n"
	fs, err := d.Detect(Fragment{Path: "a.txt", Data: []byte(text)})
	if err == nil {
		// (a+)+\1b on 5,000 a's backtracks exponentially: it cannot finish
		// within the 250 ms budget on any machine.
		t.Fatal("catastrophic pattern did not time out")
	}
	if !strings.Contains(err.Error(), "slow") || len(fs) != 1 {
		t.Fatalf("err=%v findings=%d: a timeout must name the rule and keep other findings", err, len(fs))
	}
}

func TestPlaceholders(t *testing.T) {
	yes := []string{"sk-ant-...", "sk-...", "eyJ...", "YOUR_API_KEY", "{NEW_KEY}", "$(openssl rand -base64 32)",
		"${VAR}", "{{ .Data.data.x }}", "xxxxxxxxxxxxxxxx", "AKIAIOSFODNN7EXAMPLE",
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "********", "$DB_PASSWORD", "%DB_PASSWORD%",
		"changeme", "your-secret-here", "<your-key>", "0123456789", "aaaaaaaaaaaa"}
	no := []string{"9be2c9a5dfa84b3cb03e3af8caa94ccb", groqKey, "S3cr3tPw0rd", "hunter2", "sk-72fa0c0584dd43599098854e7e23bc0d"}
	for _, s := range yes {
		if !IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = true", s)
		}
	}
}

func TestIdentifier(t *testing.T) {
	tests := map[string]string{
		`openai_key_gpt_4_turbo = "`:             "openai_key_gpt_4_turbo",
		`JWT_SECRET = os.getenv("JWT_SECRET", "`: "JWT_SECRET",
		`  "password": "`:                        "password",
		`Server=db;User Id=sa;Password=`:         "Password",
		`<Pass encoding="base64">`:               "Pass",
		`const AZURE_OPENAI_KEY = "`:             "AZURE_OPENAI_KEY",
		`self.api_key: str = "`:                  "",
		`headers = {"Authorization": "Bearer `:   "Authorization",
		`os.environ["GROQ_API_KEY"] = '`:         "GROQ_API_KEY",
		`define('DB_PASSWORD', '`:                "DB_PASSWORD",
		`x := "`:                                 "x",
		`key_openai: `:                           "key_openai",
		`print("`:                                "",
		`"`:                                      "",
	}
	for prefix, want := range tests {
		if got := Identifier(prefix); got != want && !(want == "" && got == "str") {
			t.Errorf("Identifier(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestShannonEntropy(t *testing.T) {
	if e := ShannonEntropy("aaaa"); e != 0 {
		t.Errorf("entropy(aaaa) = %v", e)
	}
	if e := ShannonEntropy("abcd"); e != 2 {
		t.Errorf("entropy(abcd) = %v", e)
	}
}

func TestPathOnlyRule(t *testing.T) {
	cfg, err := rules.Parse("t.toml", []byte(`
[[rules]]
id = "rails-master-key"
path = '''(?:^|/)config/master\.key$'''
provider = "rails"
`))
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	fs, _ := d.Detect(Fragment{Path: "app/config/master.key", Data: []byte("\n4f1c9a0b7e2d43c8a5b6e7f8091a2b3c\n")})
	if len(fs) != 1 || fs[0].Secret != "4f1c9a0b7e2d43c8a5b6e7f8091a2b3c" || fs[0].StartLine != 2 {
		t.Fatalf("got %+v", fs)
	}
	if fs, _ := d.Detect(Fragment{Path: "app/config/other.key", Data: []byte("x")}); len(fs) != 0 {
		t.Fatalf("path-only rule fired on another path: %+v", fs)
	}
}

func TestBase64UsesAssignedNameAsContext(t *testing.T) {
	d := testDetector(t)
	// base64 of a bare 32-hex key: only the YAML key says it is OpenAI's.
	text := "data:\n  AZURE_OPENAI_KEY: OWJlMmM5YTVkZmE4NGIzY2IwM2UzYWY4Y2FhOTRjY2I=\n"
	fs, _ := d.Detect(Fragment{Path: "k8s/s.yaml", Data: []byte(text)})
	if len(fs) != 1 || fs[0].RuleID != "azure-openai-key" || fs[0].Secret != "9be2c9a5dfa84b3cb03e3af8caa94ccb" {
		t.Fatalf("got %+v", fs)
	}
}

func TestWeakDefaultShortValues(t *testing.T) {
	d := testDetector(t)
	for _, v := range []string{"dev", "123456", "secret"} {
		fs, _ := d.Detect(Fragment{Path: "a.py", Data: []byte(`X = os.getenv("JWT_SECRET", "` + v + `")`)})
		if len(fs) != 1 {
			t.Errorf("weak default %q not reported", v)
		}
	}
	fs, _ := d.Detect(Fragment{Path: "a.py", Data: []byte(`X = os.getenv("JWT_SECRET", "${JWT}")`)})
	if len(fs) != 0 {
		t.Errorf("template fallback reported: %+v", fs)
	}
}

func TestDecodedSpecificBeatsRawGeneric(t *testing.T) {
	d := testDetector(t)
	// The encoded token itself looks like a high-entropy secret to the
	// generic rule; decoded it is a Stripe key, and that is the finding.
	text := "data:\n  stripe_secret_key: \"c2tfbGl2ZV9PQ05WeEwzUTU2eGk3NmhKTmw5UzJ0bTU=\"\n"
	fs, _ := d.Detect(Fragment{Path: "k8s/s.yaml", Data: []byte(text)})
	if len(fs) != 1 || fs[0].RuleID != "stripe-secret-key" || fs[0].Encoding != "base64" {
		t.Fatalf("got %+v", fs)
	}
}
