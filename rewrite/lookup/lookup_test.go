package lookup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

// pyStubs are minimal stand-ins for each vault SDK, answering
// "vault:<what was asked>" so the test sees the exact name, path, mount
// and project the module asks for.
var pyStubs = map[Target]map[string]string{
	AzureKeyVault: {
		"azure/__init__.py":                  "",
		"azure/identity/__init__.py":         "class DefaultAzureCredential:\n    pass\n",
		"azure/keyvault/__init__.py":         "",
		"azure/keyvault/secrets/__init__.py": "class _S:\n    def __init__(self, v):\n        self.value = v\n\nclass SecretClient:\n    def __init__(self, vault_url, credential):\n        self.url = vault_url\n    def get_secret(self, name):\n        return _S('vault:' + self.url + '|' + name)\n",
	},
	AWSSecretsManager: {
		"boto3/__init__.py": "class _C:\n    def get_secret_value(self, SecretId):\n        return {'SecretString': 'vault:' + SecretId}\n\ndef client(service):\n    assert service == 'secretsmanager'\n    return _C()\n",
	},
	HashiCorpVault: {
		"hvac/__init__.py": "class _V2:\n    def read_secret_version(self, path, mount_point, raise_on_deleted_version):\n        return {'data': {'data': {'value': 'vault:' + mount_point + '|' + path}}}\n\nclass _KV:\n    v2 = _V2()\n\nclass _Secrets:\n    kv = _KV()\n\nclass Client:\n    def __init__(self, url, token):\n        self.secrets = _Secrets()\n",
	},
	GCPSecretManager: {
		"google/__init__.py":                     "",
		"google/cloud/__init__.py":               "",
		"google/cloud/secretmanager/__init__.py": "class _P:\n    def __init__(self, d):\n        self.data = d\n\nclass _R:\n    def __init__(self, d):\n        self.payload = _P(d)\n\nclass SecretManagerServiceClient:\n    def access_secret_version(self, request):\n        return _R(('vault:' + request['name']).encode())\n",
	},
}

// vaultEnv configures each target's vault for the "from the vault" case.
var vaultEnv = map[Target][]string{
	AzureKeyVault:     {"AZURE_KEY_VAULT_NAME=machineavatars-kv"},
	AWSSecretsManager: {"AWS_REGION=eu-west-1", "SECRETS_PREFIX=app/prod/"},
	HashiCorpVault:    {"VAULT_ADDR=http://127.0.0.1:1", "VAULT_KV_MOUNT=kv/apps"},
	GCPSecretManager:  {"GOOGLE_CLOUD_PROJECT=leakfix-test-1"},
}

