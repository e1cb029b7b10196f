package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

const cliGroq = "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"

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean")
	dirty := filepath.Join(dir, "dirty")
	os.MkdirAll(clean, 0o755)
	os.MkdirAll(dirty, 0o755)
	os.WriteFile(filepath.Join(clean, "a.py"), []byte("x = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dirty, "a.py"), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	badCfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(badCfg, []byte("[[rules]]\nid = \"x\"\nregex = '(('\n"), 0o644)

	tests := []struct {
		name    string
		args    []string
		code    int
		errWant string
	}{
		{"clean", []string{"scan", clean}, 0, ""},
		{"findings", []string{"scan", dirty}, 1, ""},
		{"missing path", []string{"scan", filepath.Join(dir, "nope")}, 2, "no such file"},
		{"bad config", []string{"scan", dirty, "--config", badCfg}, 2, "bad.toml:1"},
		{"bad format", []string{"scan", dirty, "--format", "xml"}, 2, "--format"},
		{"unknown flag", []string{"scan", "--frobnicate"}, 2, "frobnicate"},
		{"unknown command", []string{"frob"}, 2, "unknown command"},
		{"help", []string{"scan", "--help"}, 0, ""},
		{"version", []string{"version"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr: %s)", code, tt.code, stderr)
			}
			if tt.errWant != "" && !strings.Contains(stderr, tt.errWant) {
				t.Errorf("stderr %q lacks %q", stderr, tt.errWant)
			}
			if strings.Contains(stderr, cliGroq) {
				t.Error("secret on stderr")
			}
		})
	}
}

func TestScanStdinAndFlagsAfterArgs(t *testing.T) {
	code, out, _ := runCLI(t, `GROQ_API_KEY="`+cliGroq+`"`, "scan", "-", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0]["file"] != "stdin" || fs[0]["secret"] != "REDACTED" || fs[0]["secret_name"] != "groq-api-key" {
		t.Fatalf("findings = %v", fs)
	}
	if strings.Contains(out, cliGroq) {
		t.Fatal("secret in JSON")
	}
}

func TestOutputFileAndBaseline(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.py"), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	base := filepath.Join(dir, "baseline.json")
	if code, _, stderr := runCLI(t, "", "scan", src, "--format", "json", "--output", base); code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Move the secret down: the baseline still covers it.
	os.WriteFile(filepath.Join(src, "a.py"), []byte("\n\n# moved\n"+`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	code, out, _ := runCLI(t, "", "scan", src, "--baseline", base, "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("with baseline: exit %d, out %s", code, out)
	}
	// A new secret is still reported.
	os.WriteFile(filepath.Join(src, "b.py"), []byte(`groq = "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"`+"\n"), 0o644)
	if code, _, _ := runCLI(t, "", "scan", src, "--baseline", base); code != 1 {
		t.Fatalf("new secret not reported past the baseline: exit %d", code)
	}

	// --write-baseline records both, redacted, and exits 0 although there
	// are findings; with it, moved lines and all, nothing is reported.
	written := filepath.Join(dir, "leakfix-baseline.json")
	code, out, stderr := runCLI(t, "", "scan", src, "--write-baseline", written)
	if code != 0 || out != "" || !strings.Contains(stderr, "2 finding(s)") {
		t.Fatalf("--write-baseline: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	data, err := os.ReadFile(written)
	if err != nil || strings.Contains(string(data), "gsk_") || !strings.Contains(string(data), `"fingerprint"`) {
		t.Fatalf("baseline file: %v\n%s", err, data)
	}
	os.WriteFile(filepath.Join(src, "b.py"), []byte("import os\n\n\n"+`groq = "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"`+"\n"), 0o644)
	if code, out, _ := runCLI(t, "", "scan", src, "--baseline", written, "--format", "json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("with the written baseline: exit %d, out %s", code, out)
	}
	if code, _, stderr := runCLI(t, "", "scan", src, "--write-baseline", written, "--output", base); code != 2 || !strings.Contains(stderr, "--write-baseline") {
		t.Errorf("--write-baseline with --output: exit %d, %s", code, stderr)
	}
}
