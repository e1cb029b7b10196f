package purge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// TestPlaceFiles: the files go where --output says, else beside the
// repository, else (when that is tracked territory) under the user's
// config directory; never silently inside a work tree.
func TestPlaceFiles(t *testing.T) {
	requireTool(t, "git")
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)
	base := t.TempDir()
	plain := filepath.Join(base, "svc")
	gitRun(t, base, "init", "-q", "-b", "main", plain)
	outer := filepath.Join(base, "outer")
	gitRun(t, base, "init", "-q", "-b", "main", outer)
	nested := filepath.Join(outer, "vendor", "lib")
	if err := os.MkdirAll(filepath.Dir(nested), 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(t, base, "init", "-q", "-b", "main", nested)
	bare := filepath.Join(base, "svc.git")
	gitRun(t, base, "init", "-q", "--bare", "-b", "main", bare)

	tests := []struct {
		name, repo, output, messageOutput string
		wantStem                          string // Text is stem+"-replace.txt" unless wantText
		wantText, wantMessage             string
		wantWarn, wantErr                 string
	}{
		{name: "beside the repository", repo: plain, wantStem: filepath.Join(base, "svc.leakfix")},
		{name: "bare: named without .git", repo: bare, wantStem: filepath.Join(base, "svc.leakfix")},
		{name: "inside another work tree", repo: nested, wantStem: filepath.Join(config, "leakfix", "purge", "lib-")},
		{name: "--output", repo: plain, output: filepath.Join(base, "out", "x-replace.txt"),
			wantText: filepath.Join(base, "out", "x-replace.txt"), wantMessage: filepath.Join(base, "out", "x-messages.txt")},
		{name: "--output inside the work tree warns", repo: plain, output: filepath.Join(plain, "p.txt"),
			wantText: filepath.Join(plain, "p.txt"), wantMessage: filepath.Join(plain, "p-messages.txt"), wantWarn: "inside the work tree"},
		{name: "--message-output", repo: plain, messageOutput: filepath.Join(base, "m.txt"),
			wantText: filepath.Join(base, "svc.leakfix-replace.txt"), wantMessage: filepath.Join(base, "m.txt")},
		{name: "same file twice", repo: plain, output: filepath.Join(base, "a.txt"), messageOutput: filepath.Join(base, "a.txt"),
			wantErr: "name the same file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.repo)
			if err != nil {
				t.Fatal(err)
			}
			var warned []string
			fs, err := PlaceFiles(r, tt.output, tt.messageOutput, func(s string) { warned = append(warned, s) })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantStem != "" {
				stem := strings.TrimSuffix(fs.Text, "-replace.txt")
				if !strings.HasPrefix(stem, tt.wantStem) || fs.Message != stem+"-messages.txt" ||
					fs.StripIDs != stem+"-strip-blob-ids.txt" || fs.Findings != stem+"-findings.json" {
					t.Errorf("files %+v, want stem %s", fs, tt.wantStem)
				}
			}
			if tt.wantText != "" && (fs.Text != tt.wantText || fs.Message != tt.wantMessage) {
				t.Errorf("text %s message %s; want %s %s", fs.Text, fs.Message, tt.wantText, tt.wantMessage)
			}
			if fs.MessageDerived != (tt.messageOutput == "") {
				t.Errorf("MessageDerived %v with --message-output %q", fs.MessageDerived, tt.messageOutput)
			}
			if got := strings.Join(warned, "\n"); tt.wantWarn == "" && got != "" || !strings.Contains(got, tt.wantWarn) {
				t.Errorf("warnings %q, want %q", got, tt.wantWarn)
			}
		})
	}
}

