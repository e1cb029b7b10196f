package goanalyzer

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"

	"github.com/leakfix/leakfix/internal/atomicfile"
)

// helperTargets are the vault targets EmitHelper knows how to document
// (the same names `leakfix plan --target` takes); "" writes the helper
// with the provider left to the reader.
var helperTargets = map[string]string{
	"":                    "",
	"azure-keyvault":      azureSnippet,
	"aws-secrets-manager": awsSnippet,
	"hashicorp-vault":     vaultSnippet,
	"gcp-secret-manager":  gcpSnippet,
}

// helperBackends is the store each target's helper reads by default.
var helperBackends = map[string]string{
	"":                    "env",
	"azure-keyvault":      "azure",
	"aws-secrets-manager": "aws",
	"hashicorp-vault":     "vault",
	"gcp-secret-manager":  "gcp",
}

// EmitHelper writes the Go package the rewritten calls need into dir:
// Get(name) reads a secret from the store LEAKFIX_SECRETS_BACKEND names
// (default: target's), through a pluggable Provider (the vault client,
// installed with SetProvider or a provider file) or, for "env", from the
// UPPER_SNAKE environment variable, and caches provider answers;
// MustEnv(key) is what weak defaults became. It has no dependencies, so the rewritten
// code builds offline; the doc comment shows, for target, the few lines
// that plug that vault's SDK in.
//
// The package is named after the last element of importPath. A file that
// already exists is left alone (the user may have plugged a provider in),
// so emitting twice is a no-op; the paths actually written are returned.
func EmitHelper(dir, importPath, target string) ([]string, error) {
	if err := checkImportPath(importPath); err != nil {
		return nil, fmt.Errorf("emit Go helper: %w", err)
	}
	src, err := HelperSource(importPath, target)
	if err != nil {
		return nil, fmt.Errorf("emit Go helper: %w", err)
	}
	path := filepath.Join(dir, packageName(importPath)+".go")
	if _, err := os.Stat(path); err == nil {
		return nil, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("emit Go helper: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("emit Go helper: %w", err)
	}
	if err := writeAtomic(path, src, 0o644); err != nil {
		return nil, fmt.Errorf("emit Go helper: %w", err)
	}
	return []string{path}, nil
}

// HelperSource returns the helper's source without writing it.
func HelperSource(importPath, target string) ([]byte, error) {
	return helperSource(importPath, target, "")
}

// helperSource renders the helper; sdkHook, when set, names the
// same-package provider file whose SamePackageSDKFunc the helper calls.
func helperSource(importPath, target, sdkHook string) ([]byte, error) {
	snippet, ok := helperTargets[target]
	if !ok {
		return nil, fmt.Errorf("unknown vault target %q (want azure-keyvault, aws-secrets-manager, hashicorp-vault or gcp-secret-manager)", target)
	}
	var buf bytes.Buffer
	backend := helperBackends[target]
	err := helperTmpl().Execute(&buf, map[string]any{
		"Backend":     backend,
		"Package":     packageName(importPath),
		"ImportPath":  importPath,
		"Target":      target,
		"Snippet":     commentBlock(snippet),
		"MustEnv":     MustEnvFunc,
		"SDKHook":     sdkHook,
		"SDKHookFunc": SamePackageSDKFunc,
	})
	if err != nil {
		return nil, fmt.Errorf("helper template: %w", err)
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("helper template does not format (a leakfix bug): %w", err)
	}
	return out, nil
}

func commentBlock(s string) string {
	s = strings.Trim(s, "\n")
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			b.WriteString("//\n")
		} else {
			b.WriteString("//\t" + line + "\n")
		}
	}
	return b.String()
}

// writeAtomic writes data to path through internal/atomicfile.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.WriteFile(path, data, perm)
}

const azureSnippet = `
import (
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

cred, err := azidentity.NewDefaultAzureCredential(nil)
if err != nil { ... }
client, err := azsecrets.NewClient("https://<vault-name>.vault.azure.net/", cred, nil)
if err != nil { ... }
secrets.SetProvider(secrets.ProviderFunc(func(ctx context.Context, name string) (string, error) {
	resp, err := client.GetSecret(ctx, name, "", nil)
	if err != nil {
		return "", err
	}
	return *resp.Value, nil
}))
`

const awsSnippet = `
import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

cfg, err := config.LoadDefaultConfig(ctx)
if err != nil { ... }
client := secretsmanager.NewFromConfig(cfg)
secrets.SetProvider(secrets.ProviderFunc(func(ctx context.Context, name string) (string, error) {
	// Prepend the --prefix given to "leakfix plan", if any.
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.SecretString), nil
}))
`

