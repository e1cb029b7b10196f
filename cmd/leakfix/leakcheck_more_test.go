package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// leakCase is one command line of TestNoRawSecretAnywhere.
type leakCase struct {
	name  string
	stdin string
	args  []string
}

// newerLeakCases are the output formats and commands added after the leak
// matrix was first written: gitleaks' formats and a template, partial
// redaction, merge, shards, fix --no-helper, and plan after fix (which
// reads the values fix recorded as moved). checks holds extra assertions
// on a case's stdout+stderr, by case name.
func newerLeakCases(repo, work string, out func(string) string, fixCopy func() string) ([]leakCase, map[string]func(*testing.T, string)) {
	tmpl := filepath.Join(work, "leak.tmpl")
	// A template that asks for every field that could hold the value.
	os.WriteFile(tmpl, []byte("{{range .}}{{.File}}|{{.Secret}}|{{.Match}}|{{.Message}}|{{.Fingerprint}}\n{{end}}"), 0o644)
	var cases []leakCase
	checks := map[string]func(*testing.T, string){}
	for _, cmd := range []string{"scan", "history"} {
		for _, f := range []string{"gitleaks-json", "csv", "junit"} {
			cases = append(cases,
				leakCase{cmd + " " + f, "", []string{cmd, repo, "--format", f}},
				leakCase{cmd + " --output " + f, "", []string{cmd, repo, "--format", f, "--output", out(cmd + "." + f)}})
		}
		cases = append(cases,
			leakCase{cmd + " template", "", []string{cmd, repo, "--format", "template", "--report-template", tmpl}},
			leakCase{cmd + " --output template", "", []string{cmd, repo, "--format", "template", "--report-template", tmpl, "--output", out(cmd + ".tmpl.txt")}})
		for _, pct := range []string{"0", "1", "20", "50", "75", "99"} {
			for _, f := range []string{"json", "gitleaks-json", "csv", "text", "sarif"} {
				name := cmd + " --redact=" + pct + " " + f
				cases = append(cases, leakCase{name, "", []string{cmd, repo, "--redact=" + pct, "--format", f}})
				checks[name] = atMostLeading(pct)
			}
		}
		name := cmd + " --redact=50 template"
		cases = append(cases, leakCase{name, "", []string{cmd, repo, "--redact=50", "--format", "template", "--report-template", tmpl}})
		checks[name] = atMostLeading("50")
	}
	cases = append(cases,
		leakCase{"scan --shard 1/2", "", []string{"scan", repo, "--shard", "1/2", "--format", "json", "--output", out("shard1.json")}},
		leakCase{"scan --shard 2/2", "", []string{"scan", repo, "--shard", "2/2", "--format", "json", "--output", out("shard2.json")}},
		leakCase{"scan --shard 1/2 sarif", "", []string{"scan", repo, "--shard", "1/2", "--format", "sarif", "--output", out("shard1.sarif")}},
		leakCase{"scan --shard 2/2 sarif", "", []string{"scan", repo, "--shard", "2/2", "--format", "sarif", "--output", out("shard2.sarif")}},
		leakCase{"history --shard 1/2", "", []string{"history", repo, "--shard", "1/2"}},
		leakCase{"merge json", "", []string{"merge", out("shard1.json"), out("shard2.json")}},
		leakCase{"merge json --output", "", []string{"merge", "--output", out("merged.json"), out("shard1.json"), out("shard2.json")}},
		leakCase{"merge sarif", "", []string{"merge", out("shard1.sarif"), out("shard2.sarif")}},
		leakCase{"merge sarif --output", "", []string{"merge", "--output", out("merged.sarif"), out("shard1.sarif"), out("shard2.sarif")}},
		leakCase{"merge scan and history sarif", "", []string{"merge", out("scan.sarif"), out("history.sarif")}},
		leakCase{"fix --no-helper", "", []string{"fix", repo, "--no-helper", "--verbose"}},
		leakCase{"fix --no-helper --write", "", []string{"fix", fixCopy(), "--no-helper", "--write", "--verbose"}},
	)
	// plan after fix: fix --write records the values it moved (in .git,
	// mode 0600); plan reads them back. They may reach the values file
	// only, never plan's stdout, stderr, plan.json or snippets.
	moved := fixCopy()
	cases = append(cases, leakCase{"fix --write before plan", "", []string{"fix", moved, "--write"}})
	for _, target := range []string{"azure-keyvault", "aws-secrets-manager", "hashicorp-vault", "gcp-secret-manager"} {
		cases = append(cases,
			leakCase{"plan after fix " + target, "", []string{"plan", moved, "--target", target, "--out", out("moved-plan-" + target), "--verbose"}})
	}
	// And from a report of the fixed tree, values read back under --root.
	cases = append(cases,
		leakCase{"scan after fix", "", []string{"scan", moved, "--format", "json", "--output", out("moved.json")}},
		leakCase{"plan --from after fix", "", []string{"plan", "--from", out("moved.json"), "--root", moved, "--target", "hashicorp-vault", "--out", out("moved-plan-from"), "--verbose"}})
	return cases, checks
}

// atMostLeading checks that under --redact=N no run of more than the
// leading (100-N)% of a secret's characters appears (at least 1 shown).
func atMostLeading(pct string) func(*testing.T, string) {
	return func(t *testing.T, output string) {
		t.Helper()
		n := 0
		for _, c := range pct {
			n = n*10 + int(c-'0')
		}
		for _, s := range []string{cliGroq, histAWS} {
			shown := len(s) * (100 - n) / 100
			if n == 0 {
				shown = 0 // --redact=0 is leakfix's full redaction, not gitleaks' none
			}
			// Any window of shown+1 characters of the secret is a leak.
			for i := 0; i+shown+1 <= len(s); i++ {
				if w := s[i : i+shown+1]; strings.Contains(output, w) && len(w) >= 6 {
					t.Errorf("--redact=%s: output shows %d characters of %s… (%q), more than the leading %d", pct, len(w), s[:4], w, shown)
					return
				}
			}
		}
	}
}
