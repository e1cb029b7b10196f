package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// fixRules is the rewriters' small test pack, so these tests do not move
// with the default pack; TestFixSeed002 uses the default pack.
var fixRules = filepath.Join("..", "..", "rewrite", "internal", "rewritetest", "rules.toml")

const (
	fixGroq   = "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"
	fixGitHub = "ghp_SQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz6"
)

// fixRequireTool skips without program, unless LEAKFIX_REQUIRE_TOOLS=1. A
// python3 that is a broken pyenv shim is replaced by /usr/bin/python3.
func fixRequireTool(t *testing.T, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil && program == "python3" && exec.Command(path, "-c", "pass").Run() != nil {
		path, err = "/usr/bin/python3", exec.Command("/usr/bin/python3", "-c", "pass").Run()
	}
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("this test needs %s: %v", program, err)
	}
	return path
}

func fixTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fixReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fixNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, v := range []string{fixGroq, fixGitHub} {
		if strings.Contains(s, v) {
			t.Errorf("%s holds a secret value:\n%s", what, s)
		}
	}
}

func TestFixCLI(t *testing.T) {
	files := map[string]string{
		"svc/app.py":    "\"\"\"Service.\"\"\"\nKEY = \"" + fixGroq + "\"\n# old token: " + fixGitHub + "\n",
		"svc/broken.py": "KEY = \"" + fixGroq + "\"\nx = 'unterminated\n",
		"web/app.js":    "const k = `" + fixGroq + "`;\nmodule.exports = { k };\n",
		"app.env":       "TOKEN=" + fixGitHub + "\n",
	}

	t.Run("diff", func(t *testing.T) {
		dir := fixTree(t, files)
		code, out, stderr := runCLI(t, "", "fix", dir, "--config", fixRules)
		if code != 2 || !strings.Contains(stderr, "svc/broken.py: cannot parse (line 2): unterminated string literal") {
			t.Errorf("exit %d, stderr %s; want 2 and the unparseable file named", code, stderr)
		}
		for _, want := range []string{"+++ b/svc/app.py", "+KEY = get_secret(\"groq-api-key\")", "+# old token: <redacted: github-token>", "-TOKEN=REDACTED", "+TOKEN=${GITHUB_TOKEN}"} {
			if !strings.Contains(out, want) {
				t.Errorf("diff lacks %q:\n%s", want, out)
			}
		}
		fixNoSecret(t, "diff", out)
		fixNoSecret(t, "stderr", stderr)
		if fixReadFile(t, filepath.Join(dir, "svc/app.py")) != files["svc/app.py"] {
			t.Errorf("the diff mode wrote a file")
		}
		_, exact, _ := runCLI(t, "", "fix", dir, "--config", fixRules, "--show-secrets")
		if !strings.Contains(exact, "-KEY = \""+fixGroq+"\"") {
			t.Errorf("--show-secrets diff lacks the value:\n%s", exact)
		}
	})

	t.Run("write", func(t *testing.T) {
		dir := fixTree(t, files)
		code, _, stderr := runCLI(t, "", "fix", dir, "--config", fixRules, "--write", "--emit-helper", "--target", "hashicorp-vault")
		if code != 2 || !strings.Contains(stderr, "svc/broken.py") {
			t.Fatalf("exit %d, want 2 naming the unparseable file; stderr:\n%s", code, stderr)
		}
		fixNoSecret(t, "stderr", stderr)
		if got := fixReadFile(t, filepath.Join(dir, "svc/broken.py")); got != files["svc/broken.py"] {
			t.Errorf("unparseable file changed")
		}
		app := fixReadFile(t, filepath.Join(dir, "svc/app.py"))
		want := "\"\"\"Service.\"\"\"\nfrom leakfix_secrets import get_secret\nKEY = get_secret(\"groq-api-key\")\n# old token: <redacted: github-token>\n"
		if app != want {
			t.Errorf("app.py =\n%s\nwant\n%s", app, want)
		}
		if js := fixReadFile(t, filepath.Join(dir, "web/app.js")); !strings.HasPrefix(js, "const { getSecret } = require(\"./leakfix-secrets.cjs\");\n") {
			t.Errorf("app.js =\n%s", js)
		}
		// Each helper lands beside the code that runs (no project files
		// here: the file's own folder), under leakfix's own name.
		helper := fixReadFile(t, filepath.Join(dir, "svc/leakfix_secrets.py"))
		if !strings.Contains(helper, "hvac") {
			t.Errorf("helper is not for the chosen target")
		}
		for _, p := range []string{"web/leakfix-secrets.cjs", "web/leakfix-secrets.d.cts"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				t.Errorf("%s not written: %v", p, err)
			}
		}
		// Fixing the broken file and running again finishes the job, and
		// leaves the helpers alone.
		os.WriteFile(filepath.Join(dir, "svc/broken.py"), []byte("KEY = \""+fixGroq+"\"\n"), 0o644)
		code, _, stderr = runCLI(t, "", "fix", dir, "--config", fixRules, "--write", "--emit-helper", "--target", "hashicorp-vault")
		if code != 0 {
			t.Fatalf("second run: exit %d: %s", code, stderr)
		}
		code, out, _ := runCLI(t, "", "scan", dir, "--config", fixRules, "--format", "json")
		if code != 0 {
			t.Errorf("secrets left after fix --write: %s", out)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		dir := fixTree(t, map[string]string{"a.py": "KEY = \"" + fixGroq + "\"\n", "b.py": "KEY = \"" + fixGroq + "\"\n"})
		os.Chmod(filepath.Join(dir, "a.py"), 0o444)
		code, _, stderr := runCLI(t, "", "fix", dir, "--config", fixRules, "--write")
		if code != 2 || !strings.Contains(stderr, "a.py: file is read-only (mode 0444)") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
		if !strings.Contains(fixReadFile(t, filepath.Join(dir, "a.py")), fixGroq) {
			t.Errorf("read-only file changed")
		}
		if strings.Contains(fixReadFile(t, filepath.Join(dir, "b.py")), fixGroq) {
			t.Errorf("the writable file was not fixed")
		}
	})

	t.Run("names", func(t *testing.T) {
		dir := fixTree(t, map[string]string{
			"a.py": "KEY = \"" + fixGroq + "\"\nTOKEN = \"" + fixGitHub + "\"\n",
		})
		names := filepath.Join(t.TempDir(), "names.toml")
		os.WriteFile(names, []byte("\"groq-api-key\" = \"llm-groq\"\n"), 0o644)
		code, out, stderr := runCLI(t, "", "fix", dir, "--config", fixRules, "--names", names)
		if code != 0 || !strings.Contains(out, `get_secret("llm-groq")`) || !strings.Contains(out, `get_secret("github-token")`) {
			t.Errorf("override not applied: exit %d\n%s\n%s", code, out, stderr)
		}
		// Two different secrets given one name: a clear error, no output.
		os.WriteFile(names, []byte("[names]\n\"groq-api-key\" = \"shared\"\n\"github-token\" = \"shared\"\n"), 0o644)
		code, out, stderr = runCLI(t, "", "fix", dir, "--config", fixRules, "--names", names, "--write")
		if code != 2 || !strings.Contains(stderr, `"shared"`) || !strings.Contains(stderr, "two different secrets") || out != "" {
			t.Errorf("colliding override: exit %d, stdout %q, stderr %s", code, out, stderr)
		}
		if !strings.Contains(fixReadFile(t, filepath.Join(dir, "a.py")), fixGroq) {
			t.Errorf("a colliding override still wrote files")
		}
		fixNoSecret(t, "stderr", stderr)
		for body, msg := range map[string]string{
			"\"groq-api-key\" = \"Not_Valid\"\n": "not a valid vault name",
			"\"groq-api-key\" = 3\n":             "want a string",
			"\"groq-api-key\" = \n":              "names.toml:1",
		} {
			os.WriteFile(names, []byte(body), 0o644)
			code, _, stderr := runCLI(t, "", "fix", dir, "--config", fixRules, "--names", names)
			if code != 2 || !strings.Contains(stderr, msg) {
				t.Errorf("--names %q: exit %d, stderr %s (want %q)", body, code, stderr, msg)
			}
		}
	})

	t.Run("flags", func(t *testing.T) {
		dir := fixTree(t, map[string]string{"a.py": "KEY = \"" + fixGroq + "\"\n"})
		code, out, _ := runCLI(t, "", "fix", dir, "--config", fixRules, "--python-import", "from platform.vault import get_secret")
		if code != 0 || !strings.Contains(out, "+from platform.vault import get_secret") {
			t.Errorf("--python-import not used: %d\n%s", code, out)
		}
		for _, args := range [][]string{
			{"--python-import", "import os"},
			{"--js-import", "const x = 1;"},
			{"--target", "azure"},
			{"--go-call", "nodot"},
			{dir, dir},
		} {
			code, _, stderr := runCLI(t, "", append([]string{"fix", dir, "--config", fixRules}, args...)...)
			if code != 2 || stderr == "" {
				t.Errorf("fix %v: exit %d, stderr %q; want a usage error", args, code, stderr)
			}
		}
		code, _, stderr := runCLI(t, "", "fix", fixTree(t, map[string]string{"a.py": "x = 1\n"}), "--config", fixRules, "--write")
		if code != 0 || !strings.Contains(stderr, "no secrets found") {
			t.Errorf("clean tree: exit %d, %s", code, stderr)
		}
	})
}

