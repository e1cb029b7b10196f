package python

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

func TestGolden(t *testing.T) {
	rw, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	py := ""
	if _, err := exec.LookPath("python3"); err == nil || os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
		py = rewritetest.RequireTool(t, "python3")
	}
	rewritetest.Golden(t, "testdata", rw, func(t *testing.T, name string, out []byte) {
		if py == "" {
			return
		}
		// Every output must still be Python: compile it for real.
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(py, "-c", "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')", path)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("rewritten %s does not compile: %v\n%s", name, err, msg)
		}
	})
}

// TestGoldenInputsCompile keeps the fixtures honest: every input except
// the deliberately broken one is valid Python to begin with.
func TestGoldenInputsCompile(t *testing.T) {
	py := rewritetest.RequireTool(t, "python3")
	inputs, _ := filepath.Glob("testdata/*.input")
	for _, in := range inputs {
		if strings.Contains(in, "unterminated") {
			continue
		}
		cmd := exec.Command(py, "-c", "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')", in)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s is not valid Python: %v\n%s", in, err, msg)
		}
	}
}

func TestNewImportLine(t *testing.T) {
	tests := []struct {
		line, module string
		ok           bool
	}{
		{"", "utils/secrets.py", true},
		{"from app.vault import get_secret", "app/vault.py", true},
		{"from app.vault import fetch as get_secret", "app/vault.py", true},
		{"import get_secret", "", true},
		{"from app import fetch", "", false},
		{"print('x')", "", false},
		{"from app import get_secret\nimport os", "", false},
		{"from app import 'get_secret", "", false},
	}
	for _, tt := range tests {
		rw, err := New(tt.line)
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) error = %v, want ok=%v", tt.line, err, tt.ok)
			continue
		}
		if err == nil && rw.ModulePath() != tt.module {
			t.Errorf("New(%q).ModulePath() = %q, want %q", tt.line, rw.ModulePath(), tt.module)
		}
	}
}

func TestCustomImportLine(t *testing.T) {
	rw, err := New("from platform_lib.secrets import get_secret")
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("KEY = \"ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6\"\n")
	out, err := rw.Rewrite("a.py", src, rewritetest.Secrets(t, rewritetest.Config(t), "a.py", src))
	if err != nil {
		t.Fatal(err)
	}
	want := "from platform_lib.secrets import get_secret\nKEY = get_secret(\"github-token\")\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestCRLFInput(t *testing.T) {
	rw, _ := New("")
	src := []byte("\"\"\"doc\"\"\"\r\nimport os\r\nKEY = 'ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6'\r\n")
	out, err := rw.Rewrite("a.py", src, rewritetest.Secrets(t, rewritetest.Config(t), "a.py", src))
	if err != nil {
		t.Fatal(err)
	}
	want := "\"\"\"doc\"\"\"\r\nfrom utils.secrets import get_secret\r\nimport os\r\nKEY = get_secret(\"github-token\")\r\n"
	if string(out) != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
}

func TestStaleOffsets(t *testing.T) {
	rw, _ := New("")
	src := []byte("KEY = 'ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6'\n")
	secrets := rewritetest.Secrets(t, rewritetest.Config(t), "a.py", src)
	_, err := rw.Rewrite("a.py", []byte("# changed\n"+string(src)), secrets)
	if err == nil || strings.Contains(err.Error(), "ghp_") {
		t.Fatalf("want an error without the secret, got %v", err)
	}
}

func TestTokenizeErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"x = 'abc\n", "unterminated string literal"},
		{"x = '''abc\n", "unterminated triple-quoted"},
		{"x = (1,\n", "was never closed"},
		{"x = 1)\n", "unmatched"},
		{"x = [1)\n", "does not match"},
		{"x = $y\n", "invalid character"},
		{"x = 1 \\ 2\n", "line continuation"},
		{"x = f'{a'\n", "f-string"},
		{"x = f'a}'\n", "single '}'"},
	}
	for _, tt := range tests {
		_, err := tokenize([]byte(tt.src))
		var pe *rewrite.ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("tokenize(%q) = %v, want a parse error with %q", tt.src, err, tt.msg)
		}
	}
	valid := []string{
		"x = f\"{d[\"k\"]}\"\n",
		"x = f'{x!r:>{w}}' f\"{{}}\"\n",
		"x = rb'\\'' + Rb\"\\\"\"\n",
		"s = '''a\n'b'\n'''\n",
		"x = 1 + \\\n  2\n",
		"x = 0x1e+5 + 1e-5 + 1_000j\n",
		"x = f'\\N{BULLET} {y}'\n",
		"if x:\r\n    y = 'a'\r\n",
		"print(\"é\", ñ)\n",
		"x = t'{a}'\n",
	}
	for _, src := range valid {
		if _, err := tokenize([]byte(src)); err != nil {
			t.Errorf("tokenize(%q): %v", src, err)
		}
	}
}
