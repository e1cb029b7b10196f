package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/internal/polyglot"
)

func (h *harness) gitInit(repo string) {
	h.t.Helper()
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=e2e@leakfix.test", "-c", "user.name=e2e", "commit", "-qm", "seed"}} {
		run(h.t, h.ctx, repo, h.env, "git", args...)
	}
}

// roundTrip is the path users deploy, on a committed repository: scan
// (the truth: every value and its name), fix --write as a user runs it,
// plan after the fix, import.sh unchanged against moto, then every
// rewritten Python, Node and Go entry point started with the helper
// reading Secrets Manager (no environment fallback), each as its own
// identity; then least privilege is checked against what each one
// requested. It returns the findings, the store and the plan folder.
func (h *harness) roundTrip(t *testing.T, repo string) ([]finding, storeState, string) {
	report := filepath.Join(h.work, "report.json")
	findings := h.scan(repo, report)

	fixArgs := []string{"fix", "--write", "--target", "aws-secrets-manager", "."}
	cmd := exec.CommandContext(h.ctx, h.leakfix, fixArgs...)
	cmd.Dir = repo
	cmd.Env = h.env
	fixOut, err := cmd.CombinedOutput()
	t.Logf("leakfix %s:\n%s", strings.Join(fixArgs, " "), fixOut)
	var ee *exec.ExitError
	if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 2) {
		t.Fatalf("leakfix fix: %v", err)
	}

	// plan after fix: the values come from what fix recorded.
	planDir := filepath.Join(h.work, "plan")
	h.plan = h.runPlan(repo, "", planDir)
	if len(h.plan.Services) == 0 {
		t.Fatal("plan.json has no per-service grants")
	}
	imported := map[string]bool{}
	for _, s := range h.plan.Secrets {
		if s.Action == "import" {
			imported[s.StoreName] = true
		}
	}
	argv := h.importPlan(planDir, "--keep-values")
	for _, f := range findings {
		if len(f.Secret) >= 6 && strings.Contains(argv, f.Secret) {
			t.Errorf("the value of %s (%s) was on an aws command line", f.SecretName, f.File)
		}
	}

	// The store holds each planned secret once, with the value found,
	// under the full ARN that import.sh wrote into arns.tsv, plan.json
	// and the snippets.
	st := h.store()
	if len(st) != len(imported) {
		t.Errorf("store holds %d secrets, the plan imports %d", len(st), len(imported))
	}
	values := map[string]string{}
	for _, f := range findings {
		if !f.weak() {
			values[f.SecretName] = f.Secret
		}
	}
	for name := range imported {
		s, ok := st[name]
		switch {
		case !ok:
			t.Errorf("%s was not stored", name)
		case s.Current != values[name]:
			t.Errorf("%s: stored value differs from the one found", name)
		case !fullARN.MatchString(s.ARN):
			t.Errorf("%s: ARN %s is not a full Secrets Manager ARN", name, s.ARN)
		}
	}
	checkARNs(t, planDir, h.plan, st)

	// Each service, started with the helper fix wrote and no fallback:
	// values read = values found.
	t.Run("python", func(t *testing.T) { h.pythonServices(t, repo, findings, nil) })
	t.Run("node", func(t *testing.T) { h.nodeServices(t, repo, findings) })
	t.Run("go", func(t *testing.T) { h.goServices(t, repo, findings) })
	t.Run("least privilege", func(t *testing.T) {
		for _, p := range h.leastPrivilege(t, planDir, st, t.Logf) {
			t.Error(p)
		}
		h.overGrantIsCaught(t, planDir, st)
	})
	return findings, st, planDir
}

