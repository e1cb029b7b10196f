package fix

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/scanner"
)

const (
	groq   = "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"
	github = "ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6"
	stripe = "sk_live_3FfkCzJr4i0B3JrTAwR4y9oj"
)

// scan runs the real file source and detector with the test rules over
// root and names the findings, as `leakfix fix` does.
func scan(t *testing.T, root string) []scanner.Finding {
	t.Helper()
	cfg := rewritetest.Config(t)
	d := scanner.New(cfg, scanner.Options{})
	src := &scanner.FileSource{Roots: []string{root}}
	fs, _, err := src.Scan(context.Background(), d)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if err := naming.Assign(fs, cfg, nil); err != nil {
		t.Fatal(err)
	}
	return fs
}

func registry(t *testing.T, root string) *Registry {
	t.Helper()
	abs, _ := filepath.Abs(root)
	reg, err := DefaultRegistry(Options{JSHelper: filepath.Join(abs, "lib", "secrets.cjs")})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func plan(t *testing.T, root string) []*Change {
	t.Helper()
	changes, err := Plan(context.Background(), root, registry(t, root), scan(t, root))
	if err != nil {
		t.Fatal(err)
	}
	return changes
}

func byFile(changes []*Change, file string) *Change {
	for _, c := range changes {
		if c.File == file {
			return c
		}
	}
	return nil
}

func writeAll(t *testing.T, changes []*Change) {
	t.Helper()
	for _, c := range changes {
		if c.Err == nil {
			if err := Write(c); err != nil {
				t.Fatalf("write %s: %v", c.File, err)
			}
		}
	}
}

func TestFixTreeIdempotent(t *testing.T) {
	root := writeTree(t, map[string]string{
		"svc/app.py":       "import os\nKEY = \"" + groq + "\"\nJWT = os.getenv(\"JWT_SECRET\", \"dev-secret\")\n",
		"web/config.js":    "const k = '" + groq + "';\nmodule.exports = { k };\n",
		"deploy/app.env":   "GITHUB_TOKEN=" + github + "\n",
		"deploy/app.yaml":  "stripe:\n  key: " + stripe + "\n",
		"docs/README.md":   "token: " + github + "\n",
		"svc/broken.py":    "KEY = \"" + groq + "\"\nx = 'unterminated\n",
		"svc/untouched.py": "x = 1\n",
	})
	changes := plan(t, root)
	if c := byFile(changes, "docs/README.md"); c == nil || !errors.Is(c.Err, ErrNoRewriter) {
		t.Errorf("README.md: want ErrNoRewriter, got %+v", c)
	}
	broken := byFile(changes, "svc/broken.py")
	var pe *rewrite.ParseError
	if broken == nil || !errors.As(broken.Err, &pe) || pe.Line != 2 {
		t.Fatalf("broken.py: want a parse error on line 2, got %+v", broken)
	}
	if strings.Contains(broken.Err.Error(), groq) {
		t.Errorf("error holds the secret")
	}
	before, _ := os.ReadFile(filepath.Join(root, "svc/broken.py"))
	writeAll(t, changes)
	after, _ := os.ReadFile(filepath.Join(root, "svc/broken.py"))
	if !bytes.Equal(before, after) {
		t.Errorf("an unparseable file was changed")
	}
	// Nothing but the refused and unsupported files holds a secret now.
	for _, f := range scan(t, root) {
		if f.File != "svc/broken.py" && f.File != "docs/README.md" {
			t.Errorf("%s:%d still holds a secret (%s)", f.File, f.StartLine, f.RuleID)
		}
	}
	py, _ := os.ReadFile(filepath.Join(root, "svc/app.py"))
	want := "from utils.secrets import get_secret\nimport os\nKEY = get_secret(\"groq-api-key\")\nJWT = os.environ[\"JWT_SECRET\"]\n"
	if string(py) != want {
		t.Errorf("app.py =\n%s\nwant\n%s", py, want)
	}
	// A second run changes nothing.
	for _, c := range plan(t, root) {
		if c.Changed() {
			t.Errorf("second run changes %s", c.File)
		}
	}
}

func TestCRLFAndBOMKept(t *testing.T) {
	bom := "\xEF\xBB\xBF"
	root := writeTree(t, map[string]string{
		"a.py":   bom + "\"\"\"Doc.\"\"\"\r\nimport os\r\nKEY = '" + groq + "'\r\n",
		"b.env":  "A=1\r\nTOKEN=" + github + "\r\n",
		"mix.js": "const a = 1;\r\nconst k = \"" + groq + "\";\nmodule.exports = { a, k };\n",
	})
	writeAll(t, plan(t, root))
	got, _ := os.ReadFile(filepath.Join(root, "a.py"))
	want := bom + "\"\"\"Doc.\"\"\"\r\nfrom utils.secrets import get_secret\r\nimport os\r\nKEY = get_secret(\"groq-api-key\")\r\n"
	if string(got) != want {
		t.Errorf("a.py = %q\nwant %q", got, want)
	}
	got, _ = os.ReadFile(filepath.Join(root, "b.env"))
	if want := "A=1\r\nTOKEN=${GITHUB_TOKEN}\r\n"; string(got) != want {
		t.Errorf("b.env = %q, want %q", got, want)
	}
	// Mixed line ends are passed through as they are.
	got, _ = os.ReadFile(filepath.Join(root, "mix.js"))
	if !strings.Contains(string(got), "const a = 1;\r\nconst k = getSecret(\"groq-api-key\");\nmodule") {
		t.Errorf("mix.js = %q", got)
	}
}

func TestModeKept(t *testing.T) {
	root := writeTree(t, map[string]string{
		"run.py": "#!/usr/bin/env python3\nKEY = '" + groq + "'\n",
		"p.env":  "TOKEN=" + github + "\n",
	})
	os.Chmod(filepath.Join(root, "run.py"), 0o750)
	os.Chmod(filepath.Join(root, "p.env"), 0o600)
	writeAll(t, plan(t, root))
	for name, want := range map[string]os.FileMode{"run.py": 0o750, "p.env": 0o600} {
		st, err := os.Stat(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %04o, want %04o", name, st.Mode().Perm(), want)
		}
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".leakfix-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestReadOnlyFileUntouched(t *testing.T) {
	root := writeTree(t, map[string]string{"ro.py": "KEY = '" + groq + "'\n"})
	path := filepath.Join(root, "ro.py")
	os.Chmod(path, 0o444)
	before, _ := os.ReadFile(path)
	c := byFile(plan(t, root), "ro.py")
	err := Write(c)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "0444") {
		t.Fatalf("want ErrReadOnly naming the mode, got %v", err)
	}
	after, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if !bytes.Equal(before, after) || st.Mode().Perm() != 0o444 {
		t.Errorf("read-only file changed")
	}
}

func TestChangedSinceScanAndHardLinks(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "KEY = '" + groq + "'\n", "b.py": "KEY = '" + groq + "'\n"})
	changes := plan(t, root)
	// a.py changes between plan and write.
	os.WriteFile(filepath.Join(root, "a.py"), []byte("# edited\nKEY = '"+groq+"'\n"), 0o644)
	if err := Write(byFile(changes, "a.py")); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("want a changed-file refusal, got %v", err)
	}
	// b.py has a second hard link.
	if err := os.Link(filepath.Join(root, "b.py"), filepath.Join(root, "b-link.txt")); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := Write(byFile(changes, "b.py")); err == nil || !strings.Contains(err.Error(), "hard links") {
		t.Errorf("want a hard-link refusal, got %v", err)
	}
	// Stale offsets from an old scan are refused by Plan, untouched.
	old := scan(t, root)
	os.WriteFile(filepath.Join(root, "b-link.txt"), []byte("# moved\n# down\nKEY = '"+groq+"'\n"), 0o644)
	cs, err := Plan(context.Background(), root, registry(t, root), old)
	if err != nil {
		t.Fatal(err)
	}
	if c := byFile(cs, "b.py"); c == nil || c.Err == nil || !strings.Contains(c.Err.Error(), "changed since it was scanned") {
		t.Errorf("want a stale-scan refusal, got %+v", c)
	}
}

