package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

// finding is the part of a --show-secrets JSON report the test uses.
type finding struct {
	File       string   `json:"file"`
	Secret     string   `json:"secret"`
	SecretName string   `json:"secret_name"`
	Identifier string   `json:"identifier"`
	RuleID     string   `json:"rule_id"`
	Tags       []string `json:"tags"`
}

func (f finding) weak() bool { return slices.Contains(f.Tags, "weak-default") }

// harness is one copy of the fixture and the programs the test runs.
type harness struct {
	t       *testing.T
	ctx     context.Context
	leakfix string
	py      string
	aws     string
	moto    *moto
	rec     *recorder // between the services and moto
	env     []string  // the process environment without AWS or secret settings
	work    string
	plan    planJSON // the plan the services run under
}

func newHarness(t *testing.T) *harness {
	py := awsPython(t)
	awsCLI := rewritetest.RequireTool(t, "aws")
	goBin := rewritetest.RequireTool(t, "go")
	rewritetest.RequireTool(t, "git")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, py: py, aws: awsCLI, work: t.TempDir()}
	h.moto = startMoto(t, py)
	h.rec = startRecorder(t, h.moto.URL)
	h.leakfix = filepath.Join(h.work, "leakfix")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", h.leakfix, "github.com/leakfix/leakfix/cmd/leakfix")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build leakfix: %v\n%s", err, out)
	}
	// Nothing that could stand in for the store: no AWS settings but
	// moto's, no secret-lookup settings, no variable named like a secret.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "LEAKFIX_") || strings.HasPrefix(k, "SECRETS_") ||
			strings.Contains(k, "KEY") || strings.Contains(k, "SECRET") || strings.Contains(k, "TOKEN") {
			continue
		}
		h.env = append(h.env, kv)
	}
	return h
}

// awsEnv is the environment for programs that talk to the store.
func (h *harness) awsEnv(extra ...string) []string {
	return append(append(slices.Clone(h.env), h.moto.env()...), extra...)
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// scan writes a --show-secrets JSON report of dir and returns its findings.
func (h *harness) scan(dir, report string) []finding {
	h.t.Helper()
	cmd := exec.CommandContext(h.ctx, h.leakfix, "scan", "--show-secrets", "--format", "json", "--output", report, "--quiet", ".")
	cmd.Dir = dir
	cmd.Env = h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			h.t.Fatalf("leakfix scan: %v\n%s", err, out)
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		h.t.Fatal(err)
	}
	var fs []finding
	if err := json.Unmarshal(data, &fs); err != nil {
		h.t.Fatalf("report: %v", err)
	}
	if len(fs) == 0 {
		h.t.Fatal("the scan found nothing")
	}
	return fs
}

// runPlan runs leakfix plan in dir (from a report when report is set,
// else from the tree and what fix recorded) and returns plan.json.
func (h *harness) runPlan(dir, report, out string) planJSON {
	h.t.Helper()
	args := []string{"plan", "--target", "aws-secrets-manager", "--region", region, "--account-id", account, "--out", out, "--quiet"}
	if report != "" {
		args = append(args, "--from", report)
	}
	run(h.t, h.ctx, dir, h.env, h.leakfix, args...)
	return readPlan(h.t, out)
}

