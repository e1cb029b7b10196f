package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
)

// Regression tests for issue 14: no raw secret in any output, no hang,
// never "clean" on what was not scanned.

// runCLITimeout runs a command line in-process and fails (instead of
// hanging the test binary) when it does not return within d.
func runCLITimeout(t *testing.T, d time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		c, o, e := runCLIQuiet(args...)
		done <- result{c, o, e}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(d):
		t.Fatalf("leakfix %s did not return within %s (hang)", strings.Join(args, " "), d)
		return 0, "", ""
	}
}

// runCLIQuiet is runCLI without a *testing.T (safe from a goroutine).
func runCLIQuiet(args ...string) (int, string, string) {
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// TestNonRegularPathRefused: a FIFO named on the command line is refused
// with exit 2, without a blocking open (issue 14, failure 1).
func TestNonRegularPathRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{
		{"scan", fifo},
		{"scan", dir, fifo},
		{"fix", fifo},
		{"plan", fifo, "--target", "hashicorp-vault", "--out", filepath.Join(dir, "plan")},
	} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			code, _, stderr := runCLITimeout(t, 10*time.Second, args...)
			if code != 2 || !strings.Contains(stderr, "named pipe") {
				t.Errorf("exit %d, stderr %q: want 2 and a message naming the named pipe", code, stderr)
			}
		})
	}
}

// TestSymlinkedRootFollowed: a symlink to a directory given as the root is
// scanned (and fixed) as that directory; links inside are still not
// followed (issue 14, failure 2).
func TestSymlinkedRootFollowed(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	os.MkdirAll(real, 0o755)
	os.WriteFile(filepath.Join(real, "app.py"), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	outside := filepath.Join(dir, "outside")
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "o.py"), []byte(`groq_api_key = "`+ecoGroqB+`"`+"\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(real, "inner")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "", "scan", link, "--format", "json")
	var fs []struct{ File string }
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, stderr)
	}
	if code != 1 || len(fs) != 1 || fs[0].File != "app.py" {
		t.Errorf("scan link: exit %d, findings %+v: want app.py only (stderr %s)", code, fs, stderr)
	}
	code, out, stderr = runCLI(t, "", "fix", link)
	if code != 0 || !strings.Contains(out, "app.py") || strings.Contains(stderr, "nothing to fix") {
		t.Errorf("fix link: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "", "fix", link, "--write")
	data, _ := os.ReadFile(filepath.Join(real, "app.py"))
	if code != 0 || !strings.Contains(string(data), "get_secret(") {
		t.Errorf("fix link --write: exit %d, app.py %q, stderr %q", code, data, stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the root link was replaced: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "o.py")); !strings.Contains(string(data), ecoGroqB) {
		t.Errorf("fix followed a link inside the tree and rewrote %s", filepath.Join(outside, "o.py"))
	}
}

// TestShallowBoundaryMessage: the boundary commit of a shallow clone has
// its message scanned (issue 14, failure 3), and its summary never shows
// the raw secret, even when that finding is suppressed (failure 4).
func TestShallowBoundaryMessage(t *testing.T) {
	r := newHistRepo(t)
	r.commit("first", map[string]string{"a.txt": "hello\n"})
	r.commit("rotate "+cliGroq, map[string]string{"a.txt": "hello again\n"})
	clone := filepath.Join(t.TempDir(), "clone")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+r.dir, clone)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 1: %v\n%s", err, out)
	}
	code, out, stderr := histRun(context.Background(), t, false, "history", clone, "--format", "json")
	if code != 1 || !strings.Contains(out, `"in_message": true`) {
		t.Errorf("shallow clone: exit %d, want the boundary's message finding\n%s\n%s", code, out, stderr)
	}
	assertNoSecret(t, "shallow history", out+stderr, cliGroq)
}

