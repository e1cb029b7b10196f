package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHook runs the hook in .pre-commit-hooks.yaml under the real
// pre-commit framework: installed in a repository, `git commit` is refused
// when the commit adds a secret (the output names file, line and rule, the
// value redacted), passes when the commit is clean or the line carries
// leakfix:allow; and `pre-commit try-repo` against the checkout does the
// same. pre-commit builds the hook with `go install ./...` from a git
// repository, so the test first commits a copy of this module into one.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module twice under pre-commit")
	}
	preCommit := histRequireTool(t, "pre-commit")
	gitBin := histRequireTool(t, "git")
	goBin := histRequireTool(t, "go")

	hookRepo := pcHookRepo(t, gitBin)
	work := t.TempDir()
	env := pcEnv(t, goBin, work)
	run := func(dir string, wantOK bool, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("%s %s: err %v, want ok=%v\n%s", name, strings.Join(args, " "), err, wantOK, out)
		}
		return string(out)
	}
	hookRev := strings.TrimSpace(run(hookRepo, true, gitBin, "rev-parse", "HEAD"))

	repo := filepath.Join(work, "project")
	run(work, true, gitBin, "init", "-q", "-b", "main", repo)
	pcWrite(t, repo, ".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+hookRev+"\n  hooks:\n  - id: leakfix\n")
	pcWrite(t, repo, "app.py", "def main():\n    return 0\n")
	run(repo, true, gitBin, "add", "-A")
	run(repo, true, gitBin, "commit", "-q", "-m", "initial")
	run(repo, true, preCommit, "install")

	// A commit that adds a secret is refused, and says where and why.
	pcWrite(t, repo, "app.py", "import groq\n\nclient = groq.Client(api_key=\""+cliGroq+"\")\n")
	run(repo, true, gitBin, "add", "app.py")
	out := run(repo, false, gitBin, "commit", "-m", "add client")
	t.Logf("refused commit:\n%s", out)
	for _, want := range []string{"app.py:3:", "groq-api-key", "REDACTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("refused commit's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, cliGroq) {
		t.Errorf("the hook printed the secret:\n%s", out)
	}
	if log := run(repo, true, gitBin, "log", "--oneline"); strings.Count(log, "\n") != 1 {
		t.Errorf("the commit went through:\n%s", log)
	}

	// `pre-commit try-repo` against the hook repository agrees.
	out = run(repo, false, preCommit, "try-repo", hookRepo, "leakfix")
	if !strings.Contains(out, "app.py:3:") || !strings.Contains(out, "groq-api-key") || strings.Contains(out, cliGroq) {
		t.Errorf("try-repo output:\n%s", out)
	}

	// A clean commit passes.
	pcWrite(t, repo, "app.py", "import groq, os\n\nclient = groq.Client(api_key=os.environ[\"GROQ_API_KEY\"])\n")
	run(repo, true, gitBin, "add", "app.py")
	run(repo, true, gitBin, "commit", "-q", "-m", "add client")

	// A fixture allowed inline passes.
	pcWrite(t, repo, "tests/fixture.py", "FAKE_KEY = \""+cliGroq+"\"  # leakfix:allow\n")
	run(repo, true, gitBin, "add", "-A")
	run(repo, true, gitBin, "commit", "-q", "-m", "add fixture")
	if log := run(repo, true, gitBin, "log", "--oneline"); strings.Count(log, "\n") != 3 {
		t.Errorf("expected three commits:\n%s", log)
	}
}

// pcHookRepo commits a copy of this module (tracked and untracked files
// git does not ignore, without tests) into a fresh repository: pre-commit
// installs hooks from a git repository at a revision.
func pcHookRepo(t *testing.T, gitBin string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	list := exec.Command(gitBin, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = root
	names, err := list.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "leakfix-hook")
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		if name == "" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src := filepath.Join(root, filepath.FromSlash(name))
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		pcCopy(t, src, filepath.Join(dst, filepath.FromSlash(name)), st.Mode().Perm())
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=Hook", "-c", "user.email=hook@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "leakfix hook"},
	} {
		cmd := exec.Command(gitBin, args...)
		cmd.Dir = dst
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dst
}

func pcCopy(t *testing.T, src, dst string, perm os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func pcWrite(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pcEnv is a minimal environment for pre-commit and the git it runs: a
// plain PATH (python3 on PATH may be a pyenv shim that breaks pre-commit),
// pre-commit's store in the test's directory, the Go toolchain with this
// machine's module and build caches (so the hook builds without fetching
// everything again), and a fixed git identity.
func pcEnv(t *testing.T, goBin, work string) []string {
	t.Helper()
	goenv := func(name string) string {
		out, err := exec.Command(goBin, "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	emptyConfig := filepath.Join(work, "empty-gitconfig")
	if err := os.WriteFile(emptyConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + os.Getenv("HOME"),
		"PATH=" + filepath.Dir(goBin) + string(os.PathListSeparator) + "/usr/local/bin:/usr/bin:/bin",
		"PRE_COMMIT_HOME=" + filepath.Join(work, "pre-commit-home"),
		"GOMODCACHE=" + goenv("GOMODCACHE"),
		"GOCACHE=" + goenv("GOCACHE"),
		"GOPROXY=" + goenv("GOPROXY"),
		"GOFLAGS=" + goenv("GOFLAGS"),
		"GONOSUMDB=" + goenv("GONOSUMDB"),
		"GOTOOLCHAIN=local",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + emptyConfig,
		"GIT_AUTHOR_NAME=Dev One", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev One", "GIT_COMMITTER_EMAIL=dev@example.com",
		"LANG=C.UTF-8",
	}
	return env
}
