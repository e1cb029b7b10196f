package history

import (
	"context"
	"testing"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/scantest"
)

// checkKeystores wants each keystore found once, at line 1, by its rule,
// with the blob id git gave it as the secret.
func checkKeystores(t *testing.T, r *testRepo, fs []scanner.Finding, ks []scantest.Keystore, commit string) {
	t.Helper()
	byFile := map[string][]scanner.Finding{}
	for _, f := range fs {
		byFile[f.File] = append(byFile[f.File], f)
	}
	for _, k := range ks {
		got := byFile[k.Path]
		if len(got) != 1 {
			t.Errorf("%s: %d findings, want 1", k.Path, len(got))
			continue
		}
		f := got[0]
		blob := r.git("hash-object", "--", k.Path)
		if f.RuleID != k.Rule || f.StartLine != 1 || f.Secret != blob || !f.IsWholeFile() || f.Commit != commit {
			t.Errorf("%s: got %s line %d secret %.12s whole %v commit %.7s, want %s line 1 blob %.12s commit %.7s",
				k.Path, f.RuleID, f.StartLine, f.Secret, f.IsWholeFile(), f.Commit, k.Rule, blob, commit)
		}
	}
}

// TestBinaryKeystoresHistory: keystores committed and deleted later are
// found in history, with either reader, at the commit that added them.
func TestBinaryKeystoresHistory(t *testing.T) {
	ks, _ := scantest.Keystores(t)
	r := newTestRepo(t)
	r.commit("init", map[string]string{"README.md": "# demo\n"})
	add := map[string]string{}
	for _, k := range ks {
		add[k.Path] = string(k.Data)
	}
	added := r.commit("add keystores", add)
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		t.Run(reader, func(t *testing.T) {
			fs, _, err := Scan(context.Background(), r.dir, defaultPackDetector(t), Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			checkKeystores(t, r, fs, ks, added)
		})
	}
}

// TestBinaryKeystoresStaged: the same files staged, with either reader.
func TestBinaryKeystoresStaged(t *testing.T) {
	ks, _ := scantest.Keystores(t)
	r := newTestRepo(t)
	r.commit("init", map[string]string{"README.md": "# demo\n"})
	add := map[string]string{}
	for _, k := range ks {
		add[k.Path] = string(k.Data)
	}
	r.write(add)
	r.git("add", "-A")
	for _, goGit := range []bool{false, true} {
		t.Run(map[bool]string{false: "git", true: "go-git"}[goGit], func(t *testing.T) {
			fs, _, err := ScanStaged(context.Background(), r.dir, defaultPackDetector(t), StagedOptions{GoGit: goGit})
			if err != nil {
				t.Fatal(err)
			}
			checkKeystores(t, r, fs, ks, "")
		})
	}
}
