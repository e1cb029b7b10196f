package goanalyzer

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// fixturePackages are the analyzer fixtures under testdata/src.
var fixturePackages = []string{"literals", "consts", "noimports", "singleimport", "clash", "weakdefault", "existing"}

const testImport = "example.com/lib/secrets"

func testConfig(t testing.TB) *rules.Config {
	t.Helper()
	cfg, err := rules.LoadFile(filepath.Join("testdata", "rules.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// packageFindings scans every .go file of dir and names the findings
// over the whole package, as the analyzer does; it returns them by file.
func packageFindings(t testing.TB, cfg *rules.Config, dir string, srcs map[string][]byte) map[string][]scanner.Finding {
	t.Helper()
	d := scanner.New(cfg, scanner.Options{})
	var all []scanner.Finding
	for _, name := range sortedNames(srcs) {
		fs, err := d.Detect(scanner.Fragment{Path: filepath.ToSlash(filepath.Join(dir, name)), Data: srcs[name]})
		if err != nil {
			t.Fatalf("detect %s: %v", name, err)
		}
		all = append(all, fs...)
	}
	if err := naming.Assign(all, cfg, nil); err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]scanner.Finding{}
	for _, f := range all {
		name := filepath.Base(filepath.FromSlash(f.File))
		byFile[name] = append(byFile[name], f)
	}
	return byFile
}

func sortedNames(m map[string][]byte) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func readGoFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string][]byte{}
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(m)] = data
	}
	return srcs
}

// gopathMode makes `go list` (which Rewrite runs for type information)
// see testdata as a GOPATH, where the fixtures and their stand-in
// dependencies live.
func gopathMode(t *testing.T) string {
	t.Helper()
	gopath, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOPATH", gopath)
	t.Setenv("GO111MODULE", "off")
	return gopath
}

// TestRewriteMatchesAnalyzer checks that Rewrite, the fix engine's entry
// point, makes exactly the edits of the analyzer's suggested fixes (the
// .golden files that analysistest checks), and that a second run on its
// output changes nothing.
func TestRewriteMatchesAnalyzer(t *testing.T) {
	gopath := gopathMode(t)
	cfg := testConfig(t)
	for _, pkg := range fixturePackages {
		t.Run(pkg, func(t *testing.T) {
			dir := filepath.Join(gopath, "src", pkg)
			srcs := readGoFiles(t, dir)
			byFile := packageFindings(t, cfg, dir, srcs)
			for _, name := range sortedNames(srcs) {
				path := filepath.Join(dir, name)
				out, err := Rewrite(path, srcs[name], byFile[name], Options{ImportPath: testImport})
				var unfixed *rewrite.Unfixed
				if err != nil && !errors.As(err, &unfixed) {
					t.Fatalf("%s: %v", name, err)
				}
				want, gerr := os.ReadFile(path + ".golden")
				if gerr != nil {
					want = srcs[name]
				}
				if !bytes.Equal(out, want) {
					t.Errorf("%s: Rewrite differs from the analyzer's fixes:\n--- got\n%s\n--- want\n%s", name, out, want)
				}
				again := packageFindings(t, cfg, dir, map[string][]byte{name: out})[name]
				out2, err := Rewrite(path, out, again, Options{ImportPath: testImport})
				if err != nil && !errors.As(err, &unfixed) {
					t.Fatalf("%s second run: %v", name, err)
				}
				if !bytes.Equal(out2, out) {
					t.Errorf("%s: second run changed the output:\n%s", name, out2)
				}
			}
		})
	}
}

// TestGoldensCompile builds every fixture package with its fixes applied.
func TestGoldensCompile(t *testing.T) {
	goBin := requireTool(t, "go")
	root := t.TempDir()
	src, err := filepath.Abs(filepath.Join("testdata", "src"))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(path, ".golden") {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if golden, err := os.ReadFile(path + ".golden"); err == nil {
			data = golden
		}
		dst := filepath.Join(root, "src", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, append([]string{"build"}, fixturePackages...)...)
	cmd.Dir = filepath.Join(root, "src")
	cmd.Env = append(os.Environ(), "GOPATH="+root, "GO111MODULE=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the fixed fixtures: %v\n%s", err, out)
	}
}

