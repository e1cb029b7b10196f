package lookup

import (
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

const goStandinMain = `package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"example.com/standin/internal/secrets"
)

func main() {
	out := map[string]map[string]string{}
	for _, name := range os.Args[1:] {
		v, err := secrets.Lookup(context.Background(), name)
		switch {
		case err == nil:
			out[name] = map[string]string{"value": v}
		case errors.Is(err, secrets.ErrNotFound):
			out[name] = map[string]string{"notFound": err.Error()}
		default:
			out[name] = map[string]string{"error": err.Error()}
		}
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
`

// TestGoHelperAgainstStandIn builds the generated Go helper (its built-in
// REST client, no SDK) into a program and reads the stand-in's Vault,
// Key Vault and Secret Manager through it.
func TestGoHelperAgainstStandIn(t *testing.T) {
	goBin := rewritetest.RequireTool(t, "go")
	mod := t.TempDir()
	helper, err := goanalyzer.HelperSource("example.com/standin/internal/secrets", "")
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, mod, map[string]string{
		"go.mod":                      "module example.com/standin\n\ngo 1.21\n",
		"main.go":                     goStandinMain,
		"internal/secrets/secrets.go": string(helper),
	})
	bin := filepath.Join(t.TempDir(), "standin")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Dir = mod
	build.Env = append(build.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := newStandIn(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "https://" + closed.Addr().String()
	closed.Close()
	names := []string{"groq-api-key", "db-password", "unicode-key", "multiline-pem", "missing-key"}
	for _, target := range []Target{HashiCorpVault, AzureKeyVault, GCPSecretManager} {
		for name, v := range standinValues {
			s.put(t, target, name, v)
		}
		backend, _ := Backend(target)
		t.Run(string(target), func(t *testing.T) {
			base := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "SSL_CERT_FILE=" + s.caFile,
				"LEAKFIX_SECRETS_BACKEND=" + backend, "MISSING_KEY=from-env"}
			run := func(env ...string) (map[string]lookupResult, string) {
				cmd := exec.Command(bin, names...)
				cmd.Env = append(append([]string{}, base...), env...)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatal(err)
				}
				var res map[string]lookupResult
				if err := json.Unmarshal(out, &res); err != nil {
					t.Fatalf("output: %v\n%s", err, stderr.String())
				}
				return res, stderr.String()
			}
			res, stderr := run(s.env(target)...)
			n := 0
			for name, want := range standinValues {
				if r := res[name]; r.Value != nil && *r.Value == want {
					n++
				} else {
					t.Errorf("%s: not read exactly (%s%s)", name, r.NotFound, r.Error)
				}
			}
			if r := res["missing-key"]; r.NotFound == "" {
				t.Errorf("missing-key without fallback: %+v", r)
			}
			if !strings.Contains(stderr, "reading secrets from") {
				t.Errorf("the store is not named on stderr: %q", stderr)
			}
			t.Logf("go %s: values read = %d of %d stored (stand-in)", target, n, len(standinValues))
			res, _ = run(append(s.env(target), "LEAKFIX_SECRETS_ENV_FALLBACK=1")...)
			if r := res["missing-key"]; r.Value == nil || *r.Value != "from-env" {
				t.Errorf("missing-key with the fallback allowed: %+v", r)
			}
			dead := map[Target][]string{
				HashiCorpVault:   {"VAULT_ADDR=" + deadURL, "VAULT_TOKEN=" + vaultToken},
				AzureKeyVault:    {"AZURE_KEY_VAULT_URL=" + deadURL},
				GCPSecretManager: {"GOOGLE_CLOUD_PROJECT=" + gcpProject, "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER=" + deadURL, "GOOGLE_OAUTH_ACCESS_TOKEN=" + gcpToken},
			}[target]
			res, _ = run(append(dead, "LEAKFIX_SECRETS_ENV_FALLBACK=1", "GROQ_API_KEY=from-env")...)
			if r := res["groq-api-key"]; r.Error == "" || !strings.Contains(r.Error, "cannot reach") {
				t.Errorf("unreachable store: %+v, want an error saying so", r)
			}
		})
	}
}
