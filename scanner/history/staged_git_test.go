package history

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStagedPathChoice: git answers when it can (no index entry count, as
// the index is never read here); a conflicted index and a missing git
// binary fall back to go-git, with the same findings.
func TestStagedPathChoice(t *testing.T) {
	r := newTestRepo(t)
	r.commit("base", map[string]string{"a.py": "a = 1\n", "b.py": "b = 1\n"})
	r.write(map[string]string{"a.py": "a = 1\nKEY = '" + awsConfig + "'\n"})
	r.git("add", "a.py")
	d := testDetector(t)
	scan := func(opts StagedOptions) ([]want, StagedStats) {
		t.Helper()
		fs, st, err := ScanStaged(context.Background(), r.dir, d, opts)
		if err != nil {
			t.Fatal(err)
		}
		return got(fs), st
	}
	fs, st := scan(StagedOptions{})
	if st.Entries != 0 || st.Changed != 1 || st.Scanned != 1 {
		t.Errorf("git path expected (no index read, one change): %+v", st)
	}
	sameWants(t, "via git", fs, []want{{"a.py", "aws-access-key", awsConfig, "", 2}})

	t.Run("no git binary", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		fs, st := scan(StagedOptions{})
		if st.Entries != 2 {
			t.Errorf("go-git path expected (it reads the index): %+v", st)
		}
		sameWants(t, "via go-git", fs, []want{{"a.py", "aws-access-key", awsConfig, "", 2}})
	})

	t.Run("conflict", func(t *testing.T) {
		r.git("commit", "-q", "-m", "key")
		r.git("checkout", "-q", "-b", "other", "HEAD~1")
		r.commit("theirs", map[string]string{"b.py": "b = 2\n"})
		r.git("checkout", "-q", "main")
		r.commit("ours", map[string]string{"b.py": "b = 3\ntoken = '" + ghOld + "'\n"})
		merge := exec.Command("git", "-c", "user.name=Dev One", "-c", "user.email=dev@example.com", "merge", "-q", "other")
		merge.Dir, merge.Env = r.dir, r.env()
		if out, err := merge.CombinedOutput(); err == nil {
			t.Fatalf("merge should conflict:\n%s", out)
		}
		fs, st := scan(StagedOptions{})
		if st.Entries == 0 {
			t.Errorf("a conflicted index should take the go-git path: %+v", st)
		}
		viaGoGit, _ := scan(StagedOptions{GoGit: true})
		sameWants(t, "conflict", fs, viaGoGit)
	})
}

// TestStagedFromSubdirectory: run from a subdirectory (as a hook may be,
// or a user with diff.relative set), paths stay relative to the top.
func TestStagedFromSubdirectory(t *testing.T) {
	r := newTestRepo(t)
	r.commit("base", map[string]string{"sub/a.py": "a = 1\n", "top.py": "t = 1\n"})
	r.git("config", "diff.relative", "true")
	r.write(map[string]string{
		"sub/a.py": "a = 1\nKEY = '" + awsConfig + "'\n",
		"top.py":   "t = 1\ntoken = '" + ghOld + "'\n",
	})
	r.git("add", "-A")
	fs, _, err := ScanStaged(context.Background(), filepath.Join(r.dir, "sub"), testDetector(t), StagedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameWants(t, "from sub/", got(fs), []want{
		{"sub/a.py", "aws-access-key", awsConfig, "", 2},
		{"top.py", "github-pat", ghOld, "", 2},
	})
}
