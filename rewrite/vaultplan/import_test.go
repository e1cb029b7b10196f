package vaultplan_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/vaultplan"
)

// wantImported is what each store must hold after import.sh: every tricky
// value under its store name; the weak default is not imported.
func wantImported(prefix string) map[string]string {
	out := map[string]string{}
	for n, v := range tricky {
		out[prefix+n] = v
	}
	return out
}

func compareStored(t *testing.T, got, want map[string]string) {
	t.Helper()
	for n, v := range want {
		g, ok := got[n]
		switch {
		case !ok:
			t.Errorf("%s was not stored", n)
		case g != v:
			t.Errorf("%s stored as %q, want %q", n, g, v)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("unexpected secret %s stored", n)
		}
	}
}

func assertValuesDeleted(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, vaultplan.ValuesDir)); !os.IsNotExist(err) {
		t.Errorf("values directory still there after a successful import (err %v)", err)
	}
}

// TestImportAWS runs import.sh with Debian's real aws CLI against a fake
// Secrets Manager: first run creates every secret, a second run (new
// plan, --generate) adds versions and stores a fresh weak-default value.
func TestImportAWS(t *testing.T) {
	t.Parallel() // the aws CLI takes about a second per call
	realAWS := requireTool(t, "aws", "/usr/bin/aws")
	fake := newFakeSecretsManager(t, "eu-west-1")
	opts := vaultplan.Options{Target: vaultplan.AWSSecretsManager, Region: "eu-west-1", AccountID: "123456789012", Prefix: "myapp/prod",
		Services: map[string][]string{"api": {"groq-api-key"}}}
	r := newRecorder(t)
	r.stub(t, "aws", `exec "$REAL_AWS" --endpoint-url "$FAKE_URL" "$@"`)
	env := []string{
		"REAL_AWS=" + realAWS, "FAKE_URL=" + fake.srv.URL,
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=fake-secret-for-tests",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
	}

	dir, _ := buildPlan(t, opts)
	out, err := runScript(t, dir, r, env)
	if err != nil {
		t.Fatalf("import.sh: %v\n%s", err, out)
	}
	compareStored(t, fake.latest(), wantImported("myapp/prod/"))
	assertValuesDeleted(t, dir)
	// The service's own policy and task definition now name its secret by
	// the full ARN from the create output, and nothing else.
	for _, f := range []string{"api-svc.iam-policy.json", "api-svc.ecs-task-definition.json"} {
		body, err := os.ReadFile(filepath.Join(dir, "snippets", "services", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), `"`+fake.arn("myapp/prod/groq-api-key")+`"`) || strings.Contains(string(body), "?") || strings.Count(string(body), "arn:aws:") != 1 {
			t.Errorf("%s after import.sh:\n%s", f, body)
		}
	}

	dir, _ = buildPlanFrom(t, smallFindings(), opts)
	out, err = runScript(t, dir, r, env, "--generate")
	if err != nil {
		t.Fatalf("import.sh --generate: %v\n%s", err, out)
	}
	stored := fake.latest()
	gen, ok := stored["myapp/prod/jwt-secret-key"]
	if !ok {
		t.Fatal("--generate did not store the weak default's new value")
	}
	if raw, err := base64.StdEncoding.DecodeString(gen); err != nil || len(raw) != 32 {
		t.Errorf("generated value is not 32 random bytes in base64 (%d chars)", len(gen))
	}
	delete(stored, "myapp/prod/jwt-secret-key")
	compareStored(t, stored, wantImported("myapp/prod/"))
	if !slices.Contains(fake.ops, "PutSecretValue") {
		t.Errorf("second run never added a version (ops %v)", fake.ops)
	}
	assertNoValueInArgv(t, r.calls(t), append(trickyValues(), gen))
}

// TestImportGCP runs import.sh against a fake Secret Manager with the
// real gcloud when it is installed (it is not a Debian package, so CI may
// not have it), else with a recording stub.
func TestImportGCP(t *testing.T) {
	t.Parallel() // gcloud takes about a second per call
	fake := newFakeSecretManager(t, "leakfix-test-1", "ya29.fake-token")
	opts := vaultplan.Options{Target: vaultplan.GCPSecretManager, Project: "leakfix-test-1"}
	r := newRecorder(t)
	realGcloud := ""
	for _, c := range []string{"/usr/bin/gcloud", "/usr/lib/google-cloud-sdk/bin/gcloud"} {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			realGcloud = c
			break
		}
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(fake.token), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"REAL_GCLOUD=" + realGcloud,
		"CLOUDSDK_CONFIG=" + t.TempDir(),
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER=" + fake.srv.URL + "/",
		"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=" + tokenFile,
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true",
	}
	if realGcloud != "" {
		r.stub(t, "gcloud", `exec "$REAL_GCLOUD" "$@"`)
	} else {
		t.Log("gcloud is not installed: exercising import.sh with a recording stub")
		r.stub(t, "gcloud", `case " $* " in *" secrets describe "*) exit 1 ;; esac`)
	}

	dir, _ := buildPlan(t, opts)
	out, err := runScript(t, dir, r, env)
	if err != nil {
		t.Fatalf("import.sh: %v\n%s", err, out)
	}
	assertValuesDeleted(t, dir)
	calls := r.calls(t)
	assertNoValueInArgv(t, calls, trickyValues())
	if realGcloud == "" {
		got := map[string]string{}
		for _, c := range calls {
			if i := slices.Index(c.argv, "create"); i > 0 && c.argv[i-1] == "secrets" && len(c.files) == 1 {
				got[c.argv[i+1]] = c.files[0]
			}
		}
		compareStored(t, got, wantImported(""))
		return
	}
	compareStored(t, fake.latest(), wantImported(""))

	// A second import adds versions to the secrets that now exist.
	dir, _ = buildPlanFrom(t, smallFindings(), opts)
	if out, err := runScript(t, dir, r, env); err != nil {
		t.Fatalf("second import.sh: %v\n%s", err, out)
	}
	fake.mu.Lock()
	versions := len(fake.secrets["groq-api-key"])
	fake.mu.Unlock()
	if versions != 2 {
		t.Errorf("groq-api-key has %d versions after two imports, want 2", versions)
	}
}

