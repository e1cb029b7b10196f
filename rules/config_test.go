package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorsNameFileLineAndRule(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want []string // substrings of the error
	}{
		{
			name: "syntax error",
			toml: "title = \"x\"\n[[rules]]\nid = \"a\"\nregex = '''abc\n",
			want: []string{"pack.toml:4"},
		},
		{
			name: "unknown key",
			toml: "[[rules]]\nid = \"a\"\nregex = 'x'\nentropyy = 3.0\n",
			want: []string{"pack.toml:4", `unknown key "rules.entropyy"`},
		},
		{
			name: "bad regex",
			toml: "[[rules]]\nid = \"ok\"\nregex = 'a'\n\n[[rules]]\nid = \"broken\"\nregex = '(unclosed'\n",
			want: []string{"pack.toml:5", `rule "broken"`, "regex does not compile"},
		},
		{
			name: "duplicate id",
			toml: "[[rules]]\nid = \"a\"\nregex = 'x'\n[[rules]]\nid = \"a\"\nregex = 'y'\n",
			want: []string{"pack.toml:4", "duplicate id"},
		},
		{
			name: "bad severity",
			toml: "[[rules]]\nid = \"a\"\nregex = 'x'\nseverity = \"urgent\"\n",
			want: []string{"pack.toml:1", `severity "urgent"`},
		},
		{
			name: "secretGroup out of range",
			toml: "[[rules]]\nid = \"a\"\nregex = '(x)'\nsecretGroup = 2\n",
			want: []string{"secretGroup 2"},
		},
		{
			name: "bad allowlist regexTarget",
			toml: "[[rules]]\nid = \"a\"\nregex = 'x'\n[[rules.allowlists]]\nregexTarget = \"file\"\nregexes = ['y']\n",
			want: []string{`rule "a"`, "regexTarget"},
		},
		{
			name: "wrong type",
			toml: "[[rules]]\nid = \"a\"\nregex = 'x'\nentropy = \"high\"\n",
			want: []string{"pack.toml:4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pack.toml", []byte(tt.toml))
			if err == nil {
				t.Fatal("Parse succeeded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestGitleaksFieldsLoad(t *testing.T) {
	const pack = `
title = "gitleaks style"
[allowlist]
description = "global"
paths = ['''(?:^|/)vendor/''']
regexes = ['''^true$''']

[[rules]]
id = "generic-thing"
description = "Thing"
regex = '''(?i)thing[\s=:"']{1,5}([a-z0-9]{20})'''
secretGroup = 1
entropy = 3.5
keywords = ["THING"]
path = '''\.py$'''
tags = ["a", "b"]
  [[rules.allowlists]]
  condition = "and"
  regexTarget = "line"
  regexes = ['''test''']
  stopwords = ["sample"]
  paths = ['''_test\.py$''']
  commits = ["abc"]
`
	cfg, err := Parse("g.toml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Rule("generic-thing")
	if r == nil || r.Line != 8 {
		t.Fatalf("rule missing or wrong line: %+v", r)
	}
	if r.Keywords[0] != "thing" {
		t.Errorf("keywords are not lowercased: %v", r.Keywords)
	}
	if r.Severity != "high" || r.Confidence != "medium" {
		t.Errorf("defaults not applied: %s %s", r.Severity, r.Confidence)
	}
	if r.Pattern().Engine() != EngineRE2 {
		t.Errorf("engine = %s, want re2", r.Pattern().Engine())
	}
	if len(cfg.Allowlists) != 1 || len(r.Allowlists) != 1 || r.Allowlists[0].Condition != "AND" {
		t.Fatalf("allowlists not loaded: %d global, %d rule", len(cfg.Allowlists), len(r.Allowlists))
	}
	a := r.Allowlists[0]
	all := Candidate{Path: "x_test.py", Commit: "abc", Secret: "sampleval", Line: "a test line"}
	if !a.Allows(all) {
		t.Error("AND allowlist should allow when every criterion holds")
	}
	one := all
	one.Commit = "def"
	if a.Allows(one) {
		t.Error("AND allowlist should not allow when one criterion fails")
	}
	if !cfg.Allowlists[0].Allows(Candidate{Path: "a/vendor/x.go"}) {
		t.Error("global path allowlist did not apply")
	}
}

func TestRegexp2FallbackAndTimeout(t *testing.T) {
	p, err := CompilePattern(`(?<=key=)([a-z]{4})(?!x)`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Engine() != EngineRegexp2 {
		t.Fatalf("engine = %s, want regexp2 for look-around", p.Engine())
	}
	locs, err := p.FindAllSubmatchIndex([]byte("é key=abcd key=wxyzx"), -1)
	if err != nil {
		t.Fatal(err)
	}
	// "é" is two bytes: byte offsets must account for it.
	if len(locs) != 1 || locs[0][2] != 7 || locs[0][3] != 11 {
		t.Fatalf("locs = %v, want one match at bytes 7..11", locs)
	}

	slow, err := CompilePattern(`^(a+)+\1$`, 20_000_000) // 20ms
	if err != nil {
		t.Fatal(err)
	}
	_, err = slow.FindAllSubmatchIndex([]byte(strings.Repeat("a", 40)+"b"), -1)
	if !errors.Is(err, ErrMatchTimeout) {
		t.Fatalf("catastrophic pattern: err = %v, want ErrMatchTimeout", err)
	}
}

func TestExtendDefaultAndDisable(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Rules) < 2 {
		t.Fatal("default pack too small for this test")
	}
	drop := def.Rules[0].ID
	pack := `
[extend]
useDefault = true
disabledRules = ["` + drop + `"]

[[rules]]
id = "my-internal-token"
regex = '''itk_[a-z0-9]{32}'''
keywords = ["itk_"]
`
	cfg, err := Parse("ext.toml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rule(drop) != nil {
		t.Errorf("disabled rule %s still present", drop)
	}
	if cfg.Rule("my-internal-token") == nil {
		t.Error("own rule missing")
	}
	if len(cfg.Rules) != len(def.Rules) {
		t.Errorf("rules = %d, want %d (default - 1 + 1)", len(cfg.Rules), len(def.Rules))
	}
	// The embedded pack must not be changed by extending it.
	again, _ := Default()
	if again.Rule(drop) == nil {
		t.Error("extending mutated the embedded pack")
	}
}

func TestExtendPathRelative(t *testing.T) {
	dir := t.TempDir()
	base := "[[rules]]\nid = \"base-rule\"\nregex = 'abc'\nkeywords = [\"abc\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "base.toml"), []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	top := "[extend]\npath = \"base.toml\"\n[[rules]]\nid = \"base-rule\"\nkeywords = [\"xyz\"]\ndescription = \"overridden\"\n"
	p := filepath.Join(dir, "top.toml")
	if err := os.WriteFile(p, []byte(top), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Rule("base-rule")
	if r == nil || r.Description != "overridden" || len(r.Keywords) != 2 || r.Regex != "abc" {
		t.Fatalf("merge wrong: %+v", r)
	}
}

func TestExtendURLRefused(t *testing.T) {
	_, err := Parse("u.toml", []byte("[extend]\nurl = \"https://example.invalid/x.toml\"\n"))
	if err == nil || !strings.Contains(err.Error(), "url is not supported") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultPackLoads(t *testing.T) {
	// Default() compiles regexes lazily; validate the pack eagerly here so
	// a broken regex or secretGroup fails the build, not a user's scan.
	if _, err := load(DefaultSource, defaultPack, 0, true); err != nil {
		t.Fatal(err)
	}
	cfg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if len(r.Keywords) == 0 && r.Path == "" {
			t.Errorf("rule %s (line %d) has no keywords: it would run its regex on every byte", r.ID, r.Line)
		}
		if r.Provider == "" {
			t.Errorf("rule %s has no provider", r.ID)
		}
		if r.Pattern() != nil && r.Pattern().Engine() != EngineRE2 {
			t.Errorf("rule %s needs regexp2; the default pack must stay linear-time", r.ID)
		}
	}
}

func TestWindowClassification(t *testing.T) {
	tests := []struct {
		regex          string
		crosses, spans bool
	}{
		{`gsk_[A-Za-z0-9]{52}`, false, false},
		{`key\s*=\s*"([a-f0-9]{32})"`, true, false},
		{`(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY-----[\s\S-]{64,}?KEY-----`, true, true},
		{`(?s)BEGIN.*END`, true, true},
		{`[^"]*`, true, true},
		{`[\w.-]*?(?:key)[^\n]*`, false, false},
	}
	for _, tt := range tests {
		c, s := canMatchNewline(tt.regex)
		if c != tt.crosses || s != tt.spans {
			t.Errorf("%s: crosses=%v spans=%v, want %v %v", tt.regex, c, s, tt.crosses, tt.spans)
		}
	}
}

func TestValueGate(t *testing.T) {
	g := valueGate(`(?i)(?:key|token)[\w.-]*\s*=\s*"([\w.=~+/-]{16,128})"`, 0)
	if g == nil || g.MinRun != 16 {
		t.Fatalf("gate = %+v", g)
	}
	if g.Admits([]byte(`token = get_token(ctx, "short")`)) {
		t.Error("gate admits a line with no 16-byte run")
	}
	if !g.Admits([]byte(`token = "Zx8kQ2pL9mN4vB7cR1tY"`)) {
		t.Error("gate refuses a real candidate")
	}
	for _, expr := range []string{`\b(gsk_[A-Za-z0-9]{52})\b`, `(a{20})|(b{20})`, `key=([a-f0-9]{8})`} {
		if valueGate(expr, 0) != nil {
			t.Errorf("%s: want no gate", expr)
		}
	}
}
