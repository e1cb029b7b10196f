package e2e

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

// pyThirdParty are the seed's third-party imports. They are stubbed (no
// PyPI here, and a service's own dependencies are not what is tested):
// any attribute is a class, any call returns an object, and a decorator
// returns the function it decorates. boto3 is the real one.
var pyThirdParty = []string{"azure", "bcrypt", "bs4", "fastapi", "jwt", "openai", "pydantic", "pymongo", "pypdf", "requests"}

// pyRunner starts one module as its service would (top-level code runs)
// and writes its module-level strings to a 0600 JSON file.
const pyRunner = `import importlib.abc, importlib.machinery, json, os, runpy, sys, types
file, helper_dir, stubs, out = sys.argv[1:5]
STUBS = set(stubs.split(","))

class _Stub:
    def __init__(self, *a, **k):
        pass
    def __call__(self, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k:
            return a[0]
        return _Stub()
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub()
    def __getitem__(self, key):
        return _Stub()
    def __iter__(self):
        return iter(())

class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        cls = type(name, (_Stub,), {})
        setattr(self, name, cls)
        return cls

class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in STUBS:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        return m
    def exec_module(self, module):
        pass

sys.meta_path.insert(0, _Finder())
sys.path[:0] = [os.path.dirname(file), helper_dir]
g = runpy.run_path(file, run_name="leakfix_e2e")
import leakfix_secrets
assert os.path.dirname(os.path.abspath(leakfix_secrets.__file__)) == os.path.abspath(helper_dir), leakfix_secrets.__file__
strs = []
def walk(v, depth=0):
    if depth > 4:
        return
    if isinstance(v, str):
        strs.append(v)
    elif isinstance(v, dict):
        for x in list(v.keys()) + list(v.values()):
            walk(x, depth + 1)
    elif isinstance(v, (list, tuple, set)):
        for x in v:
            walk(x, depth + 1)
for v in g.values():
    walk(v)
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"vars": {k: v for k, v in g.items() if isinstance(v, str)}, "strings": strs}, f)
`

type moduleState struct {
	Vars    map[string]string `json:"vars"`
	Strings []string          `json:"strings"`
}

func readState(t *testing.T, path string) moduleState {
	t.Helper()
	var s moduleState
	readJSON(t, path, &s)
	os.Remove(path)
	return s
}

// weakEnv sets the variables weak defaults became (os.environ["JWT_SECRET"]):
// they are required settings, not lookups with a fallback.
func weakEnv(findings []finding) []string {
	var out []string
	for _, f := range findings {
		if f.weak() && f.Identifier != "" {
			out = append(out, f.Identifier+"=e2e-generated-"+strings.ToLower(f.Identifier))
		}
	}
	return out
}

func (h *harness) pythonServices(t *testing.T, repo string, findings []finding, rotated map[string]string) {
	helpers := findFiles(t, repo, "leakfix_secrets.py")
	if len(helpers) == 0 {
		t.Fatal("fix wrote no leakfix_secrets.py")
	}
	files := byFile(findings, ".py")
	total, read := 0, 0
	perService := map[string][2]int{}
	for _, file := range sortedKeys(files) {
		abs := filepath.Join(repo, file)
		helper := nearest(abs, helpers)
		if helper == "" {
			t.Errorf("%s: no leakfix_secrets.py above it", file)
			continue
		}
		out := filepath.Join(h.work, "module.json")
		cmd := exec.CommandContext(h.ctx, h.py, "-c", pyRunner, abs, helper, strings.Join(pyThirdParty, ","), out)
		cmd.Dir = filepath.Dir(abs)
		cmd.Env = append(h.serviceEnv(file, "PYTHONDONTWRITEBYTECODE=1"), weakEnv(findings)...)
		stderr, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s does not start: %v\n%s", file, err, redact(stderr, findings))
			continue
		}
		if !strings.Contains(string(stderr), "reading secrets from AWS Secrets Manager") {
			t.Errorf("%s: the helper did not name its store on stderr:\n%s", file, stderr)
		}
		assertNoValues(t, file+" stderr", stderr, findings)
		st := readState(t, out)
		n := compare(t, file, files[file], st.Vars, st.Strings, rotated)
		total += len(files[file])
		read += n
		c := perService[serviceOf(file)]
		perService[serviceOf(file)] = [2]int{c[0] + n, c[1] + len(files[file])}
	}
	for _, s := range sortedKeys(perService) {
		t.Logf("python %-36s values read = %d of %d found", s, perService[s][0], perService[s][1])
	}
	t.Logf("python: values read = %d of %d found, in %d files", read, total, len(files))
}

