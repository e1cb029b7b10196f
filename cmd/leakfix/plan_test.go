package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies a fixture directory so tests can move and edit files.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// seedProject copies testdata/seed002 into a fresh project (a directory
// with .git, so the project's .gitignore is the one plan updates).
func seedProject(t *testing.T) (project, services string) {
	t.Helper()
	project = t.TempDir()
	os.Mkdir(filepath.Join(project, ".git"), 0o755)
	services = filepath.Join(project, "services")
	copyTree(t, filepath.Join("..", "..", "testdata", "seed002"), services)
	return project, services
}

// vaultStub is a `vault` that records its argv and the file it is given
// as value=@FILE, one directory per call.
const vaultStub = `#!/bin/sh
d=$(mktemp -d "$STUB_LOG/call.XXXXXX")
printf '%s\0' "$@" >"$d/argv"
for a in "$@"; do
  case $a in *=@*) cp "${a#*=@}" "$d/value" ;; esac
done
`

// TestPlanSeed002 is the end-to-end run on the seed-002 services: scan
// with the default pack, plan for HashiCorp Vault, run import.sh against
// a stub vault, and check every key arrived once, under its name, with
// its exact value, and never on a command line. A plan made --from a
// redacted report of the same tree must be the same plan.
func TestPlanSeed002(t *testing.T) {
	project, services := seedProject(t)

	// The truth: what a --show-secrets scan says each name holds.
	code, out, stderr := runCLI(t, "", "scan", services, "--no-ignore", "--format", "json", "--show-secrets")
	if code != 1 {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	var found []map[string]any
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // name → value, keys only
	weak := map[string]bool{}
	for _, f := range found {
		name, secret := f["secret_name"].(string), f["secret"].(string)
		if isWeak(f) {
			weak[name] = true
			continue
		}
		if old, ok := want[name]; ok && old != secret {
			t.Fatalf("scan gave %s two values", name)
		}
		want[name] = secret
	}

	planDir := filepath.Join(project, "leakfix-plan")
	code, out, stderr = runCLI(t, "", "plan", "--target", "hashicorp-vault", services, "--no-ignore", "--out", planDir, "--prefix", "seed002")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, v := range want {
		if strings.Contains(out, v) || strings.Contains(stderr, v) {
			t.Fatal("plan printed a secret value")
		}
	}
	var plan struct {
		Secrets []struct {
			Name, StoreName, Action string
			Locations               []struct{ File string }
		}
	}
	planJSON, err := os.ReadFile(filepath.Join(planDir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil {
		t.Fatal(err)
	}
	locations := 0
	for _, s := range plan.Secrets {
		locations += len(s.Locations)
		switch {
		case weak[s.Name] && s.Action != "generate":
			t.Errorf("weak default %s: action %q, want generate", s.Name, s.Action)
		case !weak[s.Name] && s.Action != "import":
			t.Errorf("%s: action %q, want import", s.Name, s.Action)
		}
	}
	if locations != len(found) || len(plan.Secrets) != len(want)+len(weak) {
		t.Errorf("plan has %d secrets over %d locations; scan found %d values over %d findings",
			len(plan.Secrets), locations, len(want)+len(weak), len(found))
	}
	// plan writes only under --out (issue 14): the plan's own .gitignore
	// keeps the values out of git, the project's is not touched.
	if gi, _ := os.ReadFile(filepath.Join(planDir, ".gitignore")); !strings.Contains(string(gi), "*.leakfix-values") {
		t.Errorf("the plan's .gitignore lacks the values pattern:\n%s", gi)
	}
	if _, err := os.Stat(filepath.Join(project, ".gitignore")); !os.IsNotExist(err) {
		t.Errorf("plan wrote the project's .gitignore, outside --out: %v", err)
	}

	// The same plan from a redacted report of the same tree.
	report := filepath.Join(project, "report.json")
	if code, _, stderr := runCLI(t, "", "scan", services, "--no-ignore", "--format", "json", "--output", report); code != 1 {
		t.Fatalf("scan --output: exit %d: %s", code, stderr)
	}
	fromDir := filepath.Join(project, "plan-from-report")
	code, _, stderr = runCLI(t, "", "plan", "--target", "hashicorp-vault", "--from", report, "--root", services, "--out", fromDir, "--prefix", "seed002")
	if code != 0 {
		t.Fatalf("plan --from: exit %d: %s", code, stderr)
	}
	if fromJSON, _ := os.ReadFile(filepath.Join(fromDir, "plan.json")); string(fromJSON) != string(planJSON) {
		t.Errorf("plan --from a redacted report differs from plan on the tree:\n%s\n---\n%s", fromJSON, planJSON)
	}

	// Run import.sh against the stub vault.
	bin, log := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "vault"), []byte(vaultStub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(planDir, "import.sh"))
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir(), "STUB_LOG=" + log, "VAULT_ADDR=http://127.0.0.1:1"}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import.sh: %v\n%s", err, b)
	}
	calls, _ := filepath.Glob(filepath.Join(log, "call.*"))
	got := map[string]string{}
	for _, c := range calls {
		argv, _ := os.ReadFile(filepath.Join(c, "argv"))
		for _, v := range want {
			if strings.Contains(string(argv), v) {
				t.Errorf("a value is on vault's command line: %q", strings.Split(string(argv), "\x00")[:3])
			}
		}
		args := strings.Split(strings.TrimSuffix(string(argv), "\x00"), "\x00")
		value, err := os.ReadFile(filepath.Join(c, "value"))
		if len(args) != 4 || args[0] != "kv" || args[1] != "put" || err != nil {
			t.Errorf("unexpected vault call %q", args)
			continue
		}
		got[strings.TrimPrefix(args[2], "secret/seed002/")] = string(value)
	}
	if len(got) != len(want) {
		t.Errorf("vault got %d secrets, want %d", len(got), len(want))
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s: vault got a different value (%d bytes, want %d)", name, len(got[name]), len(v))
		}
	}
	if _, err := os.Stat(filepath.Join(planDir, "secrets.leakfix-values")); !os.IsNotExist(err) {
		t.Error("values still on disk after a successful import")
	}
}

