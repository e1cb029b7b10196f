package history

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	at "github.com/leakfix/leakfix/scanner/archive/archivetest"
	"github.com/leakfix/leakfix/scanner/scantest"
)

func defaultPackDetector(t *testing.T) *scanner.Detector {
	t.Helper()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return scanner.New(cfg, scanner.Options{})
}

// checkCases wants every case found once, where the tree scan finds it.
func checkCases(t *testing.T, fs []scanner.Finding, cases []scantest.Case, commit string) {
	t.Helper()
	byFile := map[string][]scanner.Finding{}
	for _, f := range fs {
		byFile[f.File] = append(byFile[f.File], f)
	}
	for _, c := range cases {
		got := byFile[c.File]
		if len(got) != 1 {
			t.Errorf("%s: %d findings in %s, want 1", c.Name, len(got), c.File)
			continue
		}
		f := got[0]
		if f.RuleID != "github-pat" || f.Encoding != c.Encoding || f.StartLine != c.Line || f.StartColumn != c.Column ||
			(commit != "" && f.Commit != commit) {
			t.Errorf("%s: got %s %q line %d col %d commit %.7s, want %q line %d col %d commit %.7s",
				c.Name, f.RuleID, f.Encoding, f.StartLine, f.StartColumn, f.Commit, c.Encoding, c.Line, c.Column, commit)
		}
		if strings.Contains(c.File, "!") && f.Container != c.Path {
			t.Errorf("%s: container %q, want %q", c.Name, f.Container, c.Path)
		}
	}
	if len(fs) != len(cases) {
		t.Errorf("%d findings for %d cases", len(fs), len(cases))
	}
}

// TestHiddenSecretsHistory: the cases committed once and deleted in the
// next commit are found in history, with either reader, at the commit
// that added them.
func TestHiddenSecretsHistory(t *testing.T) {
	r := newTestRepo(t)
	r.commit("init", map[string]string{"README.md": "# demo\n"})
	cases := scantest.Cases(t)
	add, del := map[string]string{}, map[string]string{}
	for _, c := range cases {
		add[c.Path] = string(c.Data)
		del[c.Path] = ""
	}
	added := r.commit("add build outputs", add)
	r.commit("remove build outputs", del)
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		t.Run(reader, func(t *testing.T) {
			fs, _, err := Scan(context.Background(), r.dir, defaultPackDetector(t), Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			checkCases(t, fs, cases, added)
		})
	}
}

// TestHiddenSecretsStaged: the same cases staged for a commit.
func TestHiddenSecretsStaged(t *testing.T) {
	r := newTestRepo(t)
	r.commit("init", map[string]string{"README.md": "# demo\n"})
	cases := scantest.Cases(t)
	add := map[string]string{}
	for _, c := range cases {
		add[c.Path] = string(c.Data)
	}
	r.write(add)
	r.git("add", "-A")
	fs, _, err := ScanStaged(context.Background(), r.dir, defaultPackDetector(t), StagedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkCases(t, fs, cases, "")
}

// TestArchiveBombInHistory: a limit hit makes the scan incomplete, named,
// and the other findings still come back.
func TestArchiveBombInHistory(t *testing.T) {
	r := newTestRepo(t)
	bomb := at.Zip(t, at.File{Name: "zeros.bin", Body: strings.Repeat("\x00", 16<<20)})
	r.commit("add", map[string]string{"bomb.zip": string(bomb), "x.env": "GITHUB_TOKEN=" + scantest.Token + "\n"})
	fs, _, err := Scan(context.Background(), r.dir, defaultPackDetector(t), Options{})
	if !errors.Is(err, ErrIncomplete) || !errors.Is(err, scanner.ErrArchiveLimit) || !strings.Contains(err.Error(), "bomb.zip!zeros.bin: archive ratio limit") {
		t.Fatalf("err = %v, want an incomplete scan naming the ratio limit", err)
	}
	if len(fs) != 1 || fs[0].File != "x.env" {
		t.Errorf("findings %v, want the one in x.env", describe(fs))
	}
	r.write(map[string]string{"bomb2.zip": string(bomb)})
	r.git("add", "-A")
	if _, _, err := ScanStaged(context.Background(), r.dir, defaultPackDetector(t), StagedOptions{}); !errors.Is(err, scanner.ErrArchiveLimit) {
		t.Fatalf("staged err = %v, want the ratio limit", err)
	}
}