// requireTool returns the path of program, or skips the test without it
// — unless LEAKFIX_REQUIRE_TOOLS=1, when its absence fails the test.
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

const groqKey = "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"

func scanOne(t testing.TB, cfg *rules.Config, name string, src []byte) []scanner.Finding {
	t.Helper()
	fs, err := scanner.New(cfg, scanner.Options{}).Detect(scanner.Fragment{Path: name, Data: src})
	if err != nil {
		t.Fatal(err)
	}
	if err := naming.Assign(fs, cfg, nil); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestRewriteRefusesUnparseable(t *testing.T) {
	cfg := testConfig(t)
	cases := []struct{ name, src string }{
		{"stray literal", "package p\n\nvar k = x \"" + groqKey + "\"\n"},
		{"unterminated", "package p\n\nvar k = \"" + groqKey + "\n"},
		{"missing brace", "package p\n\nfunc f() {\n\tk := \"" + groqKey + "\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			fs := scanOne(t, cfg, "p.go", src)
			if len(fs) == 0 {
				t.Fatal("the test rules find no secret")
			}
			out, err := Rewrite("/nonexistent/p.go", src, fs, Options{})
			var pe *rewrite.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want a *rewrite.ParseError, got %v", err)
			}
			if !bytes.Equal(out, src) {
				t.Errorf("the source was changed")
			}
			if strings.Contains(err.Error(), groqKey) || strings.Contains(err.Error(), groqKey[:20]) {
				t.Errorf("the error leaks the secret: %v", err)
			}
			if pe.Line == 0 {
				t.Errorf("the error names no line: %v", err)
			}
			r, err := NewRewriter(Options{})
			if err != nil {
				t.Fatal(err)
			}
			secrets := []rewrite.Secret{rewrite.FromFinding(fs[0])}
			if out, err := r.Rewrite("/nonexistent/p.go", src, secrets); out != nil || !errors.As(err, &pe) {
				t.Errorf("Rewriter.Rewrite: want nil output and a ParseError, got %d bytes, %v", len(out), err)
			}
		})
	}
}

// TestRewriteFromReport rewrites from findings read back from a JSON
// report: redacted secrets and no byte offsets, only lines and columns.
func TestRewriteFromReport(t *testing.T) {
	cfg := testConfig(t)
	src := []byte("package p\n\n// Ünïcode before the key on its line.\nvar a, b = \"é\", \"" + groqKey + "\"\n")
	fs := scanOne(t, cfg, "p.go", src)
	if len(fs) != 1 {
		t.Fatalf("want 1 finding, got %d", len(fs))
	}
	f := fs[0].Redacted()
	f.SecretStart, f.SecretEnd = 0, 0
	out, err := Rewrite("/nonexistent/p.go", src, []scanner.Finding{f}, Options{ImportPath: testImport})
	if err != nil {
		t.Fatal(err)
	}
	want := "package p\n\nimport \"example.com/lib/secrets\"\n\n// Ünïcode before the key on its line.\nvar a, b = \"é\", secrets.Get(\"groq-api-key\")\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}

	// A finding that no longer matches the file is left, not guessed.
	stale := fs[0]
	stale.SecretStart, stale.SecretEnd = 0, 0
	stale.StartColumn++
	stale.EndColumn++
	out, err = Rewrite("/nonexistent/p.go", src, []scanner.Finding{stale}, Options{})
	var unfixed *rewrite.Unfixed
	if !errors.As(err, &unfixed) || !bytes.Equal(out, src) {
		t.Errorf("stale finding: want the source unchanged and *Unfixed, got %v", err)
	}
}

