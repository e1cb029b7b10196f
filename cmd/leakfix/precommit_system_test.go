package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPreCommitSystemHookAllFiles runs the leakfix-system hook under the
// real pre-commit with a leakfix binary on PATH: `pre-commit run
// --all-files` on a repository with a committed token fails and names it,
// while a commit that does not touch the token still goes through (only
// the lines a commit adds are checked). The time pre-commit takes to
// install the hook is logged, not asserted.
func TestPreCommitSystemHookAllFiles(t *testing.T) {
	preCommit := histRequireTool(t, "pre-commit")
	gitBin := histRequireTool(t, "git")
	goBin := histRequireTool(t, "go")

	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	build := exec.Command(goBin, "build", "-o", filepath.Join(bin, "leakfix"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	hookRepo := pcHookRepo(t, gitBin)
	env := pcEnv(t, goBin, work)
	for i, v := range env {
		if p, ok := strings.CutPrefix(v, "PATH="); ok {
			env[i] = "PATH=" + bin + string(filepath.ListSeparator) + p
		}
	}
	run := func(dir string, wantCode int, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if code != wantCode {
			t.Fatalf("%s %s: exit %d, want %d\n%s", name, strings.Join(args, " "), code, wantCode, out)
		}
		return string(out)
	}
	hookRev := strings.TrimSpace(run(hookRepo, 0, gitBin, "rev-parse", "HEAD"))

	repo := filepath.Join(work, "project")
	run(work, 0, gitBin, "init", "-q", "-b", "main", repo)
	pcWrite(t, repo, ".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+hookRev+"\n  hooks:\n  - id: leakfix-system\n")
	pcWrite(t, repo, "src/settings.py", "GROQ_API_KEY = \""+cliGroq+"\"\n")
	pcWrite(t, repo, "README.md", "hello\n")
	run(repo, 0, gitBin, "add", "-A")
	run(repo, 0, gitBin, "commit", "-q", "-m", "initial, with a token")

	start := time.Now()
	run(repo, 0, preCommit, "install-hooks")
	t.Logf("pre-commit install-hooks (leakfix-system): %s", time.Since(start).Round(time.Millisecond))

	out := run(repo, 1, preCommit, "run", "--all-files")
	if !strings.Contains(out, "src/settings.py:1:") || !strings.Contains(out, "groq-api-key") || strings.Contains(out, cliGroq) {
		t.Errorf("run --all-files output:\n%s", out)
	}
	out = run(repo, 1, preCommit, "run", "--files", "src/settings.py")
	if !strings.Contains(out, "src/settings.py:1:") {
		t.Errorf("run --files output:\n%s", out)
	}

	// An unrelated commit passes: the committed token is not in its lines.
	run(repo, 0, preCommit, "install")
	pcWrite(t, repo, "README.md", "hello again\n")
	run(repo, 0, gitBin, "commit", "-q", "-am", "docs")
	// A commit adding a token to the file is refused.
	pcWrite(t, repo, "src/settings.py", "GROQ_API_KEY = \""+cliGroq+"\"\nOTHER = \"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\"\n")
	out = run(repo, 1, gitBin, "commit", "-am", "second token")
	if !strings.Contains(out, "src/settings.py:2:") || strings.Contains(out, "src/settings.py:1:") {
		t.Errorf("refused commit should name only the added line:\n%s", out)
	}
}
