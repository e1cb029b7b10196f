package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	at "github.com/leakfix/leakfix/scanner/archive/archivetest"
	"github.com/leakfix/leakfix/scanner/scantest"
)

// TestPurgeHiddenSecrets runs the real git filter-repo as purge prints it:
// archives holding a secret are stripped by blob id (every version that
// holds one), an encoded secret is replaced as stored, and nothing is left.
// Then the --invert-paths alternative, on a second mirror.
func TestPurgeHiddenSecrets(t *testing.T) {
	purgeRequireTool(t, "git")
	filterRepo := purgeRequireTool(t, "git-filter-repo")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	os.MkdirAll(repo, 0o755)
	purgeGit(t, repo, "init", "-q", "-b", "main")

	cases := scantest.Cases(t)
	pick := map[string]scantest.Case{}
	for _, c := range cases {
		pick[c.Name] = c
	}
	jarZip, plainZip, pct := pick["jar in zip"], pick["zip"], pick["percent-encoded URL query"]
	purgeCommit(t, repo, map[string]string{
		"README.md": "# svc\n", jarZip.Path: string(jarZip.Data), plainZip.Path: string(plainZip.Data), pct.Path: string(pct.Data),
	}, "add build outputs")
	// A second version of the release: another blob with the same secret.
	v2 := at.Zip(t, at.File{Name: "CHANGES", Body: "v2\n"}, at.File{Name: "lib/app.jar", Body: string(
		at.Zip(t, at.File{Name: "application.properties", Body: "github.token=" + scantest.Token + "\n"}))})
	purgeCommit(t, repo, map[string]string{jarZip.Path: string(v2)}, "release v2")
	purgeGit(t, repo, "rm", "-q", plainZip.Path)
	purgeGit(t, repo, "commit", "-q", "-m", "drop secrets.zip")
	purgeCommit(t, repo, map[string]string{"README.md": "# svc\nclean\n"}, "docs")
	ids := []string{
		purgeGit(t, repo, "rev-parse", "HEAD~3:"+jarZip.Path),
		purgeGit(t, repo, "rev-parse", "HEAD~2:"+jarZip.Path),
		purgeGit(t, repo, "rev-parse", "HEAD~3:"+plainZip.Path),
	}

	code, stdout, stderr := runCLI(t, "", "purge", repo)
	if code != 0 {
		t.Fatalf("purge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	noStoredForm(t, "purge's output", stdout+stderr)
	idsFile := filepath.Join(base, "svc.leakfix-strip-blob-ids.txt")
	got, err := os.ReadFile(idsFile)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	for _, id := range ids {
		if !strings.Contains(string(got), id) || !strings.Contains(stdout, id+"  ") {
			t.Errorf("blob %s is not listed for stripping:\n%s\n%s", id, got, stdout)
		}
	}
	if !strings.Contains(stdout, "--invert-paths --path release.zip --path secrets.zip") {
		t.Errorf("no --invert-paths alternative:\n%s", stdout)
	}
	text, err := os.ReadFile(filepath.Join(base, "svc.leakfix-replace.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// One line: the percent-encoded token as stored; nothing for archives.
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	wantExpr := pctStored(t, pct)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], wantExpr+"==>") {
		t.Errorf("replace-text has %d line(s); want only the stored (percent-encoded) form", len(lines))
	}

	run := func(script []string) {
		t.Helper()
		sh := exec.Command("sh", "-ec", strings.Join(script, "\n"))
		sh.Dir = base
		sh.Env = []string{"HOME=" + base, "PATH=" + filepath.Dir(filterRepo) + ":/usr/bin:/bin",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
		if out, err := sh.CombinedOutput(); err != nil {
			t.Fatalf("%s\n%v\n%s", strings.Join(script, "\n"), err, out)
		}
	}
	var script []string
	for _, line := range fromSteps(t, stdout, "With git filter-repo:") {
		if strings.HasPrefix(line, "leakfix ") {
			break
		}
		script = append(script, line)
	}
	if len(script) != 4 || !strings.Contains(script[2], "--strip-blobs-with-ids") || !strings.Contains(script[2], "--replace-text") {
		t.Fatalf("unexpected filter-repo steps: %q", script)
	}
	run(script)
	mirror := filepath.Join(base, "svc-purge.git")
	if code, out, errOut := runCLI(t, "", "history", mirror); code != 0 {
		t.Errorf("history on the rewritten mirror: exit %d\n%s\n%s", code, out, errOut)
	}
	if out := purgeGit(t, mirror, "log", "--all", "--format=%s", "--", "release.zip", "secrets.zip"); out != "" {
		t.Errorf("archive paths still in history of commits:\n%s", out)
	}

	// The alternative: drop the paths from every commit.
	var inv string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "--invert-paths") {
			inv = strings.TrimSpace(line)
		}
	}
	mirror2 := filepath.Join(base, "svc-inv.git")
	run([]string{"git clone -q --mirror --no-local " + repo + " " + mirror2, "cd " + mirror2,
		inv + " --replace-text " + filepath.Join(base, "svc.leakfix-replace.txt")})
	if code, out, errOut := runCLI(t, "", "history", mirror2); code != 0 {
		t.Errorf("history after --invert-paths: exit %d\n%s\n%s", code, out, errOut)
	}
}

// pctStored is the percent-encoded token as callback.log stores it.
func pctStored(t *testing.T, c scantest.Case) string {
	s := string(c.Data)
	i := strings.Index(s, "token=")
	j := strings.Index(s[i:], "&")
	if i < 0 || j < 0 {
		t.Fatal("case layout changed")
	}
	return s[i+len("token=") : i+j]
}
