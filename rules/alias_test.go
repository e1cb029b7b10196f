package rules

import (
	"os"
	"sort"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestGitleaksIDsResolve checks that every rule id of gitleaks' default
// config names exactly one rule of the default pack, by its id or by one of
// its aliases, so a gitleaks config that overrides, disables or targets a
// rule by id keeps working against leakfix's pack.
func TestGitleaksIDsResolve(t *testing.T) {
	data, err := os.ReadFile("../testdata/compat/gitleaks.toml")
	if err != nil {
		t.Fatal(err)
	}
	var gl struct {
		Rules []struct {
			ID string `toml:"id"`
		} `toml:"rules"`
	}
	if _, err := toml.Decode(string(data), &gl); err != nil {
		t.Fatalf("decode gitleaks config: %v", err)
	}
	if len(gl.Rules) < 200 {
		t.Fatalf("gitleaks config has only %d rules; wrong file?", len(gl.Rules))
	}
	cfg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	resolve := aliasIndex(t, cfg)
	for _, r := range gl.Rules {
		got := resolve[r.ID]
		if len(got) != 1 {
			t.Errorf("gitleaks rule %q resolves to %d rules %v, want exactly 1", r.ID, len(got), got)
		}
	}
}

// TestAliasesAreUnambiguous checks the pack's own aliases: no alias is
// claimed by two rules, shadows a rule id, or repeats its own rule's id.
func TestAliasesAreUnambiguous(t *testing.T) {
	cfg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	aliasIndex(t, cfg)
}

// aliasIndex maps every id and alias to the rules it names, failing the
// test on any ambiguity.
func aliasIndex(t *testing.T, cfg *Config) map[string][]string {
	t.Helper()
	idx := map[string][]string{}
	ids := map[string]bool{}
	for _, r := range cfg.Rules {
		ids[r.ID] = true
		idx[r.ID] = append(idx[r.ID], r.ID)
	}
	owner := map[string]string{}
	for _, r := range cfg.Rules {
		for _, a := range r.Aliases {
			switch {
			case ids[a]:
				t.Errorf("rule %s: alias %q is a rule id", r.ID, a)
			case owner[a] != "":
				t.Errorf("alias %q is claimed by rules %s and %s", a, owner[a], r.ID)
			default:
				owner[a] = r.ID
				idx[a] = append(idx[a], r.ID)
			}
		}
	}
	for k := range idx {
		sort.Strings(idx[k])
	}
	return idx
}
