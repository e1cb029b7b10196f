package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
	"github.com/leakfix/leakfix/rewrite/lookup"
)

// TestAWSHelperChoices runs the generated Python (boto3) and Node
// (@aws-sdk/client-secrets-manager) helpers against moto: a stored secret
// comes from the store, through either standard endpoint variable; a
// missing one is an error unless the environment fallback is allowed;
// an unreachable endpoint is an error even then.
func TestAWSHelperChoices(t *testing.T) {
	py := awsPython(t)
	awsCLI := rewritetest.RequireTool(t, "aws")
	node := rewritetest.RequireTool(t, "node")
	npm := rewritetest.RequireTool(t, "npm")
	m := startMoto(t, py)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pySrc, _ := lookup.Python(lookup.AWSSecretsManager)
	jsSrc, _, _ := lookup.JS(lookup.AWSSecretsManager)
	writeFile(t, filepath.Join(dir, "leakfix_secrets.py"), pySrc)
	writeFile(t, filepath.Join(dir, "leakfix-secrets.cjs"), jsSrc)
	install := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, "@aws-sdk/client-secrets-manager")
	if out, err := install.CombinedOutput(); err != nil {
		requireTools(t, "npm install @aws-sdk/client-secrets-manager (the npm registry)", fmt.Errorf("%w: %s", err, out))
	}
	const value = "sk-moto-0123456789abcdefghijklmnopqrstuv"
	valueFile := filepath.Join(dir, "value.json")
	writeFile(t, valueFile, []byte(`{"SecretString":"`+value+`"}`))
	var base []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "AWS_") && !strings.HasPrefix(k, "LEAKFIX_") {
			base = append(base, kv)
		}
	}
	run(t, ctx, dir, append(append([]string{}, base...), m.env()...), awsCLI, "secretsmanager", "create-secret", "--name", "groq-api-key", "--cli-input-json", "file://"+valueFile)

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + closed.Addr().String()
	closed.Close()
	creds := []string{"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=" + region, "AWS_DEFAULT_REGION=" + region, "AWS_MAX_ATTEMPTS=1",
		"GROQ_API_KEY=from-env", "MISSING_KEY=from-env", "NODE_PATH=" + filepath.Join(dir, "node_modules")}
	cases := []struct {
		name, secret string
		env          []string
		want         string // "value=…" or a fragment of the error
		notWant      string
	}{
		{"stored, AWS_ENDPOINT_URL", "groq-api-key", []string{"AWS_ENDPOINT_URL=" + m.URL}, "value=" + value, "from-env"},
		{"stored, AWS_ENDPOINT_URL_SECRETS_MANAGER", "groq-api-key", []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + m.URL}, "value=" + value, "from-env"},
		{"stored, fallback allowed", "groq-api-key", []string{"AWS_ENDPOINT_URL=" + m.URL, "LEAKFIX_SECRETS_ENV_FALLBACK=1"}, "value=" + value, "from-env"},
		{"missing, no fallback", "missing-key", []string{"AWS_ENDPOINT_URL=" + m.URL}, "LEAKFIX_SECRETS_ENV_FALLBACK=1", "value="},
		{"missing, fallback allowed", "missing-key", []string{"AWS_ENDPOINT_URL=" + m.URL, "LEAKFIX_SECRETS_ENV_FALLBACK=1"}, "value=from-env", ""},
		{"unreachable, fallback allowed", "groq-api-key", []string{"AWS_ENDPOINT_URL=" + dead, "LEAKFIX_SECRETS_ENV_FALLBACK=1"}, "cannot reach AWS Secrets Manager", "value="},
		{"env store", "groq-api-key", []string{"LEAKFIX_SECRETS_BACKEND=env", "AWS_ENDPOINT_URL=" + m.URL}, "value=from-env", "AWS Secrets Manager"},
	}
	progs := map[string][]string{
		"python": {py, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import leakfix_secrets as s\ntry:\n    print('value=' + s.get_secret(sys.argv[2]))\nexcept (s.SecretNotFoundError, s.SecretBackendError) as e:\n    print('error:', e)\n", dir},
		"node":   {node, "-e", "const s = require(process.argv[1]); try { console.log('value=' + s.getSecret(process.argv[2])); } catch (e) { console.log('error: ' + e.message); }", "--", filepath.Join(dir, "leakfix-secrets.cjs")},
	}
	for lang, prog := range progs {
		for _, c := range cases {
			cmd := exec.CommandContext(ctx, prog[0], append(prog[1:], c.secret)...)
			cmd.Dir = dir
			cmd.Env = append(append(append([]string{}, base...), creds...), c.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s %s: %v\n%s", lang, c.name, err, out)
				continue
			}
			if !strings.Contains(string(out), c.want) || c.notWant != "" && strings.Contains(string(out), c.notWant) {
				t.Errorf("%s %s: want %q and not %q in\n%s", lang, c.name, c.want, c.notWant, strings.ReplaceAll(string(out), value, "REDACTED"))
			}
			if strings.Count(string(out), value) > 1 || strings.Contains(string(out), value) && !strings.Contains(string(out), "value="+value) {
				t.Errorf("%s %s: the value reached the helper's own output", lang, c.name)
			}
		}
	}
}
