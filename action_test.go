package leakfix_test

// Checks the GitHub Action (action.yml) and the documented workflow
// (docs/examples/leakfix.yml) with actionlint, used as a library so the
// check runs under `go test ./...` with nothing to install.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v4"
)

const (
	actionFile   = "action.yml"
	workflowFile = "docs/examples/leakfix.yml"
	// publishedAction is how users reference the action; local tests swap
	// it for "./" so actionlint reads action.yml from the checkout.
	publishedAction = "leakfix/leakfix@main"
)

// requireTool returns program's path, or skips the test without it — or
// fails it under LEAKFIX_REQUIRE_TOOLS=1, as CI sets once it installed it.
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

// lint runs actionlint on one workflow. shellcheck, when given, checks
// every run: script too.
func lint(t *testing.T, path string, content []byte, project *actionlint.Project, shellcheck string) []*actionlint.Error {
	t.Helper()
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck, Oneline: true})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(path, content, project)
	if err != nil {
		t.Fatalf("actionlint could not check %s: %v", path, err)
	}
	return errs
}

func errorLines(errs []*actionlint.Error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// actionMeta is action.yml as GitHub reads it.
type actionMeta struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string           `yaml:"using"`
		Steps []map[string]any `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionMetadata checks action.yml's structure: a composite action with
// the documented inputs, every run step with a shell, leakfix built from
// the action's own source, and no input spliced into a script.
func TestActionMetadata(t *testing.T) {
	var meta actionMeta
	dec := yaml.NewDecoder(bytes.NewReader(read(t, actionFile)))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		t.Fatalf("%s: %v", actionFile, err)
	}
	if meta.Name == "" || meta.Description == "" {
		t.Error("name and description are required")
	}
	if meta.Runs.Using != "composite" || len(meta.Runs.Steps) == 0 {
		t.Fatalf("runs.using = %q with %d steps; want a composite action", meta.Runs.Using, len(meta.Runs.Steps))
	}
	for _, in := range []string{"path", "args", "category", "sarif-file", "fail-on-findings", "command"} {
		i, ok := meta.Inputs[in]
		if !ok {
			t.Errorf("input %q is missing", in)
			continue
		}
		if i.Description == "" || i.Required || i.Default == nil {
			t.Errorf("input %q: want a description, required false and a default", in)
		}
	}
	for name, o := range meta.Outputs {
		if o.Description == "" || !strings.Contains(o.Value, "steps.") {
			t.Errorf("output %q: description %q value %q", name, o.Description, o.Value)
		}
	}
	inputInScript := regexp.MustCompile(`\$\{\{[^}]*\binputs\.`)
	builds := false
	for i, step := range meta.Runs.Steps {
		run, isRun := step["run"].(string)
		if !isRun {
			if _, ok := step["uses"]; !ok {
				t.Errorf("step %d has neither run nor uses", i+1)
			}
			continue
		}
		if step["shell"] == nil {
			t.Errorf("step %d (%v): composite run steps must name a shell", i+1, step["name"])
		}
		if inputInScript.MatchString(run) {
			t.Errorf("step %d (%v) splices an input into its script; pass it through env", i+1, step["name"])
		}
		if strings.Contains(run, "go build") && strings.Contains(run, "./cmd/leakfix") && step["working-directory"] == "${{ github.action_path }}" {
			builds = true
		}
		if strings.Contains(run, "--format sarif") && !strings.Contains(run, "--output") {
			t.Errorf("step %d writes SARIF to stdout", i+1)
		}
	}
	if !builds {
		t.Error("no step builds ./cmd/leakfix with go build from github.action_path")
	}
	if st, err := os.Stat(filepath.Join("cmd", "leakfix", "main.go")); err != nil || st.IsDir() {
		t.Error("action builds ./cmd/leakfix, which does not exist")
	}
}

// TestExampleWorkflowLints runs actionlint on the documented workflow as
// users copy it.
func TestExampleWorkflowLints(t *testing.T) {
	data := read(t, workflowFile)
	if !bytes.Contains(data, []byte("github/codeql-action/upload-sarif@")) || !bytes.Contains(data, []byte(publishedAction)) {
		t.Fatalf("%s must run %s and upload with github/codeql-action/upload-sarif", workflowFile, publishedAction)
	}
	if errs := lint(t, workflowFile, data, nil, ""); len(errs) > 0 {
		t.Errorf("actionlint on %s:%s", workflowFile, errorLines(errs))
	}
}

// actionProject lays out a throwaway repository whose root is this action,
// so a workflow there can say `uses: ./` and actionlint checks the inputs
// it passes against action.yml.
func actionProject(t *testing.T) (dir string, proj *actionlint.Project) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{".git", filepath.Join(".github", "workflows")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, actionFile), read(t, actionFile), 0o644); err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, proj
}

// TestWorkflowUsingLocalAction lints the example workflow with the action
// referenced locally: actionlint then validates action.yml's metadata
// (name, description, runs) and every `with:` against its inputs.
func TestWorkflowUsingLocalAction(t *testing.T) {
	dir, proj := actionProject(t)
	local := bytes.ReplaceAll(read(t, workflowFile), []byte(publishedAction), []byte("./"))
	path := filepath.Join(dir, ".github", "workflows", "leakfix.yml")
	if errs := lint(t, path, local, proj, ""); len(errs) > 0 {
		t.Errorf("actionlint on the example workflow with uses: ./ :%s", errorLines(errs))
	}
	// The check has teeth: an input action.yml does not declare is an error.
	bad := bytes.Replace(local, []byte("sarif-file: leakfix-tree.sarif"), []byte("sarif-path: leakfix-tree.sarif"), 1)
	errs := lint(t, path, bad, proj, "")
	if len(errs) == 0 || !strings.Contains(errorLines(errs), "sarif-path") {
		t.Errorf("actionlint accepted an input the action does not have:%s", errorLines(errs))
	}
}

// TestCompositeStepsLint: actionlint does not lint action.yml's own steps,
// so they are checked as the steps of a reusable workflow with the same
// inputs — expressions, contexts and, through shellcheck, every script.
func TestCompositeStepsLint(t *testing.T) {
	shellcheck := requireTool(t, "shellcheck")
	var meta struct {
		Inputs map[string]any `yaml:"inputs"`
		Runs   struct {
			Steps []any `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(read(t, actionFile), &meta); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]any{}
	for name := range meta.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": false}
	}
	wf := map[string]any{
		"name": "composite steps of action.yml",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": meta.Runs.Steps}},
	}
	data, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	dir, proj := actionProject(t)
	path := filepath.Join(dir, ".github", "workflows", "composite.yml")
	if errs := lint(t, path, data, proj, shellcheck); len(errs) > 0 {
		t.Errorf("actionlint + shellcheck on action.yml's steps:%s\n%s", errorLines(errs), data)
	}
	// The check has teeth: an unquoted expansion is a shellcheck error.
	meta.Runs.Steps = append(meta.Runs.Steps, map[string]any{"shell": "bash", "run": "rm -rf $RUNNER_TEMP/x/*"})
	wf["jobs"] = map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": meta.Runs.Steps}}
	if data, err = yaml.Marshal(wf); err != nil {
		t.Fatal(err)
	}
	if errs := lint(t, path, data, proj, shellcheck); !strings.Contains(errorLines(errs), "SC2086") {
		t.Errorf("shellcheck did not run on the steps:%s", errorLines(errs))
	}
}

