package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// purgeRequireTool returns program's path, or skips without it — or fails
// under LEAKFIX_REQUIRE_TOOLS=1, as CI sets after installing it.
func purgeRequireTool(t *testing.T, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("this test needs %s: %v", program, err)
	}
	return path
}

// purgeGitEnv is a git environment free of the user's config.
func purgeGitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
}

func purgeGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = purgeGitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

func purgeCommit(t *testing.T, dir string, files map[string]string, msg string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	purgeGit(t, dir, "add", "-A")
	purgeGit(t, dir, "commit", "-q", "-m", msg)
}

// purgeRand makes secrets of a given alphabet, seeded so that a failure
// can be replayed.
type purgeRand struct{ r *rand.Rand }

func (p purgeRand) str(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[p.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	purgeAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	purgeBase64 = purgeAlnum + "+/"
)

// planted is a secret the acceptance test put in the history, and the
// text around it (the line, or the whole key block).
type planted struct {
	value   string // what must be gone
	context string // the text it sits in; the replaced value lies inside it
	message bool   // in a commit message
}

// purgeHistory builds the acceptance repository: secrets on main, on an
// unmerged branch, in a commit only an annotated tag reaches, in a file
// later deleted, in a commit message, a private key, a large text file
// (BFG skips it) and a binary file (both tools skip it).
func purgeHistory(t *testing.T, repo string) []planted {
	rnd := purgeRand{rand.New(rand.NewPCG(5, 2026))}
	groq := "gsk_" + rnd.str(purgeAlnum, 52)
	groqTag := "gsk_" + rnd.str(purgeAlnum, 52)
	ghp := "ghp_" + rnd.str(purgeAlnum, 36)
	ghpMsg := "ghp_" + rnd.str(purgeAlnum, 36)
	stripe := "sk_live_" + rnd.str(purgeAlnum, 24)
	stripeDump := "sk_live_" + rnd.str(purgeAlnum, 28)
	aws := "AKIA" + rnd.str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	pgPassword := rnd.str(purgeAlnum, 20)
	var key strings.Builder
	key.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for range 12 {
		key.WriteString(rnd.str(purgeBase64, 64) + "\n")
	}
	key.WriteString(rnd.str(purgeBase64, 30) + "==\n-----END RSA PRIVATE KEY-----")
	pem := key.String()

	groqLine := `groq_api_key = "` + groq + `"`
	pgLine := `DATABASE_URL = "postgresql://app:` + pgPassword + `@db.internal:5432/app"`
	ghpLine := "GITHUB_TOKEN=" + ghp
	stripeLine := `stripe.api_key = "` + stripe + `"`
	awsLine := "aws_access_key_id = " + aws
	msg := "docs: the old CI token was " + ghpMsg + ", now revoked"
	var dump strings.Builder
	for i := 0; dump.Len() < 1<<20+4096; i++ {
		fmt.Fprintf(&dump, "INSERT INTO events VALUES (%d, 'checkout', 'ok');\n", i)
	}
	dumpLine := `-- payments key used for the import: stripe_key = "` + stripeDump + `"`
	dump.WriteString(dumpLine + "\n")
	binary := "\x42\x0d\x0d\x0a\x00\x00\x00\x00\xe3\x00" + groq + "\x00\x10trailer"

	purgeGit(t, filepath.Dir(repo), "init", "-q", "-b", "main", repo)
	purgeCommit(t, repo, map[string]string{
		"app.py":    "import os\n\n" + groqLine + "\n" + pgLine + "\n\ndef main():\n    return 0\n",
		"README.md": "# service\n",
	}, "initial")
	purgeGit(t, repo, "checkout", "-q", "-b", "feature/ci")
	purgeCommit(t, repo, map[string]string{"ci.env": ghpLine + "\nREGION=eu\n"}, "ci settings")
	purgeGit(t, repo, "checkout", "-q", "main")
	purgeCommit(t, repo, map[string]string{"pay.py": stripeLine + "\n"}, "payments")
	// A commit only the annotated tag reaches.
	purgeGit(t, repo, "checkout", "-q", "--detach")
	purgeCommit(t, repo, map[string]string{"release.env": "GROQ_API_KEY=" + groqTag + "\n"}, "release config")
	purgeGit(t, repo, "tag", "-a", "v1.0", "-m", "release 1.0")
	purgeGit(t, repo, "checkout", "-q", "main")
	purgeCommit(t, repo, map[string]string{"creds.ini": "[default]\n" + awsLine + "\n"}, "aws")
	purgeGit(t, repo, "rm", "-q", "creds.ini")
	purgeGit(t, repo, "commit", "-q", "-m", "remove creds")
	purgeCommit(t, repo, map[string]string{"deploy/deploy.pem": pem + "\n"}, "deploy key")
	purgeCommit(t, repo, map[string]string{"data/dump.sql": dump.String()}, "import dump")
	purgeCommit(t, repo, map[string]string{"bin/app.pyc": binary, "bin/README": "compiled\n"}, "compiled")
	purgeCommit(t, repo, map[string]string{"README.md": "# service\n\nDocs.\n"}, msg)

	return []planted{
		{value: groq, context: groqLine},
		{value: groqTag, context: "GROQ_API_KEY=" + groqTag},
		{value: pgPassword, context: pgLine},
		{value: ghp, context: ghpLine},
		{value: stripe, context: stripeLine},
		{value: stripeDump, context: dumpLine},
		{value: aws, context: awsLine},
		{value: pem, context: pem},
		{value: ghpMsg, context: msg, message: true},
	}
}

// replaceLine is a line of a replace-text file, split as git filter-repo
// splits it (at the last "==>").
type replaceLine struct{ expr, repl string }

func readReplaceFile(t *testing.T, path string) []replaceLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []replaceLine
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		i := strings.LastIndex(line, "==>")
		if i < 0 {
			t.Fatalf("line without ==> in %s", path)
		}
		out = append(out, replaceLine{line[:i], line[i+3:]})
	}
	return out
}

