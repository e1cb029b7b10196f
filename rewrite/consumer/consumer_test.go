package consumer

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"

	"github.com/leakfix/leakfix/rewrite"
)

const key = "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"

// secretIn locates key in src as the scanner would hand it over.
func secretIn(src, name string) []rewrite.Secret {
	var out []rewrite.Secret
	for off := 0; ; {
		i := strings.Index(src[off:], key)
		if i < 0 {
			return out
		}
		s := off + i
		out = append(out, rewrite.Secret{Name: name, Value: key, Start: s, End: s + len(key), Line: 1 + strings.Count(src[:s], "\n")})
		off = s + len(key)
	}
}

func TestRewrite(t *testing.T) {
	for _, tc := range []struct {
		name, path, src string
		want            string // expected output; "" when refused
		refused         string // substring of the refusal
	}{
		{
			name: "workflow env", path: ".github/workflows/ci.yml",
			src:  "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      GROQ_API_KEY: \"" + key + "\" # prod\n    steps:\n      - run: echo hi\n",
			want: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      GROQ_API_KEY: ${{ secrets.GROQ_API_KEY }} # prod\n    steps:\n      - run: echo hi\n",
		},
		{
			name: "workflow with input", path: ".github/workflows/deploy.yaml",
			src:  "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@v1\n        with:\n          token: '" + key + "'\n",
			want: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@v1\n        with:\n          token: ${{ secrets.GROQ_API_KEY }}\n",
		},
		{
			name: "workflow run script", path: ".github/workflows/ci.yml",
			src:     "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -H 'Authorization: Bearer " + key + "' https://api.groq.com\n",
			refused: "GitHub Actions does not expand",
		},
		{
			name: "Dockerfile ENV", path: "svc/Dockerfile",
			src:  "FROM python:3.12\nENV GROQ_API_KEY=" + key + "\nCMD [\"python\", \"main.py\"]\n",
			want: "FROM python:3.12\n# GROQ_API_KEY is a secret (vault name groq-api-key): not baked into the image; inject it at run time:\n#   docker run -e GROQ_API_KEY ...   (compose: environment: GROQ_API_KEY: ${GROQ_API_KEY}; Kubernetes/ECS/Cloud Run: see leakfix plan's snippets)\nCMD [\"python\", \"main.py\"]\n",
		},
		{
			name: "Dockerfile ARG", path: "Dockerfile",
			src:  "FROM node:20\nARG NPM_TOKEN=\"" + key + "\"\nRUN npm ci\n",
			want: "FROM node:20\n# NPM_TOKEN is a secret (vault name groq-api-key); a build argument is kept in the image history, so use a BuildKit secret:\n#   docker build --secret id=groq-api-key,env=GROQ_API_KEY ...   and   RUN --mount=type=secret,id=groq-api-key,env=NPM_TOKEN <command>\nARG NPM_TOKEN\nRUN npm ci\n",
		},
		{
			name: "Dockerfile ENV with other keys", path: "Dockerfile",
			src:     "FROM x\nENV GROQ_API_KEY=" + key + " PORT=8000\n",
			refused: "sets more than the secret",
		},
		{
			name: "Dockerfile RUN", path: "Dockerfile",
			src:     "FROM x\nRUN curl -H \"Authorization: Bearer " + key + "\" https://api.groq.com\n",
			refused: "BuildKit secret",
		},
		{
			name: "Kubernetes env value", path: "k8s/deploy.yaml",
			src:  "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n            - name: GROQ\n              value: \"" + key + "\" # prod\n",
			want: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n            - name: GROQ\n              valueFrom:\n                secretKeyRef:\n                  name: k8s-svc\n                  key: GROQ_API_KEY # prod\n",
		},
		{
			name: "Kubernetes args", path: "k8s/deploy.yaml",
			src:     "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - args: [\"--token=" + key + "\"]\n",
			refused: "not an env[].value",
		},
		{
			name: "Kubernetes Secret", path: "k8s/secret.yml",
			src:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-keys\n  namespace: prod\ntype: Opaque\nstringData:\n  k: " + key + "\n",
			want: "# leakfix fix replaced a Secret holding these values: External Secrets Operator\n# (external-secrets.io) now creates the Secret \"api-keys\" from the vault, through the\n# SecretStore \"app-hashicorp-vault\" that leakfix plan writes in snippets/external-secret.yaml.\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: \"api-keys\"\n  namespace: \"prod\"\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: SecretStore\n    name: \"app-hashicorp-vault\"\n  target:\n    name: \"api-keys\"\n  data:\n    - secretKey: \"k\"\n      remoteRef:\n        key: groq-api-key\n        property: value\n",
		},
		{
			name: "Kubernetes Secret with other keys", path: "k8s/secret.yml",
			src:     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  user: admin\n  k: " + key + "\n",
			refused: "\"user\" holds a value that is not a secret",
		},
		{
			name: "appsettings", path: "api/appsettings.Production.json",
			src:     "{\n  \"Logging\": {\"Level\": \"Info\"},\n  \"Groq\": {\n    \"Client\": {\"ApiKey\": \"" + key + "\"}\n  }\n}\n",
			refused: "Groq__Client__ApiKey",
		},
		{
			name: "compose keeps ${VAR}", path: "docker-compose.yml",
			src:  "services:\n  a:\n    environment:\n      GROQ_API_KEY: " + key + "\n",
			want: "services:\n  a:\n    environment:\n      GROQ_API_KEY: \"${GROQ_API_KEY}\"\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New()
			r.K8sSecret = func(string) string { return "k8s-svc" }
			r.SecretStore, r.Field = "app-hashicorp-vault", "value"
			out, err := r.Rewrite(tc.path, []byte(tc.src), secretIn(tc.src, "groq-api-key"))
			if tc.refused != "" {
				var r *Refused
				if !errors.As(err, &r) || !strings.Contains(err.Error(), tc.refused) || out != nil {
					t.Fatalf("got %q, %v; want a refusal mentioning %q", out, err, tc.refused)
				}
				if strings.Contains(err.Error(), key) {
					t.Fatalf("the refusal holds the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", out, tc.want)
			}
			if KindOf(tc.path, out) == GitHubActions {
				var buf bytes.Buffer
				l, err := actionlint.NewLinter(&buf, &actionlint.LinterOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if errs, err := l.Lint(tc.path, out, nil); err != nil || len(errs) > 0 {
					t.Errorf("actionlint: %v %v", err, errs)
				}
			}
			if strings.HasSuffix(tc.path, ".yml") || strings.HasSuffix(tc.path, ".yaml") {
				var n yaml.Node
				if err := yaml.Unmarshal(out, &n); err != nil {
					t.Errorf("output is not YAML: %v", err)
				}
			}
			if KindOf(tc.path, out) == Kubernetes && strings.Contains(tc.src, "env:") {
				checkEnvFromSecret(t, out)
			}
		})
	}
}

func TestGitHubSecretName(t *testing.T) {
	for in, want := range map[string]string{
		"groq-api-key": "GROQ_API_KEY",
		"github-pat":   "LEAKFIX_GITHUB_PAT", // GITHUB_ is reserved
		"3scale-key":   "_3SCALE_KEY",
	} {
		if got := GitHubSecretName(in); got != want {
			t.Errorf("GitHubSecretName(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkEnvFromSecret asserts what the API server's schema requires of an
// env entry (no cluster runs here, so kubectl cannot validate): a name,
// and exactly one of value or valueFrom, whose secretKeyRef has a name
// and a key.
func checkEnvFromSecret(t *testing.T, manifest []byte) {
	t.Helper()
	var d struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Env []map[string]any
					}
				}
			}
		}
	}
	if err := yaml.Unmarshal(manifest, &d); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			n++
			_, hasValue := e["value"]
			vf, _ := e["valueFrom"].(map[string]any)
			ref, _ := vf["secretKeyRef"].(map[string]any)
			if e["name"] == nil || hasValue || ref == nil || ref["name"] == "" || ref["key"] == "" || len(vf) != 1 {
				t.Errorf("env entry %v is not {name, valueFrom: {secretKeyRef: {name, key}}}", e)
			}
		}
	}
	if n == 0 {
		t.Errorf("no env entries checked")
	}
}