// TestRunThenVerify runs the whole flow on a real repository: Run writes
// the files 0600 and says nothing secret; Verify against the same history
// finds every finding again (SurvivedError), and against a clean one
// finds none.
func TestRunThenVerify(t *testing.T) {
	requireTool(t, "git")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	gitRun(t, base, "init", "-q", "-b", "main", repo)
	commitFile(t, repo, "ci.env", []byte("GITHUB_TOKEN="+testGitHub+"\n"), "ci")
	commitFile(t, repo, "billing.py", []byte(`KEY = "`+testStripe+`"`+"\n"), "add key "+groq)
	clean := filepath.Join(base, "clean")
	gitRun(t, base, "init", "-q", "-b", "main", clean)
	commitFile(t, clean, "ci.env", []byte("GITHUB_TOKEN=${{ secrets.TOKEN }}\n"), "ci")

	cfg, err := rules.Parse("test", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var warned []string
	opts := Options{Detector: scanner.New(cfg, scanner.Options{}), Config: cfg, Out: &out,
		Warn: func(s string) { warned = append(warned, s) }, ToolVersion: "test"}
	noSecret := func(what, s string) {
		t.Helper()
		for _, v := range []string{testGitHub, testStripe, groq} {
			if strings.Contains(s, v) {
				t.Errorf("%s holds a raw secret:\n%s", what, s)
			}
		}
	}

	r, err := Open(repo)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	noSecret("stdout", out.String())
	noSecret("warnings", strings.Join(warned, "\n"))
	if !strings.Contains(out.String(), "3 secret(s) (3 finding(s) in 2 commit(s))") || !strings.Contains(out.String(), "git filter-repo") {
		t.Errorf("summary:\n%s", out.String())
	}
	if len(warned) == 0 || !strings.Contains(warned[len(warned)-1], "live secrets in clear text") {
		t.Errorf("no clear-text warning: %q", warned)
	}
	stem := filepath.Join(base, "svc.leakfix")
	for suffix, want := range map[string]string{
		"-replace.txt":   Marker("github-token"),
		"-messages.txt":  Marker("groq-api-key"),
		"-findings.json": `"fingerprint"`,
	} {
		data, err := os.ReadFile(stem + suffix)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(stem + suffix)
		if st.Mode().Perm() != 0o600 || !strings.Contains(string(data), want) {
			t.Errorf("%s: mode %v, want %q in\n%s", suffix, st.Mode().Perm(), want, data)
		}
		if suffix == "-findings.json" {
			noSecret(suffix, string(data))
		}
	}
	if _, err := os.Stat(stem + "-strip-blob-ids.txt"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("strip-blob-ids file written with no binary blob: %v", err)
	}

	opts.From = stem + "-findings.json"
	out.Reset()
	err = r.Verify(context.Background(), opts)
	var survived *SurvivedError
	if !errors.As(err, &survived) || survived.Count != 3 {
		t.Errorf("verify on the unrewritten history: %v, want 3 survivors", err)
	}
	if n := strings.Count(out.String(), "survivor: "); n != 3 {
		t.Errorf("%d survivor lines:\n%s", n, out.String())
	}
	noSecret("verify output", out.String())

	rc, err := Open(clean)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := rc.Verify(context.Background(), opts); err != nil {
		t.Errorf("verify on a clean history: %v", err)
	}
	if !strings.HasPrefix(out.String(), "verified: none of the 3 finding(s)") {
		t.Errorf("verify output:\n%s", out.String())
	}
}

// TestRunFromReport: a redacted report narrows the purge to its findings
// (matched again by fingerprint), and one the history no longer holds is
// named in a warning.
func TestRunFromReport(t *testing.T) {
	requireTool(t, "git")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	gitRun(t, base, "init", "-q", "-b", "main", repo)
	commitFile(t, repo, "ci.env", []byte("GITHUB_TOKEN="+testGitHub+"\nSTRIPE="+testStripe+"\n"), "ci")
	cfg, err := rules.Parse("test", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	det := scanner.New(cfg, scanner.Options{})
	r, err := Open(repo)
	if err != nil {
		t.Fatal(err)
	}
	all, err := r.scan(context.Background(), &Options{Detector: det})
	if err != nil || len(all.findings) != 2 {
		t.Fatalf("scan: %d findings, %v", len(all.findings), err)
	}
	var keep []scanner.Finding
	for _, f := range all.findings {
		if f.RuleID == "stripe-live-key" {
			keep = append(keep, f)
		}
	}
	gone := keep[0]
	gone.Fingerprint = "0000:gone.env:stripe-live-key:1"
	keep = append(keep, gone)
	from := filepath.Join(base, "report.json")
	if err := report.WriteFileAtomic(from, 0o600, func(w io.Writer) error {
		return report.Write(w, keep, report.Options{Format: report.FormatJSON})
	}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var warned []string
	opts := Options{Detector: det, Config: cfg, From: from, Out: &out, Warn: func(s string) { warned = append(warned, s) }}
	if err := r.Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(base, "svc.leakfix-replace.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), Marker("stripe-secret-key")) || strings.Contains(string(text), testGitHub) {
		t.Errorf("replace-text file is not the report's finding only:\n%s", text)
	}
	if !strings.Contains(strings.Join(warned, "\n"), "1 finding(s) of "+from+" were not found") {
		t.Errorf("no warning for the finding that is gone: %q", warned)
	}
}

// TestRunCancelled: a cancelled context is returned as itself, with
// nothing written, so the command can say it was interrupted.
func TestRunCancelled(t *testing.T) {
	requireTool(t, "git")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	gitRun(t, base, "init", "-q", "-b", "main", repo)
	commitFile(t, repo, "ci.env", []byte("GITHUB_TOKEN="+testGitHub+"\n"), "ci")
	cfg, err := rules.Parse("test", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(repo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = r.Run(ctx, Options{Detector: scanner.New(cfg, scanner.Options{}), Config: cfg, Out: io.Discard})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run on a cancelled context: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(base, "*.leakfix-*")); len(m) > 0 {
		t.Errorf("files written after cancellation: %v", m)
	}
}