// TestDocsWorkflowLints lints the workflow printed in
// docs/github-code-scanning.md, which users copy as often as the file.
func TestDocsWorkflowLints(t *testing.T) {
	const doc = "docs/github-code-scanning.md"
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(read(t, doc))
	if m == nil {
		t.Fatalf("%s has no yaml block", doc)
	}
	if !bytes.Contains(m[1], []byte("upload-sarif@")) {
		t.Fatalf("the first yaml block of %s is not the workflow", doc)
	}
	if errs := lint(t, doc+".yml", m[1], nil, ""); len(errs) > 0 {
		t.Errorf("actionlint on the workflow in %s:%s", doc, errorLines(errs))
	}
	dir, proj := actionProject(t)
	local := bytes.ReplaceAll(m[1], []byte(publishedAction), []byte("./"))
	if errs := lint(t, filepath.Join(dir, ".github", "workflows", "doc.yml"), local, proj, ""); len(errs) > 0 {
		t.Errorf("actionlint on the workflow in %s with uses: ./ :%s", doc, errorLines(errs))
	}
}

// stepScript returns the run: script of the action step with the given id
// (or name, when id is empty).
func stepScript(t *testing.T, key, value string) string {
	t.Helper()
	var meta actionMeta
	if err := yaml.Unmarshal(read(t, actionFile), &meta); err != nil {
		t.Fatal(err)
	}
	for _, s := range meta.Runs.Steps {
		if s[key] == value {
			run, _ := s["run"].(string)
			return run
		}
	}
	t.Fatalf("action.yml has no step with %s %q", key, value)
	return ""
}

