package history

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// walkBoth runs the commit walk of repo with the Go tree diff and with
// `git diff-tree`, one and two segments each, and requires the same
// introductions (same paths and pairs, numbered in the same order) and
// the same submodule links.
func walkBoth(t *testing.T, dir string) *introductions {
	t.Helper()
	git := requireTool(t, "git")
	r, err := openRepository(dir)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := r.walkSpec(Options{}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	newSource := func() (objectSource, error) {
		return (&gitReader{git: git, gitDir: r.gitDir, batchCommand: supportsBatchCommand(git)}).source(context.Background())
	}
	type result struct {
		in   *introductions
		subs map[string]bool
		errs []error
	}
	walk := func(trees *gitTreeDiffer, workers int) result {
		src, err := newSource()
		if err != nil {
			t.Fatal(err)
		}
		var c counters
		errs := &objectErrors{}
		g, err := loadGraph(context.Background(), src, spec, func(int32, plumbing.Hash, []byte) {}, errs, &c.objectsRead)
		src.close()
		if err != nil {
			t.Fatal(err)
		}
		if trees != nil {
			// git itself must answer: a silent fallback to the Go walk
			// would make this comparison prove nothing.
			order := g.topoOrder()
			if _, err := trees.segment(context.Background(), g, order, 0, len(order), &submodules{}, &c.commits); err != nil {
				t.Fatalf("git diff-tree: %v", err)
			}
			c.commits.Store(0)
		}
		subs := &submodules{}
		in, err := diffCommits(context.Background(), g, g.topoOrder(), newSource, trees, workers, errs, subs, &c.commits)
		if err != nil {
			t.Fatal(err)
		}
		if n := c.commits.Load(); n == 0 {
			t.Fatal("no commit diffed")
		}
		return result{in: in, subs: subs.paths, errs: errs.all()}
	}
	want := walk(nil, 1)
	if len(want.in.pairs) < 3 {
		t.Fatalf("only %d pairs: the repository proves nothing", len(want.in.pairs))
	}
	for _, workers := range []int{1, 2} {
		for _, trees := range []*gitTreeDiffer{nil, {git: git, gitDir: r.gitDir}} {
			got := walk(trees, workers)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("diff-tree %v, %d segment(s): %d pairs, %d paths, subs %v, errs %v; Go walk: %d pairs, %d paths, subs %v, errs %v",
					trees != nil, workers, len(got.in.pairs), len(got.in.paths), got.subs, got.errs,
					len(want.in.pairs), len(want.in.paths), want.subs, want.errs)
			}
		}
	}
	return want.in
}

// TestTreeDifferMatchesGoWalk: git's tree diff and ours find the same
// (path, blob) introductions at the same commits, in the same order, over
// the awkward changes: mode-only edits, a file becoming a directory and
// back, symlinks, a submodule link, deep paths, renames, merges, stashes.
func TestTreeDifferMatchesGoWalk(t *testing.T) {
	t.Run("scenario", func(t *testing.T) { walkBoth(t, buildScenario(t).repo.dir) })
	t.Run("shapes", func(t *testing.T) {
		r := newTestRepo(t)
		r.commit("one", map[string]string{"a/b/c/d.txt": "d\n", "a/z.txt": "z\n", "a.txt": "top\n", "x": "file\n", "a-b/q": "q\n"})
		if err := os.Chmod(filepath.Join(r.dir, "a.txt"), 0o755); err != nil {
			t.Fatal(err)
		}
		r.commit("mode only", nil)
		r.write(map[string]string{"x": ""})
		r.commit("file to dir", map[string]string{"x/inner.txt": "file\n", "a/b/c/d.txt": "d2\n", "a/b/e.txt": "e\n"})
		if err := os.Symlink("a.txt", filepath.Join(r.dir, "link")); err != nil {
			t.Fatal(err)
		}
		r.commit("symlink", nil)
		r.commit("symlink to file", map[string]string{"link": "top\n"})
		r.git("update-index", "--add", "--cacheinfo", "160000,"+r.git("rev-parse", "HEAD")+",vendor/sub")
		r.git("commit", "-q", "-m", "submodule link")
		r.git("rm", "-rq", "x")
		r.commit("dir to file", map[string]string{"x": "file again\n", "a/b/c/d.txt": "d\n"})
		in := walkBoth(t, r.dir)
		if !strings.Contains(strings.Join(in.paths, " "), "x/inner.txt") {
			t.Errorf("paths %q lack x/inner.txt", in.paths)
		}
	})
	if !testing.Short() {
		t.Run("generated", func(t *testing.T) { walkBoth(t, generatedHistory(t, 1500, 6)) })
	}
}

// TestMissingTreeIsNamed: git diff-tree stops on a missing tree; the Go
// walk takes the segment over and names the tree, and the rest is scanned.
func TestMissingTreeIsNamed(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one", map[string]string{"a.py": "k = '" + awsConfig + "'\n"})
	r.commit("two", map[string]string{"sub/b.py": "k = '" + ghOld + "'\n"})
	c3 := r.commit("three", map[string]string{"c.py": "k = '" + stripeApp + "'\n"})
	tree := r.git("rev-parse", "HEAD~1:sub")
	if err := os.Remove(filepath.Join(r.dir, ".git", "objects", tree[:2], tree[2:])); err != nil {
		t.Fatal(err)
	}
	fs, _, err := Scan(context.Background(), r.dir, testDetector(t), Options{Reader: ReaderGit})
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), tree) {
		t.Fatalf("err = %v, want incomplete naming tree %s", err, tree)
	}
	sameWants(t, "git", got(fs), []want{
		{"a.py", "aws-access-key", awsConfig, c1, 1},
		{"c.py", "stripe-secret-key", stripeApp, c3, 1},
	})
}

// TestPeelThroughGit: refs peeled by one git cat-file give the same tips,
// the same tag messages and the same warnings as peeling each through
// go-git, with a tag of a tag and tags of a tree and a blob among them.
func TestPeelThroughGit(t *testing.T) {
	git := requireTool(t, "git")
	s := buildScenario(t)
	s.repo.git("tag", "-a", "-m", "tag of a tag", "outer", "v1.1")
	s.repo.git("tag", "-a", "-m", "a tree", "tree-tag", "HEAD^{tree}")
	s.repo.git("tag", "blob-tag", "HEAD:README.md")
	peel := func(viaGit bool) ([]plumbing.Hash, map[plumbing.Hash]tagMessage, []string) {
		r, err := openRepository(s.repo.dir)
		if err != nil {
			t.Fatal(err)
		}
		if viaGit {
			r.peeler = &gitReader{git: git, gitDir: r.gitDir, batchCommand: supportsBatchCommand(git)}
		}
		var warnings []string
		tips, err := r.tips(nil, func(m string) { warnings = append(warnings, m) })
		if err != nil {
			t.Fatal(err)
		}
		if viaGit && len(r.peeled) == 0 {
			t.Error("nothing was peeled through git")
		}
		return tips, r.tags, warnings
	}
	tips, tags, warnings := peel(false)
	if len(tags) < 4 || len(warnings) != 2 {
		t.Fatalf("%d tags, warnings %q: the scenario proves nothing", len(tags), warnings)
	}
	gtips, gtags, gwarnings := peel(true)
	if !reflect.DeepEqual(gtips, tips) || !reflect.DeepEqual(gtags, tags) || !reflect.DeepEqual(gwarnings, warnings) {
		t.Errorf("through git: tips %v, %d tags, warnings %q; through go-git: tips %v, %d tags, warnings %q",
			gtips, len(gtags), gwarnings, tips, len(tags), warnings)
	}
}