// TestSummaryNeverRaw: a commit summary holding a secret whose own finding
// is suppressed (.leakfixignore, --baseline) is redacted in every format
// (issue 14, failure 4).
func TestSummaryNeverRaw(t *testing.T) {
	r := newHistRepo(t)
	r.commit("deploy "+cliGroq, map[string]string{"k.py": "aws_key = '" + histAWS + "'\n"})
	// The message finding, fingerprinted, goes to .leakfixignore.
	_, out, _ := histRun(context.Background(), t, false, "history", r.dir, "--format", "json")
	var fs []struct {
		Fingerprint string
		InMessage   bool `json:"in_message"`
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	var ignore []string
	for _, f := range fs {
		if f.InMessage {
			ignore = append(ignore, f.Fingerprint)
		}
	}
	if len(ignore) == 0 {
		t.Fatalf("no message finding: %s", out)
	}
	baseline := filepath.Join(t.TempDir(), "base.json")
	histRun(context.Background(), t, false, "history", r.dir, "--format", "json", "--output", baseline)
	// Baseline holding only the message finding: rewrite it from the report.
	var all []map[string]any
	data, _ := os.ReadFile(baseline)
	json.Unmarshal(data, &all)
	var msgOnly []map[string]any
	for _, f := range all {
		if f["in_message"] == true {
			msgOnly = append(msgOnly, f)
		}
	}
	data, _ = json.Marshal(msgOnly)
	os.WriteFile(baseline, data, 0o644)

	for _, format := range []string{"text", "json", "sarif"} {
		code, out, stderr := histRun(context.Background(), t, false, "history", r.dir, "--format", format, "--baseline", baseline)
		if code != 1 {
			t.Errorf("--baseline %s: exit %d: %s", format, code, stderr)
		}
		assertNoSecret(t, "--baseline "+format, out+stderr, cliGroq)
	}
	os.WriteFile(filepath.Join(r.dir, ".leakfixignore"), []byte(strings.Join(ignore, "\n")+"\n"), 0o644)
	for _, format := range []string{"text", "json", "sarif"} {
		code, out, stderr := histRun(context.Background(), t, false, "history", r.dir, "--format", format)
		if code != 1 || !strings.Contains(out, "deploy") {
			t.Errorf(".leakfixignore %s: exit %d, no summary: %s %s", format, code, out, stderr)
		}
		assertNoSecret(t, ".leakfixignore "+format, out+stderr, cliGroq)
	}
}

// redosPack is a one-rule pack on regexp2 (the lookahead makes RE2 reject
// it) that backtracks exponentially on a long run of "a" without a digit.
const redosPack = "[[rules]]\nid = \"redos\"\ndescription = \"catastrophic\"\nregex = '''(a|aa)+(?=\\d)'''\nkeywords = [\"aaaa\"]\n"

// TestMatchTimeoutSanitized: a regexp2 timeout never prints the input
// window, names the input that was not fully scanned, and exits 2 (issue
// 14, failure 5).
func TestMatchTimeoutSanitized(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "redos.toml")
	os.WriteFile(cfg, []byte(redosPack), 0o644)
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(tree, 0o755)
	line := `x = "` + strings.Repeat("a", 40) + `" ; groq = "` + cliGroq + `"` + "\n"
	os.WriteFile(filepath.Join(tree, "slow.py"), []byte("ok = 1\n"+line), 0o644)
	code, out, stderr := runCLITimeout(t, 60*time.Second, "scan", tree, "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "slow.py") || !strings.Contains(stderr, "redos") {
		t.Errorf("scan: exit %d, stderr %q: want 2 naming slow.py and the rule", code, stderr)
	}
	if !strings.Contains(out, "incomplete") {
		t.Errorf("the text report reads as clean: %q", out)
	}
	assertNoSecret(t, "scan timeout", out+stderr, cliGroq)
	if strings.Contains(stderr, strings.Repeat("a", 40)) {
		t.Errorf("stderr holds the input window: %q", stderr)
	}

	r := newHistRepo(t)
	r.commit("add", map[string]string{"slow.py": line})
	code, out, stderr = histRun(context.Background(), t, false, "history", r.dir, "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "slow.py") {
		t.Errorf("history: exit %d, stderr %q: want 2 naming slow.py", code, stderr)
	}
	assertNoSecret(t, "history timeout", out+stderr, cliGroq)
}

