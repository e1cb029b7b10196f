package goanalyzer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// helperBehaviour is a test run inside the emitted package: it checks
// the environment fallback, the provider, caching, the panics, and that
// EnvName agrees with the one config-file rewriters use.
const helperBehaviour = `package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestBehaviour(t *testing.T) {
	// The store defaults to the generated target; without a provider
	// that is an error naming the fix, even with the variable set.
	t.Setenv("GROQ_API_KEY", "from-env")
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "")
	t.Setenv("SECRETS_BACKEND", "")
	if _, err := Lookup(context.Background(), "groq-api-key"); err == nil || !strings.Contains(err.Error(), "AZURE_KEY_VAULT_URL") {
		t.Fatalf("default store (Key Vault, built-in REST client) unconfigured: %v, want an error naming its setting", err)
	}
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "aws")
	if _, err := Lookup(context.Background(), "groq-api-key"); err == nil || !strings.Contains(err.Error(), "leakfix_aws") {
		t.Fatalf("aws without a provider: %v, want an error naming the build tag", err)
	}
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "env")
	if got := Get("groq-api-key"); got != "from-env" {
		t.Fatalf("env store: got %q", got)
	}
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "keepass")
	if _, err := Lookup(context.Background(), "groq-api-key"); err == nil || !strings.Contains(err.Error(), "keepass") {
		t.Fatalf("unknown store: %v", err)
	}
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "azure-keyvault")
	calls := 0
	SetProvider(ProviderFunc(func(ctx context.Context, name string) (string, error) {
		calls++
		switch name {
		case "missing", "groq-api-key":
			return "", ErrNotFound
		case "broken":
			return "", errors.New("connection refused")
		}
		return "vault:" + name, nil
	}))
	for i := 0; i < 3; i++ {
		if got := Get("stripe-key"); got != "vault:stripe-key" {
			t.Fatalf("provider: got %q", got)
		}
	}
	if calls != 1 {
		t.Errorf("provider called %d times for one name; want 1 (cached)", calls)
	}
	if _, err := Lookup(context.Background(), "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing secret: %v", err)
	}
	// Not in the store: the variable is read only when allowed.
	if _, err := Lookup(context.Background(), "groq-api-key"); !errors.Is(err, ErrNotFound) {
		t.Errorf("env read without LEAKFIX_SECRETS_ENV_FALLBACK: %v", err)
	}
	t.Setenv("LEAKFIX_SECRETS_ENV_FALLBACK", "1")
	if got, err := Lookup(context.Background(), "groq-api-key"); got != "from-env" || err != nil {
		t.Errorf("env fallback: %q, %v", got, err)
	}
	// A failing store is never papered over by the environment.
	t.Setenv("BROKEN", "from-env")
	if _, err := Lookup(context.Background(), "broken"); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("store failure with fallback allowed: %v", err)
	}
	t.Setenv("LEAKFIX_SECRETS_ENV_FALLBACK", "")
	t.Setenv("LEAKFIX_SECRETS_BACKEND", "aws")
	SetProvider(nil)
	func() {
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), "STRIPE_KEY") {
				t.Errorf("Get without a provider: panic %v, want one naming STRIPE_KEY", r)
			}
		}()
		Get("stripe-key")
	}()
	t.Setenv("JWT_SECRET", "")
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "JWT_SECRET") {
				t.Errorf("MustEnv of an empty variable: panic %v", r)
			}
		}()
		MustEnv("JWT_SECRET")
	}()
	t.Setenv("JWT_SECRET", "s3t")
	if MustEnv("JWT_SECRET") != "s3t" {
		t.Errorf("MustEnv did not return the variable")
	}
	for name, want := range envNames {
		if got := EnvName(name); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", name, got, want)
		}
	}
}
`

