package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGitleaksSuite runs every case in testdata/gitleaks-suite: a gitleaks
// config exercising one feature, the files it is run on, and the findings
// gitleaks' semantics keep and suppress. Each case is run twice:
//
//   - with the case's control.toml (the same rules without the feature; by
//     default config.toml) before any post/ files exist and without extra
//     arguments: every kept and every suppressed finding must be reported,
//     so a "suppressed" line always names something the feature removed;
//   - with config.toml, post/ files in place and the case's arguments: the
//     findings must be exactly the kept ones.
//
// Layout of a case: config.toml, control.toml (optional), tree/ (the first
// commit), tree2/ (an optional second commit), post/ (copied into the
// repository after the commits: ignore files), other files the config or
// arguments name, and expect.txt: `args: history|scan [flags]` (optional),
// then `kept|suppressed RULE FILE:LINE` lines. {{COMMIT1}}, {{COMMIT2}} and
// {{CASE}} (the directory holding the case's configs) are substituted in
// every file outside tree/ and tree2/.
func TestGitleaksSuite(t *testing.T) {
	histRequireTool(t, "git")
	dirs, err := filepath.Glob(filepath.Join("..", "..", "testdata", "gitleaks-suite", "[0-9]*"))
	if err != nil || len(dirs) < 12 {
		t.Fatalf("found %d cases (err %v), want at least 12", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { runSuiteCase(t, dir) })
	}
}

type suiteExpect struct {
	args             []string
	kept, suppressed []string
}

func readSuiteExpect(t *testing.T, path string) suiteExpect {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ex := suiteExpect{args: []string{"scan"}}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if a, ok := strings.CutPrefix(line, "args:"); ok {
			ex.args = strings.Fields(a)
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("%s:%d: want `kept|suppressed RULE FILE:LINE`", path, n+1)
		}
		switch f[0] {
		case "kept":
			ex.kept = append(ex.kept, f[1]+" "+f[2])
		case "suppressed":
			ex.suppressed = append(ex.suppressed, f[1]+" "+f[2])
		default:
			t.Fatalf("%s:%d: %q is not kept or suppressed", path, n+1, f[0])
		}
	}
	if len(ex.kept) == 0 || len(ex.kept)+len(ex.suppressed) < 2 {
		t.Fatalf("%s: a case needs kept findings and at least two expectations", path)
	}
	return ex
}

func runSuiteCase(t *testing.T, dir string) {
	ex := readSuiteExpect(t, filepath.Join(dir, "expect.txt"))
	repo := &histRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	os.MkdirAll(repo.dir, 0o755)
	repo.git("init", "-q", "-b", "main")
	subst := map[string]string{}
	for i, tree := range []string{"tree", "tree2"} {
		files := suiteTree(t, filepath.Join(dir, tree))
		if files == nil {
			continue
		}
		subst[fmt.Sprintf("{{COMMIT%d}}", i+1)] = repo.commit(tree, files)
	}
	cfgDir := filepath.Join(t.TempDir(), "case")
	subst["{{CASE}}"] = cfgDir
	rep := func(s string) string {
		for k, v := range subst {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	// Configs and other case files, substituted, outside the repository.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || e.Name() == "expect.txt" {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		os.MkdirAll(cfgDir, 0o755)
		if err := os.WriteFile(filepath.Join(cfgDir, e.Name()), []byte(rep(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	control := filepath.Join(cfgDir, "control.toml")
	if _, err := os.Stat(control); err != nil {
		control = filepath.Join(cfgDir, "config.toml")
	}

	got := suiteRun(t, []string{ex.args[0], repo.dir, "--config", control})
	for _, want := range append(append([]string(nil), ex.kept...), ex.suppressed...) {
		if !got[want] {
			t.Errorf("control run (%s) does not report %q: the case proves nothing (got %v)", filepath.Base(control), want, keys(got))
		}
	}

	for name, content := range suiteTree(t, filepath.Join(dir, "post")) {
		if err := os.WriteFile(filepath.Join(repo.dir, name), []byte(rep(content)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{ex.args[0], repo.dir, "--config", filepath.Join(cfgDir, "config.toml")}
	for _, a := range ex.args[1:] {
		args = append(args, rep(a))
	}
	got = suiteRun(t, args)
	want := map[string]bool{}
	for _, k := range ex.kept {
		want[k] = true
	}
	if g, w := keys(got), keys(want); strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("leakfix %s\nreports %v\nwant    %v", strings.Join(args, " "), g, w)
	}
}

// suiteTree reads a directory of files into a map, or nil if it is absent.
func suiteTree(t *testing.T, root string) map[string]string {
	t.Helper()
	if _, err := os.Stat(root); err != nil {
		return nil
	}
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// suiteRun runs leakfix with --format json and returns "RULE FILE:LINE" keys.
func suiteRun(t *testing.T, args []string) map[string]bool {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", append(args, "--format", "json")...)
	if code != 0 && code != 1 {
		t.Fatalf("leakfix %v: exit %d: %s", args, code, stderr)
	}
	var fs []struct {
		RuleID string `json:"rule_id"`
		File   string `json:"file"`
		Line   int    `json:"start_line"`
	}
	if err := json.Unmarshal([]byte(stdout), &fs); err != nil {
		t.Fatalf("leakfix %v: %v\n%s", args, err, stdout)
	}
	got := map[string]bool{}
	for _, f := range fs {
		got[fmt.Sprintf("%s %s:%d", f.RuleID, f.File, f.Line)] = true
	}
	return got
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
