package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, stderr := runCLI(t, "", "completion", shell)
	if code != 0 || out == "" {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr)
	}
	return out
}

// TestCompletionCoversEveryCommandAndFlag: the scripts are generated from
// commands() and each command's own --help, so nothing is left out.
func TestCompletionCoversEveryCommandAndFlag(t *testing.T) {
	specs, err := completionSpecs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		scripts[sh] = completionScript(t, sh)
	}
	for _, s := range specs {
		if len(s.flags) == 0 && s.name == "scan" {
			t.Fatal("no flags read from scan --help")
		}
		for sh, script := range scripts {
			if !strings.Contains(script, s.name) {
				t.Errorf("%s script lacks command %s", sh, s.name)
			}
			for _, f := range s.flags {
				want := "--" + f.name
				if sh == "fish" {
					want = "-l " + f.name
				}
				if !strings.Contains(script, want) {
					t.Errorf("%s script lacks %s %s", sh, s.name, want)
				}
			}
		}
	}
	if code, _, _ := runCLI(t, "", "completion", "powershell"); code != 2 {
		t.Errorf("unknown shell: exit %d, want 2", code)
	}
}

// bashComplete sources the bash script and asks it to complete words.
func bashComplete(t *testing.T, bash, script string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) +
		"\n_leakfix\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
	}
	got := strings.Fields(string(out))
	sort.Strings(got)
	return got
}

// TestBashCompletion: the script parses (bash -n), passes shellcheck, and
// completes commands, flags, flag values and subcommands.
func TestBashCompletion(t *testing.T) {
	bash := ecoRequireTool(t, "bash")
	script := completionScript(t, "bash")
	path := filepath.Join(t.TempDir(), "leakfix.bash")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	shellcheck := ecoRequireTool(t, "shellcheck")
	if out, err := exec.Command(shellcheck, "-s", "bash", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"leakfix", "sc"}, "scan"},
		{[]string{"leakfix", "b"}, "baseline"},
		{[]string{"leakfix", "scan", "--wri"}, "--write-baseline"},
		{[]string{"leakfix", "scan", "--format", ""}, "csv gitleaks-json json junit sarif template text"},
		{[]string{"leakfix", "scan", "--report-format", "j"}, "json junit"},
		{[]string{"leakfix", "history", "--reader", "g"}, "git go-git"},
		{[]string{"leakfix", "rules", ""}, "check list"},
		{[]string{"leakfix", "completion", "z"}, "zsh"},
		{[]string{"leakfix", "baseline", "i"}, "import"},
	} {
		if got := strings.Join(bashComplete(t, bash, script, tt.words...), " "); got != tt.want {
			t.Errorf("complete %q = %q, want %q", tt.words, got, tt.want)
		}
	}
}

func TestZshCompletion(t *testing.T) {
	zsh := ecoRequireTool(t, "zsh")
	path := filepath.Join(t.TempDir(), "_leakfix")
	if err := os.WriteFile(path, []byte(completionScript(t, "zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(zsh, "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	// Sourcing it into a shell with compinit registers the function.
	prog := "autoload -U compinit && compinit -u -D && source " + path + " && print -r -- ${_comps[leakfix]}"
	out, err := exec.Command(zsh, "-f", "-c", prog).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_leakfix" {
		t.Errorf("zsh: compdef did not register _leakfix: %v\n%s", err, out)
	}
}

func TestFishCompletion(t *testing.T) {
	fish := ecoRequireTool(t, "fish")
	path := filepath.Join(t.TempDir(), "leakfix.fish")
	if err := os.WriteFile(path, []byte(completionScript(t, "fish")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(fish, "--no-execute", path).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	for _, tt := range []struct{ line, want string }{
		{"leakfix sc", "scan"},
		{"leakfix scan --form", "--format"},
		{"leakfix scan --format ", "json"},
		{"leakfix rules ", "check"},
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+path+"; complete -C '"+tt.line+"'")
		cmd.Dir = t.TempDir()
		// Directories named like commands must not be offered as paths.
		os.Mkdir(filepath.Join(cmd.Dir, "scan"), 0o755)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		found := false
		for _, l := range strings.Split(string(out), "\n") {
			if strings.SplitN(l, "\t", 2)[0] == tt.want {
				found = true
			}
		}
		if !found {
			t.Errorf("fish completes %q to\n%s\nwant %q among them", tt.line, out, tt.want)
		}
		if tt.line == "leakfix sc" && strings.Contains(string(out), "scan/") {
			t.Errorf("fish offers the directory scan/ for %q:\n%s", tt.line, out)
		}
	}
}