// fromVault is what each stub answers for groq-api-key.
var fromVault = map[Target]string{
	AzureKeyVault:     "vault:https://machineavatars-kv.vault.azure.net/|groq-api-key",
	AWSSecretsManager: "vault:app/prod/groq-api-key",
	HashiCorpVault:    "vault:kv/apps|groq-api-key",
	GCPSecretManager:  "vault:projects/leakfix-test-1/secrets/groq-api-key/versions/latest",
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPythonModule(t *testing.T) {
	py := rewritetest.RequireTool(t, "python3")
	script := `import sys
sys.path[:0] = sys.argv[1:3]
from utils.secrets import get_secret, SecretNotFoundError
print(get_secret("groq-api-key"))
print(get_secret("groq-api-key") is get_secret("groq-api-key"))
try:
    get_secret("missing-key")
except SecretNotFoundError as e:
    print("missing:", e)
`
	for _, target := range Targets() {
		t.Run(string(target), func(t *testing.T) {
			src, err := Python(target)
			if err != nil {
				t.Fatal(err)
			}
			mod := t.TempDir()
			writeFiles(t, mod, map[string]string{"utils/secrets.py": string(src)})
			if msg, err := exec.Command(py, "-m", "py_compile", filepath.Join(mod, "utils/secrets.py")).CombinedOutput(); err != nil {
				t.Fatalf("py_compile: %v\n%s", err, msg)
			}
			stubs := t.TempDir()
			base := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "GROQ_API_KEY=from-env"}
			cases := []struct {
				name, stubDir string
				env           []string
				want          string
			}{
				{"env only", t.TempDir(), base, "from-env"},
				{"vault", stubs, append(append([]string{}, base...), vaultEnv[target]...), fromVault[target]},
				{"vault forced off", stubs, append(append([]string{"SECRETS_BACKEND=env"}, base...), vaultEnv[target]...), "from-env"},
				{"vault SDK missing", t.TempDir(), append(append([]string{}, base...), vaultEnv[target]...), "from-env"},
			}
			writeFiles(t, stubs, pyStubs[target])
			for _, c := range cases {
				cmd := exec.Command(py, "-c", script, mod, c.stubDir)
				cmd.Env = c.env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", c.name, err, out)
				}
				lines := strings.Split(strings.TrimSpace(string(out)), "\n")
				if !contains(lines, c.want) || !contains(lines, "True") {
					t.Errorf("%s: got\n%s\nwant the value %q, cached", c.name, out, c.want)
				}
				// The stub vault answers for any name; elsewhere a missing
				// secret must raise, naming its variable.
				if c.name != "vault" && (!strings.Contains(string(out), "missing: ") || !strings.Contains(string(out), "MISSING_KEY")) {
					t.Errorf("%s: missing secret not reported: %s", c.name, out)
				}
			}
		})
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// TestJSModule runs the CommonJS module under node with each vault's CLI
// replaced by a stub that records its argv and prints a value.
func TestJSModule(t *testing.T) {
	node := rewritetest.RequireTool(t, "node")
	clis := map[Target]string{AzureKeyVault: "az", AWSSecretsManager: "aws", HashiCorpVault: "vault", GCPSecretManager: "gcloud"}
	script := `const { getSecret } = require(process.argv[process.argv.length - 1]);
console.log(JSON.stringify(getSecret('groq-api-key')));
console.log(getSecret('groq-api-key') === getSecret('groq-api-key'));
try { getSecret('missing-key'); } catch (e) { console.log('missing: ' + e.message); }
`
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
			path := filepath.Join(dir, "secrets.cjs")
			writeFiles(t, dir, map[string]string{"secrets.cjs": string(mod)})
			if msg, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
				t.Fatalf("node --check: %v\n%s", err, msg)
			}
			bin := t.TempDir()
			argvLog := filepath.Join(t.TempDir(), "argv")
			// The stub prints the secret followed by a newline, as az and
			// aws do; the module must return it without the newline (or,
			// for CLIs that print exactly the value, with it).
			writeFiles(t, bin, map[string]string{clis[target]: "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> " + argvLog + "\nif [ \"$LEAKFIX_STUB_FAIL\" = 1 ]; then exit 1; fi\nprintf 'vault value\\n'\n"})
			base := []string{"PATH=" + bin + ":" + filepath.Dir(node) + ":/usr/bin:/bin", "GROQ_API_KEY=from-env"}
			want := `"vault value"`
			if target == HashiCorpVault || target == GCPSecretManager {
				want = `"vault value\n"`
			}
			cases := []struct {
				name string
				env  []string
				want string
			}{
				{"env only", base, `"from-env"`},
				{"vault", append(append([]string{}, base...), vaultEnv[target]...), want},
				{"vault forced off", append(append([]string{"SECRETS_BACKEND=env"}, base...), vaultEnv[target]...), `"from-env"`},
				{"vault fails", append(append([]string{"LEAKFIX_STUB_FAIL=1"}, base...), vaultEnv[target]...), `"from-env"`},
			}
			for _, c := range cases {
				cmd := exec.Command(node, "-e", script, "--", path)
				cmd.Env = c.env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", c.name, err, out)
				}
				lines := strings.Split(strings.TrimSpace(string(out)), "\n")
				if !contains(lines, c.want) || !contains(lines, "true") || c.name != "vault" && !strings.Contains(string(out), "MISSING_KEY") {
					t.Errorf("%s: got\n%s\nwant %s, cached, and the missing secret named", c.name, out, c.want)
				}
			}
			argv, _ := os.ReadFile(argvLog)
			if !strings.Contains(string(argv), "groq-api-key") {
				t.Errorf("the CLI was not asked for groq-api-key: %q", argv)
			}
			if strings.Contains(string(argv), "from-env") || strings.Contains(string(argv), "vault value") {
				t.Errorf("a value reached the CLI's argv: %q", argv)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	for _, tt := range Targets() {
		if got, err := ParseTarget(string(tt)); err != nil || got != tt {
			t.Errorf("ParseTarget(%q) = %v, %v", tt, got, err)
		}
	}
	if _, err := ParseTarget("azure"); err == nil || !strings.Contains(err.Error(), "azure-keyvault") {
		t.Errorf("want an error listing the targets, got %v", err)
	}
}
