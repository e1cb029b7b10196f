package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/scanner/scantest"
)

// TestBinaryKeystoresFixAndPurge: real keystores in a repository are
// reported (no bytes of them in the report), fix leaves them untouched
// with its reason, and purge puts every version's blob in the strip-ids
// file and the paths in the --invert-paths command.
func TestBinaryKeystoresFixAndPurge(t *testing.T) {
	purgeRequireTool(t, "git")
	ks, _ := scantest.Keystores(t)
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	purgeGit(t, repo, "init", "-q", "-b", "main")
	files := map[string]string{"README.md": "# svc\n"}
	for _, k := range ks {
		files[k.Path] = string(k.Data)
	}
	purgeCommit(t, repo, files, "add keystores")
	// A second version of the PKCS#12: both blobs must be stripped.
	p12 := ks[0]
	v2 := append(append([]byte(nil), p12.Data...), 0)
	purgeCommit(t, repo, map[string]string{p12.Path: string(v2)}, "rotate")

	code, out, stderr := runCLI(t, "", "scan", repo, "--format", "json")
	if code != 1 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	for _, k := range ks {
		if !strings.Contains(out, `"file": "`+k.Path+`"`) {
			t.Errorf("scan: %s not reported:\n%s", k.Path, out)
		}
		if bytes.Contains([]byte(out), k.Data[:16]) {
			t.Errorf("scan: the report holds bytes of %s", k.Path)
		}
	}

	code, _, stderr = runCLI(t, "", "fix", repo, "--write")
	for _, k := range ks {
		data, _ := os.ReadFile(filepath.Join(repo, filepath.FromSlash(k.Path)))
		if k.Path != p12.Path && !bytes.Equal(data, k.Data) || k.Path == p12.Path && !bytes.Equal(data, v2) {
			t.Errorf("fix changed %s", k.Path)
		}
		if !strings.Contains(stderr, "left in place: "+k.Path+":1 ") || !strings.Contains(stderr, "the whole file is the secret") {
			t.Errorf("fix: no left-in-place line for %s:\n%s", k.Path, stderr)
		}
	}
	if code != 0 {
		t.Errorf("fix: exit %d\n%s", code, stderr)
	}

	// plan imports no blob id as a value: it names the files instead.
	planDir := filepath.Join(base, "plan")
	code, _, stderr = runCLI(t, "", "plan", "--target", "hashicorp-vault", repo, "--out", planDir)
	for _, k := range ks {
		if !strings.Contains(stderr, "not in the plan: "+k.Path+" ") {
			t.Errorf("plan: %s not named as left out (exit %d):\n%s", k.Path, code, stderr)
		}
	}
	_ = filepath.Walk(planDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(p)
		for _, k := range ks {
			if id := purgeGit(t, repo, "hash-object", "--", k.Path); bytes.Contains(data, []byte(id)) {
				t.Errorf("plan file %s holds the blob id of %s", p, k.Path)
			}
		}
		return nil
	})

	code, stdout, stderr := runCLI(t, "", "purge", repo)
	if code != 0 {
		t.Fatalf("purge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	ids, err := os.ReadFile(filepath.Join(base, "svc.leakfix-strip-blob-ids.txt"))
	if err != nil {
		t.Fatalf("no strip-ids file: %v\n%s", err, stdout)
	}
	want := []string{purgeGit(t, repo, "rev-parse", "HEAD~1:"+p12.Path), purgeGit(t, repo, "rev-parse", "HEAD:"+p12.Path)}
	for _, k := range ks[1:] {
		want = append(want, purgeGit(t, repo, "rev-parse", "HEAD:"+k.Path))
	}
	for _, id := range want {
		if !strings.Contains(string(ids), id) {
			t.Errorf("strip-ids file lacks %s:\n%s", id, ids)
		}
	}
	// No replace-text line: a blob id is not text in any file.
	if text, err := os.ReadFile(filepath.Join(base, "svc.leakfix-replace.txt")); err == nil {
		for _, id := range want {
			if strings.Contains(string(text), id) {
				t.Errorf("replace-text file names the blob %s:\n%s", id, text)
			}
		}
	}
	for _, k := range ks {
		if !strings.Contains(stdout, "--path "+k.Path) {
			t.Errorf("purge: no --invert-paths --path %s:\n%s", k.Path, stdout)
		}
	}
}