// serviceEnv is the environment a service of the plan runs in: the
// store through the recorder, with the service's own access key (its
// identity), so what it requests is recorded per service.
// The region is AWS_REGION alone, the variable the helpers document (and
// ECS sets); boto3 by itself reads only AWS_DEFAULT_REGION.
func (h *harness) serviceEnv(file string, extra ...string) []string {
	env := slices.DeleteFunc(h.awsEnv(), func(kv string) bool { return strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") })
	return append(append(env, "AWS_ENDPOINT_URL="+h.rec.url, "AWS_ACCESS_KEY_ID="+accessKey(h.plan.serviceOf(file).Identity)), extra...)
}

func accessKey(identity string) string { return "e2e-" + identity }

// planService is one per-service grant of plan.json.
type planService struct {
	Service  string   `json:"service"`
	Identity string   `json:"identity"`
	Names    []string `json:"names"`
}

type planJSON struct {
	Snippets []string      `json:"snippets"`
	Services []planService `json:"services"`
	Secrets  []struct {
		Name       string `json:"name"`
		StoreName  string `json:"store_name"`
		Action     string `json:"action"`
		Reference  string `json:"reference"`
		ARNPattern string `json:"arn_pattern"`
	} `json:"secrets"`
}

// serviceOf returns the plan's service whose run root holds file (the
// longest match), or a zero one.
func (p planJSON) serviceOf(file string) (svc planService) {
	file = filepath.ToSlash(file)
	for _, s := range p.Services {
		if (s.Service == "." || strings.HasPrefix(file, s.Service+"/")) && len(s.Service) >= len(svc.Service) {
			svc = s
		}
	}
	return svc
}

func readPlan(t *testing.T, dir string) planJSON {
	t.Helper()
	var p planJSON
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	if err != nil {
		t.Fatalf("plan.json: %v", err)
	}
	return p
}

// importPlan runs the plan's import.sh unchanged, with the aws CLI behind
// a shim on PATH that records every argv, and returns what it recorded.
func (h *harness) importPlan(planDir string, args ...string) string {
	h.t.Helper()
	bin := filepath.Join(h.work, "shim")
	argv := filepath.Join(h.work, "aws-argv.log")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		h.t.Fatal(err)
	}
	shim := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >>%q\nexec %q \"$@\"\n", argv, h.aws)
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(shim), 0o755); err != nil {
		h.t.Fatal(err)
	}
	env := h.awsEnv()
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + bin + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	run(h.t, h.ctx, planDir, env, "bash", append([]string{filepath.Join(planDir, "import.sh")}, args...)...)
	data, _ := os.ReadFile(argv)
	return string(data)
}

// storeState is every secret in moto: name → ARN, versions, current value.
type storeState map[string]struct {
	ARN      string `json:"arn"`
	Versions int    `json:"versions"`
	Current  string `json:"current"`
}

const listStore = `import json, sys, boto3
sm = boto3.client("secretsmanager")
out = {}
names = []
for page in sm.get_paginator("list_secrets").paginate():
    for s in page["SecretList"]:
        names.append(s["Name"])
        vs = sm.list_secret_version_ids(SecretId=s["ARN"], IncludeDeprecated=True)["Versions"]
        out[s["Name"]] = {"arn": s["ARN"], "versions": len(vs),
                          "current": sm.get_secret_value(SecretId=s["ARN"])["SecretString"]}
if len(names) != len(set(names)):
    sys.exit("duplicate secret names: %d listed, %d distinct" % (len(names), len(set(names))))
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
`

