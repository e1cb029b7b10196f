package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/goanalyzer"
)

// requireTool returns the path of program, or skips the test without it
// — unless LEAKFIX_REQUIRE_TOOLS=1, when its absence fails the test.
func requireTool(t *testing.T, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("this test needs %s: %v", program, err)
	}
	return path
}

const (
	groqKey = "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"
	acmeKey = "acme_live_Q7wX2pL9vK4mZ8rT"
)

const service = `package main

import "fmt"

var groqAPIKey = "` + groqKey + `"

func main() {
	fmt.Println(len(groqAPIKey))
}
`

// acmePack is a one-rule pack, to check that -leakfix.config reaches the
// analyzer through go vet.
const acmePack = `
[[rules]]
id = "acme-live-key"
description = "ACME live key"
regex = '''\b(acme_live_[A-Za-z0-9]{16})\b'''
keywords = ["acme_live_"]
provider = "acme"
name = "acme-{purpose}-key"
`

type run struct {
	code           int
	stdout, stderr string
}

func execIn(t *testing.T, dir string, name string, args ...string) run {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return r
}

// TestGoVet builds leakfix-vet and runs it the way users do: under
// `go vet -vettool`, then with -fix, then builds the fixed module.
func TestGoVet(t *testing.T) {
	goBin := requireTool(t, "go")
	bin := filepath.Join(t.TempDir(), "leakfix-vet")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build leakfix-vet: %v\n%s", err, out)
	}

	mod := t.TempDir()
	files := map[string]string{
		"go.mod":       "module example.com/svc\n\ngo 1.22\n",
		"main.go":      service,
		"acme/acme.go": "package acme\n\n// Key is the ACME key.\nfunc Key() string { return \"" + acmeKey + "\" }\n",
		"rules.toml":   acmePack,
	}
	for name, body := range files {
		path := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	vet := execIn(t, mod, goBin, "vet", "-vettool="+bin, "./...")
	if vet.code == 0 {
		t.Fatalf("go vet passed on a module with a secret:\n%s", vet.stderr)
	}
	if !strings.Contains(vet.stderr, "main.go:5:") || !strings.Contains(vet.stderr, "groq-api-key") {
		t.Errorf("the diagnostic does not name main.go:5 and the rule:\n%s", vet.stderr)
	}
	if strings.Contains(vet.stderr+vet.stdout, groqKey) || strings.Contains(vet.stderr, groqKey[:16]) {
		t.Errorf("go vet output holds the secret:\n%s", vet.stderr)
	}
	if strings.Contains(vet.stderr, "acme") {
		t.Errorf("the default pack reported the custom-pack key:\n%s", vet.stderr)
	}

	custom := execIn(t, mod, goBin, "vet", "-vettool="+bin, "-leakfix.config="+filepath.Join(mod, "rules.toml"), "./...")
	if custom.code == 0 || !strings.Contains(custom.stderr, "acme.go:4:") || !strings.Contains(custom.stderr, "acme-live-key") {
		t.Errorf("-leakfix.config did not reach the analyzer (exit %d):\n%s", custom.code, custom.stderr)
	}
	if strings.Contains(custom.stderr, acmeKey) {
		t.Errorf("go vet output holds the secret:\n%s", custom.stderr)
	}

	fix := execIn(t, mod, bin, "-fix", "./...")
	if strings.Contains(fix.stderr+fix.stdout, groqKey) {
		t.Errorf("leakfix-vet -fix output holds the secret:\n%s", fix.stderr)
	}
	fixed, err := os.ReadFile(filepath.Join(mod, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fixed, []byte(groqKey)) || !bytes.Contains(fixed, []byte(`secrets.Get("groq-api-key")`)) {
		t.Fatalf("-fix did not move the key:\n%s", fixed)
	}
	ip, dir, err := goanalyzer.HelperLocation(mod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := goanalyzer.EmitHelper(dir, ip, "hashicorp-vault"); err != nil {
		t.Fatal(err)
	}
	if b := execIn(t, mod, goBin, "build", "./..."); b.code != 0 {
		t.Fatalf("go build after -fix: %s\n%s", b.stderr, fixed)
	}
	if again := execIn(t, mod, goBin, "vet", "-vettool="+bin, "./..."); again.code != 0 {
		t.Errorf("go vet still fails after the fix:\n%s", again.stderr)
	}
}
