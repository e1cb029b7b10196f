// Package rewritetest holds what the rewriter tests share: a small rule
// pack independent of the default one, a way to turn a fixture into the
// secrets a rewriter receives (through the real detector and namer), a
// golden-file runner, and the rule that tests needing an outside program
// skip without it unless LEAKFIX_REQUIRE_TOOLS=1.
package rewritetest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// Config loads the test rule pack (rules.toml beside this file).
func Config(t testing.TB) *rules.Config {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(self), "rules.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read test rules: %v", err)
	}
	cfg, err := rules.Parse(path, data)
	if err != nil {
		t.Fatalf("parse test rules: %v", err)
	}
	return cfg
}

// Findings scans src (named path) with the test pack and names the
// findings as `leakfix fix` would.
func Findings(t testing.TB, cfg *rules.Config, path string, src []byte) []scanner.Finding {
	t.Helper()
	d := scanner.New(cfg, scanner.Options{NoBase64: true})
	fs, err := d.Detect(scanner.Fragment{Path: path, Data: src})
	if err != nil {
		t.Fatalf("detect %s: %v", path, err)
	}
	scanner.SortFindings(fs)
	if err := naming.Assign(fs, cfg, nil); err != nil {
		t.Fatalf("name %s: %v", path, err)
	}
	return fs
}

// Secrets is Findings converted for a rewriter.
func Secrets(t testing.TB, cfg *rules.Config, path string, src []byte) []rewrite.Secret {
	t.Helper()
	var out []rewrite.Secret
	for _, f := range Findings(t, cfg, path, src) {
		out = append(out, rewrite.FromFinding(f))
	}
	return out
}

// Golden runs rw over every testdata/*.input file in dir and compares:
// the output with NAME.golden, a refusal's message with NAME.err, and the
// secrets left in place with NAME.left (one "line N: reason" per line).
// LEAKFIX_UPDATE_GOLDEN=1 rewrites the expectation files. The file name
// the rewriter sees is NAME with ".input" removed (so `app.py.input` is
// rewritten as app.py). check, if set, is run on each output.
func Golden(t *testing.T, dir string, rw rewrite.Rewriter, check func(t *testing.T, name string, out []byte)) {
	t.Helper()
	cfg := Config(t)
	inputs, err := filepath.Glob(filepath.Join(dir, "*.input"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", dir, err)
	}
	update := os.Getenv("LEAKFIX_UPDATE_GOLDEN") == "1"
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".input")
		name := filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			secrets := Secrets(t, cfg, name, src)
			if len(secrets) == 0 {
				t.Fatalf("%s: the test rules find no secret in the input", name)
			}
			out, err := rw.Rewrite(name, src, secrets)
			var unfixed *rewrite.Unfixed
			var left string
			switch {
			case err == nil:
			case errors.As(err, &unfixed) && out != nil:
				var lines []string
				for _, l := range unfixed.Left {
					lines = append(lines, "line "+strconv.Itoa(l.Line)+": "+l.Reason)
				}
				sort.Strings(lines)
				left = strings.Join(lines, "\n") + "\n"
			default:
				compare(t, update, base+".err", []byte(err.Error()+"\n"))
				if out != nil {
					t.Errorf("refused with output")
				}
				if _, err := os.Stat(base + ".golden"); err == nil {
					t.Errorf("%s.golden exists but the rewriter refused: %v", name, err)
				}
				return
			}
			compare(t, update, base+".golden", out)
			switch {
			case update && left == "":
				os.Remove(base + ".left")
			case left != "" || exists(base+".left"):
				compare(t, update, base+".left", []byte(left))
			}
			for _, s := range secrets {
				if s.WeakDefault || left != "" {
					continue
				}
				if strings.Contains(string(out), s.Value) {
					t.Errorf("output still holds the secret of line %d", s.Line)
				}
			}
			again, err := rw.Rewrite(name, out, Secrets(t, cfg, name, out))
			if err != nil && !errors.As(err, &unfixed) {
				t.Fatalf("second run: %v", err)
			}
			if string(again) != string(out) {
				t.Errorf("second run changed the output (not idempotent):\n%s", again)
			}
			if check != nil {
				check(t, name, out)
			}
		})
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func compare(t *testing.T, update bool, path string, got []byte) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with LEAKFIX_UPDATE_GOLDEN=1 to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", filepath.Base(path), got, want)
	}
}

// RequireTool returns the path of program, or skips the test when it is
// not installed — unless LEAKFIX_REQUIRE_TOOLS=1, when its absence fails
// the test, so CI cannot pass by skipping.
func RequireTool(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil && program == "python3" {
		// A pyenv shim on PATH can fail outside its project; prefer a
		// python3 that runs.
		if exec.Command(path, "-c", "pass").Run() != nil {
			err = errors.New("python3 on PATH does not run")
			if exec.Command("/usr/bin/python3", "-c", "pass").Run() == nil {
				path, err = "/usr/bin/python3", nil
			}
		}
	}
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("this test needs %s: %v", program, err)
	}
	return path
}