func TestNewFile(t *testing.T) {
	dir := t.TempDir()
	c := &Change{Path: filepath.Join(dir, "utils", "secrets.py"), File: "utils/secrets.py", New: true, After: []byte("x = 1\n")}
	if err := Write(c); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(c.Path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v %v", st, err)
	}
	if err := Write(c); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a new file must never overwrite: %v", err)
	}
}

func TestDiffRedactsAndApplies(t *testing.T) {
	root := writeTree(t, map[string]string{
		"svc/app.py": "\"\"\"Doc.\"\"\"\n" + strings.Repeat("x = 1\n", 10) + "KEY = \"" + groq + "\"\n" + strings.Repeat("y = 2\n", 10) + "TOKEN = '" + github + "'  # " + github + "\n",
		"app.env":    "TOKEN=" + github,
	})
	changes := plan(t, root)
	var red, exact bytes.Buffer
	if err := WriteDiff(&red, changes, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteDiff(&exact, changes, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(red.String(), groq) || strings.Contains(red.String(), github) {
		t.Fatalf("redacted diff holds a secret:\n%s", red.String())
	}
	for _, want := range []string{"--- a/svc/app.py", "+++ b/svc/app.py", "-KEY = \"REDACTED\"", "+KEY = get_secret(\"groq-api-key\")", "\\ No newline at end of file"} {
		if !strings.Contains(red.String(), want) {
			t.Errorf("diff lacks %q:\n%s", want, red.String())
		}
	}
	// The exact diff is a patch git applies, giving what Write writes.
	git := rewritetest.RequireTool(t, "git")
	patch := filepath.Join(t.TempDir(), "fix.patch")
	os.WriteFile(patch, exact.Bytes(), 0o600)
	if out, err := exec.Command(git, "-C", root, "apply", patch).CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, exact.String())
	}
	for _, c := range changes {
		got, _ := os.ReadFile(c.Path)
		if !bytes.Equal(got, c.After) {
			t.Errorf("%s after git apply differs from the planned content", c.File)
		}
	}
}

