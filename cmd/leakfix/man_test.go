package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// thLine is the man page header, which holds the generation month.
var thLine = regexp.MustCompile(`(?m)^\.TH .*$`)

// TestManPagesGenerated: docs/man is what `go generate ./cmd/leakfix`
// writes from the command tree today (page for page, dates aside), and
// the pages carry the flags, short forms included.
func TestManPagesGenerated(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "", "man", dir); code != 0 {
		t.Fatalf("leakfix man: exit %d: %s", code, stderr)
	}
	fresh, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	committed, _ := filepath.Glob(filepath.Join("..", "..", "docs", "man", "*.1"))
	if len(fresh) < 10 || len(fresh) != len(committed) {
		t.Fatalf("%d pages generated, %d in docs/man: run go generate ./cmd/leakfix", len(fresh), len(committed))
	}
	for _, p := range fresh {
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", "docs", "man", filepath.Base(p)))
		if err != nil {
			t.Fatalf("%v: run go generate ./cmd/leakfix", err)
		}
		if thLine.ReplaceAllString(string(got), "") != thLine.ReplaceAllString(string(want), "") {
			t.Errorf("docs/man/%s is stale: run go generate ./cmd/leakfix", filepath.Base(p))
		}
	}
	scan, _ := os.ReadFile(filepath.Join(dir, "leakfix-scan.1"))
	for _, want := range []string{`\fB-f\fP, \fB--format\fP`, `\fB--report-format\fP`, "leakfix scan --format sarif"} {
		if !strings.Contains(string(scan), want) {
			t.Errorf("leakfix-scan.1 lacks %q", want)
		}
	}
	if code, _, _ := runCLI(t, "", "man"); code != 2 {
		t.Errorf("man without DIR: exit %d, want 2", code)
	}
}
