package vaultplan_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/vaultplan"
)

func gitRepo(t *testing.T) string {
	t.Helper()
	git := requireTool(t, "git")
	dir := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir
}

func git(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	return string(out), err
}

func writePlan(t *testing.T, dir string, target vaultplan.Target) (*vaultplan.WriteResult, error) {
	t.Helper()
	p, values, err := vaultplan.Build(trickyFindings(), vaultplan.Options{Target: target})
	if err != nil {
		t.Fatal(err)
	}
	return vaultplan.Write(dir, p, values, vaultplan.WriteOptions{})
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestWriteLayout checks modes, that git really ignores the values (git
// check-ignore, git status), and that running twice adds nothing more.
func TestWriteLayout(t *testing.T) {
	repo := gitRepo(t)
	out := filepath.Join(repo, "leakfix-plan")
	res, err := writePlan(t, out, vaultplan.GCPSecretManager)
	if err != nil {
		t.Fatal(err)
	}
	if !res.GitignoreAdded || res.Gitignore != filepath.Join(repo, ".gitignore") {
		t.Errorf("gitignore %s added=%v, want the repository's .gitignore created", res.Gitignore, res.GitignoreAdded)
	}
	values := filepath.Join(out, vaultplan.ValuesDir)
	for path, want := range map[string]os.FileMode{
		filepath.Join(out, vaultplan.ScriptFile):               0o755,
		filepath.Join(out, vaultplan.PlanFile):                 0o644,
		values:                                                 0o700,
		filepath.Join(values, "groq-api-key"):                  0o600,
		filepath.Join(values, "pem-private-key"):               0o600,
		filepath.Join(out, "snippets", "external-secret.yaml"): 0o644,
		out: 0o755,
	} {
		if got := mode(t, path); got != want {
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(values, "pem-private-key")); err != nil || string(b) != tricky["pem-private-key"] {
		t.Errorf("values file does not hold the exact value (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(values, "jwt-secret-key")); !os.IsNotExist(err) {
		t.Error("weak default written to the values directory")
	}
	if o, err := git(t, repo, "check-ignore", "-q", "leakfix-plan/"+vaultplan.ValuesDir+"/groq-api-key"); err != nil {
		t.Errorf("git does not ignore the values: %v %s", err, o)
	}
	// Without the plan's own .gitignore, the project's must still hold.
	os.Remove(filepath.Join(out, ".gitignore"))
	st, err := git(t, repo, "status", "--porcelain", "--untracked-files=all")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(st, "leakfix-values") || !strings.Contains(st, "leakfix-plan/plan.json") {
		t.Errorf("git status:\n%s", st)
	}

	// Again: the earlier plan is replaced whole, .gitignore not touched.
	stale := filepath.Join(values, "removed-secret")
	os.WriteFile(stale, []byte("old"), 0o600)
	res, err = writePlan(t, out, vaultplan.GCPSecretManager)
	if err != nil {
		t.Fatal(err)
	}
	if res.GitignoreAdded {
		t.Error("second run appended to .gitignore again")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a value from the earlier plan survived the new one")
	}
	gi, _ := os.ReadFile(filepath.Join(repo, ".gitignore"))
	if n := strings.Count(string(gi), vaultplan.IgnorePattern); n != 1 {
		t.Errorf(".gitignore holds the pattern %d times:\n%s", n, gi)
	}
	assertNoStaging(t, repo)
}

func assertNoStaging(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestWriteGitignore(t *testing.T) {
	tests := []struct {
		name     string
		existing string // "" means no .gitignore
		added    bool
		want     string
	}{
		{"created", "", true, "# leakfix plan: secret values for import.sh; never commit them\n*.leakfix-values\n"},
		{"appended without trailing newline", "node_modules/", true, "node_modules/\n# leakfix plan: secret values for import.sh; never commit them\n*.leakfix-values\n"},
		{"already ignored by a wider pattern", "*.leakfix-values*\n", false, "*.leakfix-values*\n"},
		{"plan directory already ignored", "/leakfix-plan/\n", false, "/leakfix-plan/\n"},
		{"negated later", "*.leakfix-values\n!secrets.leakfix-values\n", true, "*.leakfix-values\n!secrets.leakfix-values\n# leakfix plan: secret values for import.sh; never commit them\n*.leakfix-values\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			os.Mkdir(filepath.Join(repo, ".git"), 0o755)
			gi := filepath.Join(repo, ".gitignore")
			if tt.existing != "" {
				os.WriteFile(gi, []byte(tt.existing), 0o640)
			}
			res, err := writePlan(t, filepath.Join(repo, "leakfix-plan"), vaultplan.HashiCorpVault)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(gi)
			if res.GitignoreAdded != tt.added || string(got) != tt.want {
				t.Errorf("added=%v, .gitignore:\n%s\nwant added=%v:\n%s", res.GitignoreAdded, got, tt.added, tt.want)
			}
			if tt.existing != "" {
				if m := mode(t, gi); m != 0o640 {
					t.Errorf(".gitignore mode %o, want it kept (640)", m)
				}
			}
		})
	}
}

// TestWriteRefuses: an unwritable destination or a directory of other
// files gets a clear error and nothing is written anywhere.
func TestWriteRefuses(t *testing.T) {
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	file := filepath.Join(repo, "notes.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	userDir := filepath.Join(repo, "docs")
	os.Mkdir(userDir, 0o755)
	os.WriteFile(filepath.Join(userDir, "README.md"), []byte("mine"), 0o644)

	tests := []struct {
		name, out, errWant string
	}{
		{"under a file", filepath.Join(file, "plan"), "not a directory"},
		{"a file", file, "not a directory"},
		{"someone else's directory", userDir, "not a leakfix plan"},
		{"a symbolic link", filepath.Join(repo, "link"), "symbolic link"},
	}
	os.Symlink(userDir, filepath.Join(repo, "link"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := writePlan(t, tt.out, vaultplan.AzureKeyVault)
			if err == nil || !strings.Contains(err.Error(), tt.errWant) {
				t.Fatalf("err = %v, want %q", err, tt.errWant)
			}
			if _, err := os.Stat(filepath.Join(repo, ".gitignore")); !os.IsNotExist(err) {
				t.Error(".gitignore written although the plan was not")
			}
			if b, _ := os.ReadFile(filepath.Join(userDir, "README.md")); string(b) != "mine" {
				t.Error("user's file changed")
			}
			assertNoStaging(t, repo)
		})
	}
	// Outside any work tree and the current directory, no .gitignore is
	// written into the parent (say /tmp); the plan's own one guards it.
	lone := t.TempDir()
	res, err := writePlan(t, filepath.Join(lone, "plan"), vaultplan.AzureKeyVault)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(lone, ".gitignore")); !os.IsNotExist(err) || res.Gitignore != "" {
		t.Errorf("wrote %s outside any project", res.Gitignore)
	}
	if b, _ := os.ReadFile(filepath.Join(lone, "plan", ".gitignore")); !strings.Contains(string(b), vaultplan.IgnorePattern) {
		t.Error("plan directory lacks its own .gitignore")
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(repo, "ro")
		os.Mkdir(ro, 0o555)
		if _, err := writePlan(t, filepath.Join(ro, "plan"), vaultplan.AzureKeyVault); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only parent: err = %v", err)
		}
	}
}
