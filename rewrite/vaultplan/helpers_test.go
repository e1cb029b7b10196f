package vaultplan_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
)

// requireTool returns the path of an outside program, skipping the test
// when it is missing — or failing it under LEAKFIX_REQUIRE_TOOLS=1, as CI
// sets after installing every tool the suite needs. Candidates are tried
// in order (an absolute path first avoids pyenv shims for Debian's aws).
func requireTool(t *testing.T, name string, candidates ...string) string {
	t.Helper()
	for _, c := range append(candidates, name) {
		if filepath.IsAbs(c) {
			if st, err := os.Stat(c); err == nil && st.Mode()&0o111 != 0 {
				return c
			}
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
		t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1)", name)
	}
	t.Skipf("this test needs %s", name)
	return ""
}

// recorder is a directory of stub programs placed first on PATH. Every
// call records its argv, its stdin and the contents of any file it was
// handed (--file F, --data-file=F, key=@F), so tests can check what
// reached the CLI and that no value was an argument.
type recorder struct {
	bin, log string
}

func newRecorder(t *testing.T) *recorder {
	dir := t.TempDir()
	r := &recorder{bin: filepath.Join(dir, "bin"), log: filepath.Join(dir, "log")}
	for _, d := range []string{r.bin, r.log} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// recordScript is the shell every stub starts with. It copies named
// files at once, because import.sh deletes temporary files right after.
const recordScript = `#!/bin/sh
call=$(mktemp -d "$STUB_LOG/call.XXXXXX")
printf '%s\0' "$(basename "$0")" "$@" >"$call/argv"
if [ ! -t 0 ]; then cat >"$call/stdin"; fi
prev=""
i=0
for a in "$@"; do
  f=""
  case "$prev" in --file | --data-file) f=$a ;; esac
  case "$a" in
    --data-file=*) f=${a#--data-file=} ;;
    *=@*) f=${a#*=@} ;;
    file://*) f=${a#file://} ;;
  esac
  if [ -n "$f" ] && [ "$f" != - ]; then cp "$f" "$call/file$i"; i=$((i + 1)); fi
  prev=$a
done
`

// stub installs a program that records its call and then runs tail (a
// shell fragment: its exit status is the stub's).
func (r *recorder) stub(t *testing.T, name, tail string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.bin, name), []byte(recordScript+tail+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

type call struct {
	argv  []string
	stdin string
	files []string
}

func (r *recorder) calls(t *testing.T) []call {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(r.log, "call.*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []call
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "argv"))
		if err != nil {
			t.Fatal(err)
		}
		c := call{argv: strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")}
		in, _ := os.ReadFile(filepath.Join(d, "stdin"))
		c.stdin = string(in)
		files, _ := filepath.Glob(filepath.Join(d, "file*"))
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c.files = append(c.files, string(b))
		}
		out = append(out, c)
	}
	return out
}

// assertNoValueInArgv fails when any value, or any line of a multi-line
// value long enough to identify it, appears in an argument.
func assertNoValueInArgv(t *testing.T, calls []call, values []string) {
	t.Helper()
	var argv []string
	for _, c := range calls {
		argv = append(argv, c.argv...)
	}
	all := strings.Join(argv, "\x00")
	for _, v := range values {
		pieces := []string{v}
		if strings.ContainsAny(v, "\r\n") {
			for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if len(strings.TrimSpace(l)) >= 12 {
					pieces = append(pieces, l)
				}
			}
		}
		for _, p := range pieces {
			if strings.Contains(all, p) {
				t.Errorf("a secret value (%d bytes) appeared in a command line", len(p))
			}
		}
	}
}

// runScript runs import.sh with a minimal environment: PATH is the
// recorder's stubs, then /usr/bin and /bin (no pyenv shims).
func runScript(t *testing.T, dir string, r *recorder, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, vaultplan.ScriptFile), args...)
	home, tmp := t.TempDir(), t.TempDir()
	cmd.Env = append([]string{
		"PATH=" + r.bin + ":/usr/bin:/bin",
		"HOME=" + home,
		"TMPDIR=" + tmp,
		"STUB_LOG=" + r.log,
		"LANG=C",
	}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// import.sh must remove every temporary file it made (--generate).
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("import.sh left %d file(s) in TMPDIR, e.g. %s", len(left), left[0].Name())
	}
	return out.String(), err
}

// tricky are values a naive script would break, in as few secrets as
// possible (every secret costs real CLIs a second or two): shell and CLI
// syntax (spaces, quotes, $, backticks, a leading dash, backslashes,
// file:// and @file), non-ASCII and a tab, and multi-line PEM keys with
// LF and with CRLF endings.
var tricky = map[string]string{
	"groq-api-key": "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",
	"mongodb-connection-string": `--value=-x mongodb+srv://app:p@ss w0rd 'single' "double" $HOME ` + "`id`" +
		` \back\slash file://etc/passwd @/etc/hosts clé-日本語-🔑` + "\t" + `end`,
	"pem-private-key":  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----",
	"crlf-private-key": "-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\r\n-----END PRIVATE KEY-----\r\n",
}

// trickyFindings builds findings for the tricky values, plus a second
// sighting of the Groq key in another file and a weak default.
func trickyFindings() []scanner.Finding {
	var fs []scanner.Finding
	names := make([]string, 0, len(tricky))
	for n := range tricky {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		fs = append(fs, scanner.Finding{
			RuleID: "test-rule", File: "svc/main.py", StartLine: i + 1, EndLine: i + 1,
			StartColumn: 5, EndColumn: 20, Secret: tricky[n], SecretName: n,
			Provider: "test", Fingerprint: "fp-" + n,
		})
	}
	fs = append(fs,
		scanner.Finding{RuleID: "groq-api-key", File: "llm/main.py", StartLine: 9, EndLine: 9, StartColumn: 1, EndColumn: 56,
			Secret: tricky["groq-api-key"], SecretName: "groq-api-key", Provider: "groq", Fingerprint: "fp-groq-2"},
		scanner.Finding{RuleID: "weak-default-secret", File: "auth/main.py", StartLine: 4, EndLine: 4, StartColumn: 33, EndColumn: 47,
			Secret: "your_jwt_secret", SecretName: "jwt-secret-key", Provider: "generic", Tags: []string{"weak-default"}, Fingerprint: "fp-jwt"},
	)
	return fs
}

func trickyValues() []string {
	out := []string{"your_jwt_secret"}
	for _, v := range tricky {
		out = append(out, v)
	}
	return out
}

// buildPlan builds and writes a plan for the tricky findings.
func buildPlan(t *testing.T, opts vaultplan.Options) (string, *vaultplan.Plan) {
	t.Helper()
	return buildPlanFrom(t, trickyFindings(), opts)
}

// smallFindings are the Groq key and the weak default: enough for a
// second import run (versions, --generate) without paying a slow CLI's
// start-up for every tricky value again.
func smallFindings() []scanner.Finding {
	var out []scanner.Finding
	for _, f := range trickyFindings() {
		if f.SecretName == "groq-api-key" || f.SecretName == "jwt-secret-key" {
			out = append(out, f)
		}
	}
	return out
}

func buildPlanFrom(t *testing.T, findings []scanner.Finding, opts vaultplan.Options) (string, *vaultplan.Plan) {
	t.Helper()
	p, values, err := vaultplan.Build(findings, opts)
	if err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	dir := filepath.Join(project, "leakfix-plan")
	if _, err := vaultplan.Write(dir, p, values, vaultplan.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir, p
}
