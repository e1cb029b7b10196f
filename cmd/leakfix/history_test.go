package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakfix/leakfix/scanner/history"
)

// Tests for `leakfix history` and `leakfix scan --staged` as a user runs
// them: exit codes, report contents, stderr behaviour.

// histRequireTool returns program's path, or skips without it — or fails
// under LEAKFIX_REQUIRE_TOOLS=1.
func histRequireTool(t *testing.T, program string) string {
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

// histRepo is a git repository with a fixed identity and clock.
type histRepo struct {
	t    *testing.T
	dir  string
	tick int
}

func newHistRepo(t *testing.T) *histRepo {
	t.Helper()
	histRequireTool(t, "git")
	r := &histRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *histRepo) git(args ...string) string {
	r.t.Helper()
	r.tick++
	cmd := exec.Command("git", append([]string{"-c", "user.name=Dev One", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("%d +0000", 1704067200+r.tick)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *histRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			os.Remove(p)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// histRun runs the CLI in-process with a given stderr-is-a-terminal flag
// and context.
func histRun(ctx context.Context, t *testing.T, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, stderrIsTTY: tty,
		getenv: func(string) string { return "" }}
	code := run(ctx, e, args)
	return code, out.String(), errb.String()
}

const histAWS = "AKIAQ3EGUWN5VTL7ZB4X"

func TestHistoryCLI(t *testing.T) {
	r := newHistRepo(t)
	c1 := r.commit("add settings", map[string]string{"settings.py": "GROQ_API_KEY = '" + cliGroq + "'\n"})
	r.commit("remove key", map[string]string{"settings.py": "import os\nGROQ_API_KEY = os.environ['GROQ_API_KEY']\n"})
	c3 := r.commit("deploy with "+cliGroq, nil)

	for _, reader := range []string{"git", "go-git", "auto"} {
		t.Run(reader, func(t *testing.T) {
			code, out, stderr := histRun(context.Background(), t, false, "history", r.dir, "--format", "json", "--reader", reader)
			if code != 1 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr not empty when it is not a terminal: %q", stderr)
			}
			var fs []map[string]any
			if err := json.Unmarshal([]byte(out), &fs); err != nil {
				t.Fatal(err)
			}
			if len(fs) != 2 {
				t.Fatalf("findings: %v", fs)
			}
			f := fs[0]
			if f["file"] != "settings.py" || f["commit"] != c1 || f["author"] != "Dev One" || f["email"] != "dev@example.com" ||
				f["date"] != "2024-01-01T00:00:03Z" || f["message"] != "add settings" || f["start_line"] != 1.0 || f["secret"] != "REDACTED" {
				t.Errorf("file finding: %v", f)
			}
			m := fs[1]
			if m["in_message"] != true || m["file"] != "" || m["commit"] != c3 || m["message"] != "deploy with REDACTED" {
				t.Errorf("message finding: %v", m)
			}
			if strings.Contains(out, cliGroq) {
				t.Error("raw secret in the report")
			}
		})
	}

	// SARIF carries the commit and its own category.
	code, out, _ := histRun(context.Background(), t, false, "history", r.dir, "--format", "sarif")
	if code != 1 || !strings.Contains(out, `"leakfix/history/"`) || !strings.Contains(out, c1) || strings.Contains(out, cliGroq) {
		t.Errorf("sarif (exit %d): %.600s", code, out)
	}

	// Narrowing flags reach the scan.
	if code, out, _ := histRun(context.Background(), t, false, "history", r.dir, "--range", c1+"..main", "--format", "json"); code != 1 || strings.Count(out, `"rule_id"`) != 1 {
		t.Errorf("--range: exit %d, %s", code, out)
	}
	if code, _, stderr := histRun(context.Background(), t, false, "history", r.dir, "--since", "2030-01-01"); code != 0 {
		t.Errorf("--since in the future: exit %d, %s", code, stderr)
	}
}

func TestHistoryCLIErrors(t *testing.T) {
	r := newHistRepo(t)
	r.commit("one", map[string]string{"a.py": "x = 1\n"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not a repo", []string{"history", t.TempDir()}, "not a git repository"},
		{"bad since", []string{"history", r.dir, "--since", "yesterday-ish"}, "--since"},
		{"bad reader", []string{"history", r.dir, "--reader", "svn"}, "--reader"},
		{"range and branch", []string{"history", r.dir, "--range", "a..b", "--branch", "main"}, "cannot be combined"},
		{"bad range", []string{"history", r.dir, "--range", "main...HEAD"}, "symmetric"},
		{"unknown branch", []string{"history", r.dir, "--branch", "nope"}, "nope"},
		{"two repos", []string{"history", r.dir, r.dir}, "one repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := histRun(context.Background(), t, false, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q (want %q)", code, out, stderr, tt.want)
			}
		})
	}
}

// TestHistoryCLIMissingObject: a missing object is named on stderr, the
// report of everything else is written, and the exit status is 2.
func TestHistoryCLIMissingObject(t *testing.T) {
	r := newHistRepo(t)
	r.commit("one", map[string]string{"a.py": "k = '" + histAWS + "'\n"})
	r.commit("two", map[string]string{"b.py": "k = '" + cliGroq + "'\n"})
	blob := r.git("rev-parse", "HEAD:a.py")
	if err := os.Remove(filepath.Join(r.dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "out.json")
	code, _, stderr := histRun(context.Background(), t, false, "history", r.dir, "--format", "json", "--output", report)
	if code != 2 || !strings.Contains(stderr, blob) || !strings.Contains(stderr, "a.py") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	data, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(data), "groq-api-key") {
		t.Fatalf("report of the rest: %v %s", err, data)
	}
}

// TestHistoryCLIInterrupted: Ctrl-C (a cancelled context) writes no report
// and exits 2.
func TestHistoryCLIInterrupted(t *testing.T) {
	r := newHistRepo(t)
	r.commit("one", map[string]string{"a.py": "k = '" + histAWS + "'\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	report := filepath.Join(t.TempDir(), "out.json")
	code, out, stderr := histRun(ctx, t, false, "history", r.dir, "--output", report)
	if code != 2 || out != "" || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if _, err := os.Stat(report); !os.IsNotExist(err) {
		t.Errorf("a report was written: %v", err)
	}
}

// TestHistoryProgress: on a terminal, progress goes to stderr (counts and
// rates, never a path or a secret) and is cleared; --quiet silences it.
func TestHistoryProgress(t *testing.T) {
	r := newHistRepo(t)
	r.commit("one", map[string]string{"secret_dir/a.py": "k = '" + histAWS + "'\n"})
	code, _, stderr := histRun(context.Background(), t, true, "history", r.dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, histAWS) || strings.Contains(stderr, "secret_dir") {
		t.Errorf("progress leaks: %q", stderr)
	}
	if code, _, stderr := histRun(context.Background(), t, true, "history", r.dir, "--quiet"); code != 1 || stderr != "" {
		t.Errorf("--quiet: exit %d, stderr %q", code, stderr)
	}
}

func TestScanStagedCLI(t *testing.T) {
	r := newHistRepo(t)
	os.WriteFile(filepath.Join(r.dir, "app.py"), []byte("import os\n\nKEY = '"+histAWS+"'\n"), 0o644)
	r.git("add", "app.py")
	// The work tree no longer has it; the index does.
	os.WriteFile(filepath.Join(r.dir, "app.py"), []byte("import os\n"), 0o644)
	code, out, stderr := histRun(context.Background(), t, false, "scan", "--staged", r.dir, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0]["file"] != "app.py" || fs[0]["start_line"] != 3.0 || fs[0]["commit"] != "" {
		t.Errorf("findings %v", fs)
	}
	r.git("add", "app.py")
	if code, out, stderr := histRun(context.Background(), t, false, "scan", "--staged", r.dir); code != 0 {
		t.Errorf("clean index: exit %d %s %s", code, out, stderr)
	}
	if code, _, stderr := histRun(context.Background(), t, false, "scan", "--staged", t.TempDir()); code != 2 || !strings.Contains(stderr, "not a git repository") {
		t.Errorf("not a repo: exit %d %s", code, stderr)
	}
}

func TestProgressLine(t *testing.T) {
	var errb bytes.Buffer
	p := &progressLine{e: &env{stderr: &errb}}
	p.show(history.Progress{Phase: "commits", Commits: 1200, Elapsed: time.Second})
	p.show(history.Progress{Phase: "blobs", Commits: 5000, Blobs: 250, BlobsTotal: 1000, Bytes: 50e6, Elapsed: 3 * time.Second})
	p.show(history.Progress{Phase: "blobs", Commits: 5000, Blobs: 500, BlobsTotal: 1000, Bytes: 100e6, Elapsed: 4 * time.Second})
	p.clear()
	got := errb.String()
	for _, want := range []string{"walking history: 1200 commits", "blobs 500/1000", "100.0 MB", "MB/s", "ETA", "\r\033[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("progress line not cleared at the end: %q", got)
	}
}
