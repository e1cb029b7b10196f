package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOptionFileFIFORefused: a FIFO given as an option's file, or found
// where an ignore file or an [extend]ed pack is read, is refused with
// exit 2 and a message naming it, at once: no open that waits for a
// writer (every reader goes through internal/regfile).
func TestOptionFileFIFORefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(tree, 0o755)
	os.WriteFile(filepath.Join(tree, "a.py"), []byte("groq_api_key = \""+cliGroq+"\"\n"), 0o644)

	// A repository whose .leakfixignore (or .gitleaksignore) is a FIFO.
	withFIFO := func(name string) string {
		repo := ecoRepo(t, map[string]string{"a.py": "x = 1\n"})
		if err := syscall.Mkfifo(filepath.Join(repo, name), 0o600); err != nil {
			t.Fatal(err)
		}
		return repo
	}
	extend := filepath.Join(dir, "extend.toml")
	os.WriteFile(extend, []byte("[extend]\npath = \"fifo\"\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"--config", []string{"scan", tree, "--config", fifo}},
		{"--config [extend] path", []string{"scan", tree, "--config", extend}},
		{"rules check", []string{"rules", "check", fifo}},
		{"--baseline scan", []string{"scan", tree, "--baseline", fifo}},
		{"--baseline history", []string{"history", withFIFO("x"), "--baseline", fifo}},
		{"--names fix", []string{"fix", tree, "--names", fifo}},
		{"--names plan", []string{"plan", tree, "--target", "hashicorp-vault", "--out", out, "--names", fifo}},
		{"--from plan", []string{"plan", "--from", fifo, "--target", "hashicorp-vault", "--out", out}},
		{"--gitleaks-ignore-path", []string{"scan", tree, "--gitleaks-ignore-path", fifo}},
		{".leakfixignore", []string{"scan", withFIFO(".leakfixignore")}},
		{".gitleaksignore", []string{"scan", withFIFO(".gitleaksignore")}},
		{"--report-template", []string{"scan", tree, "--format", "template", "--report-template", fifo}},
		{"merge", []string{"merge", fifo}},
		{"--from purge", []string{"purge", withFIFO("y"), "--from", fifo, "--output", filepath.Join(out, "r.txt")}},
		{"--names purge", []string{"purge", withFIFO("z"), "--names", fifo, "--output", filepath.Join(out, "r.txt")}},
		{"--config rules list", []string{"rules", "list", "--config", fifo}},
		{"--baseline-path", []string{"scan", tree, "--baseline-path", fifo}},
		{"baseline import", []string{"baseline", "import", fifo}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLITimeout(t, 20*time.Second, tt.args...)
			if code != 2 || !strings.Contains(stderr, "named pipe") {
				t.Errorf("exit %d, stderr %q; want 2 and a message saying it is a named pipe", code, stderr)
			}
			if strings.Contains(stderr, cliGroq) {
				t.Error("raw secret on stderr")
			}
		})
	}

	// A FIFO named .gitignore inside a work tree is not read (the walk
	// skips it, the ignore rules loader refuses it): the scan completes.
	repo := ecoRepo(t, map[string]string{"a.py": "groq_api_key = \"" + cliGroq + "\"\n"})
	if err := syscall.Mkfifo(filepath.Join(repo, ".gitignore"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCLITimeout(t, 20*time.Second, "scan", repo); code != 1 || !strings.Contains(stdout, "a.py") {
		t.Errorf(".gitignore FIFO: exit %d, stdout %q, stderr %q; want the finding, exit 1", code, stdout, stderr)
	}
	// plan checks the project's .gitignore files above its --out: the
	// FIFO is passed over there too.
	if code, _, stderr := runCLITimeout(t, 20*time.Second, "plan", repo, "--target", "hashicorp-vault", "--out", filepath.Join(repo, "deploy", "plan")); code != 0 {
		t.Errorf(".gitignore FIFO, plan: exit %d, stderr %q; want 0", code, stderr)
	}
}
