package leakfix_test

// Checks the sharded-scan deployments: the reusable GitHub Actions
// workflow with actionlint (and shellcheck on its scripts), the Kubernetes
// Indexed Job manifest structurally (strict decoding of the fields it
// uses, and kubectl reading it when kubectl is installed).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

const (
	shardedWorkflow = ".github/workflows/leakfix-sharded.yml"
	indexedJob      = "deploy/k8s/leakfix-indexed-job.yaml"
)

// TestShardedWorkflowLints: actionlint (with shellcheck when installed)
// finds nothing in the reusable workflow, and finds a broken reference
// when one is planted, so the check has teeth.
func TestShardedWorkflowLints(t *testing.T) {
	data := read(t, shardedWorkflow)
	for _, want := range []string{"workflow_call:", "--shard", "leakfix merge", "fromJSON(needs.plan.outputs.matrix)", "github/codeql-action/upload-sarif@"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("%s lacks %q", shardedWorkflow, want)
		}
	}
	shellcheck, _ := exec.LookPath("shellcheck")
	if errs := lint(t, shardedWorkflow, data, nil, shellcheck); len(errs) > 0 {
		t.Errorf("actionlint on %s:%s", shardedWorkflow, errorLines(errs))
	}
	bad := bytes.Replace(data, []byte("needs.plan.outputs.matrix"), []byte("needs.plan.outputs.matrx"), 1)
	if errs := lint(t, shardedWorkflow, bad, nil, ""); len(errs) == 0 {
		t.Error("actionlint accepted a reference to an output the plan job does not have")
	}
}

// k8sObject is the part of the manifest's objects this test reads;
// decoding is strict, so a misspelt field is an error.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		// PersistentVolumeClaim
		AccessModes []string       `yaml:"accessModes"`
		Resources   map[string]any `yaml:"resources"`
		// Job
		CompletionMode       string `yaml:"completionMode"`
		Completions          *int   `yaml:"completions"`
		Parallelism          *int   `yaml:"parallelism"`
		BackoffLimit         *int   `yaml:"backoffLimit"`
		BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
		MaxFailedIndexes     *int   `yaml:"maxFailedIndexes"`
		Template             struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				RestartPolicy   string         `yaml:"restartPolicy"`
				SecurityContext map[string]any `yaml:"securityContext"`
				InitContainers  []k8sContainer `yaml:"initContainers"`
				Containers      []k8sContainer `yaml:"containers"`
				Volumes         []k8sVolume    `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type k8sVolume struct {
	Name                  string         `yaml:"name"`
	EmptyDir              map[string]any `yaml:"emptyDir"`
	PersistentVolumeClaim *struct {
		ClaimName string `yaml:"claimName"`
	} `yaml:"persistentVolumeClaim"`
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Resources    map[string]any `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

func (c k8sContainer) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// TestIndexedJobManifest: the shards Job is Indexed, runs `--shard` from
// JOB_COMPLETION_INDEX with N equal to its completions, never restarts a
// pod in place (a retried index gets a new pod), and every volume it
// mounts exists; the merge Job reads the same claim and waits for N
// reports.
func TestIndexedJobManifest(t *testing.T) {
	data := read(t, indexedJob)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	objs := map[string]k8sObject{}
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", indexedJob, err)
		}
		objs[o.Kind+"/"+o.Metadata.Name] = o
	}
	pvc, ok := objs["PersistentVolumeClaim/leakfix-reports"]
	if !ok || pvc.APIVersion != "v1" || len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != "ReadWriteMany" {
		t.Errorf("want a ReadWriteMany claim leakfix-reports, got %+v", pvc.Spec)
	}
	shards, ok := objs["Job/leakfix-shards"]
	if !ok {
		t.Fatal("no Job leakfix-shards")
	}
	js := shards.Spec
	if shards.APIVersion != "batch/v1" || js.CompletionMode != "Indexed" || js.Completions == nil || js.Parallelism == nil {
		t.Fatalf("leakfix-shards must be an Indexed batch/v1 Job with completions and parallelism: %+v", js)
	}
	if js.Template.Spec.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q: backoffLimitPerIndex needs Never", js.Template.Spec.RestartPolicy)
	}
	if len(js.Template.Spec.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(js.Template.Spec.Containers))
	}
	c := js.Template.Spec.Containers[0]
	script := strings.Join(append(c.Command, c.Args...), " ")
	for _, want := range []string{"JOB_COMPLETION_INDEX + 1", "--shard", "${SHARDS}", "--format sarif", "/reports/"} {
		if !strings.Contains(script, want) {
			t.Errorf("the shard container's script lacks %q", want)
		}
	}
	if n := c.env("SHARDS"); n != strconv.Itoa(*js.Completions) {
		t.Errorf("SHARDS=%q but completions=%d: the shards would not cover everything once", n, *js.Completions)
	}
	checkMounts(t, "leakfix-shards", js.Template.Spec.Volumes, append(js.Template.Spec.InitContainers, js.Template.Spec.Containers...))

	merge, ok := objs["Job/leakfix-merge"]
	if !ok || len(merge.Spec.Template.Spec.Containers) != 1 {
		t.Fatal("no one-container Job leakfix-merge")
	}
	mc := merge.Spec.Template.Spec.Containers[0]
	if mc.env("SHARDS") != c.env("SHARDS") || !strings.Contains(strings.Join(mc.Args, " "), "leakfix\" merge") {
		t.Errorf("the merge Job must wait for SHARDS=%s reports and run leakfix merge", c.env("SHARDS"))
	}
	checkMounts(t, "leakfix-merge", merge.Spec.Template.Spec.Volumes, merge.Spec.Template.Spec.Containers)

	// kubectl reads the objects as the API kinds they claim to be, without
	// a cluster (`create --dry-run=client` needs one for discovery).
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := exec.Command(kubectl, "label", "--local", "-f", indexedJob, "leakfix.dev/checked=yes", "-o", "yaml").CombinedOutput()
		if err != nil || bytes.Count(out, []byte("\nkind: ")) < 3 {
			t.Errorf("kubectl could not read %s: %v\n%s", indexedJob, err, out)
		}
	}
}