func TestEmitHelper(t *testing.T) {
	goBin := requireTool(t, "go")
	for _, target := range []string{"", "azure-keyvault", "aws-secrets-manager", "hashicorp-vault", "gcp-secret-manager"} {
		src, err := HelperSource("example.com/app/internal/secrets", target)
		if err != nil {
			t.Fatalf("target %q: %v", target, err)
		}
		if target != "" && !strings.Contains(string(src), "planned for "+target) {
			t.Errorf("target %q: the doc does not say how to plug it in", target)
		}
	}
	if _, err := EmitHelper(t.TempDir(), "example.com/app/internal/secrets", "keepass"); err == nil {
		t.Errorf("unknown target accepted")
	}

	mod := t.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/app\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ip, dir, err := HelperLocation(mod)
	if err != nil {
		t.Fatal(err)
	}
	written, err := EmitHelper(dir, ip, "azure-keyvault")
	if err != nil || len(written) != 1 {
		t.Fatalf("EmitHelper: %v, %v", written, err)
	}
	first, err := os.ReadFile(written[0])
	if err != nil {
		t.Fatal(err)
	}
	// A second emit leaves the (possibly edited) file alone.
	if err := os.WriteFile(written[0], append(first, "\n// edited by its owner\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := EmitHelper(dir, ip, "azure-keyvault")
	if err != nil || len(again) != 0 {
		t.Errorf("second EmitHelper wrote %v, %v", again, err)
	}
	if now, _ := os.ReadFile(written[0]); !bytes.HasSuffix(now, []byte("// edited by its owner\n")) {
		t.Errorf("second EmitHelper overwrote the file")
	}

	var table strings.Builder
	table.WriteString("package secrets\n\nvar envNames = map[string]string{\n")
	for _, name := range []string{"groq-api-key", "azure-openai-gpt-4-turbo-key", "secret-9-x", "9lives", "a--b", "ünï-code", "x-"} {
		fmt.Fprintf(&table, "\t%q: %q,\n", name, rewrite.EnvName(name))
	}
	table.WriteString("}\n")
	for name, body := range map[string]string{"behaviour_test.go": helperBehaviour, "names_test.go": table.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the emitted helper: %v\n%s", err, out)
	}
	cmd = exec.Command(goBin, "vet", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the emitted helper: %v\n%s", err, out)
	}
}

// seedPack is the embedded default rule pack, which must find the secret
// in the seed-002 Go service.
func seedPack(t *testing.T, seedSrc []byte) *rules.Config {
	t.Helper()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	if fs, _ := scanner.New(cfg, scanner.Options{}).Detect(scanner.Fragment{Path: "main.go", Data: seedSrc}); len(fs) == 0 {
		t.Fatal("the default rule pack finds no secret in the seed-002 Go service")
	}
	return cfg
}

// TestSeedServiceBuilds rewrites the seed-002 Go service in a module of
// its own, emits the helper, and builds the result.
func TestSeedServiceBuilds(t *testing.T) {
	goBin := requireTool(t, "go")
	seed, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed002", "client-data-collection-service", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := seedPack(t, seed)
	mod := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(mod, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", []byte("module example.com/clientdata\n\ngo 1.22\n"))
	write("main.go", seed)

	d := scanner.New(cfg, scanner.Options{})
	found, err := d.Detect(scanner.Fragment{Path: "main.go", Data: seed})
	if err != nil || len(found) == 0 {
		t.Fatalf("scan: %d findings, %v", len(found), err)
	}
	if err := naming.Assign(found, cfg, nil); err != nil {
		t.Fatal(err)
	}
	out, err := Rewrite(filepath.Join(mod, "main.go"), seed, found, Options{})
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	write("main.go", out)
	ip, dir, err := HelperLocation(mod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EmitHelper(dir, ip, "azure-keyvault"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "build", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOPROXY=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the rewritten service: %v\n%s\n%s", err, msg, out)
	}
	for _, f := range found {
		if bytes.Contains(out, []byte(f.Secret)) {
			t.Errorf("the rewritten file still holds the secret of line %d (%s)", f.StartLine, f.RuleID)
		}
		if !bytes.Contains(out, []byte(`secrets.Get("`+f.SecretName+`")`)) {
			t.Errorf("no secrets.Get(%q) in the output", f.SecretName)
		}
	}
	if left, _ := d.Detect(scanner.Fragment{Path: "main.go", Data: out}); len(left) > 0 {
		t.Errorf("a scan of the rewritten file still finds %d secret(s)", len(left))
	}
	again, err := Rewrite(filepath.Join(mod, "main.go"), out, nil, Options{})
	var unfixed *rewrite.Unfixed
	if err != nil && !errors.As(err, &unfixed) || !bytes.Equal(again, out) {
		t.Errorf("a second run changed the file")
	}
}