// assertNoSecret fails when s holds secret.
func assertNoSecret(t *testing.T, what, s, secret string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("%s: raw secret in output:\n%s", what, s)
	}
}

// buildLeakfix builds the real binary once per test run.
var buildLeakfix = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "leakfix-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "leakfix")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func leakfixBinary(t *testing.T) string {
	t.Helper()
	histRequireTool(t, "go")
	bin, err := buildLeakfix()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestSignalsStopPromptly: SIGINT and SIGTERM stop a command blocked where
// it cannot see the context (stdin that never ends) within the grace
// period, with 128+signal (issue 14, failure 1).
func TestSignalsStopPromptly(t *testing.T) {
	bin := leakfixBinary(t)
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pw.Close()
			cmd := exec.Command(bin, "scan", "-")
			cmd.Stdin = pr
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			pw.Write([]byte("partial line, never finished"))
			time.Sleep(300 * time.Millisecond)
			cmd.Process.Signal(tt.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("%s did not stop leakfix scan -", tt.sig)
			}
			if got := cmd.ProcessState.ExitCode(); got != tt.code || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %d, stderr %q: want %d and a message", got, stderr.String(), tt.code)
			}
		})
	}
}

// TestFixWriteInterrupted: SIGINT during `fix --write` stops after the
// current file (exit 130): every file is either whole-old or whole-new;
// a temporary file left by kill -9 is removed by the next run.
func TestFixWriteInterrupted(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.py", "b.py", "c.py"} {
		os.WriteFile(filepath.Join(dir, n), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	}
	// A stale temporary file from a killed run, and a look-alike that is not ours.
	stale := filepath.Join(dir, ".a.py.leakfix-123456")
	os.WriteFile(stale, []byte("half"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	notOurs := filepath.Join(dir, ".a.py.leakfix-notes")
	os.WriteFile(notOurs, []byte("keep"), 0o644)
	os.Chtimes(notOurs, old, old)

	ctx, cancel := context.WithCancelCause(context.Background())
	var written []string
	beforeFixWrite = func(file string) {
		if strings.HasSuffix(file, "leakfix_secrets.py") {
			return // the helper module is written before the files that import it
		}
		written = append(written, file)
		if len(written) == 2 {
			cancel(&interruption{sig: os.Interrupt})
		}
	}
	defer func() { beforeFixWrite = func(string) {} }()
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(ctx, e, []string{"fix", dir, "--write"})
	if code != 130 {
		t.Errorf("exit %d, want 130: %s", code, errb.String())
	}
	rewritten := 0
	for _, n := range []string{"a.py", "b.py", "c.py"} {
		data, _ := os.ReadFile(filepath.Join(dir, n))
		switch {
		case strings.Contains(string(data), "get_secret("):
			rewritten++
		case string(data) != `groq_api_key = "`+cliGroq+`"`+"\n":
			t.Errorf("%s half-written: %q", n, data)
		}
	}
	if rewritten != 2 {
		t.Errorf("%d files rewritten, want 2 (the one in progress when SIGINT came, and the one before)", rewritten)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file not removed: %v", err)
	}
	if _, err := os.Stat(notOurs); err != nil {
		t.Errorf("a file that is not ours was removed: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.leakfix-[0-9]*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestControlCharacterNames: a file name with ESC, a newline or bytes that
// are not UTF-8 is escaped in text output and fix diffs (no terminal
// escape, no broken file:line:col or patch header), kept losslessly in
// JSON, and percent-encoded in SARIF.
func TestControlCharacterNames(t *testing.T) {
	dir := t.TempDir()
	names := []string{"esc\x1b[2Jx.py", "new\nline.py", "bad\xffname.py"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644); err != nil {
			t.Skipf("file system refuses %q: %v", n, err)
		}
	}
	code, out, stderr := runCLI(t, "", "scan", dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`esc\x1b[2Jx.py:1:`, `new\nline.py:1:`, `bad\xffname.py:1:`} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\xff") || strings.Contains(out, "new\nline") {
		t.Errorf("raw control characters in text output:\n%q", out)
	}

	_, out, stderr = runCLI(t, "", "scan", dir, "--format", "json")
	var fs []struct{ File string }
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range fs {
		got[f.File] = true
	}
	if !got[names[0]] || !got[names[1]] {
		t.Errorf("JSON lost a valid UTF-8 name: %v", got)
	}
	if !strings.Contains(stderr, "not valid UTF-8") {
		t.Errorf("JSON's U+FFFD for a non-UTF-8 name is not said: %q", stderr)
	}

	_, out, _ = runCLI(t, "", "scan", dir, "--format", "sarif")
	for _, want := range []string{`"uri": "esc%1B%5B2Jx.py"`, `"uri": "new%0Aline.py"`, `"uri": "bad%FFname.py"`} {
		if !strings.Contains(out, want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}

	code, out, stderr = runCLI(t, "", "fix", dir)
	if code != 0 {
		t.Fatalf("fix: exit %d: %s", code, stderr)
	}
	for _, want := range []string{`--- "a/esc\033[2Jx.py"`, `+++ "b/new\nline.py"`, `--- "a/bad\377name.py"`} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks header %s:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\xff") {
		t.Errorf("raw control bytes in the diff:\n%q", out)
	}
	// The exact patch (--show-secrets) applies with git despite the names.
	if _, err := exec.LookPath("git"); err == nil {
		_, patch, _ := runCLI(t, "", "fix", dir, "--show-secrets")
		pf := filepath.Join(t.TempDir(), "fix.patch")
		os.WriteFile(pf, []byte(patch), 0o600)
		cmd := exec.Command("git", "apply", "--check", pf)
		cmd.Dir = dir
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("git apply --check: %v\n%s", err, o)
		}
	}
}

// utf16LE encodes s as UTF-16LE with a BOM, as PowerShell's Out-File does.
func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestUTF16Files: a UTF-16 file is scanned in a tree, in history and in
// the index, and fix leaves it untouched with a reason.
func TestUTF16Files(t *testing.T) {
	r := newHistRepo(t)
	content := utf16LE("# deploy.ps1\r\n$env:AWS_ACCESS_KEY_ID = \"" + histAWS + "\"\r\n")
	r.commit("add script", map[string]string{"deploy.ps1": string(content)})
	code, out, stderr := runCLI(t, "", "scan", r.dir, "--format", "json")
	if code != 1 || !strings.Contains(out, `"file": "deploy.ps1"`) || !strings.Contains(out, `"start_line": 2`) {
		t.Errorf("scan: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "", "history", r.dir, "--format", "json")
	if code != 1 || !strings.Contains(out, `"file": "deploy.ps1"`) {
		t.Errorf("history: exit %d\n%s\n%s", code, out, stderr)
	}
	os.WriteFile(filepath.Join(r.dir, "staged.ps1"), content, 0o644)
	r.git("add", "staged.ps1")
	code, out, stderr = runCLI(t, "", "scan", "--staged", r.dir, "--format", "json")
	if code != 1 || !strings.Contains(out, `"file": "staged.ps1"`) {
		t.Errorf("scan --staged: exit %d\n%s\n%s", code, out, stderr)
	}
	// A committed UTF-16 file changed elsewhere: its old secret is not new.
	r.commit("stage script", nil)
	changed := utf16LE("# deploy.ps1, v2\r\n$env:AWS_ACCESS_KEY_ID = \"" + histAWS + "\"\r\n")
	os.WriteFile(filepath.Join(r.dir, "staged.ps1"), changed, 0o644)
	r.git("add", "staged.ps1")
	code, out, stderr = runCLI(t, "", "scan", "--staged", r.dir, "--format", "json")
	if code != 0 {
		t.Errorf("scan --staged, unchanged secret line: exit %d\n%s\n%s", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "", "fix", r.dir, "--write")
	data, _ := os.ReadFile(filepath.Join(r.dir, "deploy.ps1"))
	if code != 2 || !strings.Contains(stderr, "UTF-16") || string(data) != string(content) {
		t.Errorf("fix: exit %d, stderr %q, file changed %v", code, stderr, string(data) != string(content))
	}
}

// TestPlanWritesOnlyUnderOut: plan creates nothing outside --out (no
// project .gitignore), and git still ignores the values through the
// plan's own .gitignore.
func TestPlanWritesOnlyUnderOut(t *testing.T) {
	r := newHistRepo(t)
	r.commit("add", map[string]string{"app/settings.py": "GROQ_API_KEY = '" + cliGroq + "'\n"})
	before := snapshot(t, r.dir)
	out := filepath.Join(r.dir, "app", "plan")
	code, _, stderr := runCLI(t, "", "plan", r.dir, "--target", "hashicorp-vault", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for p := range snapshot(t, r.dir) {
		if _, ok := before[p]; !ok && !strings.HasPrefix(p, out+string(filepath.Separator)) {
			t.Errorf("plan wrote %s, outside --out", p)
		}
	}
	status := r.git("status", "--porcelain", "--untracked-files=all")
	if strings.Contains(status, "leakfix-values") {
		t.Errorf("git sees the values:\n%s", status)
	}
}

// TestUsageMessages: contradictory or empty flag values are usage errors,
// and an explicit symlink loop is named as one.
func TestUsageMessages(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop")
	os.Symlink(loop, loop)
	dangling := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "gone"), dangling)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", dir, "--quiet", "--verbose"}, "--quiet and --verbose"},
		{[]string{"history", dir, "--quiet", "--verbose"}, "--quiet and --verbose"},
		{[]string{"fix", dir, "--verbose", "--quiet"}, "--quiet and --verbose"},
		{[]string{"scan", dir, "--max-file-size", "0"}, "--max-file-size 0"},
		{[]string{"scan", dir, "--max-file-size", "-5"}, "--max-file-size -5"},
		{[]string{"history", dir, "--max-file-size", "0"}, "--max-file-size 0"},
		{[]string{"fix", dir, "--max-file-size", "-1"}, "--max-file-size -1"},
		{[]string{"plan", dir, "--target", "hashicorp-vault", "--max-file-size", "0"}, "--max-file-size 0"},
		{[]string{"scan", loop}, "symbolic link loop"},
		{[]string{"fix", loop}, "symbolic link loop"},
		{[]string{"plan", loop, "--target", "hashicorp-vault", "--out", filepath.Join(dir, "p")}, "symbolic link loop"},
		{[]string{"scan", dangling}, "dangling symbolic link"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "leakfixignore") {
				t.Errorf("exit %d, stderr %q: want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestFixDiffContextRedacted: a secret fix leaves alone (its finding is in
// .leakfixignore) still never shows raw in a context line of the diff.
func TestFixDiffContextRedacted(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("groq_api_key = \""+cliGroq+"\"\naws_access_key_id = \""+histAWS+"\"\n"), 0o644)
	_, js, _ := runCLI(t, "", "scan", dir, "--format", "json")
	var fs []struct {
		Fingerprint string
		RuleID      string `json:"rule_id"`
	}
	json.Unmarshal([]byte(js), &fs)
	var ignore []string
	for _, f := range fs {
		if strings.Contains(f.RuleID, "aws") {
			ignore = append(ignore, f.Fingerprint)
		}
	}
	if len(ignore) != 1 {
		t.Fatalf("want one AWS finding: %s", js)
	}
	os.WriteFile(filepath.Join(dir, ".leakfixignore"), []byte(ignore[0]+"\n"), 0o644)
	code, out, stderr := runCLI(t, "", "fix", dir)
	if code != 0 || !strings.Contains(out, "get_secret(") {
		t.Fatalf("exit %d: %s %s", code, out, stderr)
	}
	assertNoSecret(t, "fix diff", out+stderr, histAWS)
	assertNoSecret(t, "fix diff", out+stderr, cliGroq)
}

// TestPurgeTagMessage: a secret in an annotated tag's message goes into
// purge's replace-message file, git filter-repo rewrites the tag, and
// purge --verify finds nothing left.
func TestPurgeTagMessage(t *testing.T) {
	histRequireTool(t, "git-filter-repo")
	r := newHistRepo(t)
	r.commit("init", map[string]string{"a.txt": "hello\n"})
	r.git("tag", "-a", "v1", "-m", "release, deploy key "+histAWS)
	out := t.TempDir()
	replace := filepath.Join(out, "replace.txt")
	code, stdout, stderr := runCLI(t, "", "purge", r.dir, "--output", replace)
	if code != 0 {
		t.Fatalf("purge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	messages := filepath.Join(out, "replace-messages.txt")
	if data, err := os.ReadFile(messages); err != nil || !strings.Contains(string(data), histAWS) {
		t.Fatalf("replace-message file lacks the tag's secret: %v", err)
	}
	mirror := filepath.Join(t.TempDir(), "m.git")
	for _, args := range [][]string{
		{"clone", "-q", "--mirror", "--no-local", r.dir, mirror},
		// No file holds a secret, so there is no replace-text file.
		{"-C", mirror, "filter-repo", "--force", "--replace-refs", "delete-no-add", "--replace-message", messages},
	} {
		if o, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, o)
		}
	}
	if o, _ := exec.Command("git", "-C", mirror, "cat-file", "-p", "v1").CombinedOutput(); strings.Contains(string(o), histAWS) {
		t.Fatalf("the tag still holds the secret:\n%s", o)
	}
	code, stdout, stderr = runCLI(t, "", "purge", "--verify", mirror, "--from", filepath.Join(out, "replace-findings.json"))
	if code != 0 {
		t.Errorf("purge --verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestInterruptedCommands: every command whose context a SIGINT cancelled
// exits 130, writes no report, and says so.
func TestInterruptedCommands(t *testing.T) {
	r := newHistRepo(t)
	r.commit("add", map[string]string{"app.py": "groq_api_key = \"" + cliGroq + "\"\n"})
	out := t.TempDir()
	for _, args := range [][]string{
		{"scan", r.dir, "--output", filepath.Join(out, "scan.json"), "--format", "json"},
		{"scan", "--staged", r.dir, "--output", filepath.Join(out, "staged.json")},
		{"history", r.dir, "--output", filepath.Join(out, "history.json")},
		{"fix", r.dir, "--write"},
		{"plan", r.dir, "--target", "hashicorp-vault", "--out", filepath.Join(out, "plan")},
		{"purge", r.dir, "--output", filepath.Join(out, "replace.txt")},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(&interruption{sig: os.Interrupt})
			var stdout, stderr strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			code := run(ctx, e, args)
			if code != 130 || !strings.Contains(stderr.String(), "interrupted by SIGINT") {
				t.Errorf("exit %d, stderr %q: want 130", code, stderr.String())
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("wrote %v", entries)
			}
			if data, _ := os.ReadFile(filepath.Join(r.dir, "app.py")); !strings.Contains(string(data), cliGroq) {
				t.Errorf("fix rewrote app.py although interrupted before it began")
			}
		})
	}
}
