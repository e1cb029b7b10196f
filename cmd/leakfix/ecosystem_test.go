package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Tests for how leakfix fits around other tools: config discovery, gitleaks
// configs, allow mechanisms, SARIF for GitHub, and CLI conventions.

// ecoRequireTool returns program's path, or skips without it — or fails
// under LEAKFIX_REQUIRE_TOOLS=1, as CI sets after installing it.
func ecoRequireTool(t *testing.T, program string) string {
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

// ecoRepo makes a git work tree holding files.
func ecoRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	git := ecoRequireTool(t, "git")
	dir := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	ecoWrite(t, dir, files)
	return dir
}

func ecoWrite(t *testing.T, dir string, files map[string]string) {
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
}

// ecoGit runs git in dir with a fixed identity.
func ecoGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

type ecoFinding struct {
	RuleID      string `json:"rule_id"`
	File        string `json:"file"`
	StartLine   int    `json:"start_line"`
	Secret      string `json:"secret"`
	Fingerprint string `json:"fingerprint"`
}

// ecoScan runs `leakfix scan ... --format json` and decodes the findings.
func ecoScan(t *testing.T, args ...string) (code int, fs []ecoFinding, stderr string) {
	t.Helper()
	code, out, stderr := runCLI(t, "", append(append([]string{"scan"}, args...), "--format", "json")...)
	if code == 2 {
		t.Fatalf("scan %v: exit 2: %s", args, stderr)
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("scan %v: %v\n%s", args, err, out)
	}
	return code, fs, stderr
}

func ecoRuleIDs(fs []ecoFinding) string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID+"@"+f.File)
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

// Secrets the tests plant; each distinct so fingerprints differ.
const (
	ecoGroqA = "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"
	ecoGroqB = "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"
	ecoToken = "tok_Q8wZ3kD7fJ2hX9mV4nC6rB1t"
)

// tokenPack is a one-rule pack whose rule id says which file it came from.
func tokenPack(id string) string {
	return "[[rules]]\nid = \"" + id + "\"\ndescription = \"test token\"\nregex = '''\\b(tok_[A-Za-z0-9]{24})\\b'''\nkeywords = [\"tok_\"]\n"
}

// TestConfigDiscoveryOrder: --config, then .leakfix.toml, .gitleaks.toml
// and gitleaks.toml at the repository root, then the embedded pack —
// also when the scan starts in a subdirectory.
func TestConfigDiscoveryOrder(t *testing.T) {
	src := map[string]string{"src/app.py": "TOKEN = \"" + ecoToken + "\"\n"}
	tests := []struct {
		name    string
		configs []string // files at the root, each defining rule "from-<name>"
		flag    bool     // --config flag.toml as well
		want    string   // rule id that reports the token; "" = none of the files' rules
	}{
		{"embedded pack", nil, false, ""},
		{"gitleaks.toml", []string{"gitleaks.toml"}, false, "from-gitleaks.toml"},
		{".gitleaks.toml before gitleaks.toml", []string{"gitleaks.toml", ".gitleaks.toml"}, false, "from-.gitleaks.toml"},
		{".leakfix.toml before gitleaks'", []string{".gitleaks.toml", "gitleaks.toml", ".leakfix.toml"}, false, "from-.leakfix.toml"},
		{"--config beats every file", []string{".gitleaks.toml", ".leakfix.toml"}, true, "from-flag.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := ecoRepo(t, src)
			for _, c := range tt.configs {
				ecoWrite(t, repo, map[string]string{c: tokenPack("from-" + c)})
			}
			args := []string{}
			if tt.flag {
				flagFile := filepath.Join(t.TempDir(), "flag.toml")
				ecoWrite(t, filepath.Dir(flagFile), map[string]string{"flag.toml": tokenPack("from-flag.toml")})
				args = append(args, "--config", flagFile)
			}
			for _, root := range []string{repo, filepath.Join(repo, "src")} {
				_, fs, stderr := ecoScan(t, append([]string{root, "--verbose"}, args...)...)
				got := ""
				for _, f := range fs {
					got = f.RuleID
				}
				if tt.want == "" && !strings.HasPrefix(got, "from-") {
					got = "" // the embedded pack may or may not report it
				}
				if got != tt.want {
					t.Errorf("scan %s: token reported by %q, want %q", root, got, tt.want)
				}
				if !strings.Contains(stderr, "rule pack ") {
					t.Errorf("--verbose does not name the rule pack: %q", stderr)
				}
			}
		})
	}
}

