package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ptyDriver types into an interactive shell on a pseudo-terminal, the way
// a user does: the setup line, then each prefix followed by TAB, capturing
// what the shell echoes back, then Ctrl-U to clear the line. It prints the
// captures as a JSON array.
const ptyDriver = `
import json, os, pty, select, sys, time
argv = json.loads(os.environ["PTY_ARGV"])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
def read(secs):
    out, end = b"", time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
    return out.decode("utf-8", "replace")
read(1.0)
os.write(fd, os.environ["PTY_SETUP"].encode() + b"\n")
read(3.0)
caps = []
for prefix in json.loads(os.environ["PTY_TYPE"]):
    os.write(fd, prefix.encode())
    read(0.5)
    os.write(fd, b"\t")
    caps.append(read(1.5))
    os.write(fd, b"\x15")
    read(0.5)
os.write(fd, b"exit\n")
read(0.5)
print(json.dumps(caps))
`

// bashCompletionPackage is where Debian's bash-completion package keeps its
// functions (.ci/run installs it).
const bashCompletionPackage = "/usr/share/bash-completion/bash_completion"

// TestCompletionDoesNotTreatCommandsAsPaths types `leakfix sc<TAB>` into
// real interactive bash and zsh, in a directory that holds directories
// named like the commands: the command must complete as a word ("scan "),
// never as a directory ("scan/"), while a path argument still completes as
// one ("rules/").
func TestCompletionDoesNotTreatCommandsAsPaths(t *testing.T) {
	python := ecoRequireTool(t, "python3")
	dir := t.TempDir()
	for _, d := range []string{"scan", "history", "rules"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	type ptyCase struct{ typed, want, bad string }
	for _, sh := range []struct {
		name, shell, argv, setup string
		extra                    []ptyCase
	}{
		{"bash", "bash", `["bash", "--norc", "--noprofile", "-i"]`, `PS1='$ '; source SCRIPT`, nil},
		// With the bash-completion package loaded (as most distributions
		// do), --flag=value completes too.
		{"bash+bash-completion", "bash", `["bash", "--norc", "--noprofile", "-i"]`, `PS1='$ '; source ` + bashCompletionPackage + `; source SCRIPT`,
			[]ptyCase{{"leakfix scan --format=sa", "rif ", ""}, {"leakfix scan -f ju", "nit ", ""}}},
		{"zsh", "zsh", `["zsh", "-f", "-i"]`, `PS1='$ '; autoload -U compinit && compinit -u -D; source SCRIPT`,
			[]ptyCase{{"leakfix scan --format=sa", "rif ", ""}}},
	} {
		t.Run(sh.name, func(t *testing.T) {
			ecoRequireTool(t, sh.shell)
			if sh.extra != nil && sh.shell == "bash" {
				if _, err := os.Stat(bashCompletionPackage); err != nil {
					if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
						t.Fatalf("bash-completion package: %v", err)
					}
					t.Skipf("bash-completion package not installed (%s)", bashCompletionPackage)
				}
			}
			script := filepath.Join(t.TempDir(), "leakfix."+sh.shell)
			if err := os.WriteFile(script, []byte(completionScript(t, sh.shell)), 0o644); err != nil {
				t.Fatal(err)
			}
			cases := append([]ptyCase{
				{"leakfix sc", "an ", "an/"},
				{"leakfix hist", "ory ", "ory/"},
				{"leakfix scan --no-i", "gnore ", ""},
				{"leakfix scan ru", "les/", ""},
			}, sh.extra...)
			var typed []string
			for _, c := range cases {
				typed = append(typed, c.typed)
			}
			tj, _ := json.Marshal(typed)
			cmd := exec.Command(python, "-c", ptyDriver)
			cmd.Dir = dir
			cmd.Env = append(onPath(t), "PTY_ARGV="+sh.argv, "PTY_SETUP="+strings.ReplaceAll(sh.setup, "SCRIPT", script), "PTY_TYPE="+string(tj), "TERM=dumb")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pty driver: %v\n%s", err, out)
			}
			var caps []string
			if err := json.Unmarshal(out, &caps); err != nil || len(caps) != len(cases) {
				t.Fatalf("pty driver output %q: %v", out, err)
			}
			for i, c := range cases {
				if !strings.Contains(caps[i], c.want) || (c.bad != "" && strings.Contains(caps[i], c.bad)) {
					t.Errorf("%s: %q<TAB> echoed %q; want %q", sh.shell, c.typed, caps[i], c.want)
				}
			}
		})
	}
}
