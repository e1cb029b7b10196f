package leakfix_test

// The benchmark scripts and CI's entry point are code that runs rarely and
// far from a reviewer (bench/table.sh produces README's performance table):
// shellcheck them here so a broken quote is caught the day it is written.

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestShellScriptsPassShellcheck(t *testing.T) {
	shellcheck := requireTool(t, "shellcheck")
	scripts, err := filepath.Glob("bench/*.sh")
	if err != nil {
		t.Fatal(err)
	}
	scripts = append(scripts, ".ci/run")
	if len(scripts) < 5 {
		t.Fatalf("found only %v: the bench scripts moved?", scripts)
	}
	for _, s := range scripts {
		out, err := exec.Command(shellcheck, "--shell=bash", s).CombinedOutput()
		if err != nil {
			t.Errorf("shellcheck %s: %v\n%s", s, err, out)
		}
	}
}