// TestPlanBadInput: every bad invocation exits 2 with a clear message and
// writes nothing.
func TestPlanBadInput(t *testing.T) {
	project, services := seedProject(t)
	report := filepath.Join(project, "report.json")
	if code, _, stderr := runCLI(t, "", "scan", services, "--no-ignore", "--format", "json", "--output", report); code != 1 {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	moved := filepath.Join(project, "moved")
	if err := os.Rename(services, moved); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(project, "a-file")
	os.WriteFile(blocker, []byte("x"), 0o644)

	tests := []struct {
		name    string
		args    []string
		errWant string
	}{
		{"unknown target", []string{"plan", "--target", "keepass", moved}, "unknown --target"},
		{"no target", []string{"plan", moved}, "--target is required"},
		{"redacted report, files moved", []string{"plan", "--target", "aws-secrets-manager", "--from", report, "--root", filepath.Join(project, "services")}, "file not found"},
		{"report missing", []string{"plan", "--target", "aws-secrets-manager", "--from", filepath.Join(project, "nope.json")}, "no such file"},
		{"out dir not writable", []string{"plan", "--target", "gcp-secret-manager", moved, "--no-ignore", "--out", filepath.Join(blocker, "plan")}, "not a directory"},
		{"path and --from", []string{"plan", "--target", "gcp-secret-manager", moved, "--from", report}, "not both"},
		{"--root without --from", []string{"plan", "--target", "gcp-secret-manager", moved, "--root", moved}, "--root only applies"},
		{"stdin", []string{"plan", "--target", "gcp-secret-manager", "-"}, "stdin"},
		{"prefix on azure", []string{"plan", "--target", "azure-keyvault", moved, "--prefix", "prod/"}, "--prefix applies"},
		{"bad vault name", []string{"plan", "--target", "azure-keyvault", moved, "--vault-name", "x;y"}, "--vault-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A default --out first, so a test's own --out wins.
			args := append([]string{tt.args[0], "--out", filepath.Join(project, "out")}, tt.args[1:]...)
			code, _, stderr := runCLI(t, "", args...)
			if code != 2 || !strings.Contains(stderr, tt.errWant) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.errWant)
			}
			if _, err := os.Stat(filepath.Join(project, "out")); !os.IsNotExist(err) {
				t.Error("a plan directory was written")
			}
			if _, err := os.Stat(filepath.Join(project, ".gitignore")); !os.IsNotExist(err) {
				t.Error(".gitignore was written")
			}
		})
	}
	names := filepath.Join(project, "names.toml")
	os.WriteFile(names, []byte("groq-api-key = \"Not Valid\"\n"), 0o644)
	if code, _, stderr := runCLI(t, "", "plan", "--target", "azure-keyvault", moved, "--names", names, "--out", filepath.Join(project, "out")); code != 2 || !strings.Contains(stderr, "--names") {
		t.Errorf("invalid --names: exit %d, %s", code, stderr)
	}
	os.WriteFile(names, []byte("groq-api-key = \"llm-groq-key\"\n"), 0o644)
	planDir := filepath.Join(t.TempDir(), "plan")
	if code, out, stderr := runCLI(t, "", "plan", "--target", "azure-keyvault", moved, "--no-ignore", "--names", names, "--out", planDir); code != 0 || !strings.Contains(out, "llm-groq-key") || strings.Contains(out, " groq-api-key ") {
		t.Errorf("--names override not applied: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, "", "plan", "--help"); code != 0 || !strings.Contains(out, "--target") {
		t.Errorf("plan --help: exit %d", code)
	}
}
