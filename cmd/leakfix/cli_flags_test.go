package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestFlagSyntax: GNU long and short flags, anywhere on the line, and the
// deprecated single-dash long form, all reach the same flags.
func TestFlagSyntax(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.py"), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "r.json")
	tests := []struct {
		name       string
		args       []string
		code       int
		jsonOut    bool   // stdout is a JSON report
		file       bool   // the report went to out
		deprecated string // the flag the warning names, "" for none
	}{
		{"long after path", []string{"scan", dir, "--format", "json"}, 1, true, false, ""},
		{"long with =", []string{"scan", "--format=json", dir}, 1, true, false, ""},
		{"short", []string{"scan", dir, "-f", "json"}, 1, true, false, ""},
		{"short glued", []string{"scan", dir, "-fjson"}, 1, true, false, ""},
		{"short cluster", []string{"scan", dir, "-qf", "json"}, 1, true, false, ""},
		{"output short", []string{"scan", dir, "-q", "-f", "json", "-o", out}, 1, false, true, ""},
		{"gitleaks aliases", []string{"scan", dir, "--report-format", "json", "--report-path", out}, 1, false, true, ""},
		{"single-dash long", []string{"scan", dir, "-format", "json"}, 1, true, false, "-format"},
		{"single-dash long with =", []string{"scan", "-format=json", dir}, 1, true, false, "-format"},
		{"single-dash bool", []string{"scan", dir, "-quiet", "-format", "json"}, 1, true, false, "-quiet"},
		{"single-dash help", []string{"scan", "-help"}, 0, false, false, "-help"},
		{"single-dash version", []string{"-version"}, 0, false, false, "-version"},
		{"unknown single-dash", []string{"scan", dir, "-frobnicate"}, 2, false, false, ""},
		{"after --", []string{"scan", "--", "-format"}, 2, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(out)
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			if tt.jsonOut && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not a JSON report: %q", stdout)
			}
			if _, err := os.Stat(out); (err == nil) != tt.file {
				t.Errorf("report file written: %v, want %v", err == nil, tt.file)
			}
			warned := strings.Contains(stderr, "deprecated")
			if warned != (tt.deprecated != "") || (warned && !strings.Contains(stderr, tt.deprecated+" is deprecated; use -"+tt.deprecated)) {
				t.Errorf("stderr %q: want a deprecation warning for %q", stderr, tt.deprecated)
			}
			if strings.Contains(stdout+stderr, cliGroq) {
				t.Error("raw secret in output")
			}
		})
	}
}

// TestNormalizeSingleDash: only names the command has are rewritten; flag
// values, short forms and everything after -- are left alone.
func TestNormalizeSingleDash(t *testing.T) {
	root := newRootCmd(&env{})
	for _, tt := range []struct{ in, want string }{
		{"scan -format json .", "scan --format json ."},
		{"scan . -no-ignore -max-file-size=5", "scan . --no-ignore --max-file-size=5"},
		{"history --log-opts -since . -quiet", "history --log-opts -since . --quiet"}, // -since is --log-opts' value
		{"scan -f -format", "scan -f -format"},                                        // -format is -f's value
		{"scan -qv -", "scan -qv -"},
		{"scan -- -format", "scan -- -format"},
		{"scan -frob", "scan -frob"},
		{"-version", "--version"},
	} {
		var warn strings.Builder
		got := strings.Join(normalizeSingleDash(root, strings.Fields(tt.in), &warn), " ")
		if got != tt.want {
			t.Errorf("%q → %q, want %q", tt.in, got, tt.want)
		}
		if (got != tt.in) != strings.Contains(warn.String(), "deprecated") {
			t.Errorf("%q: warning %q", tt.in, warn.String())
		}
	}
}

// TestShortFlags: -f, -o, -c, -q and -v mean the same long flag on every
// command that has it, and -h is help everywhere.
func TestShortFlags(t *testing.T) {
	want := map[string]string{"format": "f", "output": "o", "config": "c", "quiet": "q", "verbose": "v"}
	for _, c := range newRootCmd(&env{}).Commands() {
		c.InitDefaultHelpFlag()
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if s, ok := want[f.Name]; ok && f.Shorthand != s {
				t.Errorf("%s --%s: short form %q, want -%s", c.Name(), f.Name, f.Shorthand, s)
			}
			if f.Shorthand != "" && want[f.Name] == "" && f.Name != "help" {
				t.Errorf("%s --%s has an unplanned short form -%s", c.Name(), f.Name, f.Shorthand)
			}
		})
	}
	for _, args := range [][]string{{"scan", "-h"}, {"plan", "-h"}, {"merge", "-h"}} {
		if code, out, _ := runCLI(t, "", args...); code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%q: exit %d", args, code)
		}
	}
	if code, _, stderr := runCLI(t, "", "help", "frob"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("help frob: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, ""); code != 2 || !strings.Contains(stderr, "Usage: leakfix") {
		t.Errorf("no command: exit %d, stderr %q", code, stderr)
	}
}

// TestUnknownCommandSuggests: a near miss names the command meant.
func TestUnknownCommandSuggests(t *testing.T) {
	for _, tt := range []struct{ typed, want string }{
		{"scna", "did you mean scan?"},
		{"histroy", "did you mean history?"},
		{"zzzzz", "commands: baseline, completion"},
	} {
		if code, _, stderr := runCLI(t, "", tt.typed); code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.typed, code, stderr, tt.want)
		}
	}
}