// TestImportAzure exercises import.sh with a stub az (Debian's azure-cli
// crashes): each secret must be set by name from a file holding exactly
// its value.
func TestImportAzure(t *testing.T) {
	r := newRecorder(t)
	r.stub(t, "az", "exit 0")
	dir, _ := buildPlan(t, vaultplan.Options{Target: vaultplan.AzureKeyVault, VaultName: "machineavatars-kv"})
	out, err := runScript(t, dir, r, nil)
	if err != nil {
		t.Fatalf("import.sh: %v\n%s", err, out)
	}
	calls := r.calls(t)
	got := map[string]string{}
	for _, c := range calls {
		if !slices.Equal(c.argv[:4], []string{"az", "keyvault", "secret", "set"}) {
			t.Errorf("unexpected call %q", c.argv)
			continue
		}
		if argAfter(c.argv, "--vault-name") != "machineavatars-kv" || len(c.files) != 1 {
			t.Errorf("call %q: wrong vault or no --file", c.argv)
			continue
		}
		got[argAfter(c.argv, "--name")] = c.files[0]
	}
	compareStored(t, got, wantImported(""))
	assertNoValueInArgv(t, calls, trickyValues())
	assertValuesDeleted(t, dir)
}

// TestImportVault exercises import.sh with a stub vault (not installable
// here), including --generate and a custom mount and prefix.
func TestImportVault(t *testing.T) {
	r := newRecorder(t)
	r.stub(t, "vault", "exit 0")
	dir, _ := buildPlan(t, vaultplan.Options{Target: vaultplan.HashiCorpVault, Mount: "kv/apps", Prefix: "seed/"})
	out, err := runScript(t, dir, r, []string{"VAULT_ADDR=http://127.0.0.1:1"}, "--generate", "--keep-values")
	if err != nil {
		t.Fatalf("import.sh: %v\n%s", err, out)
	}
	calls := r.calls(t)
	got := map[string]string{}
	for _, c := range calls {
		if len(c.argv) != 5 || !slices.Equal(c.argv[:3], []string{"vault", "kv", "put"}) || !strings.HasPrefix(c.argv[4], "value=@") || len(c.files) != 1 {
			t.Errorf("unexpected call %q", c.argv)
			continue
		}
		got[c.argv[3]] = c.files[0]
	}
	gen := got["kv/apps/seed/jwt-secret-key"]
	if len(gen) != 44 || gen == "your_jwt_secret" {
		t.Errorf("--generate stored %d chars for the weak default, want 44 (base64 of 32 bytes)", len(gen))
	}
	delete(got, "kv/apps/seed/jwt-secret-key")
	compareStored(t, got, wantImported("kv/apps/seed/"))
	assertNoValueInArgv(t, calls, append(trickyValues(), gen))
	if _, err := os.Stat(filepath.Join(dir, vaultplan.ValuesDir)); err != nil {
		t.Errorf("--keep-values: values directory gone: %v", err)
	}
}

// TestImportFailureKeepsValues: when the CLI fails, import.sh stops at
// once and keeps the values for a retry.
func TestImportFailureKeepsValues(t *testing.T) {
	r := newRecorder(t)
	r.stub(t, "az", `echo "ERROR: (Forbidden) no access" >&2; exit 1`)
	dir, _ := buildPlan(t, vaultplan.Options{Target: vaultplan.AzureKeyVault, VaultName: "machineavatars-kv"})
	out, err := runScript(t, dir, r, nil)
	if err == nil {
		t.Fatalf("import.sh succeeded although az failed:\n%s", out)
	}
	if n := len(r.calls(t)); n != 1 {
		t.Errorf("import.sh went on after a failure: %d az calls", n)
	}
	if _, err := os.Stat(filepath.Join(dir, vaultplan.ValuesDir)); err != nil {
		t.Errorf("values deleted after a failed import: %v", err)
	}
}

func argAfter(argv []string, flag string) string {
	for i, a := range argv {
		if a == flag && i+1 < len(argv) {
			return argv[i+1]
		}
	}
	return ""
}