// checkLeastPrivilege compares, for every service of the plan, the
// secrets its helper requested from the store (recorded on the wire under
// the service's own access key) with the Resource list of its own IAM
// policy (snippets/services/IDENTITY.iam-policy.json, full ARNs after
// import.sh): every secret requested is granted, and the policy matches
// no other secret in the store. Its ECS task definition names the same
// secrets by full ARN. A service none of whose code ran (its secrets
// are read by a consumer such as compose's .env) is checked against its
// plan names only, and said so.
func (h *harness) leastPrivilege(t *testing.T, planDir string, st storeState, logf func(string, ...any)) (problems []string) {
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	byARN := map[string]string{}
	for name, s := range st {
		byARN[s.ARN] = name
	}
	ran := 0
	for _, svc := range h.plan.Services {
		var pol struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource []string
			}
		}
		file := filepath.Join(planDir, "snippets", "services", svc.Identity+".iam-policy.json")
		readJSON(t, file, &pol)
		var resources []string
		for _, s := range pol.Statement {
			if s.Effect != "Allow" || !slices.Contains(s.Action, "secretsmanager:GetSecretValue") {
				errorf("%s: statement %v %v does not allow GetSecretValue", svc.Identity, s.Effect, s.Action)
			}
			for _, a := range s.Action {
				if a != "secretsmanager:GetSecretValue" && a != "secretsmanager:DescribeSecret" {
					errorf("%s: the policy grants %s", svc.Identity, a)
				}
			}
			resources = append(resources, s.Resource...)
		}
		granted := map[string]bool{} // store names some resource matches
		for _, r := range resources {
			if strings.ContainsAny(r, "*?") {
				errorf("%s: resource %s is a pattern after import.sh, not a full ARN", svc.Identity, r)
			}
			for arn, name := range byARN {
				if iamMatch(r, arn) {
					granted[name] = true
				}
			}
		}
		var ecs struct {
			ContainerDefinitions []struct {
				Secrets []struct{ ValueFrom string } `json:"secrets"`
			} `json:"containerDefinitions"`
		}
		readJSON(t, filepath.Join(planDir, "snippets", "services", svc.Identity+".ecs-task-definition.json"), &ecs)
		inTask := map[string]bool{}
		for _, c := range ecs.ContainerDefinitions {
			for _, s := range c.Secrets {
				if name, ok := byARN[s.ValueFrom]; ok {
					inTask[name] = true
				} else {
					errorf("%s: ECS task definition has %s, not the full ARN of a stored secret", svc.Identity, s.ValueFrom)
				}
			}
		}

		requested := map[string]bool{}
		for _, id := range h.rec.requested(accessKey(svc.Identity)) {
			name := id
			if n, ok := byARN[id]; ok {
				name = n
			}
			requested[name] = true
		}
		want := requested
		how := "requested"
		if len(requested) == 0 {
			// No code of this service ran: its plan names are the check.
			want = map[string]bool{}
			for _, n := range svc.Names {
				if _, stored := st[n]; stored {
					want[n] = true
				}
			}
			how = "planned (no code of it ran: read by a config consumer)"
		} else {
			ran++
		}
		for n := range want {
			if !granted[n] {
				errorf("%s (%s) %s %s, which its policy does not grant", svc.Service, svc.Identity, how, n)
			}
		}
		for n := range granted {
			if !want[n] {
				errorf("%s (%s): its policy grants %s, which it never %s", svc.Service, svc.Identity, n, how)
			}
		}
		if len(inTask) != len(want) {
			errorf("%s: ECS task definition has %d secrets, want %d", svc.Identity, len(inTask), len(want))
		}
		for n := range want {
			if !inTask[n] {
				errorf("%s: ECS task definition lacks %s", svc.Identity, n)
			}
		}
		logf("%-36s %-40s %s %d, policy grants %d of %d stored, equal: %v",
			svc.Service, svc.Identity, how, len(want), len(granted), len(st), len(granted) == len(want))
	}
	// Nothing was requested under a key that is no service's.
	for key := range h.rec.got {
		known := false
		for _, svc := range h.plan.Services {
			known = known || key == accessKey(svc.Identity)
		}
		if !known {
			errorf("secrets were requested as %q, which is no service of the plan: %v", key, h.rec.requested(key))
		}
	}
	if ran == 0 {
		errorf("no service requested anything: least privilege was not checked")
	}
	return problems
}

// overGrantIsCaught is the check's control: one more stored secret added
// to a service's policy, or one of its secrets taken out, must each be
// reported.
func (h *harness) overGrantIsCaught(t *testing.T, planDir string, st storeState) {
	var svc string
	for _, s := range h.plan.Services {
		if len(h.rec.requested(accessKey(s.Identity))) > 0 {
			svc = s.Identity
			break
		}
	}
	file := filepath.Join(planDir, "snippets", "services", svc+".iam-policy.json")
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o644)
	var pol map[string]any
	if err := json.Unmarshal(orig, &pol); err != nil {
		t.Fatal(err)
	}
	stmt := pol["Statement"].([]any)[0].(map[string]any)
	res := stmt["Resource"].([]any)
	var other string
	for _, s := range st {
		if !slices.Contains(res, any(s.ARN)) {
			other = s.ARN
			break
		}
	}
	for _, c := range []struct {
		name     string
		resource []any
	}{{"a secret it does not read added", append(slices.Clone(res), other)}, {"a secret it reads removed", res[1:]}} {
		stmt["Resource"] = c.resource
		data, _ := json.Marshal(pol)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := h.leastPrivilege(t, planDir, st, func(string, ...any) {}); len(got) == 0 {
			t.Errorf("control: %s's policy with %s passed the least-privilege check", svc, c.name)
		}
	}
}

// TestAWSRoundTripPolyglot is the same path on the polyglot monorepo of
// issue 10 (internal/polyglot, shared with cmd/leakfix's run tests):
// Python services with src/ layouts (one with its own utils package), a
// Go module, a Go folder in no module, a Node service with a CommonJS and
// an ES module, and config consumers.
func TestAWSRoundTripPolyglot(t *testing.T) {
	h := newHarness(t)
	repo := filepath.Join(h.work, "repo")
	files, _ := polyglot.Fixture()
	for name, body := range files {
		writeFile(t, filepath.Join(repo, filepath.FromSlash(name)), []byte(body))
	}
	h.gitInit(repo)
	h.roundTrip(t, repo)
}
