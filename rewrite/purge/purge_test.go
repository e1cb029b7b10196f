package purge

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/leakfix/leakfix/scanner"
)

// requireTool returns the path of program, or skips the test when it is
// not installed — unless LEAKFIX_REQUIRE_TOOLS=1, when its absence fails
// the test, so CI cannot pass by skipping.
func requireTool(t testing.TB, program string) string {
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

func fnd(rule, name, secret, match string) scanner.Finding {
	return scanner.Finding{RuleID: rule, SecretName: name, Secret: secret, Match: match,
		File: "f.txt", Commit: strings.Repeat("a", 40)}
}

func weak(f scanner.Finding) scanner.Finding {
	f.Tags = []string{"weak-default"}
	return f
}

func m(name string) string { return Marker(name) }

// A syntactically PEM-shaped RSA key of random base64 (not a key).
const pemBody1 = "MIIEpAIBAAKCAQEAq7Jb1mVwX3pKz9Yt2R8sLd4FhNc6QeWu0TgHiOjP5lSvAxZr"
const pemBody2 = "Yb7Nc2Md9Qe4Rf1Sg6Th3Ui8Vj5Wk0Xl7Ym2Zn9Ao4Bp1Cq6Dr3Es8Ft5Gu0Hv7I"
const pemBody3 = "w2Jx9Ky4Lz1Ma6Nb3Oc8Pd5Qe0Rf7Sg2Th9Ui4Vj1Wk6Xl3Ym8Zn5Ao0Bp7Cq2Dr"
const pemTail = "Es9Ft4Gu1Hv=="

var pemLF = "-----BEGIN RSA PRIVATE KEY-----\n" + pemBody1 + "\n" + pemBody2 + "\n" + pemBody3 + "\n" + pemTail + "\n-----END RSA PRIVATE KEY-----"
var pemCRLF = strings.ReplaceAll(pemLF, "\n", "\r\n")
var pemArmourKept = func(marker, eol string) string {
	return "-----BEGIN RSA PRIVATE KEY-----" + eol + marker + eol + marker + eol + marker + eol + marker + eol + "-----END RSA PRIVATE KEY-----"
}

const groq = "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"

// purgeCase is one table entry: findings, a blob, and what the blob must
// become after git filter-repo and after BFG.
type purgeCase struct {
	name     string
	findings []scanner.Finding
	blob     string
	wantFR   string
	wantBFG  string // "" means the same as wantFR
	kinds    []Kind // kinds of the replace-text lines, in file order
	omitted  int
}

func purgeCases() []purgeCase {
	b64 := scanner.Finding{RuleID: "generic", SecretName: "b64-secret", Secret: "decodedsecretvalue123",
		Match: "ZGVjb2RlZHNlY3JldHZhbHVlMTIz", Encoding: "base64", File: "f.txt"}
	return []purgeCase{
		{
			name:     "literal",
			findings: []scanner.Finding{fnd("groq-api-key", "groq-api-key", groq, `"`+groq+`"`)},
			blob:     "groq = \"" + groq + "\"\nagain " + groq + "\n",
			wantFR:   "groq = \"" + m("groq-api-key") + "\"\nagain " + m("groq-api-key") + "\n",
			kinds:    []Kind{Literal},
		},
		{
			// filter-repo splits at the last "==>", BFG at the first: a
			// literal line would be cut differently, so it is a regex.
			name:     "contains ==>",
			findings: []scanner.Finding{fnd("r", "arrow-key", "Zx9==>Qp7rT2vW8k", "Zx9==>Qp7rT2vW8k")},
			blob:     "a=Zx9==>Qp7rT2vW8k;\n",
			wantFR:   "a=" + m("arrow-key") + ";\n",
			kinds:    []Kind{Pattern},
		},
		{
			// Both tools keep spaces around a literal: the value is
			// written trimmed, so every occurrence of its core goes.
			name:     "surrounding spaces",
			findings: []scanner.Finding{fnd("r", "spaced", "  Wq8eR5tY2uI9oP3  ", "pw=  Wq8eR5tY2uI9oP3  ")},
			blob:     "pw=  Wq8eR5tY2uI9oP3  \nWq8eR5tY2uI9oP3\n",
			wantFR:   "pw=  " + m("spaced") + "  \n" + m("spaced") + "\n",
			kinds:    []Kind{Literal},
		},
		{
			// Neither tool has comments: a line starting with # is a
			// literal like any other.
			name:     "starts with #",
			findings: []scanner.Finding{fnd("r", "hash", "#Hx9kq2Lm4Pz8Wn7", "#Hx9kq2Lm4Pz8Wn7")},
			blob:     "k: #Hx9kq2Lm4Pz8Wn7\n",
			wantFR:   "k: " + m("hash") + "\n",
			kinds:    []Kind{Literal},
		},
		{
			name: "starts with a type prefix",
			findings: []scanner.Finding{
				fnd("r", "re", "regex:Zq8mN3pL5xK2", "regex:Zq8mN3pL5xK2"),
				fnd("r", "gl", "glob:Yt5bV7cX1zA3*", "glob:Yt5bV7cX1zA3*"),
			},
			blob:   "v=regex:Zq8mN3pL5xK2 w=glob:Yt5bV7cX1zA3*\n",
			wantFR: "v=" + m("re") + " w=" + m("gl") + "\n",
			kinds:  []Kind{Literal, Literal},
		},
		{
			// Longest first: the value containing the other goes whole.
			name: "one value contains another",
			findings: []scanner.Finding{
				fnd("r", "short-one", "Ab3dEf6hIj9kLm2n", "Ab3dEf6hIj9kLm2n"),
				fnd("r", "long-one", "Ab3dEf6hIj9kLm2nXYZ789qq", "Ab3dEf6hIj9kLm2nXYZ789qq"),
			},
			blob:   "a=Ab3dEf6hIj9kLm2n\nb=Ab3dEf6hIj9kLm2nXYZ789qq\n",
			wantFR: "a=" + m("short-one") + "\nb=" + m("long-one") + "\n",
			kinds:  []Kind{Literal, Literal},
		},
		{
			name:     "regex metacharacters in a literal",
			findings: []scanner.Finding{fnd("r", "meta", `p@$$w0rd.+*?[]{}()|^\x9Kq`, `p@$$w0rd.+*?[]{}()|^\x9Kq`)},
			blob:     `pw = "p@$$w0rd.+*?[]{}()|^\x9Kq"` + "\n",
			wantFR:   `pw = "` + m("meta") + `"` + "\n",
			kinds:    []Kind{Literal},
		},
		{
			name:     "regex metacharacters in a regex",
			findings: []scanner.Finding{fnd("r", "meta", `a$b\c==>d.e*f(1)[2]`, `a$b\c==>d.e*f(1)[2]`)},
			blob:     `x a$b\c==>d.e*f(1)[2] y` + "\n",
			wantFR:   "x " + m("meta") + " y\n",
			kinds:    []Kind{Pattern},
		},
		{
			name:     "tab and control characters",
			findings: []scanner.Finding{fnd("r", "ctl", "Tab\tVal\x01ue12345", "Tab\tVal\x01ue12345")},
			blob:     "k=Tab\tVal\x01ue12345\n",
			wantFR:   "k=" + m("ctl") + "\n",
			kinds:    []Kind{Literal},
		},
		{
			// filter-repo replaces the whole block (LF or CRLF); BFG sees
			// one line at a time and replaces the body lines.
			name:     "private key",
			findings: []scanner.Finding{fnd("private-key-rsa", "deploy-rsa-private-key", pemLF, pemLF)},
			blob:     "key:\n" + pemLF + "\ntail\n" + pemCRLF + "\r\n",
			wantFR:   "key:\n" + m("deploy-rsa-private-key") + "\ntail\n" + m("deploy-rsa-private-key") + "\r\n",
			wantBFG: "key:\n" + pemArmourKept(m("deploy-rsa-private-key"), "\n") + "\ntail\n" +
				pemArmourKept(m("deploy-rsa-private-key"), "\r\n") + "\r\n",
			kinds: []Kind{Block, BlockLine, BlockLine, BlockLine, BlockLine},
		},
		{
			// A literal value that is also one line of a key: the literal
			// runs first in both tools, and the block regex is built from
			// the text as the literal leaves it.
			name: "literal inside a key",
			findings: []scanner.Finding{
				fnd("private-key-rsa", "deploy-rsa-private-key", pemLF, pemLF),
				fnd("generic", "body-line", pemBody2, pemBody2),
			},
			blob:   pemLF + "\nalso " + pemBody2 + "\n",
			wantFR: m("deploy-rsa-private-key") + "\nalso " + m("body-line") + "\n",
			wantBFG: "-----BEGIN RSA PRIVATE KEY-----\n" + m("deploy-rsa-private-key") + "\n" + m("body-line") + "\n" +
				m("deploy-rsa-private-key") + "\n" + m("deploy-rsa-private-key") + "\n-----END RSA PRIVATE KEY-----\nalso " + m("body-line") + "\n",
			kinds: []Kind{Literal, Block, BlockLine, BlockLine, BlockLine},
		},
		{
			// U+2028 stops Java's `.`, so BFG could not parse it raw.
			name:     "java line separator",
			findings: []scanner.Finding{fnd("r", "sep", "Tok\u2028en12345678", "Tok\u2028en12345678")},
			blob:     "x=Tok\u2028en12345678\n",
			wantFR:   "x=" + m("sep") + "\n",
			kinds:    []Kind{Pattern},
		},
		{
			name:     "not UTF-8",
			findings: []scanner.Finding{fnd("r", "bin", "Bin\xffary1234567", "Bin\xffary1234567")},
			blob:     "v=Bin\xffary1234567\xfe\n",
			wantFR:   "v=" + m("bin") + "\xfe\n",
			kinds:    []Kind{Pattern},
		},
		{
			// Too short to replace everywhere: only where it was found.
			name:     "short value in its context",
			findings: []scanner.Finding{fnd("netrc-password", "netrc-password", "hunter2", " password hunter2")},
			blob:     "machine h login u password hunter2\nhunter2 is also a word\n",
			wantFR:   "machine h login u password " + m("netrc-password") + "\nhunter2 is also a word\n",
			kinds:    []Kind{Context},
		},
		{
			name: "weak defaults in their context",
			findings: []scanner.Finding{
				weak(fnd("weak-default", "jwt-secret", "changeme", `os.getenv("JWT_SECRET", "changeme")`)),
				weak(fnd("weak-default", "session-secret", "my-default-session-secret", `getenv("SESSION_SECRET") or "my-default-session-secret"`)),
			},
			blob: `JWT = os.getenv("JWT_SECRET", "changeme")` + "\n# docs: set it, never changeme\n" +
				`S = os.getenv("SESSION_SECRET") or "my-default-session-secret"` + "\nmy-default-session-secret\n",
			wantFR: `JWT = os.getenv("JWT_SECRET", "` + m("jwt-secret") + `")` + "\n# docs: set it, never changeme\n" +
				`S = os.getenv("SESSION_SECRET") or "` + m("session-secret") + `"` + "\nmy-default-session-secret\n",
			kinds: []Kind{Context, Context},
		},
		{
			name:     "short value with nothing around it",
			findings: []scanner.Finding{fnd("path-only", "x", "abc12", "abc12")},
			blob:     "abc12 stays\n",
			wantFR:   "abc12 stays\n",
			omitted:  1,
		},
		{
			// The blob holds the encoded token, not the decoded value.
			name:     "base64-encoded",
			findings: []scanner.Finding{b64},
			blob:     "data: ZGVjb2RlZHNlY3JldHZhbHVlMTIz\n",
			wantFR:   "data: " + m("b64-secret") + "\n",
			kinds:    []Kind{Literal},
		},
	}
}

func kindsOf(ls []Line) []Kind {
	var out []Kind
	for _, l := range ls {
		out = append(out, l.Kind)
	}
	return out
}

func TestBuildCases(t *testing.T) {
	for _, tc := range purgeCases() {
		t.Run(tc.name, func(t *testing.T) {
			p := Build(tc.findings)
			if got := kindsOf(p.Text); fmt.Sprint(got) != fmt.Sprint(tc.kinds) {
				t.Errorf("kinds %v, want %v\n%s", got, tc.kinds, Render(p.Text))
			}
			if len(p.Omitted) != tc.omitted {
				t.Errorf("omitted %d, want %d: %+v", len(p.Omitted), tc.omitted, p.Omitted)
			}
			file := string(Render(p.Text))
			checkFileShape(t, file)
			fr := applyFilterRepo(t, parseFilterRepo(t, file), tc.blob)
			if fr != tc.wantFR {
				t.Errorf("filter-repo model:\n got %q\nwant %q\nfile:\n%s", fr, tc.wantFR, file)
			}
			bfgRules, err := parseBFG(file)
			if err != nil {
				t.Fatalf("BFG model cannot parse the file: %v\n%s", err, file)
			}
			want := tc.wantBFG
			if want == "" {
				want = tc.wantFR
			}
			if got := applyBFG(t, bfgRules, tc.blob); got != want {
				t.Errorf("BFG model:\n got %q\nwant %q\nfile:\n%s", got, want, file)
			}
			for _, f := range tc.findings {
				for _, l := range p.Text {
					if len(f.Secret) >= 8 && strings.Contains(l.Replacement, f.Secret) {
						t.Errorf("a replacement holds a value: %q", l.Replacement)
					}
				}
			}
		})
	}
}

// checkFileShape: one line per entry, LF-terminated, no blank line, and a
// replacement both tools read as plain text.
func checkFileShape(t *testing.T, file string) {
	t.Helper()
	if file == "" {
		return
	}
	if !strings.HasSuffix(file, "\n") {
		t.Errorf("file does not end with a newline")
	}
	replacement := regexp.MustCompile(`^\*\*\*REMOVED:[a-z0-9-]+\*\*\*$`)
	for _, line := range strings.Split(strings.TrimSuffix(file, "\n"), "\n") {
		if strings.ContainsAny(line, "\r\u0085\u2028\u2029") || strings.TrimSpace(line) == "" {
			t.Errorf("line %q cannot be read the same by both tools", line)
		}
		if strings.Count(line, "==>") != 1 {
			t.Errorf("line %q has %d separators, want exactly 1", line, strings.Count(line, "==>"))
		}
		_, repl, _ := strings.Cut(line, "==>")
		if !replacement.MatchString(repl) {
			t.Errorf("replacement %q is not a plain marker", repl)
		}
	}
}

// replaceRule is one parsed line of a replace-text file.
type replaceRule struct {
	regex      bool
	expr, repl string
}

// parseFilterRepo re-implements git filter-repo's parser
// (FilteringOptions.get_replace_text in git_filter_repo.py): strip CR/LF,
// split at the LAST "==>", "regex:" makes a regex, "literal:" is
// stripped, empty literals are skipped. TestCasesWithRealFilterRepo runs
// the real one.
func parseFilterRepo(t *testing.T, file string) []replaceRule {
	var out []replaceRule
	for _, line := range strings.SplitAfter(file, "\n") {
		line = strings.TrimRight(line, "\r\n")
		repl := "***REMOVED***"
		if i := strings.LastIndex(line, "==>"); i >= 0 {
			line, repl = line[:i], line[i+3:]
		}
		switch {
		case strings.HasPrefix(line, "regex:"):
			out = append(out, replaceRule{regex: true, expr: line[6:], repl: repl})
		case strings.HasPrefix(line, "glob:"):
			t.Fatalf("glob line %q: purge never writes one", line)
		default:
			line = strings.TrimPrefix(line, "literal:")
			if line != "" {
				out = append(out, replaceRule{expr: line, repl: repl})
			}
		}
	}
	return out
}

// parseBFG re-implements BFG's parser (bfg/cli/TextReplacementConfig.scala
// and textmatching/TextMatcherType.scala; see testdata/BfgModel.java):
// lines end at LF, CR or CRLF, blank lines are dropped, a line must match
// "(.+?)(?:==>(.*))?" whole — so it splits at the FIRST "==>" after the
// first character, and a line holding a character Java's `.` stops at is a
// MatchError — and "regex:", "glob:", "literal:" prefixes choose the type.
func parseBFG(file string) ([]replaceRule, error) {
	var out []replaceRule
	for _, line := range splitLinesInclusive(file) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimFunc(line, func(r rune) bool { return r <= ' ' }) == "" {
			continue
		}
		if strings.ContainsAny(line, "\u0085\u2028\u2029") {
			return nil, fmt.Errorf("MatchError on %q", line)
		}
		matcher, repl := line, "***REMOVED***"
		if i := strings.Index(line[1:], "==>"); i >= 0 {
			matcher, repl = line[:i+1], line[i+4:]
		}
		kind, expr, ok := strings.Cut(matcher, ":")
		switch {
		case ok && kind == "regex":
			out = append(out, replaceRule{regex: true, expr: expr, repl: repl})
		case ok && kind == "literal":
			out = append(out, replaceRule{expr: expr, repl: repl})
		case ok && kind == "glob":
			return nil, fmt.Errorf("glob line %q: purge never writes one", line)
		default:
			out = append(out, replaceRule{expr: matcher, repl: repl})
		}
	}
	return out, nil
}