// fixTreeHash hashes every file's path, mode and content under dir.
func fixTreeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		st, _ := os.Stat(p)
		b, _ := os.ReadFile(p)
		h.Write([]byte(p + "\x00" + st.Mode().String() + "\x00"))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fixCopyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

var getSecretCall = regexp.MustCompile(`(?:get_secret|getSecret|secrets\.Get)\(['"]([a-z0-9-]+)['"]\)`)

// TestFixSeed002 is the acceptance test for `fix` on the seed-002
// reconstruction, with the default rule pack: after `fix --write
// --emit-helper`, a scan finds nothing (keys and the weak default are
// gone); every Python file compiles, the JavaScript passes node --check
// and the Go service builds with the emitted helper; the keys the 3D, text
// and LLM services share have one name each; a second run changes no byte.
func TestFixSeed002(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "seed002")
	raw, err := os.ReadFile(filepath.Join(src, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []expectedFinding
	json.Unmarshal(raw, &want)
	dir := t.TempDir()
	fixCopyTree(t, src, dir)
	os.Remove(filepath.Join(dir, "expected.json"))
	os.Remove(filepath.Join(dir, "EXPECTED.md"))
	// The Go service lives in a module, as real code does, so the emitted
	// helper package has an import path.
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/seed002\n\ngo 1.22\n"), 0o644)

	_, before := scanJSON(t, dir)
	// Where the secrets are is what fix depends on; providers are
	// TestSeedReconstructions' business.
	var got []expectedFinding
	for _, f := range before {
		got = append(got, expectedFinding{File: f["file"].(string), Line: int(f["start_line"].(float64)), WeakDefault: isWeak(f)})
	}
	for i := range want {
		want[i].Provider = ""
	}
	if d := diffSets(want, got); d != "" {
		t.Fatalf("the default rule pack does not find the planted secrets (fix cannot be judged until it does):\n%s", d)
	}

	code, _, stderr := runCLI(t, "", "fix", dir, "--write", "--emit-helper")
	if code != 0 {
		t.Fatalf("fix --write: exit %d:\n%s", code, stderr)
	}
	if code, after := scanJSON(t, dir); code != 0 || len(after) != 0 {
		for _, f := range after {
			t.Errorf("left after fix: %v:%v %v", f["file"], f["start_line"], f["rule_id"])
		}
	}
	if strings.Contains(fixReadFile(t, filepath.Join(dir, "auth-service/src/main.py")), "your_jwt_secret") {
		t.Errorf("the weak JWT default is still there")
	}

	// One name per shared key: every site of a value the 3D, text and LLM
	// services share (EXPECTED.md) got the same name, the three values got
	// three names, and each rewritten file calls that name.
	nameAt := map[string]string{}
	for _, f := range before {
		nameAt[fmt.Sprintf("%s:%d", f["file"], int(f["start_line"].(float64)))] = f["secret_name"].(string)
	}
	groups := map[string][]string{
		"azure-openai 9be2c9a5": {"llm-model-service/src/main.py:19", "response-3d-chatbot-service/src/main.py:19", "response-3d-chatbot-service/src/main.py:47", "response-text-chatbot-service/src/main.py:19", "response-voice-chatbot-service/src/main.py:18"},
		"together bd826d5f":     {"llm-model-service/src/main.py:20", "response-3d-chatbot-service/src/main.py:41", "response-text-chatbot-service/src/main.py:20"},
		"groq gsk_vqC6":         {"llm-model-service/src/main.py:21", "llm-model-service/src/main.py:25", "response-3d-chatbot-service/src/main.py:45"},
	}
	seen := map[string]string{}
	for group, sites := range groups {
		name := nameAt[sites[0]]
		if other, dup := seen[name]; dup || name == "" {
			t.Errorf("%s and %s share the name %q", group, other, name)
		}
		seen[name] = group
		for _, site := range sites {
			if nameAt[site] != name {
				t.Errorf("%s: %s is named %q, %s is named %q", group, sites[0], name, site, nameAt[site])
			}
			file := strings.SplitN(site, ":", 2)[0]
			called := false
			for _, m := range getSecretCall.FindAllStringSubmatch(fixReadFile(t, filepath.Join(dir, file)), -1) {
				called = called || m[1] == name
			}
			if !called {
				t.Errorf("%s does not call get_secret(%q)", file, name)
			}
		}
	}

	py := fixRequireTool(t, "python3")
	node := fixRequireTool(t, "node")
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".py":
			if out, err := exec.Command(py, "-c", "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')", p).CombinedOutput(); err != nil {
				t.Errorf("%s does not compile: %v\n%s", p, err, out)
			}
		case ".js", ".cjs":
			if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
				t.Errorf("%s fails node --check: %v\n%s", p, err, out)
			}
		}
		return nil
	})
	goBin := fixRequireTool(t, "go")
	build := exec.Command(goBin, "build", "-o", os.DevNull, "./client-data-collection-service")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Errorf("the rewritten Go service does not build: %v\n%s", err, out)
	}

	sum := fixTreeHash(t, dir)
	code, _, stderr = runCLI(t, "", "fix", dir, "--write", "--emit-helper")
	if code != 0 {
		t.Errorf("second fix --write: exit %d: %s", code, stderr)
	}
	if fixTreeHash(t, dir) != sum {
		t.Errorf("a second fix --write changed the tree")
	}
}
