package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/scanner"
)

// resolve stands in for a pack where gitleaks' "aws-access-token" is an
// alias of leakfix's "aws-access-key-id".
func resolve(id string) string {
	if id == "aws-access-token" {
		return "aws-access-key-id"
	}
	return id
}

const commitA = "0123456789abcdef0123456789abcdef01234567"

func finding(file, rule string, line int, commit, fp string) scanner.Finding {
	return scanner.Finding{File: file, RuleID: rule, StartLine: line, Commit: commit, Fingerprint: fp}
}

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIgnoreFile(t *testing.T) {
	p := write(t, ".gitleaksignore", `# known fixtures
config/dev.env:aws-access-token:3
`+commitA[:12]+`:src/app.py:github-pat:10   # only in that commit
c:\odd:name.txt:slack-bot-token:2
00112233445566778899aabbccddeeff
`)
	set, err := ReadIgnoreFile(p, resolve)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    scanner.Finding
		want bool
	}{
		{"file:rule:line by gitleaks id", finding("config/dev.env", "aws-access-key-id", 3, "", ""), true},
		{"file:rule:line applies in every commit", finding("config/dev.env", "aws-access-key-id", 3, commitA, ""), true},
		{"other line", finding("config/dev.env", "aws-access-key-id", 4, "", ""), false},
		{"other rule", finding("config/dev.env", "github-pat", 3, "", ""), false},
		{"commit-scoped, that commit (short sha)", finding("src/app.py", "github-pat", 10, commitA, ""), true},
		{"commit-scoped, another commit", finding("src/app.py", "github-pat", 10, strings.Repeat("f", 40), ""), false},
		{"commit-scoped, work tree", finding("src/app.py", "github-pat", 10, "", ""), false},
		{"file name with colons", finding(`c:\odd:name.txt`, "slack-bot-token", 2, "", ""), true},
		{"leakfix fingerprint", finding("x", "y", 1, "", "00112233445566778899aabbccddeeff"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.Known(&tt.f); got != tt.want {
				t.Errorf("Known = %v, want %v", got, tt.want)
			}
		})
	}
	if set.Len() != 4 {
		t.Errorf("Len = %d, want 4", set.Len())
	}
}

func TestIgnoreFileErrors(t *testing.T) {
	for _, body := range []string{"just-a-word\n", "file:rule:zero\n", "file:rule:0\n", ":rule:3\n"} {
		p := write(t, ".leakfixignore", "# ok\n"+body)
		if _, err := ReadIgnoreFile(p, nil); err == nil || !strings.Contains(err.Error(), ":2:") {
			t.Errorf("%q: err = %v, want one naming line 2", body, err)
		}
	}
	set, err := ReadIgnoreFile(filepath.Join(t.TempDir(), "absent"), nil)
	if err != nil || set.Len() != 0 {
		t.Errorf("missing file: %v, %d entries", err, set.Len())
	}
}

func TestReadReport(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		format  Format
		known   []scanner.Finding
		unknown []scanner.Finding
		err     string
	}{
		{
			name:   "gitleaks report with fingerprints",
			body:   `[{"RuleID":"aws-access-token","File":"a.py","StartLine":2,"Secret":"REDACTED","Commit":"` + commitA + `","Fingerprint":"` + commitA + `:a.py:aws-access-token:2"}]`,
			format: FormatGitleaks,
			known:  []scanner.Finding{finding("a.py", "aws-access-key-id", 2, commitA, "")},
			unknown: []scanner.Finding{
				finding("a.py", "aws-access-key-id", 2, strings.Repeat("1", 40), ""),
				finding("a.py", "aws-access-key-id", 3, commitA, ""),
			},
		},
		{
			name:    "gitleaks dir report without fingerprints",
			body:    `[{"RuleID":"github-pat","File":"src/x.go","StartLine":7,"Match":"REDACTED"}]`,
			format:  FormatGitleaks,
			known:   []scanner.Finding{finding("src/x.go", "github-pat", 7, "", "")},
			unknown: []scanner.Finding{finding("x.go", "github-pat", 7, "", "")},
		},
		{
			name:    "leakfix report",
			body:    `[{"rule_id":"github-pat","file":"a","start_line":1,"fingerprint":"aabbccddeeff00112233445566778899"}]`,
			format:  FormatLeakfix,
			known:   []scanner.Finding{finding("b", "z", 9, "", "aabbccddeeff00112233445566778899")},
			unknown: []scanner.Finding{finding("a", "github-pat", 1, "", "ffbbccddeeff00112233445566778899")},
		},
		{name: "empty report", body: `[]`, format: FormatLeakfix},
		{name: "some other JSON", body: `[{"filename":"a","type":"x"}]`, err: "neither rule_id nor RuleID"},
		{name: "an object, not a report", body: `{"results":{}}`, err: "not a JSON report"},
		{name: "not JSON", body: `RuleID,File`, err: "not a JSON report"},
		{name: "gitleaks entry without location", body: `[{"RuleID":"x"}]`, err: "finding 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, format, err := ReadReport(write(t, "report.json", tt.body), resolve)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if format != tt.format {
				t.Errorf("format %s, want %s", format, tt.format)
			}
			for _, f := range tt.known {
				if !set.Known(&f) {
					t.Errorf("%+v not known", f)
				}
			}
			for _, f := range tt.unknown {
				if set.Known(&f) {
					t.Errorf("%+v known", f)
				}
			}
			all := append(append([]scanner.Finding(nil), tt.known...), tt.unknown...)
			if got := set.Filter(all); len(got) != len(tt.unknown) {
				t.Errorf("Filter kept %d, want %d", len(got), len(tt.unknown))
			}
		})
	}
}