// nodeRunner loads a CommonJS module with require and an ES module with
// import, as node runs each, and writes its exported strings.
const nodeRunner = `const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const [file, out] = process.argv.slice(-2);
(async () => {
  const m = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  const vars = {}, strings = [];
  const walk = (v, d) => {
    if (d > 4 || v === null || v === undefined) return;
    if (typeof v === 'string') strings.push(v);
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) { strings.push(k); walk(x, d + 1); }
  };
  for (const [k, v] of Object.entries(m)) { if (typeof v === 'string') vars[k] = v; walk(v, 0); }
  fs.writeFileSync(out, JSON.stringify({ vars, strings }), { mode: 0o600 });
})().catch((e) => { console.error(e.message); process.exit(1); });
`

// nodeSDK installs @aws-sdk/client-secrets-manager from npm into a
// temporary directory and returns its node_modules.
func (h *harness) nodeSDK(t *testing.T) string {
	npm := rewritetest.RequireTool(t, "npm")
	dir := filepath.Join(h.work, "npm")
	cmd := exec.CommandContext(h.ctx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, "@aws-sdk/client-secrets-manager")
	cmd.Env = h.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, out)
	}
	requireTools(t, "npm install @aws-sdk/client-secrets-manager (the npm registry)", err)
	return filepath.Join(dir, "node_modules")
}

func (h *harness) nodeServices(t *testing.T, repo string, findings []finding) {
	node := rewritetest.RequireTool(t, "node")
	files := byFile(findings, ".js", ".cjs", ".mjs")
	if len(files) == 0 {
		t.Fatal("no JavaScript secret in the fixture")
	}
	modules := h.nodeSDK(t)
	total, read := 0, 0
	for _, file := range sortedKeys(files) {
		abs := filepath.Join(repo, file)
		out := filepath.Join(h.work, "module.json")
		cmd := exec.CommandContext(h.ctx, node, "-e", nodeRunner, "--", abs, out)
		cmd.Dir = filepath.Dir(abs)
		cmd.Env = append(h.serviceEnv(file, "NODE_PATH="+modules), weakEnv(findings)...)
		stderr, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s does not load: %v\n%s", file, err, redact(stderr, findings))
			continue
		}
		if !strings.Contains(string(stderr), "reading secrets from AWS Secrets Manager") {
			t.Errorf("%s: the helper did not name its store on stderr:\n%s", file, stderr)
		}
		assertNoValues(t, file+" stderr", stderr, findings)
		st := readState(t, out)
		n := compare(t, file, files[file], st.Vars, st.Strings, nil)
		total += len(files[file])
		read += n
		t.Logf("node %-38s values read = %d of %d found", serviceOf(file), n, len(files[file]))
	}
	t.Logf("node: values read = %d of %d found", read, total)
}

