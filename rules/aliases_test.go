package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// aliasBase is a small pack whose rules answer to another scanner's ids.
const aliasBase = `
[[rules]]
id = "aws-access-key-id"
regex = '''AKIA[0-9A-Z]{16}'''
keywords = ["akia"]
aliases = ["aws-access-token"]

[[rules]]
id = "github-pat-classic"
regex = '''ghp_[0-9A-Za-z]{36}'''
keywords = ["ghp_"]
aliases = ["github-pat", "gh-token"]

[[rules]]
id = "slack-bot-token"
regex = '''xoxb-[0-9A-Za-z-]{20,}'''
keywords = ["xoxb"]
`

// loadOver writes the base pack and an extending pack next to it and
// loads the latter.
func loadOver(t *testing.T, ext string) *Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.toml"), []byte(aliasBase), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "user.toml")
	if err := os.WriteFile(p, []byte("[extend]\npath = \"base.toml\"\n"+ext), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(p)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return cfg
}

func ruleIDs(cfg *Config) []string {
	var ids []string
	for _, r := range cfg.Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestAliasResolution(t *testing.T) {
	tests := []struct {
		name  string
		ext   string
		check func(t *testing.T, cfg *Config)
	}{
		{
			name: "override by alias merges into our rule",
			ext:  "[[rules]]\nid = \"aws-access-token\"\nentropy = 3.5\nkeywords = [\"aws\"]\n",
			check: func(t *testing.T, cfg *Config) {
				if got := ruleIDs(cfg); !slices.Equal(got, []string{"aws-access-key-id", "github-pat-classic", "slack-bot-token"}) {
					t.Fatalf("rules %v: an override by alias must not add a rule", got)
				}
				r := cfg.Rule("aws-access-key-id")
				if r.Entropy != 3.5 || r.Regex != `AKIA[0-9A-Z]{16}` || !slices.Contains(r.Keywords, "aws") || !slices.Contains(r.Keywords, "akia") {
					t.Errorf("override not merged: entropy %v regex %q keywords %v", r.Entropy, r.Regex, r.Keywords)
				}
			},
		},
		{
			name: "override by alias with the same result as by our id",
			ext:  "[[rules]]\nid = \"gh-token\"\ndescription = \"mine\"\n[[rules.allowlists]]\nregexes = ['''ghp_0+''']\n",
			check: func(t *testing.T, cfg *Config) {
				viaOwn := loadOver(t, "[[rules]]\nid = \"github-pat-classic\"\ndescription = \"mine\"\n[[rules.allowlists]]\nregexes = ['''ghp_0+''']\n")
				a, b := cfg.Rule("github-pat-classic"), viaOwn.Rule("github-pat-classic")
				if a.Description != b.Description || len(a.Allowlists) != len(b.Allowlists) || len(a.Allowlists) != 1 || a.Regex != b.Regex {
					t.Errorf("alias override %+v differs from own-id override %+v", a, b)
				}
			},
		},
		{
			name: "disabledRules by alias",
			ext:  "[extend]\n",
			check: func(t *testing.T, _ *Config) {
				cfg := loadOverExtend(t, `disabledRules = ["aws-access-token", "slack-bot-token"]`)
				if got := ruleIDs(cfg); !slices.Equal(got, []string{"github-pat-classic"}) {
					t.Errorf("rules %v, want only github-pat-classic", got)
				}
				if len(cfg.Warnings) != 0 {
					t.Errorf("warnings %v", cfg.Warnings)
				}
			},
		},
		{
			name: "disabledRules naming no rule warns",
			check: func(t *testing.T, _ *Config) {
				cfg := loadOverExtend(t, `disabledRules = ["no-such-rule"]`)
				if len(cfg.Rules) != 3 || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], `"no-such-rule"`) {
					t.Errorf("rules %v warnings %v", ruleIDs(cfg), cfg.Warnings)
				}
			},
		},
		{
			name: "targetRules by alias",
			ext:  "[[allowlists]]\ntargetRules = [\"github-pat\", \"bogus\"]\nregexes = ['''.''']\n",
			check: func(t *testing.T, cfg *Config) {
				a := cfg.Allowlists[len(cfg.Allowlists)-1]
				if !a.AppliesTo("github-pat-classic") || a.AppliesTo("aws-access-key-id") {
					t.Errorf("targetRules %v not resolved", a.TargetRules)
				}
				if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], `"bogus"`) {
					t.Errorf("warnings %v", cfg.Warnings)
				}
			},
		},
		{
			name: "Rule looks up by alias",
			check: func(t *testing.T, cfg *Config) {
				for _, id := range []string{"github-pat", "gh-token", "github-pat-classic"} {
					if r := cfg.Rule(id); r == nil || r.ID != "github-pat-classic" {
						t.Errorf("Rule(%q) = %v", id, r)
					}
				}
				if cfg.Rule("nope") != nil {
					t.Error("Rule(nope) found a rule")
				}
				if got := cfg.Resolve("aws-access-token"); got != "aws-access-key-id" {
					t.Errorf("Resolve = %q", got)
				}
			},
		},
		{
			name: "a new rule in the extending pack keeps its id",
			ext:  "[[rules]]\nid = \"mine\"\nregex = 'x{9}'\naliases = [\"theirs\"]\n",
			check: func(t *testing.T, cfg *Config) {
				if r := cfg.Rule("theirs"); r == nil || r.ID != "mine" {
					t.Errorf("Rule(theirs) = %v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext := tt.ext
			if ext == "[extend]\n" {
				ext = ""
			}
			tt.check(t, loadOver(t, ext))
		})
	}
}

// loadOverExtend is loadOver with more keys in the [extend] table.
func loadOverExtend(t *testing.T, extendKeys string) *Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.toml"), []byte(aliasBase), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "user.toml")
	if err := os.WriteFile(p, []byte("[extend]\npath = \"base.toml\"\n"+extendKeys+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(p)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return cfg
}

func TestAliasClashes(t *testing.T) {
	tests := []struct{ name, toml, want string }{
		{"alias is another id", "[[rules]]\nid = \"a\"\nregex = 'x'\naliases = [\"b\"]\n[[rules]]\nid = \"b\"\nregex = 'y'\n", `alias "b" is another rule's id`},
		{"alias twice", "[[rules]]\nid = \"a\"\nregex = 'x'\naliases = [\"c\"]\n[[rules]]\nid = \"b\"\nregex = 'y'\naliases = [\"c\"]\n", `alias "c" is already an alias of rule "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pack.toml", []byte(tt.toml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