// runStep runs a composite step's script the way the runner does
// (bash --noprofile --norc -eo pipefail), with the runner's files.
func runStep(t *testing.T, bash, script, dir, runnerTemp string, env map[string]string) (code int, outputs map[string]string, log string) {
	t.Helper()
	ghDir := t.TempDir()
	outFile, summary, pathFile := filepath.Join(ghDir, "output"), filepath.Join(ghDir, "summary"), filepath.Join(ghDir, "path")
	for _, f := range []string{outFile, summary, pathFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	scriptFile := filepath.Join(ghDir, "step.sh")
	if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+runnerTemp, "GITHUB_OUTPUT="+outFile,
		"GITHUB_STEP_SUMMARY="+summary, "GITHUB_PATH="+pathFile)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	outputs = map[string]string{}
	data, _ := os.ReadFile(outFile)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	return code, outputs, string(out)
}

// TestActionScriptsRun runs the action's build and scan scripts for real
// with bash, as the runner would: leakfix is built from this checkout, the
// SARIF is written before a failure on findings, outputs are set, and an
// input cannot inject a command.
func TestActionScriptsRun(t *testing.T) {
	bash := requireTool(t, "bash")
	requireTool(t, "go")
	runnerTemp := t.TempDir()
	repoRoot, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	code, _, log := runStep(t, bash, stepScript(t, "name", "Build leakfix from the action's source"), repoRoot, runnerTemp, nil)
	if code != 0 || !strings.Contains(log, "leakfix ") {
		t.Fatalf("build step: exit %d\n%s", code, log)
	}
	scan := stepScript(t, "id", "scan")

	const secret = "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"
	work := t.TempDir()
	for name, content := range map[string]string{
		"dirty/app.py": "groq_api_key = \"" + secret + "\"\n",
		"clean/app.py": "x = 1\n",
	} {
		p := filepath.Join(work, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	inputs := func(over map[string]string) map[string]string {
		env := map[string]string{"LEAKFIX_COMMAND": "scan", "LEAKFIX_PATH": "dirty", "LEAKFIX_ARGS": "",
			"LEAKFIX_CATEGORY": "", "LEAKFIX_SARIF": "out.sarif", "LEAKFIX_FAIL": "true"}
		for k, v := range over {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name     string
		env      map[string]string
		code     int
		found    string
		category string // "" = no SARIF expected
	}{
		{"findings fail the step", inputs(nil), 1, "true", "leakfix/tree/"},
		{"findings reported only", inputs(map[string]string{"LEAKFIX_FAIL": "false"}), 0, "true", "leakfix/tree/"},
		{"clean", inputs(map[string]string{"LEAKFIX_PATH": "clean"}), 0, "false", "leakfix/tree/"},
		{"category and args", inputs(map[string]string{"LEAKFIX_CATEGORY": "mono/svc", "LEAKFIX_ARGS": "--no-base64  --max-file-size 1000000"}), 1, "true", "mono/svc/"},
		{"bad command", inputs(map[string]string{"LEAKFIX_COMMAND": "purge"}), 2, "", ""},
		{"leakfix error", inputs(map[string]string{"LEAKFIX_PATH": "missing"}), 2, "", ""},
		{"no injection", inputs(map[string]string{"LEAKFIX_PATH": "$(touch pwned)", "LEAKFIX_ARGS": "; touch pwned2 `touch pwned3`"}), 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(work, "out.sarif"))
			code, out, log := runStep(t, bash, scan, work, runnerTemp, tt.env)
			if code != tt.code || out["found"] != tt.found {
				t.Fatalf("exit %d found %q, want %d %q\n%s", code, out["found"], tt.code, tt.found, log)
			}
			if strings.Contains(log, secret) {
				t.Error("the step log holds the secret")
			}
			for _, f := range []string{"pwned", "pwned2", "pwned3"} {
				if _, err := os.Stat(filepath.Join(work, f)); err == nil {
					t.Fatalf("an input ran a command (%s exists)", f)
				}
			}
			if tt.category == "" {
				if out["sarif-file"] != "" {
					t.Errorf("sarif-file output %q set although leakfix failed", out["sarif-file"])
				}
				return
			}
			data, err := os.ReadFile(filepath.Join(work, out["sarif-file"]))
			if err != nil {
				t.Fatalf("sarif-file output %q: %v", out["sarif-file"], err)
			}
			if !strings.Contains(string(data), `"id": "`+tt.category+`"`) || strings.Contains(string(data), secret) {
				t.Errorf("SARIF lacks category %s or holds the secret", tt.category)
			}
		})
	}
}
