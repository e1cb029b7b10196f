package vaultplan_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
)

func TestBuildReferences(t *testing.T) {
	tests := []struct {
		opts      vaultplan.Options
		storeName string
		reference string
	}{
		{vaultplan.Options{Target: vaultplan.AzureKeyVault, VaultName: "machineavatars-kv"},
			"groq-api-key", "https://machineavatars-kv.vault.azure.net/secrets/groq-api-key"},
		{vaultplan.Options{Target: vaultplan.AWSSecretsManager, Region: "us-east-1", AccountID: "123456789012", Prefix: "ml-incident/prod/"},
			"ml-incident/prod/groq-api-key", "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-incident/prod/groq-api-key"},
		{vaultplan.Options{Target: vaultplan.AWSSecretsManager},
			"groq-api-key", "arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:groq-api-key"},
		{vaultplan.Options{Target: vaultplan.HashiCorpVault, Prefix: "aragora"},
			"aragora/groq-api-key", "secret/data/aragora/groq-api-key"},
		{vaultplan.Options{Target: vaultplan.GCPSecretManager, Project: "my-project-1"},
			"groq-api-key", "projects/my-project-1/secrets/groq-api-key"},
	}
	for _, tt := range tests {
		t.Run(string(tt.opts.Target), func(t *testing.T) {
			p, values, err := vaultplan.Build(trickyFindings(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var groq, jwt *vaultplan.Secret
			for i := range p.Secrets {
				switch p.Secrets[i].Name {
				case "groq-api-key":
					groq = &p.Secrets[i]
				case "jwt-secret-key":
					jwt = &p.Secrets[i]
				}
			}
			if groq == nil || jwt == nil {
				t.Fatalf("plan lacks groq-api-key or jwt-secret-key: %+v", p.Secrets)
			}
			if groq.StoreName != tt.storeName || groq.Reference != tt.reference {
				t.Errorf("groq: store name %q reference %q, want %q %q", groq.StoreName, groq.Reference, tt.storeName, tt.reference)
			}
			if groq.Env != "GROQ_API_KEY" || groq.Action != vaultplan.ActionImport || len(groq.Locations) != 2 {
				t.Errorf("groq: env %q action %q %d locations; want GROQ_API_KEY import 2 (one name per value)", groq.Env, groq.Action, len(groq.Locations))
			}
			if jwt.Action != vaultplan.ActionGenerate || jwt.ValuesFile != "" || !strings.Contains(jwt.Reason, "generate a new value") {
				t.Errorf("weak default: action %q values file %q reason %q", jwt.Action, jwt.ValuesFile, jwt.Reason)
			}
			if _, ok := values["jwt-secret-key"]; ok {
				t.Error("weak default's value is in the values to import")
			}
			if len(values) != len(tricky) {
				t.Errorf("%d values, want %d", len(values), len(tricky))
			}
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range trickyValues() {
				if strings.Contains(string(raw), v) || strings.Contains(vaultplan.Script(p), v) {
					t.Errorf("a value (%d bytes) is in plan.json or import.sh", len(v))
				}
				for name, s := range vaultplan.Snippets(p) {
					if strings.Contains(s, v) {
						t.Errorf("a value (%d bytes) is in snippet %s", len(v), name)
					}
				}
			}
		})
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	base := func() []scanner.Finding { return trickyFindings() }
	tests := []struct {
		name    string
		mutate  func([]scanner.Finding) []scanner.Finding
		opts    vaultplan.Options
		errWant string
	}{
		{"redacted value", func(fs []scanner.Finding) []scanner.Finding {
			fs[0].Secret = scanner.RedactedText
			return fs
		}, vaultplan.Options{Target: vaultplan.AzureKeyVault}, "not known"},
		{"one name two values", func(fs []scanner.Finding) []scanner.Finding {
			fs[1].SecretName = fs[0].SecretName
			return fs
		}, vaultplan.Options{Target: vaultplan.AzureKeyVault}, "two different values"},
		{"one value two names", func(fs []scanner.Finding) []scanner.Finding {
			fs[len(fs)-2].SecretName = "groq-key-elsewhere"
			return fs
		}, vaultplan.Options{Target: vaultplan.AzureKeyVault}, "one value must have one name"},
		{"invalid name", func(fs []scanner.Finding) []scanner.Finding {
			fs[0].SecretName = "Bad_Name"
			return fs
		}, vaultplan.Options{Target: vaultplan.AzureKeyVault}, "not valid"},
		{"unknown target", nil, vaultplan.Options{Target: "keepass"}, "unknown --target"},
		{"missing target", nil, vaultplan.Options{}, "--target is required"},
		{"bad vault name", nil, vaultplan.Options{Target: vaultplan.AzureKeyVault, VaultName: "kv;rm -rf /"}, "--vault-name"},
		{"bad region", nil, vaultplan.Options{Target: vaultplan.AWSSecretsManager, Region: "us east"}, "--region"},
		{"bad project", nil, vaultplan.Options{Target: vaultplan.GCPSecretManager, Project: "$(id)"}, "--project"},
		{"prefix on azure", nil, vaultplan.Options{Target: vaultplan.AzureKeyVault, Prefix: "prod/"}, "--prefix applies"},
		{"bad mount", nil, vaultplan.Options{Target: vaultplan.HashiCorpVault, Mount: "a b"}, "--mount"},
		{"invalid utf-8 for aws", func(fs []scanner.Finding) []scanner.Finding {
			fs[0].Secret = "abc\xffdef"
			return fs
		}, vaultplan.Options{Target: vaultplan.AWSSecretsManager}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := base()
			if tt.mutate != nil {
				fs = tt.mutate(fs)
			}
			_, _, err := vaultplan.Build(fs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.errWant) {
				t.Fatalf("err = %v, want one containing %q", err, tt.errWant)
			}
			for _, v := range trickyValues() {
				if strings.Contains(err.Error(), v) {
					t.Error("a value is in the error message")
				}
			}
		})
	}
}

// TestSnippets parses every snippet and checks each planned secret is
// referenced through its environment variable and store reference.
func TestSnippets(t *testing.T) {
	for _, target := range vaultplan.Targets() {
		t.Run(string(target), func(t *testing.T) {
			p, _, err := vaultplan.Build(trickyFindings(), vaultplan.Options{Target: target, App: "chatbot",
				VaultName: "machineavatars-kv", Region: "us-east-1", AccountID: "123456789012", Project: "my-project-1"})
			if err != nil {
				t.Fatal(err)
			}
			snips := vaultplan.Snippets(p)
			if len(snips) != len(p.Snippets) {
				t.Errorf("plan.json lists %d snippets, %d rendered", len(p.Snippets), len(snips))
			}
			for name, content := range snips {
				var docs []any
				switch filepath.Ext(name) {
				case ".json":
					var v any
					if err := json.Unmarshal([]byte(content), &v); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				case ".yaml":
					dec := yaml.NewDecoder(strings.NewReader(content))
					for {
						var v any
						if err := dec.Decode(&v); err != nil {
							if errors.Is(err, io.EOF) {
								break
							}
							t.Fatalf("%s: %v\n%s", name, err, content)
						}
						docs = append(docs, v)
					}
				}
				for _, s := range p.Secrets {
					if !strings.Contains(content, s.Reference) && !strings.Contains(content, s.StoreName) {
						t.Errorf("%s does not reference %s", name, s.Name)
					}
					if name != "vault-policy.hcl" && name != "iam-policy.json" && !strings.Contains(content, s.Env) {
						t.Errorf("%s does not set %s", name, s.Env)
					}
				}
				if name == "external-secret.yaml" {
					if len(docs) != 2 {
						t.Fatalf("%s: %d YAML documents, want SecretStore and ExternalSecret", name, len(docs))
					}
					es := docs[1].(map[string]any)
					data := es["spec"].(map[string]any)["data"].([]any)
					if es["kind"] != "ExternalSecret" || len(data) != len(p.Secrets) {
						t.Errorf("ExternalSecret has %d data entries, want %d", len(data), len(p.Secrets))
					}
				}
			}
		})
	}
}

// TestShellcheck runs shellcheck over every target's import.sh.
func TestShellcheck(t *testing.T) {
	sc := requireTool(t, "shellcheck")
	for _, target := range vaultplan.Targets() {
		t.Run(string(target), func(t *testing.T) {
			p, _, err := vaultplan.Build(trickyFindings(), vaultplan.Options{Target: target})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "import.sh")
			if err := os.WriteFile(path, []byte(vaultplan.Script(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(sc, "--shell=bash", "--severity=style", path).CombinedOutput()
			if err != nil {
				t.Errorf("shellcheck: %v\n%s", err, out)
			}
		})
	}
}

// TestScriptCommentInjection: a file name with a newline must not turn
// the rest of a comment in import.sh into a command.
func TestScriptCommentInjection(t *testing.T) {
	fs := trickyFindings()
	fs[0].File = "evil\nrm -rf ~ #.py"
	p, _, err := vaultplan.Build(fs, vaultplan.Options{Target: vaultplan.HashiCorpVault})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(vaultplan.Script(p), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "rm -rf ~") {
			t.Fatalf("file name escaped its comment: %q", line)
		}
	}
}
