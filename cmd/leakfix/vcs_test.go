package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublicRemoteURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/acme/app.git":                  "https://github.com/acme/app.git",
		"https://x-access-token:ghs_abc@github.com/acme/a": "https://github.com/acme/a",
		"git@github.com:acme/app.git":                      "ssh://github.com/acme/app.git",
		"ssh://git@example.com:2222/acme/app":              "ssh://example.com:2222/acme/app",
		"":                                                 "",
	} {
		if got := publicRemoteURL(in); got != want {
			t.Errorf("publicRemoteURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHistorySARIFProvenance: history's SARIF names the repository (its
// remote without credentials) and HEAD's revision, and --output prints a
// one-line summary on stderr.
func TestHistorySARIFProvenance(t *testing.T) {
	r := newHistRepo(t)
	head := r.commit("add token", map[string]string{"app.py": "G = \"" + glSecret + "\"\n"})
	r.git("remote", "add", "origin", "https://deploy:hunter2hunter2@github.com/acme/app.git")
	out := filepath.Join(t.TempDir(), "h.sarif")
	code, stdout, stderr := runCLI(t, "", "history", r.dir, "--format", "sarif", "--output", out)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" || !strings.Contains(stderr, "wrote "+out+" (sarif): 1 finding(s) in 1 file(s): 1 critical") {
		t.Errorf("stdout %q stderr %q: want the summary line on stderr", stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Error("remote credentials in the SARIF")
	}
	var doc struct {
		Runs []struct {
			VersionControlProvenance []struct {
				RepositoryURI string `json:"repositoryUri"`
				RevisionID    string `json:"revisionId"`
			} `json:"versionControlProvenance"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	vc := doc.Runs[0].VersionControlProvenance
	if len(vc) != 1 || vc[0].RepositoryURI != "https://github.com/acme/app.git" || vc[0].RevisionID != head {
		t.Errorf("versionControlProvenance %+v, want the remote and %s", vc, head)
	}
}