// TestDiffLines checks the Myers diff on random edits: replaying the edit
// script over a must give b, and identical inputs give no change.
func TestDiffLines(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	words := []string{"a\n", "b\n", "c\n", "d\n", "e\n"}
	gen := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = words[rng.Intn(len(words))]
		}
		return out
	}
	for i := 0; i < 500; i++ {
		a, b := gen(rng.Intn(30)), gen(rng.Intn(30))
		var got []string
		for _, e := range diffLines(a, b) {
			switch e.op {
			case ' ':
				if a[e.a] != b[e.b] {
					t.Fatalf("kept line differs")
				}
				got = append(got, a[e.a])
			case '+':
				got = append(got, b[e.b])
			}
		}
		if strings.Join(got, "") != strings.Join(b, "") {
			t.Fatalf("replay of diff(%q, %q) = %q", a, b, got)
		}
		for _, e := range diffLines(a, a) {
			if e.op != ' ' {
				t.Fatalf("diff of identical inputs has a change")
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	reg := registry(t, t.TempDir())
	for path, want := range map[string]string{
		"a/b.py": KindPython, "x.mjs": KindJS, "x.ts": KindJS, "Dockerfile": KindConfig, ".env.prod": KindConfig,
		"compose.YAML": KindConfig, "a.go": "", "README.md": "", "x.jsx": "",
	} {
		kind, _, ok := reg.Lookup(path)
		if kind != want || ok != (want != "") {
			t.Errorf("Lookup(%q) = %q, %v; want %q", path, kind, ok, want)
		}
	}
	reg.Register(KindGo, nil, "*.go")
	if kind, _, _ := reg.Lookup("main.go"); kind != KindGo {
		t.Errorf("a later registration must add *.go")
	}
}
