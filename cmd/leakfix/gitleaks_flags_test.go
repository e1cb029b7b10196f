package main

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// glTree is a directory with one GitHub token and one AWS key.
func glTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	body := "GH = \"ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8\"\nAWS = \"AKIA6RWJYAX6R5OAJ4XK\"\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const glSecret = "ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8"

func TestGitleaksFlags(t *testing.T) {
	dir := glTree(t)
	tmpl := filepath.Join(t.TempDir(), "r.tmpl")
	os.WriteFile(tmpl, []byte(`{{range .}}{{.RuleID}} {{.File}}:{{.StartLine}} {{.Secret}}
{{end}}`), 0o644)
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, stdout, stderr string)
	}{
		{"exit-code 0", []string{"scan", dir, "--exit-code", "0"}, 0, nil},
		{"exit-code 7", []string{"scan", dir, "--exit-code=7"}, 7, nil},
		{"exit-code 2 refused", []string{"scan", dir, "--exit-code", "2"}, 2, func(t *testing.T, _, stderr string) {
			if !strings.Contains(stderr, "--exit-code 2") {
				t.Errorf("stderr %q", stderr)
			}
		}},
		{"gitleaks-json", []string{"scan", dir, "--format", "gitleaks-json"}, 1, func(t *testing.T, stdout, _ string) {
			var fs []map[string]any
			if err := json.Unmarshal([]byte(stdout), &fs); err != nil || len(fs) != 2 {
				t.Fatalf("%v: %s", err, stdout)
			}
			for _, k := range []string{"RuleID", "File", "StartLine", "Secret", "Match", "Fingerprint", "Commit", "Tags"} {
				if _, ok := fs[0][k]; !ok {
					t.Errorf("no %s field", k)
				}
			}
			if fs[0]["Fingerprint"] != "app.py:github-pat:1" || fs[0]["Secret"] != "REDACTED" {
				t.Errorf("finding %v", fs[0])
			}
		}},
		{"report-format csv to report-path", []string{"scan", dir, "--report-format", "csv", "--report-path", filepath.Join(dir, "..", "out.csv")}, 1, func(t *testing.T, stdout, _ string) {
			if stdout != "" {
				t.Errorf("stdout %q: the report belongs in the file", stdout)
			}
			f, err := os.Open(filepath.Join(dir, "..", "out.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := csv.NewReader(f).ReadAll()
			if err != nil || len(rows) != 3 || rows[0][0] != "RuleID" || rows[1][0] != "github-pat" || rows[1][4] != "REDACTED" {
				t.Errorf("csv %v %v", rows, err)
			}
		}},
		{"junit", []string{"scan", dir, "--report-format=junit"}, 1, func(t *testing.T, stdout, _ string) {
			var doc struct {
				Suites []struct {
					Tests    int `xml:"tests,attr"`
					Failures int `xml:"failures,attr"`
					Cases    []struct {
						Name string `xml:"name,attr"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Suites) != 1 || doc.Suites[0].Failures != 2 || len(doc.Suites[0].Cases) != 2 {
				t.Errorf("junit %+v %v\n%s", doc, err, stdout)
			}
		}},
		{"template", []string{"scan", dir, "--report-format", "template", "--report-template", tmpl}, 1, func(t *testing.T, stdout, _ string) {
			if !strings.Contains(stdout, "github-pat app.py:1 REDACTED\n") || !strings.Contains(stdout, "aws-access-key-id app.py:2 REDACTED\n") {
				t.Errorf("template output %q", stdout)
			}
		}},
		{"baseline-path with a gitleaks report", []string{"scan", dir, "--baseline-path", glBaseline(t)}, 1, func(t *testing.T, stdout, _ string) {
			if strings.Contains(stdout, "github-pat") || !strings.Contains(stdout, "aws-access-key-id") {
				t.Errorf("the gitleaks baseline should hide only the GitHub token:\n%s", stdout)
			}
		}},
		{"gitleaks-ignore-path", []string{"scan", dir, "--gitleaks-ignore-path", glIgnore(t)}, 1, func(t *testing.T, stdout, _ string) {
			if strings.Contains(stdout, "aws-access-key-id") || !strings.Contains(stdout, "github-pat") {
				t.Errorf("the ignore file should hide only the AWS key:\n%s", stdout)
			}
		}},
		{"gitleaks-ignore-path missing", []string{"scan", dir, "--gitleaks-ignore-path", filepath.Join(dir, "nope")}, 2, nil},
		{"baseline that is no report", []string{"scan", dir, "--baseline", tmpl}, 2, nil},
		{"template without file", []string{"scan", dir, "--format", "template"}, 2, nil},
		{"redact bare", []string{"scan", dir, "--redact", "--format", "gitleaks-json"}, 1, func(t *testing.T, stdout, _ string) {
			if !strings.Contains(stdout, `"Secret": "REDACTED"`) {
				t.Errorf("stdout %s", stdout)
			}
		}},
		{"redact=75", []string{"scan", dir, "--redact=75", "--format", "gitleaks-json"}, 1, func(t *testing.T, stdout, _ string) {
			// 25% of 40 characters is 10.
			if !strings.Contains(stdout, `"Secret": "ghp_iIu4NJ..."`) {
				t.Errorf("stdout %s", stdout)
			}
		}},
		{"redact=0 refused", []string{"scan", dir, "--redact=0"}, 2, nil},
		{"max-target-megabytes", []string{"scan", dir, "--max-target-megabytes", "1", "--verbose"}, 1, nil},
		{"max-target-megabytes bad", []string{"scan", dir, "--max-target-megabytes", "lots"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			if strings.Contains(stdout+stderr, glSecret) {
				t.Error("raw secret in output")
			}
			if tt.check != nil {
				tt.check(t, stdout, stderr)
			}
		})
	}
}

func TestLogOpts(t *testing.T) {
	tests := []struct {
		in      string
		want    logOpts
		wantErr string
	}{
		{in: "--all", want: logOpts{}},
		{in: "v1.0..HEAD", want: logOpts{rangeSpec: "v1.0..HEAD"}},
		{in: "--since=2024-01-02 main release", want: logOpts{since: "2024-01-02", branches: []string{"main", "release"}}},
		{in: "--after 2024-01-02", want: logOpts{since: "2024-01-02"}},
		{in: "-p", wantErr: `"-p" is not supported`},
		{in: "a..b main", wantErr: "cannot be combined"},
		{in: "--since=yesterday", wantErr: "--since"},
	}
	for _, tt := range tests {
		got, err := parseLogOpts(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.rangeSpec != tt.want.rangeSpec || got.since != tt.want.since || strings.Join(got.branches, ",") != strings.Join(tt.want.branches, ",") {
			t.Errorf("%q: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestLogOptsSelectsCommits: history --log-opts A..B scans only that range.
func TestLogOptsSelectsCommits(t *testing.T) {
	r := newHistRepo(t)
	first := r.commit("one", map[string]string{"a.py": "A = \"AKIA6RWJYAX6R5OAJ4XK\"\n"})
	r.commit("two", map[string]string{"b.py": "G = \"" + glSecret + "\"\n"})
	code, stdout, stderr := runCLI(t, "", "history", r.dir, "--log-opts", first+"..HEAD", "--format", "gitleaks-json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"File": "b.py"`) || strings.Contains(stdout, `"File": "a.py"`) {
		t.Errorf("range not applied: %s", stdout)
	}
	if code, _, stderr := runCLI(t, "", "history", r.dir, "--log-opts", "--stat"); code != 2 || !strings.Contains(stderr, "not supported") {
		t.Errorf("exit %d, %s", code, stderr)
	}
}

// glBaseline is a gitleaks JSON report holding glTree's GitHub token.
func glBaseline(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gitleaks-report.json")
	os.WriteFile(p, []byte(`[{"RuleID":"github-pat","File":"app.py","StartLine":1,"Secret":"REDACTED","Match":"REDACTED","Commit":"","Fingerprint":"app.py:github-pat:1"}]`), 0o644)
	return p
}

// TestMaxTargetMegabytes: the limit is in MiB and is the same setting as
// --max-file-size: a 2 MiB file is skipped under 1 (exit 2: not scanned)
// and scanned under 3.
func TestMaxTargetMegabytes(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("# padding line of a large generated file\n", (2<<20)/41) + "G = \"" + glSecret + "\"\n"
	os.WriteFile(filepath.Join(dir, "big.py"), []byte(big), 0o644)
	if code, _, stderr := runCLI(t, "", "scan", dir, "--max-target-megabytes", "1"); code != 2 || !strings.Contains(stderr, "larger than 1048576 bytes") {
		t.Errorf("limit 1: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "scan", dir, "--max-target-megabytes=3"); code != 1 {
		t.Errorf("limit 3: exit %d, stderr %q", code, stderr)
	}
}

// glIgnore is a directory holding a .gitleaksignore for glTree's AWS key.
func glIgnore(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	os.WriteFile(filepath.Join(d, ".gitleaksignore"), []byte("# the AWS key\napp.py:aws-access-key-id:2\n"), 0o644)
	return d
}
