package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules/internal/pack"
)

// TestPackIsGenerated fails when a family file in pack/ was edited without
// running `go generate ./rules`, so the embedded pack never drifts from its
// sources.
func TestPackIsGenerated(t *testing.T) {
	want, err := pack.Compose("pack")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, DefaultPackBytes()) {
		t.Fatal("rules/default.toml is out of date with rules/pack/*.toml: run `go generate ./rules`")
	}
}

// TestPackRegexesFitAScreen keeps every regex in the family files readable:
// at most a screen (15 lines of 80 columns) before fragment expansion. A
// longer one should name its repeated parts as fragments
// (rules/internal/pack/fragments.go) or split into rules.
func TestPackRegexesFitAScreen(t *testing.T) {
	const screen = 15 * 80
	names, err := filepath.Glob("pack/*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no family files: %v", err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "regex") && len(line) > screen {
				t.Errorf("%s:%d: regex is %d characters, more than a screen (%d)", n, i+1, len(line), screen)
			}
		}
	}
}

// TestEveryRuleHasNegatives: the default pack's rules carry both halves of
// their test data (TestDefaultPackExamples runs them; it already demands
// examples).
func TestEveryRuleHasNegatives(t *testing.T) {
	cfg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if len(r.Negatives) == 0 {
			t.Errorf("line %d: rule %s has no negatives", r.Line, r.ID)
		}
	}
}
