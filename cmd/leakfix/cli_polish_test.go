package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRulesListFits(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "rules", "list", "--config", filepath.Join("..", "..", "testdata", "compat", "gitleaks.toml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) < 100 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > listWidth {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	code, stdout, _ = runCLI(t, "", "rules", "list", "--wide")
	if code != 0 || !strings.Contains(strings.SplitN(stdout, "\n", 2)[0], "KEYWORDS") {
		t.Errorf("--wide header: %q", strings.SplitN(stdout, "\n", 2)[0])
	}
}

func TestPlanOutputAlias(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("GH = \""+glSecret+"\"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "plan")
	code, _, stderr := runCLI(t, "", "plan", "--target", "hashicorp-vault", dir, "--output", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "plan.json")); err != nil {
		t.Errorf("--output did not place the plan: %v", err)
	}
}
