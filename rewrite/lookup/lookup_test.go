package lookup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// behaviourCase is one run of a generated module: the environment, and
// what its output (stdout and stderr together) must and must not hold.
type behaviourCase struct {
	name    string
	env     []string
	want    []string
	notWant []string
}

// behaviourCases hold for both languages. GROQ_API_KEY is always set, so
// every case that must not read it proves there is no silent fallback.
func behaviourCases(target Target, backend string) []behaviourCase {
	return []behaviourCase{
		{"env store", []string{"LEAKFIX_SECRETS_BACKEND=env"},
			[]string{"value=from-env", "cached=true", "environment variables", "missing:", "MISSING_KEY"}, nil},
		{"env store by the legacy variable", []string{"SECRETS_BACKEND=env"},
			[]string{"value=from-env"}, nil},
		// AWS_REGION alone never selects AWS: env store chosen, region set.
		{"env store with AWS settings around", []string{"LEAKFIX_SECRETS_BACKEND=env", "AWS_REGION=eu-west-1", "AWS_ENDPOINT_URL=http://127.0.0.1:1"},
			[]string{"value=from-env"}, []string{"AWS Secrets Manager"}},
		// The default is the generated target; its store is not set up
		// here, so the first lookup fails clearly instead of reading
		// GROQ_API_KEY, even with the fallback allowed.
		{"default store unusable", []string{"LEAKFIX_SECRETS_ENV_FALLBACK=1"},
			[]string{"error:"}, []string{"value=from-env"}},
		{"unknown store", []string{"LEAKFIX_SECRETS_BACKEND=keepass"},
			[]string{"error:", "keepass"}, []string{"value=from-env"}},
		{"target name accepted", []string{"LEAKFIX_SECRETS_BACKEND=" + string(target), "LEAKFIX_SECRETS_ENV_FALLBACK=1"},
			[]string{"error:"}, []string{"value=from-env"}},
	}
}

func runCases(t *testing.T, cases []behaviourCase, run func(env []string) string) {
	t.Helper()
	for _, c := range cases {
		env := append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "GROQ_API_KEY=from-env"}, c.env...)
		out := run(env)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%s: output holds %q:\n%s", c.name, w, out)
			}
		}
	}
}

const pyBehaviour = `import sys
sys.path.insert(0, sys.argv[1])
from leakfix_secrets import get_secret, SecretNotFoundError, SecretBackendError
try:
    print("value=" + get_secret("groq-api-key"))
    print("cached=%s" % str(get_secret("groq-api-key") is get_secret("groq-api-key")).lower())
    try:
        get_secret("missing-key")
    except SecretNotFoundError as e:
        print("missing:", e)
except SecretBackendError as e:
    print("error:", e)
`

// TestPythonModule runs the module with python3 -S (no site-packages, so
// no vendor SDK can be imported, as on a machine without them).
func TestPythonModule(t *testing.T) {
	py := rewritetest.RequireTool(t, "python3")
	for _, target := range Targets() {
		t.Run(string(target), func(t *testing.T) {
			src, err := Python(target)
			if err != nil {
				t.Fatal(err)
			}
			backend, _ := Backend(target)
			if !strings.Contains(string(src), `DEFAULT_BACKEND = "`+backend+`"`) {
				t.Errorf("module does not default to %s", backend)
			}
			mod := t.TempDir()
			writeFiles(t, mod, map[string]string{"leakfix_secrets.py": string(src)})
			if msg, err := exec.Command(py, "-m", "py_compile", filepath.Join(mod, "leakfix_secrets.py")).CombinedOutput(); err != nil {
				t.Fatalf("py_compile: %v\n%s", err, msg)
			}
			cases := behaviourCases(target, backend)
			if target == AWSSecretsManager {
				cases = append(cases, behaviourCase{"boto3 missing", []string{"AWS_REGION=eu-west-1"},
					[]string{"error:", "needs boto3"}, []string{"value=from-env"}})
			}
			runCases(t, cases, func(env []string) string {
				cmd := exec.Command(py, "-S", "-c", pyBehaviour, mod)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				return string(out)
			})
		})
	}
}

const jsBehaviour = `const { getSecret } = require(process.argv[process.argv.length - 1]);
try {
  console.log('value=' + getSecret('groq-api-key'));
  console.log('cached=' + (getSecret('groq-api-key') === getSecret('groq-api-key')));
  try { getSecret('missing-key'); } catch (e) { console.log('missing: ' + e.message); }
} catch (e) {
  console.log('error: ' + e.message);
}
`

// TestJSModule runs the CommonJS module under node; no SDK is installed
// where it runs.
func TestJSModule(t *testing.T) {
	node := rewritetest.RequireTool(t, "node")
	for _, target := range Targets() {
		t.Run(string(target), func(t *testing.T) {
			mod, dts, err := JS(target)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(dts), "getSecret(name: string): string") {
				t.Errorf("declaration lacks getSecret")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "leakfix-secrets.cjs")
			writeFiles(t, dir, map[string]string{"leakfix-secrets.cjs": string(mod)})
			if msg, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
				t.Fatalf("node --check: %v\n%s", err, msg)
			}
			backend, _ := Backend(target)
			cases := behaviourCases(target, backend)
			if target == AWSSecretsManager {
				cases = append(cases, behaviourCase{"SDK missing", []string{"AWS_REGION=eu-west-1"},
					[]string{"error:", "npm install @aws-sdk/client-secrets-manager"}, []string{"value=from-env"}})
			}
			runCases(t, cases, func(env []string) string {
				cmd := exec.Command(node, "-e", jsBehaviour, "--", path)
				cmd.Dir = dir
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				return string(out)
			})
		})
	}
}

func TestParseTarget(t *testing.T) {
	for _, tt := range Targets() {
		if got, err := ParseTarget(string(tt)); err != nil || got != tt {
			t.Errorf("ParseTarget(%q) = %v, %v", tt, got, err)
		}
		if b, err := Backend(tt); err != nil || b == "" {
			t.Errorf("Backend(%q) = %q, %v", tt, b, err)
		}
	}
	if _, err := ParseTarget("azure"); err == nil || !strings.Contains(err.Error(), "azure-keyvault") {
		t.Errorf("want an error listing the targets, got %v", err)
	}
	if _, err := Backend("azure"); err == nil {
		t.Errorf("Backend accepted an unknown target")
	}
}