// applyFilterRepo is RepoFilter._tweak_blob: every literal over the whole
// blob, then every regex. Regexes run on regexp2, which reads the escapes
// purge writes as Python's re does.
func applyFilterRepo(t *testing.T, rules []replaceRule, blob string) string {
	data, back := decodeBlob(blob)
	for _, r := range rules {
		if !r.regex {
			data = strings.ReplaceAll(data, decodeText(r.expr), r.repl)
		}
	}
	for _, r := range rules {
		if r.regex {
			data = regexReplace(t, r.expr, data, r.repl)
		}
	}
	return back(data)
}

// applyBFG filters the blob one line at a time (terminator included), each
// line through every rule in file order.
func applyBFG(t *testing.T, rules []replaceRule, blob string) string {
	data, back := decodeBlob(blob)
	var out strings.Builder
	for _, line := range splitLinesInclusive(data) {
		for _, r := range rules {
			if r.regex {
				line = regexReplace(t, r.expr, line, r.repl)
			} else {
				line = strings.ReplaceAll(line, decodeText(r.expr), r.repl)
			}
		}
		out.WriteString(line)
	}
	return back(out.String())
}

// decodeBlob reads text that is not UTF-8 as ISO-8859-1, as BFG does (and
// so that regexp2, which works on runes, sees one rune per byte as Python
// sees one byte); back undoes it.
func decodeBlob(blob string) (string, func(string) string) {
	if utf8.ValidString(blob) {
		return blob, func(s string) string { return s }
	}
	return latin1(blob), func(s string) string {
		b := make([]byte, 0, len(s))
		for _, r := range s {
			b = append(b, byte(r))
		}
		return string(b)
	}
}

