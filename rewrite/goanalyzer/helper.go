package goanalyzer

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
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

// EmitHelper writes the Go package the rewritten calls need into dir:
// Get(name) reads a secret from the UPPER_SNAKE environment variable of
// its name, else from a pluggable Provider (the vault client, installed
// with SetProvider at start-up), and caches provider answers; MustEnv(key)
// is what weak defaults became. It has no dependencies, so the rewritten
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
	snippet, ok := helperTargets[target]
	if !ok {
		return nil, fmt.Errorf("unknown vault target %q (want azure-keyvault, aws-secrets-manager, hashicorp-vault or gcp-secret-manager)", target)
	}
	var buf bytes.Buffer
	err := helperTmpl.Execute(&buf, map[string]any{
		"Package":    packageName(importPath),
		"ImportPath": importPath,
		"Target":     target,
		"Snippet":    commentBlock(snippet),
		"MustEnv":    MustEnvFunc,
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

var helperTmpl = template.Must(template.New("helper").Parse(`// Package {{.Package}} reads the secrets that "leakfix fix" moved out of
// this code base. Call sites name a secret by its vault name:
//
//	key := {{.Package}}.Get("groq-api-key")
//
// A value comes from, in order:
//
//  1. the environment variable named after it in upper snake case
//     (GROQ_API_KEY), so local runs, tests and CI need no vault;
//  2. the Provider installed with SetProvider — the vault client.
//
// Provider answers are cached for the life of the process, so a hot path
// that reads a key costs one vault request in total. A secret that is
// nowhere to be found is a deployment error: Get panics with the
// variable to set, at the first use rather than in the middle of a
// request when the caller reads its secrets at start-up. Use Lookup to
// handle the error instead.
//
// {{if .Target}}The secrets were planned for {{.Target}}. To read them from there,
// install a provider at start-up (this package stays free of
// dependencies; the SDK goes in main):
//
{{.Snippet}}//
// {{end}}This file was written by "leakfix fix --emit-helper" and is yours to
// edit: leakfix never overwrites it.
package {{.Package}}

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
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

// ErrNotFound says a secret is neither in the environment nor in the
// provider.
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

// Lookup returns the secret named name from the environment or the
// provider.
func Lookup(ctx context.Context, name string) (string, error) {
	if v := os.Getenv(EnvName(name)); v != "" {
		return v, nil
	}
	if v, ok := cache.Load(name); ok {
		return v.(string), nil
	}
	mu.RLock()
	p := provider
	mu.RUnlock()
	if p == nil {
		return "", fmt.Errorf("secret %q: %w: set %s or install a vault client with SetProvider", name, ErrNotFound, EnvName(name))
	}
	v, err := p.Secret(ctx, name)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", name, err)
	}
	cache.Store(name, v)
	return v, nil
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
`))
