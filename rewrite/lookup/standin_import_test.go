package lookup

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
)

// TestImportAgainstStandIn runs the import.sh `leakfix plan` writes for
// Vault, Key Vault and Secret Manager over its REST path (curl; none of
// the three CLIs can be installed here) against the stand-in, twice, and
// then reads every value back through the generated Python and Node
// helpers: plan → import → helper, with the stand-in in place of the
// store (see standin_test.go for the documents it follows).
func TestImportAgainstStandIn(t *testing.T) {
	bash := rewritetest.RequireTool(t, "bash")
	curl := rewritetest.RequireTool(t, "curl")
	py := rewritetest.RequireTool(t, "python3")
	node := rewritetest.RequireTool(t, "node")
	names := make([]string, 0, len(standinValues))
	var findings []scanner.Finding
	for n := range standinValues {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		findings = append(findings, scanner.Finding{RuleID: "test-rule", File: "svc/main.py", StartLine: i + 1, EndLine: i + 1,
			StartColumn: 5, EndColumn: 20, Secret: standinValues[n], SecretName: n, Provider: "test", Fingerprint: "fp-" + n})
	}
	opts := map[Target]vaultplan.Options{
		HashiCorpVault:   {Target: vaultplan.HashiCorpVault, Mount: "kv/apps", Prefix: "myapp/prod/"},
		AzureKeyVault:    {Target: vaultplan.AzureKeyVault, VaultName: "standin-kv"},
		GCPSecretManager: {Target: vaultplan.GCPSecretManager, Project: gcpProject},
	}
	for _, target := range []Target{HashiCorpVault, AzureKeyVault, GCPSecretManager} {
		t.Run(string(target), func(t *testing.T) {
			s := newStandIn(t)
			p, values, err := vaultplan.Build(findings, opts[target])
			if err != nil {
				t.Fatal(err)
			}
			planDir := filepath.Join(t.TempDir(), "plan")
			if _, err := vaultplan.Write(planDir, p, values, vaultplan.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			// curl behind a shim that records its argv.
			bin := t.TempDir()
			argv := filepath.Join(t.TempDir(), "argv")
			writeFiles(t, bin, map[string]string{"curl": "#!/bin/sh\nprintf '%s\\n' \"$*\" >>'" + argv + "'\nexec '" + curl + "' \"$@\"\n"})
			os.Chmod(filepath.Join(bin, "curl"), 0o755)
			env := append([]string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir(), "LEAKFIX_IMPORT_VIA=rest",
				"LEAKFIX_CACERT=" + s.caFile, "SSL_CERT_FILE=" + s.caFile, "NODE_EXTRA_CA_CERTS=" + s.caFile}, s.env(target)...)
			for i, args := range [][]string{{"--keep-values"}, nil} {
				cmd := exec.Command(bash, append([]string{filepath.Join(planDir, "import.sh")}, args...)...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("import.sh run %d: %v\n%s", i+1, err, out)
				}
			}
			s.mu.Lock()
			stored := map[Target]map[string]string{HashiCorpVault: s.vault, AzureKeyVault: s.kv, GCPSecretManager: s.gcp}[target]
			n := 0
			for name, want := range standinValues {
				key := name
				if target == HashiCorpVault {
					key = "kv/apps/myapp/prod/" + name
				}
				if got, ok := stored[key]; !ok || got != want {
					t.Errorf("%s: stored %v, exact %v", key, ok, got == want)
				} else {
					n++
				}
			}
			if len(stored) != len(standinValues) {
				t.Errorf("store holds %d secrets, want %d", len(stored), len(standinValues))
			}
			creates := strings.Count(strings.Join(s.log, "\n"), "POST /v1/projects/"+gcpProject+"/secrets\n")
			s.mu.Unlock()
			if target == GCPSecretManager && creates != len(standinValues) {
				t.Errorf("GCP: %d secrets.create calls over two runs, want %d (one per secret)", creates, len(standinValues))
			}
			if _, err := os.Stat(filepath.Join(planDir, vaultplan.ValuesDir)); !os.IsNotExist(err) {
				t.Errorf("values directory left after the second import")
			}
			recorded, _ := os.ReadFile(argv)
			if len(recorded) == 0 {
				t.Fatal("import.sh never ran curl")
			}
			for _, secret := range append([]string{vaultToken, kvToken, gcpToken, identityHeader}, standinSecrets()...) {
				if strings.Contains(string(recorded), secret) {
					t.Errorf("a value or token was on curl's command line")
				}
			}
			t.Logf("import.sh (REST) %s: %d of %d values stored exactly (stand-in)", target, n, len(standinValues))

			// The generated helpers read them back.
			pySrc, _ := Python(target)
			jsSrc, _, _ := JS(target)
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"leakfix_secrets.py": string(pySrc), "leakfix-secrets.cjs": string(jsSrc)})
			for lang, cmd := range map[string]*exec.Cmd{
				"python": exec.Command(py, append([]string{"-S", "-c", pyStandin, dir}, names...)...),
				"node":   exec.Command(node, append([]string{"-e", jsStandin, "--", filepath.Join(dir, "leakfix-secrets.cjs")}, names...)...),
			} {
				cmd.Env = env
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s helper: %v", lang, err)
				}
				var res map[string]lookupResult
				if err := json.Unmarshal(out, &res); err != nil {
					t.Fatalf("%s helper output: %v", lang, err)
				}
				read := 0
				for _, name := range names {
					if r := res[name]; r.Value != nil && *r.Value == standinValues[name] {
						read++
					} else {
						t.Errorf("%s helper: %s not read back exactly (%s%s)", lang, name, r.NotFound, r.Error)
					}
				}
				t.Logf("%s helper %s: values read = %d of %d imported (stand-in)", lang, target, read, n)
			}
		})
	}
}

func standinSecrets() []string {
	out := make([]string, 0, len(standinValues))
	for _, v := range standinValues {
		out = append(out, v)
	}
	return out
}
