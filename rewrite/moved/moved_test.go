package moved

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPath(t *testing.T) {
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	if got, want := Path(repo), filepath.Join(repo, ".git", "leakfix", "moved.json"); got != want {
		t.Errorf("in a repository: %s, want %s", got, want)
	}
	wt := t.TempDir()
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+filepath.Join(repo, ".git", "worktrees", "x")+"\n"), 0o644)
	if got, want := Path(wt), filepath.Join(repo, ".git", "worktrees", "x", "leakfix", "moved.json"); got != want {
		t.Errorf("in a worktree: %s, want %s", got, want)
	}
	state := t.TempDir()
	t.Setenv(EnvStateDir, state)
	plain := t.TempDir()
	if got := Path(plain); filepath.Dir(got) != state || Path(t.TempDir()) == got {
		t.Errorf("outside git: %s, want a file of its own under %s", got, state)
	}
}

func TestAddMergesAndLoads(t *testing.T) {
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	a := Entry{Name: "groq-api-key", Value: "gsk_1", RuleID: "groq", File: "svc/src/main.py", Line: 3, Service: "svc"}
	b := Entry{Name: "jwt-secret", Value: "dev", File: "auth/main.py", Line: 4, Service: "auth", WeakDefault: true}
	if _, err := Add(repo, []Entry{a}); err != nil {
		t.Fatal(err)
	}
	p, err := Add(repo, []Entry{a, b}) // a again: replaced, not duplicated
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(p)); dst.Mode().Perm() != 0o700 {
		t.Errorf("record folder mode %v, want 0700", dst.Mode().Perm())
	}
	r, err := Load(repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 2 {
		t.Fatalf("%d entries, want 2: %+v", len(r.Entries), r.Entries)
	}
	if r.Names()["gsk_1"] != "groq-api-key" {
		t.Errorf("Names = %v", r.Names())
	}
	svcs := r.Services()
	if len(svcs) != 1 || len(svcs["svc"]) != 1 {
		t.Errorf("Services = %v (weak defaults are not vaulted, so grant nothing)", svcs)
	}
	// Only entries under the scanned folder, with paths relative to it;
	// places still in the tree skipped.
	fs := r.Findings(repo, filepath.Join(repo, "svc"), map[string]bool{})
	if len(fs) != 1 || fs[0].File != "src/main.py" { // auth/ is outside svc/
		t.Errorf("findings = %+v", fs)
	}
	if w := r.Within(repo, filepath.Join(repo, "auth")); len(w.Entries) != 1 || w.Entries[0].Service != "auth" {
		t.Errorf("Within(auth) = %+v", w.Entries)
	}
	if fs := r.Findings(repo, filepath.Join(repo, "auth"), map[string]bool{}); len(fs) != 1 || fs[0].File != "main.py" {
		t.Errorf("findings under auth = %+v", fs)
	}
	if fs := r.Findings(repo, repo, map[string]bool{"svc/src/main.py:3": true}); len(fs) != 1 || !fs[0].IsWeakDefault() {
		t.Errorf("findings with the groq place still in the tree = %+v", fs)
	}
}

func TestLoadBroken(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, ".git", "leakfix"), 0o700)
	os.WriteFile(Path(repo), []byte("{not json"), 0o600)
	if _, err := Load(repo); err == nil {
		t.Errorf("a broken record loaded without error")
	}
	if _, err := Add(repo, []Entry{{Name: "x", Value: "y"}}); err == nil {
		t.Errorf("Add over a broken record succeeded (it would lose the old entries)")
	}
}