func (h *harness) store() storeState {
	h.t.Helper()
	out := filepath.Join(h.work, "store.json")
	run(h.t, h.ctx, h.work, h.awsEnv(), h.py, "-c", listStore, out)
	var s storeState
	data, err := os.ReadFile(out)
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	os.Remove(out)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// findFiles lists the files under root whose base name is one of names.
func findFiles(t *testing.T, root string, names ...string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && slices.Contains(names, d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// nearest returns the directory of the helper closest above file.
func nearest(file string, helpers []string) string {
	best := ""
	for _, hp := range helpers {
		d := filepath.Dir(hp)
		if strings.HasPrefix(file, d+string(filepath.Separator)) && len(d) > len(best) {
			best = d
		}
	}
	return best
}

var fullARN = regexp.MustCompile(`^arn:aws:secretsmanager:` + region + `:` + account + `:secret:(.+)-[A-Za-z0-9]{6}$`)

// TestAWSRoundTripSeed002 is the deployed path on the seed-002 layout:
// fix --write, plan, import.sh into Secrets Manager (moto), then every
// rewritten Python, Node and Go entry point reads its secrets back from
// the store, with no environment fallback, and gets the original values;
// each service reads only what its own IAM policy grants. Then rotation.
func TestAWSRoundTripSeed002(t *testing.T) {
	h := newHarness(t)
	repo := filepath.Join(h.work, "repo")
	pristine := filepath.Join(h.work, "pristine")
	copyTree(t, filepath.Join("..", "..", "testdata", "seed002"), repo)
	copyTree(t, filepath.Join("..", "..", "testdata", "seed002"), pristine)
	h.gitInit(repo)
	findings, st, planDir := h.roundTrip(t, repo)

	// Rotation: a second import changes nothing but adds versions; a
	// value changed in the code is a new version the services read.
	h.importPlan(planDir, "--keep-values")
	st2 := h.store()
	if len(st2) != len(st) {
		t.Errorf("second import: %d secrets, first %d (duplicates?)", len(st2), len(st))
	}
	for name, s := range st {
		s2 := st2[name]
		if s2.ARN != s.ARN || s2.Current != s.Current || s2.Versions != s.Versions+1 {
			t.Errorf("%s after a second import: same ARN %v, same value %v, versions %d → %d (want one more)",
				name, s2.ARN == s.ARN, s2.Current == s.Current, s.Versions, s2.Versions)
		}
	}
	var changed finding
	for _, f := range findings {
		if !f.weak() && strings.HasSuffix(f.File, ".py") && f.Identifier != "" && len(f.Secret) > 20 {
			changed = f
			break
		}
	}
	if changed.Secret == "" {
		t.Fatal("no Python secret to rotate")
	}
	rotated := rotate(changed.Secret)
	rewriteValue(t, pristine, changed.Secret, rotated)
	report2 := filepath.Join(h.work, "report2.json")
	findings2 := h.scan(pristine, report2)
	renamed := true
	for _, f := range findings2 {
		if f.Secret == rotated {
			renamed = f.SecretName != changed.SecretName
		}
	}
	if renamed {
		t.Fatalf("the changed value of %s is not found under the same name", changed.SecretName)
	}
	plan2Dir := filepath.Join(h.work, "plan2")
	h.runPlan(pristine, report2, plan2Dir)
	h.importPlan(plan2Dir)
	st3 := h.store()
	if got := st3[changed.SecretName]; got.Current != rotated || got.Versions != st2[changed.SecretName].Versions+1 || got.ARN != st[changed.SecretName].ARN {
		t.Errorf("%s after the value changed: new value stored %v, versions %d → %d, same ARN %v",
			changed.SecretName, got.Current == rotated, st2[changed.SecretName].Versions, got.Versions, got.ARN == st[changed.SecretName].ARN)
	}
	if len(st3) != len(st) {
		t.Errorf("after rotation: %d secrets, want %d", len(st3), len(st))
	}
	t.Run("python after rotation", func(t *testing.T) {
		h.pythonServices(t, repo, findings, map[string]string{changed.Secret: rotated})
	})
}

// rotate returns a different value of the same shape: the middle
// character of each run of letters and digits is shifted.
func rotate(v string) string {
	b := []byte(v)
	i := len(b) / 2
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= 'a' && c < 'z', c >= 'A' && c < 'Z', c >= '0' && c < '9':
			b[i] = c + 1
			return string(b)
		case c == 'z', c == 'Z', c == '9':
			b[i] = c - 1
			return string(b)
		}
	}
	return v + "x"
}

func rewriteValue(t *testing.T, root, from, to string) {
	t.Helper()
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(data), from) {
			n++
			err = os.WriteFile(p, []byte(strings.ReplaceAll(string(data), from, to)), 0o644)
		}
		return err
	})
	if n == 0 {
		t.Fatal("the value to change is in no file")
	}
}