// modelFor maps each planted secret to the exact text the rewrite must
// replace and its marker: the file's literal line whose value holds the
// secret and lies within the planted context (so it can be neither too
// narrow nor too broad), or for the key, the block line's marker.
func modelFor(t *testing.T, secrets []planted, text, messages []replaceLine) [][2]string {
	t.Helper()
	var model [][2]string
	for _, p := range secrets {
		lines := text
		if p.message {
			lines = messages
		}
		found := 0
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l.expr, "regex:"):
				if strings.HasPrefix(p.value, "-----BEGIN") && strings.HasPrefix(l.expr, `regex:\-\-\-\-\-BEGIN`) {
					model = append(model, [2]string{p.value, l.repl})
					found++
				}
			case strings.Contains(l.expr, p.value) && strings.Contains(p.context, l.expr):
				model = append(model, [2]string{l.expr, l.repl})
				found++
			}
		}
		if found != 1 {
			t.Fatalf("secret planted in %q: %d matching lines in the replace-text file, want 1", redactPlanted(p, secrets), found)
		}
	}
	sort.SliceStable(model, func(i, j int) bool { return len(model[i][0]) > len(model[j][0]) })
	return model
}

func redactPlanted(p planted, all []planted) string {
	s := p.context
	for _, q := range all {
		s = strings.ReplaceAll(s, q.value, "REDACTED")
	}
	return s
}

func applyModel(model [][2]string, data string) string {
	for _, m := range model {
		data = strings.ReplaceAll(data, m[0], m[1])
	}
	return data
}

// purgeNoSecret fails if any planted secret is in s.
func purgeNoSecret(t *testing.T, what, s string, secrets []planted) {
	t.Helper()
	for _, p := range secrets {
		if strings.Contains(s, p.value) {
			t.Errorf("%s holds a secret (planted in %q)", what, redactPlanted(p, secrets))
		}
	}
}