func checkMounts(t *testing.T, job string, volumes []k8sVolume, containers []k8sContainer) {
	t.Helper()
	have := map[string]bool{}
	for _, v := range volumes {
		have[v.Name] = true
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName != "leakfix-reports" {
			t.Errorf("%s: volume %s claims %q", job, v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	for _, c := range containers {
		for _, m := range c.VolumeMounts {
			if !have[m.Name] {
				t.Errorf("%s: container %s mounts volume %q, which the pod does not have", job, c.Name, m.Name)
			}
		}
	}
}

// TestShardedWorkflowPlan runs the plan job's script with bash: the matrix
// it writes names every repository × shard once, with K/N shard arguments
// and unique artifact names, and bad inputs stop it.
func TestShardedWorkflowPlan(t *testing.T) {
	bash := requireTool(t, "bash")
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				ID  string `yaml:"id"`
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(read(t, shardedWorkflow), &wf); err != nil {
		t.Fatal(err)
	}
	var script string
	for _, s := range wf.Jobs["plan"].Steps {
		if s.ID == "plan" {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatal("no plan step")
	}
	plan := func(shards, repos, command string) ([]map[string]string, error) {
		out := filepath.Join(t.TempDir(), "output")
		cmd := exec.Command(bash, "-e", "-c", script)
		cmd.Env = append(os.Environ(), "SHARDS="+shards, "REPOSITORIES="+repos, "COMMAND="+command,
			"SELF=acme/self", "GITHUB_OUTPUT="+out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%v: %s", err, msg)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			return nil, err
		}
		line, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "matrix=")
		if !ok {
			return nil, fmt.Errorf("no matrix output: %q", data)
		}
		var m []map[string]string
		return m, json.Unmarshal([]byte(line), &m)
	}
	m, err := plan("3", "acme/api\n  acme/web  \n", "history")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range m {
		seen[e["repository"]+" "+e["shard"]] = true
		seen["name "+e["name"]] = true
	}
	for _, want := range []string{"acme/api 1/3", "acme/api 3/3", "acme/web 2/3", "name acme-web-3"} {
		if !seen[want] {
			t.Errorf("matrix lacks %q: %v", want, m)
		}
	}
	if len(m) != 6 {
		t.Errorf("%d matrix entries, want 6: %v", len(m), m)
	}
	if m, err := plan("2", "", "scan"); err != nil || len(m) != 2 || m[0]["repository"] != "acme/self" {
		t.Errorf("no repositories: %v, %v", m, err)
	}
	for _, bad := range [][3]string{{"0", "", "scan"}, {"65", "", "scan"}, {"2", "", "purge"}, {"2", "not a repo", "scan"}} {
		if _, err := plan(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("plan accepted shards=%q repositories=%q command=%q", bad[0], bad[1], bad[2])
		}
	}
}
