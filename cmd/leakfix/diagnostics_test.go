package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiagnosticsFlag: gitleaks' --diagnostics writes the profiles of the
// run for scan and history, names them on stderr (not under --quiet), and
// bad values are usage errors before anything runs.
func TestDiagnosticsFlag(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "app.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		files []string
		say   string
	}{
		{"scan cpu,mem", []string{"scan", src, "--diagnostics", "cpu,mem"}, 0, []string{"leakfix-cpu.pprof", "leakfix-mem.pprof"}, "diagnostics written to"},
		{"trace, quiet", []string{"scan", src, "-q", "--diagnostics=trace"}, 0, []string{"leakfix-trace.out"}, ""},
		{"http refused", []string{"scan", src, "--diagnostics", "http"}, 2, nil, "not supported"},
		{"unknown kind", []string{"scan", src, "--diagnostics", "cpu,gpu"}, 2, nil, "unknown kind"},
		{"dir alone", []string{"scan", src, "--diagnostics-dir", "x"}, 2, nil, "only used with --diagnostics"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "prof")
			code, _, stderr := runCLI(t, "", append(tc.args, "--diagnostics-dir", dir)...)
			if tc.name == "dir alone" {
				code, _, stderr = runCLI(t, "", tc.args...)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.say) || (tc.say == "" && stderr != "") {
				t.Errorf("stderr %q, want it to say %q", stderr, tc.say)
			}
			got, _ := os.ReadDir(dir)
			var names []string
			for _, e := range got {
				names = append(names, e.Name())
			}
			if strings.Join(names, " ") != strings.Join(tc.files, " ") {
				t.Errorf("files %v, want %v", names, tc.files)
			}
		})
	}
}

// TestVerboseStages: --verbose says where the detector's time went and
// which rules cost the most; without it, nothing is timed or said.
func TestVerboseStages(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "app.py"), []byte("GITHUB_TOKEN = \"ghp_Zt4mQ8rW2xK7pN1vB5cL9dF3hJ6gS0aY2eU8\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, stderr := runCLI(t, "", "scan", src, "-v")
	for _, want := range []string{"time by stage, summed over workers: read ", "regex ", "costliest rules (regex time): "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("scan -v stderr lacks %q:\n%s", want, stderr)
		}
	}
	_, _, stderr = runCLI(t, "", "scan", src)
	if strings.Contains(stderr, "time by stage") {
		t.Errorf("stages printed without --verbose:\n%s", stderr)
	}
}