// goServices runs, for each rewritten Go package, a test inside it that
// reads its package-level secret variables, built with the helper and
// the AWS provider file fix wrote (-tags leakfix_aws, aws-sdk-go-v2 from
// the module proxy). A package in a module runs in a copy of its module;
// a package in no module (fix wrote leakfix_secrets.go and its provider
// into the package itself) gets a go.mod in its copy, which is what its
// owner must add to take the SDK as a dependency.
func (h *harness) goServices(t *testing.T, repo string, findings []finding) {
	goBin := rewritetest.RequireTool(t, "go")
	files := byFile(findings, ".go")
	if len(files) == 0 {
		t.Fatal("no Go secret in the fixture")
	}
	dirs := map[string][]finding{}
	for f, fs := range files {
		dirs[filepath.Dir(f)] = append(dirs[filepath.Dir(f)], fs...)
	}
	total, read := 0, 0
	for _, dir := range sortedKeys(dirs) {
		modRoot := moduleRoot(repo, dir)
		copyRoot := filepath.Join(h.work, "gomod-"+strings.ReplaceAll(dir, "/", "_"))
		pkgRel := "."
		if modRoot == "" {
			copyTree(t, filepath.Join(repo, dir), copyRoot)
			for _, f := range []string{"leakfix_secrets.go", "leakfix_secrets_aws.go", "leakfix_secrets_noaws.go"} {
				if _, err := os.Stat(filepath.Join(copyRoot, f)); err != nil {
					t.Errorf("%s: fix did not write %s beside the code (no go.mod): %v", dir, f, err)
				}
			}
			writeFile(t, filepath.Join(copyRoot, "go.mod"), []byte("module example.com/e2e\n\ngo 1.21\n"))
		} else {
			copyTree(t, filepath.Join(repo, modRoot), copyRoot)
			rel, _ := filepath.Rel(modRoot, dir)
			pkgRel = "./" + filepath.ToSlash(rel)
			if _, err := os.Stat(filepath.Join(repo, modRoot, "internal", "leakfixsecrets", goanalyzer.ProviderFile("aws-secrets-manager"))); err != nil {
				t.Errorf("%s: fix did not write the AWS provider beside the helper package: %v", modRoot, err)
			}
		}
		pkgDir := filepath.Join(copyRoot, filepath.FromSlash(pkgRel))
		pkg := goPackage(t, filepath.Join(repo, files[dirsFirst(files, dir)][0].File))
		var probe strings.Builder
		fmt.Fprintf(&probe, "package %s\n\nimport (\n\t\"encoding/json\"\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestE2ESecrets(t *testing.T) {\n\tvars := map[string]string{\n", pkg)
		for _, f := range dirs[dir] {
			if f.Identifier != "" {
				fmt.Fprintf(&probe, "\t\t%q: %s,\n", f.Identifier, f.Identifier)
			}
		}
		probe.WriteString("\t}\n\tdata, _ := json.Marshal(map[string]any{\"vars\": vars})\n\tif err := os.WriteFile(os.Getenv(\"E2E_OUT\"), data, 0o600); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n")
		writeFile(t, filepath.Join(pkgDir, "e2e_probe_test.go"), []byte(probe.String()))
		env := append(h.serviceEnv(dir+"/", "GOFLAGS=-mod=mod", "GOWORK=off"), weakEnv(findings)...)
		get := exec.CommandContext(h.ctx, goBin, "get", "github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/secretsmanager")
		get.Dir, get.Env = copyRoot, env
		if out, err := get.CombinedOutput(); err != nil {
			requireTools(t, "aws-sdk-go-v2 from the Go module proxy", fmt.Errorf("%w: %s", err, out))
		}
		run(t, h.ctx, copyRoot, env, goBin, "vet", "-tags", "leakfix_aws", "./...")
		out := filepath.Join(h.work, "module.json")
		cmd := exec.CommandContext(h.ctx, goBin, "test", "-v", "-tags", "leakfix_aws", "-count=1", "-run", "TestE2ESecrets", pkgRel)
		cmd.Dir = copyRoot
		cmd.Env = append(env, "E2E_OUT="+out)
		stdout, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: go test: %v\n%s", dir, err, redact(stdout, findings))
			continue
		}
		if !strings.Contains(string(stdout), "reading secrets from AWS Secrets Manager") {
			t.Errorf("%s: the helper did not name its store:\n%s", dir, stdout)
		}
		assertNoValues(t, dir+" test output", stdout, findings)
		st := readState(t, out)
		n := compare(t, dir, dirs[dir], st.Vars, nil, nil)
		total += len(dirs[dir])
		read += n
		t.Logf("go %-40s values read = %d of %d found", dir, n, len(dirs[dir]))
	}
	t.Logf("go: values read = %d of %d found", read, total)
}

// moduleRoot returns the folder (relative to repo) of the go.mod above
// dir, or "" when dir is in no module.
func moduleRoot(repo, dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(repo, d, "go.mod")); err == nil {
			return d
		}
		if d == "." || d == "/" {
			return ""
		}
	}
}

// dirsFirst returns the first file (sorted) of files in dir.
func dirsFirst(files map[string][]finding, dir string) string {
	for _, f := range sortedKeys(files) {
		if filepath.Dir(f) == dir {
			return f
		}
	}
	return ""
}

// goPackage returns the package name of a Go file.
func goPackage(t *testing.T, file string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	return f.Name.Name
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// redact hides every known value in output shown on failure.
func redact(out []byte, findings []finding) string {
	s := string(out)
	for _, f := range findings {
		if len(f.Secret) >= 6 {
			s = strings.ReplaceAll(s, f.Secret, "REDACTED")
		}
	}
	return s
}

// assertNoValues: a helper's own output never holds a value.
func assertNoValues(t *testing.T, what string, out []byte, findings []finding) {
	t.Helper()
	for _, f := range findings {
		if len(f.Secret) >= 6 && !f.weak() && strings.Contains(string(out), f.Secret) {
			t.Errorf("%s holds the value of %s", what, f.SecretName)
		}
	}
}
