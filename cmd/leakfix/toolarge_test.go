package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTooLargeIsNeverClean: a text file or blob skipped for size is named
// on stderr (with --quiet too) and every command exits 2, reporting what
// it did scan; a large binary file (an image) does not count.
func TestTooLargeIsNeverClean(t *testing.T) {
	pad := strings.Repeat("# generated line\n", 1000) // 17 000 bytes
	repo := ecoRepo(t, map[string]string{
		"a.py":      "groq_api_key = \"" + cliGroq + "\"\n",
		"big.txt":   pad,
		"image.png": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + pad,
	})
	ecoGit(t, repo, "add", "-A")
	ecoGit(t, repo, "commit", "-q", "-m", "init")
	ecoWrite(t, repo, map[string]string{"big.txt": pad + "x = 2\n", "a.py": "groq_api_key = \"" + cliGroq + "\"\nb = 1\n"})
	ecoGit(t, repo, "add", "-A")
	out := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		seen string // on stdout: what was scanned is still reported
	}{
		{"scan", []string{"scan", repo}, "a.py"},
		{"scan --staged", []string{"scan", "--staged", repo}, ""},
		{"history", []string{"history", repo}, "a.py"},
		{"history go-git", []string{"history", repo, "--reader", "go-git"}, "a.py"},
		{"fix", []string{"fix", repo}, "a.py"},
		{"plan", []string{"plan", repo, "--target", "hashicorp-vault", "--out", filepath.Join(out, "plan")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append(tt.args, "--max-file-size", "10000", "--quiet")...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, "larger than 10000 bytes not scanned") || !strings.Contains(stderr, "big.txt") {
				t.Errorf("stderr does not name big.txt as not scanned: %q", stderr)
			}
			if strings.Contains(stderr, "image.png") {
				t.Errorf("a large binary file is named as not scanned: %q", stderr)
			}
			if !strings.Contains(stdout, tt.seen) {
				t.Errorf("stdout lacks %q: %q", tt.seen, stdout)
			}
			if strings.Contains(stdout+stderr, cliGroq) {
				t.Error("raw secret in output")
			}
		})
	}
	// Raised above the file: a complete scan again.
	if code, _, stderr := runCLI(t, "", "scan", repo, "--max-file-size", "100000"); code != 1 {
		t.Errorf("limit above the file: exit %d, want 1; stderr %q", code, stderr)
	}
}

// TestTooLargePreCommitFileList: `scan --staged FILE...`, as pre-commit
// runs the hook from the repository root, keeps what it found and exits 2
// when a staged text file is over the limit (the file-list path used to
// drop the findings of an incomplete staged scan).
func TestTooLargePreCommitFileList(t *testing.T) {
	bin := leakfixBinary(t)
	pad := strings.Repeat("# generated line\n", 1000)
	repo := ecoRepo(t, map[string]string{"a.py": "x = 1\n"})
	ecoGit(t, repo, "add", "-A")
	ecoGit(t, repo, "commit", "-q", "-m", "init")
	ecoWrite(t, repo, map[string]string{"a.py": "groq_api_key = \"" + cliGroq + "\"\n", "big.txt": pad})
	ecoGit(t, repo, "add", "-A")
	cmd := exec.Command(bin, "scan", "--staged", "--max-file-size", "10000", "a.py", "big.txt")
	cmd.Dir = repo
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := -1
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 2 || !strings.Contains(stderr.String(), "big.txt") || !strings.Contains(stdout.String(), "a.py:1:") {
		t.Errorf("exit %d (%v); stdout %q; stderr %q; want 2, a.py's finding, big.txt named", code, err, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), cliGroq) {
		t.Error("raw secret in output")
	}
}