// gitleaksCompatConfig is gitleaks' default config beside the repository,
// read at test time (never copied into the project).
var gitleaksCompatConfig = filepath.Join("..", "..", "testdata", "compat", "gitleaks.toml")

// TestGitleaksConfigUsedUnchanged: a repository that only has gitleaks'
// config gets scanned with it, as is.
func TestGitleaksConfigUsedUnchanged(t *testing.T) {
	data, err := os.ReadFile(gitleaksCompatConfig)
	if err != nil {
		t.Fatalf("gitleaks config not found at %s (testdata/compat): %v", gitleaksCompatConfig, err)
	}
	repo := ecoRepo(t, map[string]string{
		".gitleaks.toml": string(data),
		"deploy.sh":      "git clone https://ghp_R7kq2Lx9Vm4Tn8Wp3Zs6Yb1Hc5Jd0Fg2Ka7E@github.com/org/repo.git\n",
		"billing.js":     "const stripe = require('stripe')('sk_live_4eC39HqLyjWDarjtT7zdp7dc');\n",
	})
	code, fs, stderr := ecoScan(t, repo, "--verbose")
	if code != 1 || ecoRuleIDs(fs) != "github-pat@deploy.sh stripe-access-token@billing.js" {
		t.Fatalf("exit %d, findings %s", code, ecoRuleIDs(fs))
	}
	if !strings.Contains(stderr, ".gitleaks.toml: 222 rules (0 on regexp2)") {
		t.Errorf("--verbose should name gitleaks' config and its rule count: %q", stderr)
	}
}

// TestAllowMechanisms drives every way to allow a finding through the CLI;
// each case also holds a control secret that must still be reported.
func TestAllowMechanisms(t *testing.T) {
	control := "other.py"
	tests := []struct {
		name  string
		files map[string]string
		// ignoreFirst: write the allowed finding's fingerprint to
		// .leakfixignore after a first scan.
		ignoreFirst bool
	}{
		{"inline leakfix:allow", map[string]string{"app.py": "groq_api_key = \"" + ecoGroqA + "\"  # leakfix:allow test fixture\n"}, false},
		{"inline gitleaks:allow", map[string]string{"app.py": "groq_api_key = \"" + ecoGroqA + "\"  # gitleaks:allow\n"}, false},
		{"inline pragma: allowlist secret", map[string]string{"app.py": "groq_api_key = \"" + ecoGroqA + "\"  # pragma: allowlist secret\n"}, false},
		{".leakfixignore fingerprint", map[string]string{"app.py": "groq_api_key = \"" + ecoGroqA + "\"\n"}, true},
		{"path allowlist in .leakfix.toml", map[string]string{
			".leakfix.toml":      "[extend]\nuseDefault = true\n\n[[allowlists]]\ndescription = \"test fixtures\"\npaths = ['''^fixtures/''']\n",
			"fixtures/groq.py":   "groq_api_key = \"" + ecoGroqA + "\"\n",
			"fixtures/nested.py": "GROQ_API_KEY = \"" + ecoGroqA + "\"\n",
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := ecoRepo(t, tt.files)
			ecoWrite(t, repo, map[string]string{control: "groq_key = \"" + ecoGroqB + "\"\n"})
			if tt.ignoreFirst {
				_, fs, _ := ecoScan(t, repo)
				var lines []string
				for _, f := range fs {
					if f.File != control {
						lines = append(lines, f.Fingerprint+"  # "+f.File+": test fixture")
					}
				}
				if len(lines) != 1 {
					t.Fatalf("first scan: %s", ecoRuleIDs(fs))
				}
				ecoWrite(t, repo, map[string]string{".leakfixignore": "# known test fixtures\n" + strings.Join(lines, "\n") + "\n"})
			}
			code, fs, _ := ecoScan(t, repo)
			if code != 1 || len(fs) != 1 || fs[0].File != control {
				t.Fatalf("exit %d, findings %s: want only %s", code, ecoRuleIDs(fs), control)
			}
		})
	}
}