const vaultSnippet = `
import vault "github.com/hashicorp/vault/api"

client, err := vault.NewClient(vault.DefaultConfig()) // VAULT_ADDR, VAULT_TOKEN
if err != nil { ... }
secrets.SetProvider(secrets.ProviderFunc(func(ctx context.Context, name string) (string, error) {
	// The KV v2 mount and --prefix given to "leakfix plan"; the value is
	// stored under the key "value".
	s, err := client.KVv2("secret").Get(ctx, name)
	if err != nil {
		return "", err
	}
	v, ok := s.Data["value"].(string)
	if !ok {
		return "", secrets.ErrNotFound
	}
	return v, nil
}))
`

const gcpSnippet = `
import (
	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
)

client, err := secretmanager.NewClient(ctx)
if err != nil { ... }
secrets.SetProvider(secrets.ProviderFunc(func(ctx context.Context, name string) (string, error) {
	resp, err := client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{
		Name: "projects/<project>/secrets/" + name + "/versions/latest",
	})
	if err != nil {
		return "", err
	}
	return string(resp.Payload.Data), nil
}))
`

// helperTmpl parses on first use, not at every leakfix start.
var helperTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("helper").Parse(helperText))
})

const helperText = `// Package {{.Package}} reads the secrets that "leakfix fix" moved out of
// this code base. Call sites name a secret by its vault name:
//
//	key := {{.Package}}.Get("groq-api-key")
//
// The store is LEAKFIX_SECRETS_BACKEND (aws, azure, vault, gcp or env),
// defaulting to "{{.Backend}}"{{if .Target}}, the --target this package was generated for{{end}}:
//
//   - env reads the environment variable named after the secret in upper
//     snake case (GROQ_API_KEY);
//   - vault, azure and gcp are read through their REST APIs with the
//     platform's workload identity (VAULT_TOKEN; a managed-identity
//     token after Key Vault's bearer challenge; a metadata-server
//     token), unless a Provider is installed with SetProvider;
//   - aws needs the Provider in provider_aws.go (aws-sdk-go-v2, built
//     with -tags leakfix_aws) or one of your own. This package has no
//     dependencies, so the code builds offline. A store chosen without a
//     way to reach it is an error at first use, never a silent read of
//     the environment.
//
// The first lookup prints one line on stderr naming the store, never a
// value. With LEAKFIX_SECRETS_ENV_FALLBACK=1 a secret the provider does
// not have (ErrNotFound) is read from its environment variable. Provider
// answers are cached for the life of the process, so a hot path that
// reads a key costs one vault request in total. A secret that cannot be
// read is a deployment error: Get panics with the reason, at the first
// use rather than in the middle of a request when the caller reads its
// secrets at start-up. Use Lookup to handle the error instead.
//
// {{if .Target}}The secrets were planned for {{.Target}}. To read them from there,
// install a provider at start-up:
//
{{.Snippet}}//
// {{end}}This file was written by "leakfix fix" and is yours to
// edit: leakfix never overwrites it.
package {{.Package}}

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Provider fetches a secret by its vault name. Implementations return an
// error wrapping ErrNotFound when the vault has no such secret.
type Provider interface {
	Secret(ctx context.Context, name string) (string, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context, name string) (string, error)

// Secret calls f.
func (f ProviderFunc) Secret(ctx context.Context, name string) (string, error) { return f(ctx, name) }

// ErrNotFound says the store (or the environment) has no such secret.
var ErrNotFound = errors.New("secret not found")

// The store is package state because call sites use plain functions
// ({{.Package}}.Get("name")), the shape "leakfix fix" writes into code.
var (
	mu       sync.RWMutex
	provider Provider
	cache    sync.Map // vault name → value from the provider
)

// SetProvider installs the vault client (nil removes it) and empties the
// cache. Call it once at start-up, before the first Get.
func SetProvider(p Provider) {
	mu.Lock()
	defer mu.Unlock()
	provider = p
	cache.Range(func(k, _ any) bool {
		cache.Delete(k)
		return true
	})
}

// DefaultBackend is the store used when LEAKFIX_SECRETS_BACKEND is unset.
const DefaultBackend = "{{.Backend}}"

var backendTitles = map[string]string{
	"aws":   "AWS Secrets Manager",
	"azure": "Azure Key Vault",
	"vault": "HashiCorp Vault (KV v2)",
	"gcp":   "GCP Secret Manager",
	"env":   "environment variables",
}

var backendAliases = map[string]string{
	"aws-secrets-manager": "aws",
	"azure-keyvault":      "azure",
	"hashicorp-vault":     "vault",
	"gcp-secret-manager":  "gcp",
}

// Backend returns the store in use: LEAKFIX_SECRETS_BACKEND, else
// DefaultBackend.
func Backend() (string, error) {
	raw := os.Getenv("LEAKFIX_SECRETS_BACKEND")
	if raw == "" {
		raw = os.Getenv("SECRETS_BACKEND")
	}
	if raw == "" {
		raw = DefaultBackend
	}
	b := strings.ToLower(strings.TrimSpace(raw))
	if a, ok := backendAliases[b]; ok {
		b = a
	}
	if _, ok := backendTitles[b]; !ok {
		return "", fmt.Errorf("LEAKFIX_SECRETS_BACKEND=%q: want aws, azure, env, gcp or vault", raw)
	}
	return b, nil
}

var announced sync.Map // backend → true once named on stderr

// Lookup returns the secret named name from the configured store.
func Lookup(ctx context.Context, name string) (string, error) {
	backend, err := Backend()
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", name, err)
	}
	if _, done := announced.LoadOrStore(backend, true); !done {
		fmt.Fprintf(os.Stderr, "{{.Package}}: reading secrets from %s\n", backendTitles[backend])
	}
	fallback := backend == "env"
	switch os.Getenv("LEAKFIX_SECRETS_ENV_FALLBACK") {
	case "1", "true", "yes":
		fallback = true
	}
	if backend != "env" {
		if v, ok := cache.Load(name); ok {
			return v.(string), nil
		}
		mu.RLock()
		p := provider
		mu.RUnlock()
		if p == nil && backend != "aws" {
			p = builtinProvider(backend)
		}
{{- if .SDKHook}}
		// The SDK client of {{.SDKHook}}, when built with its tag. A call,
		// not an init(): this package's variables that read secrets are
		// initialised before any init runs.
		if p == nil && backend == "{{.Backend}}" {
			p = {{.SDKHookFunc}}()
		}
{{- end}}
		if p == nil {
			return "", fmt.Errorf("secret %q: LEAKFIX_SECRETS_BACKEND=%s but no %s client is installed: build with -tags leakfix_%s ({{if .SDKHook}}leakfix_secrets_%s.go{{else}}provider_%s.go{{end}}) or call {{if .SDKHook}}leakfixSetProvider{{else}}SetProvider{{end}}; LEAKFIX_SECRETS_BACKEND=env reads %s instead",
				name, backend, backendTitles[backend], backend, backend, EnvName(name))
		}
		v, err := p.Secret(ctx, name)
		if err == nil {
			cache.Store(name, v)
			return v, nil
		}
		if !errors.Is(err, ErrNotFound) || !fallback {
			return "", fmt.Errorf("secret %q from %s: %w", name, backendTitles[backend], err)
		}
	}
	if v, ok := os.LookupEnv(EnvName(name)); ok && fallback {
		return v, nil
	}
	return "", fmt.Errorf("secret %q: %w: not in %s nor in the environment variable %s", name, ErrNotFound, backendTitles[backend], EnvName(name))
}

// Get returns the secret named name, and panics when it cannot: running
// without a credential it needs is a deployment error best seen at once.
func Get(name string) string {
	v, err := Lookup(context.Background(), name)
	if err != nil {
		panic("{{.Package}}: " + err.Error())
	}
	return v
}

// {{.MustEnv}} returns the environment variable key, and panics when it is unset
// or empty. It replaces lookups that fell back to a hardcoded default
// (getEnv("JWT_SECRET", fallback)): a guessable fallback for a secret is
// worse than a program that refuses to start.
func {{.MustEnv}}(key string) string {
	v := os.Getenv(key)
	if v == "" {
		panic(fmt.Sprintf("{{.Package}}: required environment variable %s is not set", key))
	}
	return v
}

// EnvName is the environment variable that overrides a vault name:
// upper snake case (azure-openai-gpt-4-turbo-key → AZURE_OPENAI_GPT_4_TURBO_KEY).
func EnvName(name string) string {
	b := make([]byte, 0, len(name)+1)
	under := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
			under = false
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
			under = false
		default:
			if !under && len(b) > 0 {
				b = append(b, '_')
				under = true
			}
		}
	}
	for len(b) > 0 && b[len(b)-1] == '_' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		b = append([]byte{'_'}, b...)
	}
	return string(b)
}
` + restProviderSource