func decodeText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return latin1(s)
}

func latin1(s string) string {
	rs := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		rs[i] = rune(s[i])
	}
	return string(rs)
}

func regexReplace(t *testing.T, expr, data, repl string) string {
	t.Helper()
	re, err := regexp2.Compile(expr, regexp2.None)
	if err != nil {
		t.Fatalf("regex %q does not compile: %v", expr, err)
	}
	out, err := re.Replace(data, repl, -1, -1)
	if err != nil {
		t.Fatalf("regex %q: %v", expr, err)
	}
	return out
}

func splitLinesInclusive(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// writeCases writes each case's replace-text file and blob for the
// outside harnesses.
func writeCases(t *testing.T) (string, []purgeCase) {
	dir := t.TempDir()
	cases := purgeCases()
	for i, tc := range cases {
		p := Build(tc.findings)
		base := filepath.Join(dir, fmt.Sprintf("%02d", i))
		if err := os.WriteFile(base+".txt", Render(p.Text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(base+".blob", []byte(tc.blob), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, cases
}

// TestCasesWithRealFilterRepo parses every case's file with git
// filter-repo's own parser and applies it with filter-repo's own loop.
func TestCasesWithRealFilterRepo(t *testing.T) {
	script := requireTool(t, "git-filter-repo")
	python := filterRepoPython(t, script)
	dir, cases := writeCases(t)
	cmd := exec.Command(python, filepath.Join("testdata", "filter_repo_model.py"), dir)
	cmd.Env = []string{"HOME=" + os.Getenv("HOME"), "PATH=/usr/bin:/bin", "PYTHONPATH=" + filepath.Dir(script)}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("filter_repo_model.py: %v\n%s", err, out)
	}
	for i, tc := range cases {
		base := filepath.Join(dir, fmt.Sprintf("%02d", i))
		if msg, err := os.ReadFile(base + ".fr.err"); err == nil {
			t.Errorf("%s: git filter-repo rejects the file: %s", tc.name, msg)
			continue
		}
		got, err := os.ReadFile(base + ".fr")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.wantFR {
			t.Errorf("%s: git filter-repo gives\n %q\nwant %q", tc.name, got, tc.wantFR)
		}
	}
}

// filterRepoPython is the interpreter git-filter-repo runs under (its
// #! line), which has the git_filter_repo module on its path.
func filterRepoPython(t *testing.T, script string) string {
	f, err := os.Open(script)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := bufio.NewReader(f).ReadString('\n')
	if !strings.HasPrefix(first, "#!") {
		t.Fatalf("%s is not a script", script)
	}
	fields := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(fields) == 2 && filepath.Base(fields[0]) == "env" {
		return fields[1]
	}
	return fields[0]
}

// TestCasesWithJavaRegex applies every case's file the way BFG does, on
// the real java.util.regex engine (testdata/BfgModel.java re-implements
// BFG's few lines of parsing; BFG itself is not packaged in Debian).
func TestCasesWithJavaRegex(t *testing.T) {
	java := requireTool(t, "java")
	dir, cases := writeCases(t)
	cmd := exec.Command(java, "-Dfile.encoding=UTF-8", filepath.Join("testdata", "BfgModel.java"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("BfgModel.java: %v\n%s", err, out)
	}
	for i, tc := range cases {
		base := filepath.Join(dir, fmt.Sprintf("%02d", i))
		if msg, err := os.ReadFile(base + ".bfg.err"); err == nil {
			t.Errorf("%s: the BFG model rejects the file: %s", tc.name, msg)
			continue
		}
		got, err := os.ReadFile(base + ".bfg")
		if err != nil {
			t.Fatal(err)
		}
		want := tc.wantBFG
		if want == "" {
			want = tc.wantFR
		}
		if string(got) != want {
			t.Errorf("%s: BFG (java.util.regex) gives\n %q\nwant %q", tc.name, got, want)
		}
	}
}

// TestSplitRules pins the one difference that shapes the file: where each
// tool cuts a line. The Go parsers above are re-implementations; this
// checks them on lines purge never writes.
func TestSplitRules(t *testing.T) {
	tests := []struct {
		line             string
		frExpr, bfgExpr  string
		frRepl, bfgRepl  string
		frRegex, bfgRegx bool
	}{
		{"a==>b==>c", "a==>b", "a", "c", "b==>c", false, false},
		{"abc===>X", "abc=", "abc=", "X", "X", false, false},
		{"#x==>Y", "#x", "#x", "Y", "Y", false, false},
		{"  sp  ==>Y", "  sp  ", "  sp  ", "Y", "Y", false, false},
		{"literal:regex:a==>Y", "regex:a", "regex:a", "Y", "Y", false, false},
		{"regex:a+==>Y", "a+", "a+", "Y", "Y", true, true},
		{"plain", "plain", "plain", "***REMOVED***", "***REMOVED***", false, false},
	}
	for _, tt := range tests {
		fr := parseFilterRepo(t, tt.line+"\n")
		bfg, err := parseBFG(tt.line + "\n")
		if err != nil || len(fr) != 1 || len(bfg) != 1 {
			t.Fatalf("%q: parsed %v / %v (%v)", tt.line, fr, bfg, err)
		}
		if fr[0] != (replaceRule{tt.frRegex, tt.frExpr, tt.frRepl}) {
			t.Errorf("%q: filter-repo reads %+v", tt.line, fr[0])
		}
		if bfg[0] != (replaceRule{tt.bfgRegx, tt.bfgExpr, tt.bfgRepl}) {
			t.Errorf("%q: BFG reads %+v", tt.line, bfg[0])
		}
	}
	if _, err := parseBFG("a\u2028b==>X\n"); err == nil {
		t.Error("BFG model accepts a line holding U+2028")
	}
}

// TestQuoteRegexMatchesExactly: every escaped value compiles and matches
// itself, whole, and nothing that differs in one character.
func TestQuoteRegexMatchesExactly(t *testing.T) {
	values := []string{
		`a.b*c+d?e(f)g[h]i{j}k|l^m$n\o/p`, "tab\there", "nul\x00and\x7fdel",
		"a==>b", "#hash", "sp ace", "ünïcödé-Ω", "sep\u2028x", "line1\nline2\r\nline3",
		"<>'\"`~!@%&-=_;:,",
	}
	for _, v := range values {
		for _, flexible := range []bool{false, true} {
			q, _ := quoteRegex(v, flexible)
			if strings.Contains(q, "==>") {
				t.Errorf("%q: escaped form %q still holds ==>", v, q)
			}
			re, err := regexp2.Compile("^(?:"+q+")$", regexp2.None)
			if err != nil {
				t.Fatalf("%q → %q: %v", v, q, err)
			}
			if ok, _ := re.MatchString(v); !ok {
				t.Errorf("%q → %q does not match the value", v, q)
			}
			// A Java line separator is matched by width ([\s\S]{1,3}),
			// the one place where the escape is looser than the value.
			if ok, _ := re.MatchString(v + "x"); ok && !strings.ContainsRune(v, '\u2028') {
				t.Errorf("%q → %q matches more than the value", v, q)
			}
		}
	}
}

func TestRenderIsOneLinePerEntry(t *testing.T) {
	p := Build([]scanner.Finding{
		fnd("groq-api-key", "groq-api-key", groq, groq),
		fnd("private-key-rsa", "k", pemLF, pemLF),
	})
	file := string(Render(p.Text))
	if n := strings.Count(file, "\n"); n != len(p.Text) {
		t.Errorf("%d newlines for %d lines", n, len(p.Text))
	}
	if strings.Contains(file, "#") || strings.Contains(file, "\r") {
		t.Errorf("file holds a comment or a CR:\n%s", file)
	}
	if p.Text[0].Kind != Literal {
		t.Errorf("literal lines must come first: %v", kindsOf(p.Text))
	}
}

func TestMessagesGoToTheirOwnFile(t *testing.T) {
	inMsg := fnd("github-pat", "github-pat", "ghp_"+strings.Repeat("Ab1", 12), "token ghp_"+strings.Repeat("Ab1", 12))
	inMsg.InMessage, inMsg.File = true, ""
	p := Build([]scanner.Finding{fnd("groq-api-key", "groq-api-key", groq, groq), inMsg})
	if len(p.Text) != 1 || len(p.Message) != 1 {
		t.Fatalf("text %v, message %v", p.Text, p.Message)
	}
	if p.Message[0].Name != "github-pat" || fmt.Sprint(p.MessageNames) != "[github-pat]" {
		t.Errorf("message lines %+v", p.Message)
	}
	if fmt.Sprint(p.Names) != "[github-pat groq-api-key]" {
		t.Errorf("names %v", p.Names)
	}
}

func TestSurvivors(t *testing.T) {
	redacted := func(f scanner.Finding) scanner.Finding { return f.Redacted() }
	a := scanner.Finding{RuleID: "groq-api-key", File: "app.py", Secret: groq, Fingerprint: "fp-a"}
	b := scanner.Finding{RuleID: "github-pat", File: "ci.env", Secret: "ghp_x", Fingerprint: "fp-b"}
	moved := scanner.Finding{RuleID: "groq-api-key", File: "other.py", Secret: groq, Fingerprint: "fp-moved"}
	other := scanner.Finding{RuleID: "aws", File: "x", Secret: "AKIA...", Fingerprint: "fp-other"}
	tests := []struct {
		name          string
		before, after []scanner.Finding
		want          []string
	}{
		{"nothing left", []scanner.Finding{redacted(a), redacted(b)}, nil, nil},
		{"same fingerprint", []scanner.Finding{redacted(a), redacted(b)}, []scanner.Finding{a, other}, []string{"fp-a"}},
		{"redacted report: value elsewhere is not matched", []scanner.Finding{redacted(a)}, []scanner.Finding{moved}, nil},
		{"report with values: value elsewhere is matched", []scanner.Finding{a}, []scanner.Finding{moved}, []string{"fp-moved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Survivors(tt.before, tt.after) {
				got = append(got, f.Fingerprint)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("survivors %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWriteSteps(t *testing.T) {
	p := Build([]scanner.Finding{fnd("groq-api-key", "groq-api-key", groq, groq)})
	var b strings.Builder
	err := WriteSteps(&b, Steps{
		Source: "https://github.com/acme/service.git", Mirror: "/work/my repos/service-purge.git",
		TextFile: "/work/my repos/service.leakfix-replace.txt", VerifyReport: "/work/service.leakfix-findings.json",
		StripIDsFile: "/work/ids.txt", Plan: p,
		Unreachable: []Unreachable{{ID: "abc", Size: 3<<20 + 5, Large: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, groq) {
		t.Fatal("steps hold a value")
	}
	// Order within each tool's block: clone, rewrite, expire+gc, verify, push.
	for _, tool := range []string{"With git filter-repo:", "With BFG Repo-Cleaner:"} {
		block := out[strings.Index(out, tool):]
		order := []string{"git clone --mirror", "--replace-text", "git reflog expire --expire=now --all && git gc --prune=now --aggressive",
			"leakfix purge --verify", "git push --force --mirror"}
		last := -1
		for _, step := range order {
			i := strings.Index(block, step)
			if i < 0 || i < last {
				t.Errorf("%s: %q missing or out of order", tool, step)
			}
			last = i
		}
	}
	for _, want := range []string{
		"'/work/my repos/service-purge.git'",
		"git filter-repo --replace-refs delete-no-add --replace-text '/work/my repos/service.leakfix-replace.txt' --strip-blobs-with-ids /work/ids.txt",
		"--filter-content-size-threshold 4M",
		"ROTATE every one of these 1 secret(s)",
		"    groq-api-key\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("steps lack %q:\n%s", want, out)
		}
	}
}

// TestWriteStepsMessagesOnly: BFG rewrites no commit messages, so with
// secrets in messages alone it has nothing to do.
func TestWriteStepsMessagesOnly(t *testing.T) {
	f := fnd("github-pat", "github-pat", "ghp_"+strings.Repeat("Ab1", 12), "ghp_"+strings.Repeat("Ab1", 12))
	f.InMessage = true
	var b strings.Builder
	if err := WriteSteps(&b, Steps{Source: "/r", Local: true, Mirror: "/r-purge.git", TextFile: "/t.txt",
		MessageFile: "/m.txt", VerifyReport: "/f.json", Plan: Build([]scanner.Finding{f})}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"git clone --mirror --no-local /r /r-purge.git",
		"git filter-repo --replace-refs delete-no-add --replace-message /m.txt\n",
		"nothing to do for BFG",
		"Delete /m.txt when you are done: it holds",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("steps lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--replace-text") || strings.Contains(out, "/t.txt") {
		t.Errorf("steps name a replace-text file that was not written:\n%s", out)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b.txt": "/a/b.txt", "a b": "'a b'", "it's": `'it'\''s'`, "": "''", "$HOME": "'$HOME'",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