// TestExtendDefaultPack: .leakfix.toml with [extend] useDefault adds a rule
// to the default pack and disables one.
func TestExtendDefaultPack(t *testing.T) {
	repo := ecoRepo(t, map[string]string{
		".leakfix.toml": "[extend]\nuseDefault = true\ndisabledRules = [\"stripe-secret-key\"]\n\n" + tokenPack("internal-token"),
		"a.py":          "groq_api_key = \"" + ecoGroqA + "\"\nTOKEN = \"" + ecoToken + "\"\nstripe_key = \"sk_live_4eC39HqLyjWDarjtT7zdp7dc\"\n",
	})
	_, fs, _ := ecoScan(t, repo)
	got := ecoRuleIDs(fs)
	if !strings.Contains(got, "internal-token@a.py") || !strings.Contains(got, "groq") || strings.Contains(got, "stripe") {
		t.Errorf("findings %s: want the default pack's groq rule, our token rule, and no stripe rule", got)
	}
}

// sarifRuns decodes what the GitHub tests read from a SARIF report.
type sarifRuns struct {
	Runs []struct {
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []struct {
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func ecoSARIF(t *testing.T, args ...string) sarifRuns {
	t.Helper()
	code, out, stderr := runCLI(t, "", append(args, "--format", "sarif")...)
	if code == 2 {
		t.Fatalf("%v: %s", args, stderr)
	}
	var doc sarifRuns
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("%v: %v (%d runs)", args, err, len(doc.Runs))
	}
	return doc
}

// TestSARIFForGitHub: tree and history scans land in different code-scanning
// categories by default, --category sets one, and fingerprints do not move
// when lines do.
func TestSARIFForGitHub(t *testing.T) {
	repo := ecoRepo(t, map[string]string{"svc/main.py": "import os\ngroq_api_key = \"" + ecoGroqA + "\"\n"})
	ecoGit(t, repo, "add", "-A")
	ecoGit(t, repo, "commit", "-q", "-m", "add service")

	tree := ecoSARIF(t, "scan", repo)
	hist := ecoSARIF(t, "history", repo)
	custom := ecoSARIF(t, "scan", repo, "--category", "monorepo/svc")
	if got := tree.Runs[0].AutomationDetails.ID; got != "leakfix/tree/" {
		t.Errorf("scan category %q", got)
	}
	if got := hist.Runs[0].AutomationDetails.ID; got != "leakfix/history/" {
		t.Errorf("history category %q", got)
	}
	if got := custom.Runs[0].AutomationDetails.ID; got != "monorepo/svc/" {
		t.Errorf("--category gives %q", got)
	}
	fp := func(d sarifRuns) string {
		r := d.Runs[0].Results
		if len(r) != 1 {
			t.Fatalf("%d results", len(r))
		}
		return r[0].PartialFingerprints["leakfixFingerprint/v1"]
	}
	before := fp(tree)
	ecoWrite(t, repo, map[string]string{"svc/main.py": "import os\nimport sys\n\n\n# config\ngroq_api_key = \"" + ecoGroqA + "\"\n"})
	moved := ecoSARIF(t, "scan", repo)
	if fp(moved) != before || before == "" {
		t.Errorf("fingerprint changed when the line moved: %q → %q", before, fp(moved))
	}
	if l := moved.Runs[0].Results[0].Locations[0].PhysicalLocation; l.Region.StartLine != 6 || l.ArtifactLocation.URI != "svc/main.py" {
		t.Errorf("moved location %+v", l)
	}
}

// TestHelpForEveryCommand: every command answers --help with its usage and
// examples, on stdout, exit 0.
func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range newRootCmd(&env{}).Commands() {
		if c.Hidden {
			continue
		}
		for _, args := range [][]string{{c.Name(), "--help"}, {c.Name(), "-h"}, {"help", c.Name()}} {
			code, out, stderr := runCLI(t, "", args...)
			if code != 0 || !strings.Contains(out, "Usage: leakfix "+c.Name()) || !strings.Contains(out, "Examples:") {
				t.Errorf("leakfix %s: exit %d, stdout lacks usage or Examples:\n%s%s", strings.Join(args, " "), code, out, stderr)
			}
		}
	}
}

// ecoRunEnv runs one command line with a chosen environment and terminal.
func ecoRunEnv(t *testing.T, vars map[string]string, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, stdoutIsTTY: tty, stderrIsTTY: tty,
		getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// TestNoColorAndQuiet: colour only on a terminal and never with NO_COLOR or
// --no-color; --quiet leaves stderr to errors.
func TestNoColorAndQuiet(t *testing.T) {
	repo := ecoRepo(t, map[string]string{
		"a.py":   "groq_api_key = \"" + ecoGroqA + "\"\n",
		"big.py": strings.Repeat("x = 1\n", 100),
	})
	for _, tt := range []struct {
		name   string
		vars   map[string]string
		tty    bool
		flags  []string
		colour bool
	}{
		{"terminal", nil, true, nil, true},
		{"pipe", nil, false, nil, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, true, nil, false},
		{"--no-color", nil, true, []string{"--no-color"}, false},
	} {
		_, out, _ := ecoRunEnv(t, tt.vars, tt.tty, append([]string{"scan", repo}, tt.flags...)...)
		if got := strings.Contains(out, "\x1b["); got != tt.colour {
			t.Errorf("%s: colour %v, want %v", tt.name, got, tt.colour)
		}
	}
	// The report summary written with --output is an operational message
	// --quiet hides; a file skipped for size is not: it is an incomplete
	// scan, named on stderr with --quiet too, and exit 2.
	out := filepath.Join(t.TempDir(), "r.json")
	_, _, loud := ecoRunEnv(t, nil, false, "scan", repo, "--format", "json", "--output", out)
	code, _, quiet := ecoRunEnv(t, nil, false, "scan", repo, "--format", "json", "--output", out, "--quiet")
	if loud == "" || quiet != "" || code != 1 {
		t.Errorf("--quiet: exit %d; stderr without it %q, with it %q", code, loud, quiet)
	}
	code, _, quiet = ecoRunEnv(t, nil, false, "scan", repo, "--max-file-size", "100", "--quiet")
	if code != 2 || !strings.Contains(quiet, "big.py") {
		t.Errorf("--quiet with a file skipped for size: exit %d, stderr %q; want 2 naming big.py", code, quiet)
	}
}

// TestVerboseNeverPrintsSecret: --verbose says more, never a value, in any
// format or command.
func TestVerboseNeverPrintsSecret(t *testing.T) {
	repo := ecoRepo(t, map[string]string{
		"a.py":          "groq_api_key = \"" + ecoGroqA + "\"  # " + ecoGroqB + "\n",
		".leakfix.toml": "[extend]\nuseDefault = true\n" + tokenPack("internal-token"),
		"b.env":         "TOKEN=" + ecoToken + "\n",
	})
	ecoGit(t, repo, "add", "-A")
	ecoGit(t, repo, "commit", "-q", "-m", "config "+ecoGroqB)
	base := filepath.Join(t.TempDir(), "base.json")
	runs := [][]string{
		{"scan", repo, "--verbose"},
		{"scan", repo, "--verbose", "--format", "json"},
		{"scan", repo, "--verbose", "--format", "sarif"},
		{"scan", repo, "--verbose", "--write-baseline", base},
		{"scan", repo, "--verbose", "--baseline", base},
		{"history", repo, "--verbose"},
		{"history", repo, "--verbose", "--format", "json"},
	}
	for _, args := range runs {
		code, out, stderr := runCLI(t, "", args...)
		if code == 2 {
			t.Fatalf("%v: %s", args, stderr)
		}
		if !strings.Contains(stderr, "rule pack") {
			t.Errorf("%v: --verbose said nothing: %q", args, stderr)
		}
		for _, secret := range []string{ecoGroqA, ecoGroqB, ecoToken} {
			if strings.Contains(stderr, secret) || strings.Contains(out, secret) {
				t.Errorf("%v: output holds a secret", args)
			}
		}
	}
}