// checkARNs: import.sh replaced the partial ARNs and -?????? patterns of
// every stored secret with its full ARN in plan.json and the snippets
// (ECS `secrets` and the IAM policy), and listed them in arns.tsv.
func checkARNs(t *testing.T, planDir string, plan planJSON, st storeState) {
	t.Helper()
	tsv, err := os.ReadFile(filepath.Join(planDir, "arns.tsv"))
	if err != nil {
		t.Fatalf("arns.tsv: %v", err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(tsv)), "\n") {
		name, arn, _ := strings.Cut(line, "\t")
		listed[name] = arn
	}
	after := readPlan(t, planDir)
	byName := map[string]string{}
	for _, s := range after.Secrets {
		byName[s.StoreName] = s.Reference
	}
	for name, s := range st {
		if listed[name] != s.ARN {
			t.Errorf("arns.tsv: %s = %q, store says %s", name, listed[name], s.ARN)
		}
		if byName[name] != s.ARN {
			t.Errorf("plan.json: reference of %s is %q, want the full ARN", name, byName[name])
		}
	}
	var ecs struct {
		ContainerDefinitions []struct {
			Secrets []struct{ Name, ValueFrom string } `json:"secrets"`
		} `json:"containerDefinitions"`
	}
	readJSON(t, filepath.Join(planDir, "snippets", "ecs-task-definition.json"), &ecs)
	full := map[string]bool{}
	for _, s := range st {
		full[s.ARN] = true
	}
	n := 0
	for _, c := range ecs.ContainerDefinitions {
		for _, s := range c.Secrets {
			if m := fullARN.FindStringSubmatch(s.ValueFrom); m != nil && full[s.ValueFrom] {
				n++
			} else if _, stored := st[strings.TrimPrefix(s.ValueFrom, "arn:aws:secretsmanager:"+region+":"+account+":secret:")]; stored {
				t.Errorf("ecs-task-definition.json: %s still points at a partial ARN", s.Name)
			}
		}
	}
	if n != len(st) {
		t.Errorf("ecs-task-definition.json: %d full ARNs, want %d", n, len(st))
	}
	// The policy: every stored secret by its full ARN, nothing else but
	// patterns for the weak defaults import.sh did not store.
	policies := findFiles(t, filepath.Join(planDir, "snippets"), "iam-policy.json")
	if len(policies) == 0 {
		t.Fatal("no iam-policy.json in the plan")
	}
	granted := map[string]bool{}
	for _, p := range policies {
		var pol struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource []string
			}
		}
		readJSON(t, p, &pol)
		for _, s := range pol.Statement {
			for _, a := range s.Action {
				if a != "secretsmanager:GetSecretValue" && a != "secretsmanager:DescribeSecret" {
					t.Errorf("%s grants %s", p, a)
				}
			}
			for _, r := range s.Resource {
				granted[r] = true
			}
		}
	}
	for arn := range full {
		if !granted[arn] {
			t.Errorf("IAM policy does not grant %s", arn)
		}
	}
	for r := range granted {
		if !full[r] && !strings.HasSuffix(r, "-??????") {
			t.Errorf("IAM policy grants %s, which is not a stored secret", r)
		}
	}
	t.Logf("IAM: %d polic(ies), %d resources, %d full ARNs of stored secrets", len(policies), len(granted), len(full))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
}

// byFile groups the non-weak findings of files with one of exts.
func byFile(findings []finding, exts ...string) map[string][]finding {
	out := map[string][]finding{}
	for _, f := range findings {
		if !f.weak() && slices.Contains(exts, filepath.Ext(f.File)) {
			out[f.File] = append(out[f.File], f)
		}
	}
	return out
}

// compare checks that each finding's value is what the module holds:
// the variable named by the finding when there is one, else somewhere in
// the module's strings (a value embedded in a header, say). It returns
// how many values matched; mismatches name the secret, never a value.
func compare(t *testing.T, file string, fs []finding, vars map[string]string, strs []string, rotated map[string]string) int {
	t.Helper()
	ok := 0
	for _, f := range fs {
		want := f.Secret
		if r, changed := rotated[want]; changed {
			want = r
		}
		if v, has := vars[f.Identifier]; f.Identifier != "" && has {
			if v == want {
				ok++
			} else {
				t.Errorf("%s: %s (%s) differs from the value found", file, f.Identifier, f.SecretName)
			}
			continue
		}
		found := false
		for _, s := range strs {
			found = found || strings.Contains(s, want)
		}
		if found {
			ok++
		} else {
			t.Errorf("%s: the value of %s (%s) is not in the module after start", file, f.SecretName, f.Identifier)
		}
	}
	return ok
}

// serviceOf is the top directory of a path in the fixture.
func serviceOf(file string) string {
	s, _, _ := strings.Cut(filepath.ToSlash(file), "/")
	return s
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
