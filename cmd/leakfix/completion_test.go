package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, stderr := runCLI(t, "", "completion", shell)
	if code != 0 || out == "" {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr)
	}
	return out
}

// completeWords asks the command tree what completes args, as the shell
// scripts do (`leakfix __complete ARGS...`), and returns the words.
func completeWords(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, stderr := runCLI(t, "", append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, stderr)
	}
	var words []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, ":") { // ":4" is the directive
			words = append(words, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return words
}

// TestCompletionCoversEveryCommandAndFlag: the scripts ask the command
// tree itself, so every command and every flag is offered; each shell's
// script is generated.
func TestCompletionCoversEveryCommandAndFlag(t *testing.T) {
	root := newRootCmd(&env{})
	top := strings.Join(completeWords(t, ""), " ")
	flags := 0
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		if !strings.Contains(" "+top+" ", " "+c.Name()+" ") {
			t.Errorf("command %s not offered: %s", c.Name(), top)
		}
		offered := " " + strings.Join(completeWords(t, c.Name(), "--"), " ") + " "
		c.Flags().VisitAll(func(f *pflag.Flag) {
			flags++
			if !strings.Contains(offered, " --"+f.Name+" ") {
				t.Errorf("%s: --%s not offered: %s", c.Name(), f.Name, offered)
			}
		})
	}
	if flags < 50 {
		t.Errorf("only %d flags in the tree", flags)
	}
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		if script := completionScript(t, sh); !strings.Contains(script, "__complete") {
			t.Errorf("%s script does not ask leakfix __complete", sh)
		}
	}
	if code, _, stderr := runCLI(t, "", "completion", "tcsh"); code != 2 || !strings.Contains(stderr, "tcsh") {
		t.Errorf("unknown shell: exit %d (%s), want 2", code, stderr)
	}
}

// TestPowerShellCompletion checks the script's structure (pwsh is not
// installed here): it registers a native argument completer for leakfix
// that asks leakfix __complete, and its braces balance.
func TestPowerShellCompletion(t *testing.T) {
	script := completionScript(t, "powershell")
	for _, want := range []string{"Register-ArgumentCompleter", "-CommandName 'leakfix'", "__complete", "CompletionResult"} {
		if !strings.Contains(script, want) {
			t.Errorf("powershell script lacks %q", want)
		}
	}
	if o, c := strings.Count(script, "{"), strings.Count(script, "}"); o != c {
		t.Errorf("powershell script: %d { against %d }", o, c)
	}
}

// onPath puts the built leakfix first on PATH for the shells' completion
// functions, which run it.
func onPath(t *testing.T) []string {
	t.Helper()
	bin := leakfixBinary(t)
	return append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// bashComplete sources the bash script and asks it to complete words.
func bashComplete(t *testing.T, bash, script string, env []string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) +
		"\n__start_leakfix 2>/dev/null\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
	cmd.Dir = t.TempDir()
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
	}
	got := strings.Fields(string(out))
	sort.Strings(got)
	return got
}

// TestBashCompletion: the script parses (bash -n), has no shellcheck
// errors, and completes commands, flags, flag values and subcommands.
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
	// Errors only: the script is cobra's, its style is upstream's. SC2145
	// is a false alarm there (COMP_LINE is a string, not an array).
	if out, err := exec.Command(shellcheck, "-s", "bash", "-S", "error", "-e", "SC2145", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
	env := onPath(t)
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
		{[]string{"leakfix", "completion", "p"}, "powershell"},
		{[]string{"leakfix", "scan", "-q"}, "-q"},
		{[]string{"leakfix", "baseline", "i"}, "import"},
	} {
		if got := strings.Join(bashComplete(t, bash, script, env, tt.words...), " "); got != tt.want {
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
	env := onPath(t)
	for _, tt := range []struct{ line, want string }{
		{"leakfix sc", "scan"},
		{"leakfix scan --form", "--format"},
		{"leakfix scan --format ", "json"},
		{"leakfix rules ", "check"},
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+path+"; complete -C '"+tt.line+"'")
		cmd.Dir = t.TempDir()
		cmd.Env = env
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
