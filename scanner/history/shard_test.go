package history

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/scantest"
)

// generatedHistory builds a repository from bench/genrepo (merges, tags,
// renames, deletions, secrets that come and go) with git fast-import.
func generatedHistory(t testing.TB, commits, mb int) string {
	t.Helper()
	requireTool(t, "git")
	requireTool(t, "go")
	dir := t.TempDir()
	gen := exec.Command("go", "run", "./bench/genrepo", "-commits", fmt.Sprint(commits), "-mb", fmt.Sprint(mb), "-seed", "7")
	gen.Dir = filepath.Join("..", "..")
	imp := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	pipe, err := gen.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	imp.Stdin = pipe
	gen.Stderr, imp.Stderr = os.Stderr, os.Stderr
	if err := gen.Start(); err != nil {
		t.Fatal(err)
	}
	if err := imp.Run(); err != nil {
		t.Fatalf("git fast-import: %v", err)
	}
	if err := gen.Wait(); err != nil {
		t.Fatalf("genrepo: %v", err)
	}
	return dir
}

// checkGolden compares a report with the one recorded before a change
// (commit, path, line, column, rule, fingerprint). `go test -run
// ShardsCover -update` rewrites it when a change of findings is intended.
func checkGolden(t *testing.T, path string, fs []scanner.Finding) {
	t.Helper()
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s:%d:%d %s %s\n", f.Commit, f.File, f.StartLine, f.StartColumn, f.RuleID, f.Fingerprint)
	}
	scantest.Golden(t, path, b.String())
}

// canonical orders findings by fingerprint and commit: the merged report
// of N shards cannot know the topological order of the single run.
func canonical(fs []scanner.Finding) []scanner.Finding {
	out := append([]scanner.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Fingerprint != out[j].Fingerprint {
			return out[i].Fingerprint < out[j].Fingerprint
		}
		return out[i].Commit < out[j].Commit
	})
	return out
}

// TestShardsCoverHistoryExactlyOnce: for N = 2, 3, 5 the shards' findings
// are disjoint and together are the single run's, finding for finding
// (commit, line, everything), on the scenario repository (renames, copies,
// a secret in a message) and on a generated history.
func TestShardsCoverHistoryExactlyOnce(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	repos := map[string]string{"scenario": buildScenario(t).repo.dir}
	if !testing.Short() {
		repos["generated"] = generatedHistory(t, 1500, 6)
	}
	for name, dir := range repos {
		t.Run(name, func(t *testing.T) {
			single, st, err := Scan(context.Background(), dir, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(single) < 3 {
				t.Fatalf("only %d findings: the repository proves nothing", len(single))
			}
			if name == "generated" {
				checkGolden(t, "testdata/generated-history.golden", single)
			}
			for _, n := range []int{2, 3, 5} {
				var union []scanner.Finding
				pairs := 0
				for k := 1; k <= n; k++ {
					fs, sst, err := Scan(context.Background(), dir, d, Options{Shard: scanner.Shard{K: k, N: n}})
					if err != nil {
						t.Fatal(err)
					}
					pairs += sst.Pairs
					union = append(union, fs...)
				}
				if pairs != st.Pairs {
					t.Errorf("N=%d: shards scanned %d (path, blob) pairs, the single run %d", n, pairs, st.Pairs)
				}
				if a, b := canonical(union), canonical(single); !reflect.DeepEqual(a, b) {
					t.Errorf("N=%d: %d findings from the shards, %d from the single run\n shards: %v\n single: %v", n, len(a), len(b), got(a), got(b))
				}
			}
		})
	}
}