// fromSteps picks the shell lines of one tool's block of the printed next
// steps.
func fromSteps(t *testing.T, stdout, tool string) []string {
	t.Helper()
	i := strings.Index(stdout, tool)
	if i < 0 {
		t.Fatalf("no %q block in:\n%s", tool, stdout)
	}
	var out []string
	for _, line := range strings.Split(stdout[i+len(tool):], "\n")[1:] {
		if strings.TrimSpace(line) == "" {
			break
		}
		out = append(out, strings.TrimSpace(line))
	}
	return out
}

// TestPurgeAcceptance is issue 5's acceptance test: purge a repository's
// history with the real git filter-repo, following the commands purge
// prints, and prove that nothing is left and nothing else changed.
func TestPurgeAcceptance(t *testing.T) {
	purgeRequireTool(t, "git")
	filterRepo := purgeRequireTool(t, "git-filter-repo")
	base := t.TempDir()
	repo := filepath.Join(base, "service")
	secrets := purgeHistory(t, repo)

	code, stdout, stderr := runCLI(t, "", "purge", repo)
	if code != 0 {
		t.Fatalf("purge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	purgeNoSecret(t, "purge's stdout", stdout, secrets)
	purgeNoSecret(t, "purge's stderr", stderr, secrets)
	if !strings.Contains(stderr, "live secret") {
		t.Errorf("no live-secrets warning on stderr: %s", stderr)
	}

	// The files: next to the repository, 0600, never inside the work tree.
	textFile := filepath.Join(base, "service.leakfix-replace.txt")
	msgFile := filepath.Join(base, "service.leakfix-messages.txt")
	idsFile := filepath.Join(base, "service.leakfix-strip-blob-ids.txt")
	findingsFile := filepath.Join(base, "service.leakfix-findings.json")
	for _, f := range []string{textFile, msgFile, idsFile, findingsFile} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v\n%s", f, err, stdout)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
		if !strings.Contains(stdout, f) {
			t.Errorf("stdout does not name %s", f)
		}
	}
	if out := purgeGit(t, repo, "status", "--porcelain", "--ignored"); out != "" {
		t.Errorf("purge left files in the work tree:\n%s", out)
	}
	findingsJSON, _ := os.ReadFile(findingsFile)
	purgeNoSecret(t, "the findings file", string(findingsJSON), secrets)

	// The blobs replace-text cannot reach are listed with their remedy.
	pycID := purgeGit(t, repo, "rev-parse", "HEAD~1:bin/app.pyc")
	dumpID := purgeGit(t, repo, "rev-parse", "HEAD:data/dump.sql")
	ids, _ := os.ReadFile(idsFile)
	if strings.TrimSpace(string(ids)) != pycID {
		t.Errorf("strip ids file = %q, want the .pyc blob %s", ids, pycID)
	}
	for _, want := range []string{pycID + "  ", "bin/app.pyc", dumpID + "  ", "data/dump.sql", "--filter-content-size-threshold 2M", "--strip-blobs-with-ids " + idsFile} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}

	text := readReplaceFile(t, textFile)
	messages := readReplaceFile(t, msgFile)
	model := modelFor(t, secrets, text, messages)

	// Run the printed filter-repo steps, up to (not including) the
	// verification and the push, in a shell as a user would.
	var script []string
	for _, line := range fromSteps(t, stdout, "With git filter-repo:") {
		if strings.HasPrefix(line, "leakfix ") {
			break
		}
		script = append(script, line)
	}
	if len(script) != 4 || !strings.HasPrefix(script[2], "git filter-repo ") {
		t.Fatalf("unexpected filter-repo steps: %q", script)
	}
	sh := exec.Command("sh", "-ec", strings.Join(script, "\n"))
	sh.Dir = base
	// A minimal environment: filter-repo is a Python script, and a pyenv
	// shim on PATH must not pick its interpreter.
	sh.Env = []string{"HOME=" + base, "PATH=" + filepath.Dir(filterRepo) + ":/usr/bin:/bin",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s\n%v\n%s", strings.Join(script, "\n"), err, out)
	}
	mirror := filepath.Join(base, "service-purge.git")

	// purge --verify and history find nothing in the rewritten mirror;
	// before the rewrite, verify finds every finding.
	if code, out, errOut := runCLI(t, "", "purge", "--verify", mirror, "--from", findingsFile); code != 0 {
		t.Errorf("purge --verify on the rewritten mirror: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "", "history", mirror); code != 0 {
		t.Errorf("history on the rewritten mirror: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := runCLI(t, "", "purge", "--verify", repo, "--from", findingsFile)
	if code != 1 || strings.Count(out, "survivor: ") != len(secrets) {
		t.Errorf("purge --verify on the original: exit %d, %d survivors, want 1 and %d\n%s\n%s",
			code, strings.Count(out, "survivor: "), len(secrets), out, errOut)
	}
	purgeNoSecret(t, "verify's output", out+errOut, secrets)

	// No secret in any object of the mirror, whatever the rules say.
	all := exec.Command("git", "-C", mirror, "cat-file", "--batch-all-objects", "--batch")
	all.Env = purgeGitEnv()
	objects, err := all.Output()
	if err != nil {
		t.Fatal(err)
	}
	purgeNoSecret(t, "the rewritten mirror", string(objects), secrets)

	purgeCompareHistories(t, repo, mirror, model)
}

// purgeCompareHistories checks every rewritten commit against its
// original: the same refs, the same paths and modes (less the stripped
// binary), every blob and message byte for byte the original with each
// secret replaced by its marker.
func purgeCompareHistories(t *testing.T, repo, mirror string, model [][2]string) {
	t.Helper()
	commitMap := map[string]string{}
	data, err := os.ReadFile(filepath.Join(mirror, "filter-repo", "commit-map"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		old, nu, _ := strings.Cut(line, " ")
		commitMap[old] = nu
	}
	refs := func(dir string) string {
		return purgeGit(t, dir, "for-each-ref", "--format=%(refname) %(objecttype)", "refs/heads", "refs/tags")
	}
	if got, want := refs(mirror), refs(repo); got != want {
		t.Errorf("refs differ:\n%s\nwant\n%s", got, want)
	}
	if got, want := purgeGit(t, mirror, "cat-file", "tag", "v1.0"), purgeGit(t, repo, "cat-file", "tag", "v1.0"); got[strings.Index(got, "\ntype"):] != want[strings.Index(want, "\ntype"):] {
		t.Errorf("tag v1.0 changed beyond its target:\n%s\nwant\n%s", got, want)
	}
	olds := strings.Fields(purgeGit(t, repo, "rev-list", "--all"))
	if len(olds) != len(commitMap) {
		t.Errorf("%d commits, commit-map has %d", len(olds), len(commitMap))
	}
	blobs := newBlobReader(t, repo)
	newBlobs := newBlobReader(t, mirror)
	for _, old := range olds {
		nu := commitMap[old]
		if nu == "" || strings.Trim(nu, "0") == "" {
			t.Errorf("commit %s was dropped by the rewrite", old)
			continue
		}
		if got, want := commitMessage(t, mirror, nu), applyModel(model, commitMessage(t, repo, old)); got != want {
			t.Errorf("commit %s: message %q, want %q", old, got, want)
		}
		oldTree := lsTree(t, repo, old)
		newTree := lsTree(t, mirror, nu)
		for path, entry := range oldTree {
			if path == "bin/app.pyc" {
				if _, ok := newTree[path]; ok {
					t.Errorf("commit %s: the binary that holds a secret was not stripped", old)
				}
				continue
			}
			got, ok := newTree[path]
			if !ok {
				t.Errorf("commit %s: %s is gone", old, path)
				continue
			}
			if got.mode != entry.mode {
				t.Errorf("commit %s: %s mode %s, want %s", old, path, got.mode, entry.mode)
			}
			if want := applyModel(model, blobs.read(entry.id)); newBlobs.read(got.id) != want {
				t.Errorf("commit %s: %s differs from the original with each secret replaced by its marker", old, path)
			}
		}
		for path := range newTree {
			if _, ok := oldTree[path]; !ok {
				t.Errorf("commit %s: new path %s", old, path)
			}
		}
	}
}

type treeEntry struct{ mode, id string }

func lsTree(t *testing.T, dir, commit string) map[string]treeEntry {
	out := map[string]treeEntry{}
	for _, line := range strings.Split(purgeGit(t, dir, "ls-tree", "-r", "-z", commit), "\x00") {
		if line == "" {
			continue
		}
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		out[path] = treeEntry{mode: f[0], id: f[2]}
	}
	return out
}

func commitMessage(t *testing.T, dir, commit string) string {
	raw := purgeGit(t, dir, "cat-file", "commit", commit)
	_, msg, _ := strings.Cut(raw, "\n\n")
	return msg
}

// blobReader reads blobs through one `git cat-file --batch`.
type blobReader struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Reader
}

func newBlobReader(t *testing.T, dir string) *blobReader {
	cmd := exec.Command("git", "-C", dir, "cat-file", "--batch")
	cmd.Env = purgeGitEnv()
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return &blobReader{t: t, in: in, out: bufio.NewReader(out)}
}

func (b *blobReader) read(id string) string {
	fmt.Fprintln(b.in, id)
	header, err := b.out.ReadString('\n')
	if err != nil {
		b.t.Fatal(err)
	}
	f := strings.Fields(header)
	size, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		b.t.Fatalf("cat-file: %q", header)
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(b.out, data); err != nil {
		b.t.Fatal(err)
	}
	return string(data[:size])
}

// TestPurgeFromReport: a redacted report selects findings by fingerprint
// (values read again from the history); a report with values is used as
// it is; both give the file a plain scan gives.
func TestPurgeFromReport(t *testing.T) {
	purgeRequireTool(t, "git")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	secrets := purgeHistory(t, repo)
	code, _, stderr := runCLI(t, "", "purge", repo, "--output", filepath.Join(base, "scan", "r.txt"))
	if code != 2 || !strings.Contains(stderr, "scan") {
		t.Fatalf("a missing output directory: exit %d, %s", code, stderr)
	}
	os.MkdirAll(filepath.Join(base, "scan"), 0o700)
	if code, out, errOut := runCLI(t, "", "purge", repo, "--output", filepath.Join(base, "scan", "r.txt")); code != 0 {
		t.Fatalf("purge: exit %d\n%s\n%s", code, out, errOut)
	}
	want, _ := os.ReadFile(filepath.Join(base, "scan", "r.txt"))

	redacted := filepath.Join(base, "history.json")
	withValues := filepath.Join(base, "history-values.json")
	runCLI(t, "", "history", repo, "--format", "json", "--output", redacted)
	runCLI(t, "", "history", repo, "--format", "json", "--show-secrets", "--output", withValues)
	for _, report := range []string{redacted, withValues} {
		out := filepath.Join(base, filepath.Base(report)+".replace.txt")
		code, stdout, stderr := runCLI(t, "", "purge", repo, "--from", report, "--output", out)
		if code != 0 {
			t.Fatalf("purge --from %s: exit %d\n%s\n%s", report, code, stdout, stderr)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("purge --from %s: the file differs from a plain purge's", filepath.Base(report))
		}
		purgeNoSecret(t, "stdout", stdout+stderr, secrets)
	}

	// A report with one finding dropped (a reviewed false positive) purges
	// the rest only.
	var fs []map[string]any
	data, _ := os.ReadFile(redacted)
	if err := json.Unmarshal(data, &fs); err != nil {
		t.Fatal(err)
	}
	var kept []map[string]any
	for _, f := range fs {
		if f["rule_id"] != "aws-access-key-id" {
			kept = append(kept, f)
		}
	}
	data, _ = json.Marshal(kept)
	reviewed := filepath.Join(base, "reviewed.json")
	os.WriteFile(reviewed, data, 0o644)
	out := filepath.Join(base, "reviewed.replace.txt")
	if code, stdout, stderr := runCLI(t, "", "purge", repo, "--from", reviewed, "--output", out); code != 0 {
		t.Fatalf("purge --from reviewed: exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(out)
	if bytes.Count(got, []byte("\n")) == 0 || bytes.Contains(got, []byte("REMOVED:aws")) {
		t.Errorf("the reviewed report's file still purges the dropped finding:\n%d lines", bytes.Count(got, []byte("\n")))
	}
}

// TestPurgeFileLocation: the files never land in a git work tree unless
// --output says so.
func TestPurgeFileLocation(t *testing.T) {
	purgeRequireTool(t, "git")
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)

	// A repository inside another work tree: the place next to it is
	// tracked territory, so the files go to the config directory.
	outer := t.TempDir()
	purgeGit(t, outer, "init", "-q", "-b", "main")
	repo := filepath.Join(outer, "vendor", "svc")
	os.MkdirAll(filepath.Dir(repo), 0o755)
	purgeGit(t, outer, "init", "-q", "-b", "main", repo)
	purgeCommit(t, repo, map[string]string{"a.py": `KEY = "` + cliGroq + `"` + "\n"}, "key")
	code, stdout, stderr := runCLI(t, "", "purge", repo)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(config, "leakfix", "purge", "svc-*.leakfix-replace.txt"))
	if len(matches) != 1 {
		t.Fatalf("replace-text file not in the config directory:\n%s", stdout)
	}
	for _, p := range []string{matches[0], filepath.Dir(matches[0])} {
		st, _ := os.Stat(p)
		if want := os.FileMode(0o600); st.IsDir() && st.Mode().Perm() != 0o700 || !st.IsDir() && st.Mode().Perm() != want {
			t.Errorf("%s: mode %v", p, st.Mode().Perm())
		}
	}
	if out := purgeGit(t, outer, "status", "--porcelain"); strings.Contains(out, "leakfix") {
		t.Errorf("a purge file is in the outer work tree:\n%s", out)
	}

	// --output inside the work tree: allowed, with a warning.
	inside := filepath.Join(repo, "purge.txt")
	code, _, stderr = runCLI(t, "", "purge", repo, "--output", inside)
	if code != 0 || !strings.Contains(stderr, "inside the work tree") {
		t.Errorf("--output inside the work tree: exit %d, stderr %s", code, stderr)
	}
	if st, err := os.Stat(inside); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("--output file: %v %v", st, err)
	}
}

func TestPurgeBadInput(t *testing.T) {
	purgeRequireTool(t, "git")
	base := t.TempDir()
	clean := filepath.Join(base, "clean")
	purgeGit(t, base, "init", "-q", "-b", "main", clean)
	purgeCommit(t, clean, map[string]string{"a.txt": "nothing here\n"}, "clean")
	empty := filepath.Join(base, "empty.json")
	os.WriteFile(empty, []byte("[]"), 0o644)
	notJSON := filepath.Join(base, "bad.json")
	os.WriteFile(notJSON, []byte("{"), 0o644)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"clean history", []string{"purge", clean}, 0, "nothing to purge"},
		{"verify without --from", []string{"purge", "--verify", clean}, 2, "--from"},
		{"verify with an empty report", []string{"purge", "--verify", clean, "--from", empty}, 2, "no findings"},
		{"not a report", []string{"purge", clean, "--from", notJSON}, 2, "not a leakfix JSON report"},
		{"not a repository", []string{"purge", base}, 2, "repository"},
		{"two repositories", []string{"purge", clean, clean}, 2, "one repository"},
		{"verify writes nothing", []string{"purge", "--verify", clean, "--from", empty, "--output", "x"}, 2, "writes no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
	if m, _ := filepath.Glob(filepath.Join(base, "*.leakfix-*")); len(m) > 0 {
		t.Errorf("files written for a clean history: %v", m)
	}
}