// TestRewriteCases covers decisions the fixtures do not: without type
// information from a module, and around constants and imports.
func TestRewriteCases(t *testing.T) {
	cfg := testConfig(t)
	cases := []struct {
		name, src, want string
		left            string // substring of the *Unfixed message, when some are left
	}{
		{
			name: "dot import of the helper",
			src:  "package p\n\nimport . \"example.com/lib/secrets\"\n\nvar _ = Get(\"x\")\n\nvar k = \"" + groqKey + "\"\n",
			want: "package p\n\nimport . \"example.com/lib/secrets\"\n\nvar _ = Get(\"x\")\n\nvar k = Get(\"groq-api-key\")\n",
		},
		{
			name: "blank import of the helper",
			src:  "package p\n\nimport _ \"example.com/lib/secrets\"\n\nvar k = \"" + groqKey + "\"\n",
			want: "package p\n\nimport (\n\t\"example.com/lib/secrets\"\n\t_ \"example.com/lib/secrets\"\n)\n\nvar k = secrets.Get(\"groq-api-key\")\n",
		},
		{
			name: "cgo import stays alone",
			src:  "package p\n\n// #include <stdio.h>\nimport \"C\"\n\nvar k = \"" + groqKey + "\"\n",
			want: "package p\n\n// #include <stdio.h>\nimport \"C\"\n\nimport \"example.com/lib/secrets\"\n\nvar k = secrets.Get(\"groq-api-key\")\n",
		},
		{
			name: "package-level clash in the same file",
			src:  "package p\n\nfunc secrets() {}\n\nvar k = \"" + groqKey + "\"\n",
			want: "package p\n\nimport leakfixsecrets \"example.com/lib/secrets\"\n\nfunc secrets() {}\n\nvar k = leakfixsecrets.Get(\"groq-api-key\")\n",
		},
		{
			name: "const used by an unknown dependency is left",
			src:  "package p\n\nimport \"example.org/unavailable/sdk\"\n\nconst groqKey = \"" + groqKey + "\"\n\nvar c = sdk.New(groqKey)\n",
			want: "package p\n\nimport \"example.org/unavailable/sdk\"\n\nconst groqKey = \"" + groqKey + "\"\n\nvar c = sdk.New(groqKey)\n",
			left: "cannot tell",
		},
		{
			name: "literal passed to an unknown dependency is assumed a string",
			src:  "package p\n\nimport \"example.org/unavailable/sdk\"\n\nvar c = sdk.New(\"" + groqKey + "\")\n",
			want: "package p\n\nimport (\n\t\"example.com/lib/secrets\"\n\t\"example.org/unavailable/sdk\"\n)\n\nvar c = sdk.New(secrets.Get(\"groq-api-key\"))\n",
		},
		{
			name: "iota group",
			src:  "package p\n\nconst (\n\ta = iota\n\tk = \"" + groqKey + "\"\n\tb\n)\n",
			want: "package p\n\nconst (\n\ta = iota\n\tk = \"" + groqKey + "\"\n\tb\n)\n",
			left: "repeat its expression",
		},
		{
			name: "array length",
			src:  "package p\n\nconst k = \"" + groqKey + "\"\n\nvar buf [len(k)]byte\n",
			want: "package p\n\nconst k = \"" + groqKey + "\"\n\nvar buf [len(k)]byte\n",
			left: "array length",
		},
		{
			name: "unused local constant",
			src:  "package p\n\nfunc f() {\n\tconst k = \"" + groqKey + "\"\n}\n",
			want: "package p\n\nfunc f() {\n\tconst k = \"" + groqKey + "\"\n}\n",
			left: "unused local constant",
		},
		{
			name: "exported constant of package main",
			src:  "package main\n\nconst GroqKey = \"" + groqKey + "\"\n\nfunc main() { println(GroqKey) }\n",
			want: "package main\n\nimport \"example.com/lib/secrets\"\n\nvar GroqKey = secrets.Get(\"groq-api-key\")\n\nfunc main() { println(GroqKey) }\n",
		},
		{
			// Found behind its escape (scanner/decode); fix leaves encoded
			// findings to the user, so the rewriter never sees it.
			name: "escape sequence inside the secret",
			src:  "package p\n\nvar k = \"gsk_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj\\x49hKt\"\n",
			want: "decoded",
		},
		{
			name: "escape sequences around the secret are kept",
			src:  "package p\n\nvar k = \"\\x41: " + groqKey + "\\n\"\n",
			want: "package p\n\nimport \"example.com/lib/secrets\"\n\nvar k = \"\\x41: \" + secrets.Get(\"groq-api-key\") + \"\\n\"\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			fs := scanOne(t, cfg, "p.go", src)
			if c.want == "" {
				if len(fs) != 0 {
					t.Fatalf("expected the rules to find nothing, got %d", len(fs))
				}
				return
			}
			if c.want == "decoded" {
				if len(fs) != 1 || fs[0].Encoding != "escape" {
					t.Fatalf("want one escape-decoded finding, got %d", len(fs))
				}
				return
			}
			if len(fs) == 0 {
				t.Fatal("the test rules find no secret")
			}
			out, err := Rewrite(filepath.Join(t.TempDir(), "p.go"), src, fs, Options{ImportPath: testImport})
			var unfixed *rewrite.Unfixed
			switch {
			case c.left != "":
				if !errors.As(err, &unfixed) || !strings.Contains(err.Error(), c.left) {
					t.Errorf("want *Unfixed mentioning %q, got %v", c.left, err)
				}
				if strings.Contains(err.Error(), groqKey) {
					t.Errorf("the error leaks the secret")
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			if string(out) != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "out.go", out, 0); err != nil {
				t.Errorf("output does not parse: %v", err)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, c := range []struct {
		call string
		ok   bool
	}{
		{"", true}, {"secrets.Get", true}, {"vault.Fetch", true},
		{"Get", false}, {"secrets.get", false}, {"a.b.C", false}, {"_.Get", false}, {"1x.Get", false},
	} {
		if _, err := NewRewriter(Options{Call: c.call}); (err == nil) != c.ok {
			t.Errorf("call %q: err = %v, want ok=%v", c.call, err, c.ok)
		}
	}
	for _, p := range []string{"", "/abs/path", "a//b", "a/../b", "has space/x", "x/"} {
		if _, err := NewRewriter(Options{ImportPath: p}); err == nil && p != "" {
			t.Errorf("import path %q accepted", p)
		}
	}
	for gomod, want := range map[string]string{
		"module example.com/app\n\ngo 1.22\n":         "example.com/app",
		"// comment\nmodule \"example.com/q\" // x\n": "example.com/q",
		"go 1.22\n": "",
	} {
		if got := modulePath([]byte(gomod)); got != want {
			t.Errorf("modulePath(%q) = %q, want %q", gomod, got, want)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "cmd", "svc")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	ip, hd, err := HelperLocation(sub)
	if err != nil || ip != "example.com/app/internal/secrets" || hd != filepath.Join(dir, "internal", "secrets") {
		t.Errorf("HelperLocation = %q, %q, %v", ip, hd, err)
	}
	if _, _, err := HelperLocation("/"); !errors.Is(err, ErrNoModule) {
		t.Errorf("HelperLocation outside a module: %v", err)
	}
}

// TestRewriteLeavesWithReason places secrets by hand where no fix is
// safe, and checks each is left in place with a reason that does not
// quote it.
func TestRewriteLeavesWithReason(t *testing.T) {
	const value = "s3cr3tv4lu3xyz"
	cases := []struct {
		name, src, reason string
		occurrence        int // which occurrence of value is the secret
		weak              bool
	}{
		{name: "struct tag", src: "package p\n\ntype T struct {\n\tK string `default:\"" + value + "\"`\n}\n", reason: "struct tag"},
		{name: "import path", src: "package p\n\nimport _ \"example.com/" + value + "\"\n", reason: "import path"},
		{name: "cgo preamble", src: "package p\n\n// const char *k = \"" + value + "\";\nimport \"C\"\n", reason: "cgo preamble"},
		{name: "identifier", src: "package p\n\nvar " + value + " = 1\n", reason: "not inside one string literal"},
		{name: "escape inside", src: "package p\n\nvar k = \"" + value[:4] + "\\x41" + value[4:] + "\"\n", reason: "escape sequences"},
		{name: "unrecognised weak default", src: "package p\n\nfunc f(m map[string]string) string {\n\tif v := m[\"JWT_SECRET\"]; v != \"\" {\n\t\treturn v\n\t}\n\treturn \"" + value + "\"\n}\n", reason: "does not rewrite", weak: true},
		{name: "const used as named type", src: "package p\n\ntype tok string\n\nfunc use(tok) {}\n\nconst k = \"" + value + "\"\n\nfunc f() { use(k) }\n", reason: "used as p.tok"},
	}
	r, err := NewRewriter(Options{ImportPath: testImport})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			start := bytes.Index(src, []byte(value[:4]))
			end := start + len(value)
			if c.name == "escape inside" {
				end += len("\\x41")
			}
			if start < 0 {
				t.Fatal("no secret in the case")
			}
			sec := rewrite.Secret{Name: "test-key", Value: string(src[start:end]), Start: start, End: end,
				Line: rewrite.LineOf(src, start), RuleID: "test-rule", WeakDefault: c.weak}
			out, err := r.Rewrite(filepath.Join(t.TempDir(), "p.go"), src, []rewrite.Secret{sec})
			var unfixed *rewrite.Unfixed
			if !errors.As(err, &unfixed) || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("want *Unfixed mentioning %q, got %v", c.reason, err)
			}
			if strings.Contains(err.Error(), value) {
				t.Errorf("the reason quotes the secret: %v", err)
			}
			if !bytes.Equal(out, src) {
				t.Errorf("the file changed:\n%s", out)
			}
		})
	}
}

// TestRewriteConstGroup moves two secrets out of one const group,
// removes a weak default (and the imports it alone used), and builds the
// result against the emitted helper.
func TestRewriteConstGroup(t *testing.T) {
	goBin := requireTool(t, "go")
	cfg := testConfig(t)
	mod := t.TempDir()
	src := []byte(`package main

import (
	"cmp"
	"fmt"
	"os"
)

const (
	endpoint = "https://api.example.com"
	// groqKey is for the chat model.
	groqKey = "` + groqKey + `" // rotated monthly
	awsDeployKeyID = "AKIAAJ08XUI6D39ZZZZG"
	retries = 3
)

var jwtSecret = cmp.Or(os.Getenv("JWT_SECRET"), "dev-jwt")

func main() { fmt.Println(endpoint, groqKey, awsDeployKeyID, retries, jwtSecret) }
`)
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := scanOne(t, cfg, "main.go", src)
	if len(fs) != 3 {
		t.Fatalf("want 3 findings, got %d", len(fs))
	}
	out, err := Rewrite(filepath.Join(mod, "main.go"), src, fs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `package main

import (
	"fmt"

	"example.com/app/internal/secrets"
)

const (
	endpoint = "https://api.example.com"
	retries  = 3
)

// groqKey is for the chat model.
var groqKey = secrets.Get("groq-api-key") // rotated monthly

var awsDeployKeyID = secrets.Get("aws-deploy-access-key-id")

var jwtSecret = secrets.MustEnv("JWT_SECRET")

func main() { fmt.Println(endpoint, groqKey, awsDeployKeyID, retries, jwtSecret) }
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if err := os.WriteFile(filepath.Join(mod, "main.go"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	ip, dir, err := HelperLocation(mod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EmitHelper(dir, ip, ""); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "build", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
}
