package scanner

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// gitleaksConfigPath is gitleaks' own default config (a copy with its
// licence and origin in testdata/compat): leakfix must read a gitleaks
// config unchanged.
var gitleaksConfigPath = filepath.Join("..", "testdata", "compat", "gitleaks.toml")

func loadGitleaksConfig(t *testing.T) (*rules.Config, []byte) {
	t.Helper()
	data, err := os.ReadFile(gitleaksConfigPath)
	if err != nil {
		t.Fatalf("gitleaks config not found at %s (testdata/compat): %v", gitleaksConfigPath, err)
	}
	cfg, err := rules.LoadFile(gitleaksConfigPath)
	if err != nil {
		t.Fatalf("gitleaks' default config does not load: %v", err)
	}
	return cfg, data
}

var gitleaksRuleHeader = regexp.MustCompile(`(?m)^\[\[rules\]\]\s*$`)
var gitleaksRuleID = regexp.MustCompile(`(?m)^id = "([^"]+)"`)

// TestGitleaksDefaultConfigLoads: every rule of gitleaks' default config
// loads, compiles on one of the two engines, and keeps its id.
func TestGitleaksDefaultConfigLoads(t *testing.T) {
	cfg, data := loadGitleaksConfig(t)
	headers := len(gitleaksRuleHeader.FindAll(data, -1))
	if headers < 100 || len(cfg.Rules) != headers {
		t.Fatalf("loaded %d rules; the file has %d [[rules]] tables", len(cfg.Rules), headers)
	}
	var fileIDs []string
	for _, m := range gitleaksRuleID.FindAllSubmatch(data, -1) {
		fileIDs = append(fileIDs, string(m[1]))
	}
	var loaded []string
	engines := map[rules.Engine]int{}
	pathOnly := 0
	for _, r := range cfg.Rules {
		loaded = append(loaded, r.ID)
		switch {
		case r.Pattern() != nil:
			engines[r.Pattern().Engine()]++
		case r.PathRegexp() != nil:
			pathOnly++
		default:
			t.Errorf("rule %s has neither a regex nor a path", r.ID)
		}
	}
	sort.Strings(fileIDs)
	sort.Strings(loaded)
	if strings.Join(fileIDs, ",") != strings.Join(loaded, ",") {
		t.Errorf("rule ids differ from the file's")
	}
	if cfg.Allowlist == nil && len(cfg.Allowlists) == 0 {
		t.Error("the global [allowlist] was dropped")
	}
	t.Logf("gitleaks default config: %d rules: %d on RE2, %d on regexp2 (RE2 rejects their syntax), %d path-only",
		len(cfg.Rules), engines[rules.EngineRE2], engines[rules.EngineRegexp2], pathOnly)
}

// TestGitleaksSyntaxRE2RejectsRunsOnRegexp2: a gitleaks config whose rule
// uses look-ahead or a back-reference (syntax gitleaks' own Go build no
// longer accepts, but configs written for other engines have) still loads,
// and the rule runs on regexp2.
func TestGitleaksSyntaxRE2RejectsRunsOnRegexp2(t *testing.T) {
	_, data := loadGitleaksConfig(t)
	extra := `
[[rules]]
id = "lookahead-token"
description = "Token that must contain a digit (look-ahead)"
regex = '''\b(tok_(?=[a-z]*[0-9])[a-z0-9]{24})\b'''
keywords = ["tok_"]

[[rules]]
id = "quoted-backref"
description = "Quoted with the same quote (back-reference)"
regex = '''passphrase\s*=\s*(["'])([A-Za-z0-9]{20,})\1'''
secretGroup = 2
keywords = ["passphrase"]
`
	cfg, err := rules.Parse(filepath.Join(t.TempDir(), "gitleaks.toml"), append(append([]byte{}, data...), extra...))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"lookahead-token", "quoted-backref"} {
		if e := cfg.Rule(id).Pattern().Engine(); e != rules.EngineRegexp2 {
			t.Errorf("%s runs on %s, want regexp2", id, e)
		}
	}
	d := New(cfg, Options{})
	src := "a = tok_q8wz3kd7fj2hx9mv4nc6rb1t\nb = tok_abcdefghijklmnopqrstuvwx\npassphrase = \"Zq8Wn3Kd7Fj2Hx9Mv4Nc\"\npassphrase = \"Zq8Wn3Kd7Fj2Hx9Mv4Nc'\n"
	fs, err := d.Detect(Fragment{Path: "conf.ini", Data: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, f := range fs {
		got[f.RuleID] = append(got[f.RuleID], f.StartLine)
	}
	if l := got["lookahead-token"]; len(l) != 1 || l[0] != 1 {
		t.Errorf("lookahead-token found on lines %v, want [1] (line 2 has no digit)", l)
	}
	if l := got["quoted-backref"]; len(l) != 1 || l[0] != 3 {
		t.Errorf("quoted-backref found on lines %v, want [3] (line 4's quotes differ)", l)
	}
}

// TestGitleaksConfigScans runs gitleaks' default config over the inputs its
// rules are written for, and checks its global path allowlist holds.
func TestGitleaksConfigScans(t *testing.T) {
	cfg, _ := loadGitleaksConfig(t)
	d := New(cfg, Options{})
	// A service-account JSON file holds its key on one line, newlines
	// escaped: the form gitleaks' private-key rule is most often hit by.
	saKey := `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n` +
		`MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4\n` +
		`-----END PRIVATE KEY-----\n", "client_email": "svc@proj.iam.gserviceaccount.com"}` + "\n"
	tests := []struct {
		name, path, src, rule string
	}{
		{"github pat", "deploy.sh", "git clone https://ghp_R7kq2Lx9Vm4Tn8Wp3Zs6Yb1Hc5Jd0Fg2Ka7E@github.com/org/repo.git\n", "github-pat"},
		{"aws access key", "app/settings.py", "AWS_ACCESS_KEY_ID = \"AKIAQW3RTY7UIOPLKJ2H\"\n", "aws-access-token"},
		{"stripe live key", "billing.js", "const stripe = require('stripe')('sk_live_4eC39HqLyjWDarjtT7zdp7dc');\n", "stripe-access-token"},
		{"slack bot token", "bot.env", "SLACK=xoxb-2342345634-4352345234623-rQ7pLk2XzM9vBn4TfYw8\n", "slack-bot-token"},
		{"private key", "svc-account.json", saKey, "private-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := d.Detect(Fragment{Path: tt.path, Data: []byte(tt.src)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.RuleID)
			}
			if len(fs) == 0 || fs[0].RuleID != tt.rule {
				t.Fatalf("found %v, want %s", ids, tt.rule)
			}
			if fs[0].Fingerprint == "" || fs[0].StartLine != 1 {
				t.Errorf("finding %+v", fs[0].Redacted())
			}
			// gitleaks' global allowlist: nothing under node_modules.
			if fs, _ := d.Detect(Fragment{Path: "node_modules/x/" + tt.path, Data: []byte(tt.src)}); len(fs) != 0 {
				t.Errorf("global path allowlist ignored: %d findings under node_modules", len(fs))
			}
			// gitleaks:allow works with gitleaks' own rules.
			allowed := strings.Replace(tt.src, "\n", " # gitleaks:allow\n", 1)
			if fs, _ := d.Detect(Fragment{Path: tt.path, Data: []byte(allowed)}); len(fs) != 0 {
				t.Errorf("gitleaks:allow ignored")
			}
		})
	}
}
