package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathsFromRepoRoot: whatever directory or file is passed, findings in
// a git work tree are named from its root, and the repository's allowlist,
// .leakfixignore/.gitleaksignore and baselines written for the root apply.
func TestPathsFromRepoRoot(t *testing.T) {
	r := newHistRepo(t)
	r.commit("init", map[string]string{"sub/deep/x.py": "G = \"" + glSecret + "\"\n"})
	sub := filepath.Join(r.dir, "sub")
	rootBaseline := filepath.Join(t.TempDir(), "base.json")
	if code, _, stderr := runCLI(t, "", "scan", r.dir, "--write-baseline", rootBaseline); code != 0 {
		t.Fatalf("write baseline: %d %s", code, stderr)
	}
	files := func(stdout string) string {
		var fs []struct{ File string }
		if err := json.Unmarshal([]byte(stdout), &fs); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.File)
		}
		return strings.Join(out, ",")
	}
	for _, arg := range []string{r.dir, sub, filepath.Join(sub, "deep"), filepath.Join(sub, "deep", "x.py")} {
		code, stdout, stderr := runCLI(t, "", "scan", arg, "--format", "gitleaks-json")
		if code != 1 || files(stdout) != "sub/deep/x.py" {
			t.Errorf("scan %s: exit %d, files %q (%s)", arg, code, files(stdout), stderr)
		}
		if code, stdout, _ := runCLI(t, "", "scan", arg, "--baseline", rootBaseline); code != 0 {
			t.Errorf("scan %s --baseline (written at the root): exit %d\n%s", arg, code, stdout)
		}
	}
	suppress := map[string]string{
		".leakfix.toml":   "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''^sub/deep/''']\n",
		".gitleaksignore": "sub/deep/x.py:github-pat:1\n",
	}
	for name, body := range suppress {
		p := filepath.Join(r.dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if code, stdout, stderr := runCLI(t, "", "scan", filepath.Join(sub, "deep")); code != 0 {
			t.Errorf("%s written for the root does not apply to a scan of sub/deep: exit %d\n%s%s", name, code, stdout, stderr)
		}
		os.Remove(p)
	}
	// Outside a work tree: relative to the argument, as before.
	plain := t.TempDir()
	os.MkdirAll(filepath.Join(plain, "deep"), 0o755)
	os.WriteFile(filepath.Join(plain, "deep", "x.py"), []byte("G = \""+glSecret+"\"\n"), 0o644)
	if _, stdout, _ := runCLI(t, "", "scan", plain, "--format", "gitleaks-json"); files(stdout) != "deep/x.py" {
		t.Errorf("outside a repository: %q", files(stdout))
	}
}

func TestRepoArgRefused(t *testing.T) {
	r := newHistRepo(t)
	r.commit("init", map[string]string{"a.txt": "x\n"})
	t.Chdir(r.dir)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"history", "./typo"}, "no such directory"},
		{[]string{"history", "https://github.com/leakfix/leakfix"}, "a URL"},
		{[]string{"history", "git@github.com:leakfix/leakfix.git"}, "a URL"},
		{[]string{"history", "a.txt"}, "not a directory"},
		{[]string{"scan", "--staged", "./typo"}, "no such directory"},
		{[]string{"scan", "--staged", t.TempDir()}, "not a git repository"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestBaselineImportInSubdirectory: a detect-secrets baseline of a
// sub-directory imports under the names scan gives from the repository
// root, so the imported baseline silences a scan of the whole repository.
func TestBaselineImportInSubdirectory(t *testing.T) {
	r := newHistRepo(t)
	r.commit("init", map[string]string{"svc/config.py": "G = \"" + glSecret + "\"\n"})
	sub := filepath.Join(r.dir, "svc")
	ds := `{"version": "1.4.0", "results": {"config.py": [{"type": "GitHub Token", "filename": "config.py", "hashed_secret": "` +
		dsHash(glSecret) + `", "is_verified": false, "line_number": 1}]}}`
	os.WriteFile(filepath.Join(sub, ".secrets.baseline"), []byte(ds), 0o644)
	out := filepath.Join(t.TempDir(), "b.json")
	if code, stdout, stderr := runCLI(t, "", "baseline", "import", filepath.Join(sub, ".secrets.baseline"), "--output", out); code != 0 {
		t.Fatalf("import: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t, "", "scan", r.dir, "--baseline", out); code != 0 {
		t.Errorf("scan of the repository with the imported baseline: exit %d\n%s", code, stdout)
	}
}
