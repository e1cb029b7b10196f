package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSelfScan scans this checkout with its own .leakfix.toml and
// .leakfixignore, as `leakfix scan` at the repository root does: the rule
// pack's examples and the test fixtures must not be reported; only the
// demo inputs (testdata/seed002, testdata/k8s) remain.
func TestSelfScan(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout: .gitignore and config discovery differ")
	}
	code, stdout, stderr := runCLI(t, "", "scan", root, "--format", "json")
	if code == 2 {
		t.Fatalf("scan: %s", stderr)
	}
	var fs []struct {
		File   string `json:"file"`
		Line   int    `json:"start_line"`
		RuleID string `json:"rule_id"`
	}
	if err := json.Unmarshal([]byte(stdout), &fs); err != nil {
		t.Fatal(err)
	}
	demo := 0
	for _, f := range fs {
		if strings.HasPrefix(f.File, "testdata/seed002/") || strings.HasPrefix(f.File, "testdata/k8s/") {
			demo++
			continue
		}
		t.Errorf("%s:%d %s: allowlist it in .leakfix.toml (fixtures) or .leakfixignore (a fingerprint)", f.File, f.Line, f.RuleID)
	}
	if demo == 0 {
		t.Error("the demo inputs were not reported: the allowlist is too broad")
	}
	t.Logf("%d findings, all in the demo inputs", len(fs))
}
