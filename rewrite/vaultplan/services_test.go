package vaultplan_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
)

func serviceFindings() []scanner.Finding {
	mk := func(file, name, value string, line int) scanner.Finding {
		return scanner.Finding{RuleID: "r", File: file, StartLine: line, EndLine: line, Secret: value, SecretName: name, Provider: "p", Fingerprint: "fp-" + name}
	}
	return []scanner.Finding{
		mk("auth/src/main.py", "groq-api-key", "gsk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1),
		mk("auth/src/main.py", "stripe-key", "sk_live_bbbbbbbbbbbbbbbbbbbbbbbb", 2),
		mk("web/config.js", "openai-key", "sk-proj-cccccccccccccccccccccccc", 1),
		mk(".github/workflows/ci.yml", "github-pat", "ghp_dddddddddddddddddddddddddddddddddddd", 7),
	}
}

// TestServiceGrants: every target gives each service its own identity
// and grants it only the names its code reads.
func TestServiceGrants(t *testing.T) {
	services := map[string][]string{
		"auth":     {"stripe-key", "groq-api-key"},
		"web":      {"openai-key", "not-planned"},
		"services": nil,
	}
	for _, tc := range []struct {
		opts      vaultplan.Options
		file      string
		has, lack []string
	}{
		{vaultplan.Options{Target: vaultplan.AWSSecretsManager, Region: "us-east-1", AccountID: "123456789012"}, "services/auth-svc.iam-policy.json",
			[]string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:groq-api-key-??????", "secret:stripe-key-??????"}, []string{"openai-key", "github-pat"}},
		{vaultplan.Options{Target: vaultplan.AzureKeyVault, VaultName: "my-kv"}, "services/auth-svc.role-assignments.sh",
			[]string{`--scope "$vault_id/secrets/groq-api-key"`, `--scope "$vault_id/secrets/stripe-key"`, "az identity create --name 'auth-svc'"}, []string{"openai-key", "github-pat"}},
		{vaultplan.Options{Target: vaultplan.HashiCorpVault, Prefix: "prod/"}, "services/auth-svc.hcl",
			[]string{`path "secret/data/prod/groq-api-key"`, `path "secret/data/prod/stripe-key"`}, []string{"openai-key", "github-pat"}},
		{vaultplan.Options{Target: vaultplan.GCPSecretManager, Project: "my-project-1"}, "services/auth-svc.iam.sh",
			[]string{"add-iam-policy-binding 'groq-api-key'", "'serviceAccount:auth-svc@my-project-1.iam.gserviceaccount.com'"}, []string{"openai-key", "github-pat"}},
	} {
		t.Run(string(tc.opts.Target), func(t *testing.T) {
			tc.opts.Services = services
			p, _, err := vaultplan.Build(serviceFindings(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(p.Services)
			want := `[{"service":"auth","identity":"auth-svc","names":["groq-api-key","stripe-key"]},{"service":"web","identity":"web-svc","names":["openai-key"]}]`
			if string(got) != want {
				t.Errorf("services = %s\nwant %s", got, want)
			}
			sn := vaultplan.Snippets(p)
			body, ok := sn[tc.file]
			if !ok {
				t.Fatalf("no %s among %d snippets", tc.file, len(sn))
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s lacks %q:\n%s", tc.file, s, body)
				}
			}
			for _, s := range tc.lack {
				if strings.Contains(body, s) {
					t.Errorf("%s grants %q, which auth does not read:\n%s", tc.file, s, body)
				}
			}
			if tc.opts.Target == vaultplan.AWSSecretsManager {
				ecs := sn["services/auth-svc.ecs-task-definition.json"]
				if !strings.Contains(ecs, `"valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:groq-api-key"`) || strings.Contains(ecs, "openai-key") {
					t.Errorf("auth's ECS task definition does not hold exactly its secrets:\n%s", ecs)
				}
			}
			es := sn["services/web-svc.external-secret.yaml"]
			if !strings.Contains(es, "name: web-svc") || !strings.Contains(es, "secretKey: OPENAI_KEY") || strings.Contains(es, "GROQ") {
				t.Errorf("web's ExternalSecret:\n%s", es)
			}
			gh := sn["github-actions-secrets.sh"]
			if !strings.Contains(gh, "| gh secret set LEAKFIX_GITHUB_PAT\n") || strings.Contains(gh, "ghp_") || strings.Contains(gh, "GROQ") {
				t.Errorf("github-actions-secrets.sh:\n%s", gh)
			}
		})
	}
}

func TestNoServicesNoGrants(t *testing.T) {
	p, _, err := vaultplan.Build(serviceFindings(), vaultplan.Options{Target: vaultplan.AWSSecretsManager})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 0 {
		t.Errorf("grants without services: %+v", p.Services)
	}
	for name := range vaultplan.Snippets(p) {
		if strings.HasPrefix(name, "services/") {
			t.Errorf("snippet %s without services", name)
		}
	}
}

// TestServiceScriptsShellcheck: the per-service and gh scripts pass
// shellcheck.
func TestServiceScriptsShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs shellcheck: %v", err)
		}
		t.Skipf("this test needs shellcheck: %v", err)
	}
	services := map[string][]string{"auth": {"groq-api-key", "stripe-key"}, "web": {"openai-key"}}
	n := 0
	for _, target := range vaultplan.Targets() {
		p, _, err := vaultplan.Build(serviceFindings(), vaultplan.Options{Target: target, Services: services})
		if err != nil {
			t.Fatal(err)
		}
		for name, body := range vaultplan.Snippets(p) {
			if !strings.HasSuffix(name, ".sh") {
				continue
			}
			f := filepath.Join(t.TempDir(), filepath.Base(name))
			os.WriteFile(f, []byte(body), 0o755)
			if out, err := exec.Command(sc, f).CombinedOutput(); err != nil {
				t.Errorf("%s/%s: shellcheck: %v\n%s\n%s", target, name, err, out, body)
			}
			n++
		}
	}
	if n < 5 {
		t.Errorf("checked %d scripts, want the Azure and GCP service scripts and the gh scripts", n)
	}
}
