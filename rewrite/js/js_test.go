package js

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

// nodeCheck returns a check that runs `node --check` on each output, or
// nil when node is absent (and not required).
func nodeCheck(t *testing.T) func(t *testing.T, name string, out []byte) {
	if _, err := exec.LookPath("node"); err != nil && os.Getenv("LEAKFIX_REQUIRE_TOOLS") != "1" {
		return nil
	}
	node := rewritetest.RequireTool(t, "node")
	return func(t *testing.T, name string, out []byte) {
		if strings.HasSuffix(name, ".ts") {
			return // node --check does not read TypeScript
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		if msg, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
			t.Errorf("rewritten %s fails node --check: %v\n%s", name, err, msg)
		}
	}
}

func helperPath(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "lib", "secrets.cjs")
}

func TestGolden(t *testing.T) {
	rw, err := New("", helperPath(t))
	if err != nil {
		t.Fatal(err)
	}
	rewritetest.Golden(t, "testdata", rw, nodeCheck(t))
}

func TestGoldenInputsParse(t *testing.T) {
	node := rewritetest.RequireTool(t, "node")
	inputs, _ := filepath.Glob("testdata/*.js.input")
	inputs2, _ := filepath.Glob("testdata/*.mjs.input")
	for _, in := range append(inputs, inputs2...) {
		if strings.Contains(in, "unterminated") {
			continue
		}
		path := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(in), ".input"))
		data, _ := os.ReadFile(in)
		os.WriteFile(path, data, 0o644)
		if msg, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
			t.Errorf("%s is not valid JavaScript: %v\n%s", in, err, msg)
		}
	}
}

func TestImportStyle(t *testing.T) {
	dir := t.TempDir()
	helper := filepath.Join(dir, "lib", "secrets.cjs")
	rw, err := New("", helper)
	if err != nil {
		t.Fatal(err)
	}
	src := "const token = \"ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6\";\n"
	tests := []struct {
		file, pkg, want string
	}{
		{"a.js", "", `const { getSecret } = require("./lib/secrets.cjs");`},
		{"src/a.js", `{"type": "module"}`, `import { getSecret } from "../lib/secrets.cjs";`},
		{"src/deep/a.cjs", `{"type": "module"}`, `const { getSecret } = require("../../lib/secrets.cjs");`},
		{"src/a.mjs", "", `import { getSecret } from "../lib/secrets.cjs";`},
		{"src/a.ts", "", `import { getSecret } from "../lib/secrets.cjs";`},
	}
	for _, tt := range tests {
		sub := t.TempDir()
		helper := filepath.Join(sub, "lib", "secrets.cjs")
		rw, _ = New("", helper)
		path := filepath.Join(sub, tt.file)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if tt.pkg != "" {
			os.WriteFile(filepath.Join(sub, "package.json"), []byte(tt.pkg), 0o644)
		}
		secrets := rewritetest.Secrets(t, rewritetest.Config(t), tt.file, []byte(src))
		out, err := rw.Rewrite(path, []byte(src), secrets)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if first := strings.SplitN(string(out), "\n", 2)[0]; first != tt.want {
			t.Errorf("%s: import = %s, want %s", tt.file, first, tt.want)
		}
	}
	_ = dir
}

func TestNewImportLine(t *testing.T) {
	for _, tt := range []struct {
		line string
		ok   bool
	}{
		{`import { getSecret } from "@acme/vault";`, true},
		{`const { getSecret } = require("@acme/vault");`, true},
		{`const getSecret = require("x").fetch;`, true},
		{`import { fetchSecret } from "@acme/vault";`, false},
		{`getSecret("x")`, false},
		{`import { getSecret } from "x`, false},
	} {
		_, err := New(tt.line, "")
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) = %v, want ok=%v", tt.line, err, tt.ok)
		}
	}
	if _, err := New("", "relative/secrets.cjs"); err == nil {
		t.Errorf("a relative helper path must be refused")
	}
}

func TestTokenizeErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"x = 'abc\n", "unterminated string"},
		{"x = `abc\n", "unterminated template"},
		{"x = `${a`\n", "unterminated"},
		{"x = /* abc\n", "unterminated comment"},
		{"x = (1,\n", "never closed"},
		{"x = 1)\n", "unmatched"},
		{"x = [1)\n", "does not match"},
		{"x = /abc\n", "unterminated regular expression"},
	}
	for _, tt := range tests {
		_, err := tokenize([]byte(tt.src))
		var pe *rewrite.ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("tokenize(%q) = %v, want a parse error with %q", tt.src, err, tt.msg)
		}
	}
	valid := []string{
		"a = b / c / d; r = /[/]\\//g.test(x);\n",
		"x = `a ${`b ${c}`} d`;\n",
		"x = `${ {a: 1}.a }`;\n",
		"if (a) /re/.test(b)\n",
		"return /re/;\n",
		"x = a++ / 2;\n",
		"x = 1e-5 + 0x1E + .5;\n",
		"#!/usr/bin/env node\nx = 1\n",
		"class A { #p = 1; get p() { return this.#p } }\n",
		"x = a?.b ?? c;\n",
		"const café = 'é';\n",
	}
	for _, src := range valid {
		if _, err := tokenize([]byte(src)); err != nil {
			t.Errorf("tokenize(%q): %v", src, err)
		}
	}
}

// TestWeakDefaultLeft covers fallbacks the rewriter does not take apart:
// they stay, and say why.
func TestWeakDefaultLeft(t *testing.T) {
	rw, err := New(`const { getSecret } = require("x");`, "")
	if err != nil {
		t.Fatal(err)
	}
	for src, reason := range map[string]string{
		"const w = process.env.RESET_TOKEN || `reset-${process.pid}`;\n": "template with substitutions",
		"const w = config.get('RESET_TOKEN') || 'reset-dev';\n":          "not a `process.env.X",
		"const w = process.env.RESET_TOKEN && 'reset-dev';\n":            "not a `process.env.X",
	} {
		start := strings.Index(src, "reset-")
		end := start + strings.IndexAny(src[start:], "`'")
		s := rewrite.Secret{Value: src[start:end], Start: start, End: end, Line: 1, WeakDefault: true}
		out, err := rw.Rewrite("w.js", []byte(src), []rewrite.Secret{s})
		var unfixed *rewrite.Unfixed
		if !errors.As(err, &unfixed) || string(out) != src || !strings.Contains(err.Error(), reason) {
			t.Errorf("%q: got %q, %v; want it left with %q", src, out, err, reason)
		}
	}
}
