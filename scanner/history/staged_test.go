package history

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// stagedFindings scans through the git binary and through go-git, and
// requires the two to agree finding for finding.
func stagedFindings(t *testing.T, dir, indexFile string) []want {
	t.Helper()
	d := testDetector(t)
	viaGit, _, err := ScanStaged(context.Background(), dir, d, StagedOptions{IndexFile: indexFile})
	if err != nil {
		t.Fatal(err)
	}
	viaGoGit, _, err := ScanStaged(context.Background(), dir, d, StagedOptions{IndexFile: indexFile, GoGit: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaGit, viaGoGit) {
		t.Fatalf("git and go-git staged scans differ:\n git:   %v\n go-git: %v", got(viaGit), got(viaGoGit))
	}
	return got(viaGit)
}

// TestStagedIsTheIndexNotTheWorkTree: what is staged is scanned, with the
// staged version's line numbers, even in a repository with no commit yet;
// what is only in the work tree is not.
func TestStagedIsTheIndexNotTheWorkTree(t *testing.T) {
	r := newTestRepo(t)
	r.write(map[string]string{
		"a.py": "import os\n\nKEY = '" + awsConfig + "'\n",
		"b.py": "x = 1\n",
	})
	r.git("add", "a.py", "b.py")
	// After staging: the secret leaves a.py's work tree copy, and one
	// arrives in b.py's and in an untracked file.
	r.write(map[string]string{
		"a.py": "import os\nKEY = os.environ['KEY']\n",
		"b.py": "x = 1\ntoken = '" + ghOld + "'\n",
		"c.py": "s = '" + stripeApp + "'\n",
	})
	sameWants(t, "no commits", stagedFindings(t, r.dir, ""), []want{
		{"a.py", "aws-access-key", awsConfig, "", 3},
	})
}

// TestStagedReportsOnlyWhatTheCommitAdds: a secret already in HEAD does
// not block an unrelated change to the same file; a new one does, at its
// staged line; renames, deletions and allowed lines behave.
func TestStagedReportsOnlyWhatTheCommitAdds(t *testing.T) {
	r := newTestRepo(t)
	r.commit("base", map[string]string{
		"config.py":  "OLD = '" + awsConfig + "'\nx = 1\n",
		"legacy.py":  "L = '" + ghOld + "'\n",
		"keep.py":    "k = 1\n",
		"remove.py":  "r = 1\n",
		"sub/one.py": "one = 1\n",
	})
	r.write(map[string]string{
		"config.py":  "OLD = '" + awsConfig + "'\nx = 2\nNEW = '" + stripeApp + "'\n",
		"fixture.py": "TEST_KEY = '" + groqFeature + "'  # leakfix:allow\n",
		"sub/two.py": "two = '" + stripeWip + "'\n",
		"remove.py":  "",
	})
	r.git("mv", "legacy.py", "moved.py")
	r.git("add", "-A")
	sameWants(t, "changes", stagedFindings(t, r.dir, ""), []want{
		{"config.py", "stripe-secret-key", stripeApp, "", 3},
		{"moved.py", "github-pat", ghOld, "", 1},
		{"sub/two.py", "stripe-secret-key", stripeWip, "", 1},
	})

	// Nothing staged: nothing found.
	r.git("commit", "-q", "-m", "more")
	if fs := stagedFindings(t, r.dir, ""); len(fs) != 0 {
		t.Errorf("clean index: %v", fs)
	}
}

// TestStagedAlternateIndex: with GIT_INDEX_FILE (git commit -a, git commit
// PATH), the index git names is scanned, not .git/index.
func TestStagedAlternateIndex(t *testing.T) {
	r := newTestRepo(t)
	r.commit("base", map[string]string{"a.py": "a = 1\n"})
	alt := filepath.Join(t.TempDir(), "index.alt")
	r.write(map[string]string{"a.py": "a = '" + awsTagOnly + "'\n"})
	r.gitEnv([]string{"GIT_INDEX_FILE=" + alt}, "read-tree", "HEAD")
	r.gitEnv([]string{"GIT_INDEX_FILE=" + alt}, "add", "a.py")
	sameWants(t, "alternate index", stagedFindings(t, r.dir, alt), []want{
		{"a.py", "aws-access-key", awsTagOnly, "", 1},
	})
	if fs := stagedFindings(t, r.dir, ""); len(fs) != 0 {
		t.Errorf(".git/index has nothing staged, got %v", fs)
	}
}

// BenchmarkStaged is the pre-commit hook's work: a commit touching 10
// files of ordinary size (4–8 KB) in a repository of 500 files. "scan" is
// the index diff and scan with a ready detector; "cold" also loads and
// compiles the default rule pack, as every hook run does.
func BenchmarkStaged(b *testing.B) {
	r := newTestRepo(b)
	files := map[string]string{}
	for i := range 500 {
		files[fmt.Sprintf("pkg%02d/file%03d.py", i%25, i)] = ordinarySource(i, 4000+i%5*1000)
	}
	r.commit("base", files)
	for i := 0; i < 500; i += 50 {
		name := fmt.Sprintf("pkg%02d/file%03d.py", i%25, i)
		r.write(map[string]string{name: ordinarySource(i, 4000+i%5*1000) + "retries = 3\n"})
	}
	r.git("add", "-A")
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			_, st, err := ScanStaged(context.Background(), r.dir, d, StagedOptions{})
			if err != nil || st.Changed != 10 {
				b.Fatalf("%v, %+v", err, st)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			cfg, err := rules.Default()
			if err != nil {
				b.Fatal(err)
			}
			d := scanner.New(cfg, scanner.Options{})
			if _, _, err := ScanStaged(context.Background(), r.dir, d, StagedOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ordinarySource is code-shaped text of about n bytes.
func ordinarySource(seed, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "def handler_%d_%d(request, limit=%d):\n    return request.items[:limit]  # page %d\n", seed, i, i*7, i)
	}
	return b.String()
}

// TestStagedLargeFileScansTheChange: past changedLinesAbove a staged file
// is scanned near its changed lines only, and reports exactly what a whole
// scan kept to changed lines reports: the new secret, a private key whose
// body changed far below its unchanged BEGIN line, not the old secret on
// the line next to a change.
func TestStagedLargeFileScansTheChange(t *testing.T) {
	filler := ordinarySource(1, changedLinesAbove/2+1024)
	key := func(last string) string {
		var b strings.Builder
		b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
		for i := 0; i < 7; i++ {
			b.WriteString(strings.Repeat("MIIEpAIBAAKCAQEAx1", 4) + "\n")
		}
		b.WriteString(strings.Repeat(last, 72/len(last)) + "\n")
		b.WriteString("-----END RSA PRIVATE KEY-----\n")
		return b.String()
	}
	middle := ordinarySource(2, 2048) // keeps the key's BEGIN line away from the other changes
	head := filler + "OLD = '" + awsConfig + "'\nx = 1\n" + middle + key("Qm9keU9uZQ") + filler
	staged := filler + "OLD = '" + awsConfig + "'\nx = 2\nNEW = '" + stripeApp + "'\n" + middle + key("Qm9keVR3bw") + filler
	if len(staged) < changedLinesAbove {
		t.Fatalf("staged file is %d bytes, under the %d threshold", len(staged), changedLinesAbove)
	}
	r := newTestRepo(t)
	r.commit("base", map[string]string{"big.py": head})
	r.write(map[string]string{"big.py": staged})
	r.git("add", "big.py")
	fs := stagedFindings(t, r.dir, "") // git and go-git agree

	d := testDetector(t)
	whole, err := d.Detect(scanner.Fragment{Path: "big.py", Data: []byte(staged)})
	if err != nil {
		t.Fatal(err)
	}
	lines := newLineSet()
	lines.addAll([]byte(head))
	runs, _ := lines.mark([]byte(staged), false)
	ref := got(onRuns(runs, whole))
	sameWants(t, "large file vs whole scan kept to changed lines", fs, ref)
	rulesFound := map[string]bool{}
	for _, f := range fs {
		rulesFound[f.rule] = true
	}
	if len(fs) != 2 || !rulesFound["stripe-secret-key"] || !rulesFound["private-key"] {
		t.Errorf("want the new stripe key and the changed private key, got:\n%s", fmtWants(fs))
	}
}
