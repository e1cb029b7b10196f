package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNoRawSecretAnywhere feeds known secrets through every command ×
// format × error path reachable in-process and greps every output for the
// raw values: stdout, stderr, and every file the run wrote or changed
// except the values files that must hold them (mode 0600, named below).
func TestNoRawSecretAnywhere(t *testing.T) {
	histRequireTool(t, "git")
	secrets := []string{cliGroq, histAWS}
	r := newHistRepo(t)
	r.commit("add config", map[string]string{
		"app.py":        "groq_api_key = \"" + cliGroq + "\"\n",
		"settings.json": "{\"aws_access_key_id\": \"" + histAWS + "\"}\n",
		"broken.json":   "{\"groq_api_key\": \"" + cliGroq + "\",}\n",
	})
	r.commit("rotate "+cliGroq+" and "+histAWS, nil)
	r.git("tag", "-a", "v1", "-m", "release with "+histAWS)
	// A staged secret for --staged.
	os.WriteFile(filepath.Join(r.dir, "staged.py"), []byte("aws_key = '"+histAWS+"'\n"), 0o644)
	r.git("add", "staged.py")

	work := t.TempDir()
	w := func(name, content string) string {
		p := filepath.Join(work, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	brokenCfg := w("broken.toml", "[[rules]]\nid = \"x\"\nregex = '''"+cliGroq+"\n")
	badRegex := w("badregex.toml", "[[rules]]\nid = \"x\"\ndescription = \"d\"\nregex = '''("+cliGroq+"'''\n")
	brokenBaseline := w("broken-baseline.json", "[{\"secret\": \""+cliGroq+"\",")
	redos := w("redos.toml", redosPack)
	w("slow.py", "x = \""+strings.Repeat("a", 40)+"\" ; groq = \""+cliGroq+"\"\n")
	checkPack := w("check.toml", "[[rules]]\nid = \"groq-test\"\ndescription = \"d\"\nregex = '''gsk_[A-Za-z0-9]{52}'''\nkeywords = [\"gsk_\"]\n"+
		"examples = [\"k = '"+cliGroq[:len(cliGroq)-1]+"'\"]\nnegatives = [\"k = '"+cliGroq+"'\"]\n")
	baseline := filepath.Join(work, "baseline.json")
	ignoreRepo := t.TempDir()
	copyTree(t, r.dir, ignoreRepo)

	roots := []string{work, r.dir}
	fixCopy := func() string {
		d := t.TempDir()
		copyTree(t, r.dir, d)
		roots = append(roots, d)
		return d
	}
	out := func(name string) string { return filepath.Join(work, "out", name) }
	os.MkdirAll(filepath.Join(work, "out", "purge"), 0o755)

	type tc = leakCase
	var cases []tc
	for _, f := range []string{"text", "json", "sarif"} {
		cases = append(cases,
			tc{"scan " + f, "", []string{"scan", r.dir, "--format", f, "--verbose"}},
			tc{"scan --output " + f, "", []string{"scan", r.dir, "--format", f, "--output", out("scan." + f)}},
			tc{"scan stdin " + f, "token: " + cliGroq + "\nAWS_ACCESS_KEY_ID=" + histAWS + "\n", []string{"scan", "-", "--format", f}},
			tc{"scan --staged " + f, "", []string{"scan", "--staged", r.dir, "--format", f}},
			tc{"scan --baseline " + f, "", []string{"scan", r.dir, "--format", f, "--baseline", baseline, "--verbose"}},
			tc{"scan .leakfixignore " + f, "", []string{"scan", ignoreRepo, "--format", f}},
			tc{"history " + f, "", []string{"history", r.dir, "--format", f, "--verbose"}},
			tc{"history --output " + f, "", []string{"history", r.dir, "--format", f, "--output", out("history." + f)}},
			tc{"history --baseline " + f, "", []string{"history", r.dir, "--format", f, "--baseline", baseline}},
			tc{"history .leakfixignore " + f, "", []string{"history", ignoreRepo, "--format", f}},
			tc{"scan redos " + f, "", []string{"scan", filepath.Join(work, "slow.py"), "--config", redos, "--format", f}},
		)
	}
	cases = append(cases,
		tc{"scan --show-secrets", "", []string{"scan", r.dir, "--show-secrets", "--verbose"}},
		tc{"history --show-secrets", "", []string{"history", r.dir, "--show-secrets", "--format", "json"}},
		tc{"fix --show-secrets", "", []string{"fix", r.dir, "--show-secrets", "--verbose"}},
		tc{"stdin redos", "x = \"" + strings.Repeat("a", 40) + "\" ; groq = \"" + cliGroq + "\"\n", []string{"scan", "-", "--config", redos}},
		tc{"scan --write-baseline", "", []string{"scan", r.dir, "--write-baseline", out("wb.json")}},
		tc{"fix diff", "", []string{"fix", r.dir, "--verbose"}},
		tc{"fix --write", "", []string{"fix", fixCopy(), "--write", "--verbose"}},
		tc{"fix --write --emit-helper", "", []string{"fix", fixCopy(), "--write", "--emit-helper"}},
		tc{"rules list", "", []string{"rules", "list"}},
		tc{"rules check", "", []string{"rules", "check", checkPack}},
		tc{"purge", "", []string{"purge", fixCopy(), "--output", out("purge/replace.txt"), "--verbose"}},
		// Error paths.
		tc{"broken config", "", []string{"scan", r.dir, "--config", brokenCfg}},
		tc{"bad regex config", "", []string{"scan", r.dir, "--config", badRegex}},
		tc{"broken baseline", "", []string{"scan", r.dir, "--baseline", brokenBaseline}},
		tc{"history broken config", "", []string{"history", r.dir, "--config", brokenCfg}},
		tc{"history not a repo", "", []string{"history", work}},
		tc{"history redos", "", []string{"history", r.dir, "--config", redos}},
		tc{"fix broken config", "", []string{"fix", r.dir, "--config", brokenCfg}},
		tc{"plan broken report", "", []string{"plan", "--target", "hashicorp-vault", "--from", brokenBaseline, "--out", out("plan-bad")}},
		tc{"purge broken report", "", []string{"purge", r.dir, "--from", brokenBaseline, "--output", out("purge-bad/r.txt")}},
		tc{"rules check broken", "", []string{"rules", "check", brokenCfg}},
		tc{"baseline import broken", "", []string{"baseline", "import", brokenBaseline, "--output", out("ds.json")}},
	)
	for _, target := range []string{"azure-keyvault", "aws-secrets-manager", "hashicorp-vault", "gcp-secret-manager"} {
		cases = append(cases, tc{"plan " + target, "", []string{"plan", r.dir, "--target", target, "--out", out("plan-" + target)}})
	}
	more, checks := newerLeakCases(r.dir, work, out, fixCopy) // leakcheck_more_test.go
	cases = append(cases, more...)

	// The baseline and .leakfixignore the cases above read.
	if code, _, stderr := runCLI(t, "", "history", r.dir, "--format", "json", "--output", baseline); code != 1 {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}
	_, js, _ := runCLI(t, "", "history", ignoreRepo, "--format", "json")
	var fps []string
	for _, line := range strings.Split(js, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), `"fingerprint": "`); ok {
			fps = append(fps, strings.TrimSuffix(v, `",`))
		}
	}
	os.WriteFile(filepath.Join(ignoreRepo, ".leakfixignore"), []byte(strings.Join(fps, "\n")+"\n"), 0o644)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, roots...)
			var stdout, stderr strings.Builder
			e := &env{stdin: strings.NewReader(c.stdin), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			code := run(context.Background(), e, c.args)
			t.Logf("exit %d", code)
			if check := checks[c.name]; check != nil {
				check(t, stdout.String()+stderr.String())
			}
			for _, s := range secrets {
				// With --show-secrets the report may hold the values; stderr never.
				if !slices.Contains(c.args, "--show-secrets") && strings.Contains(stdout.String(), s) {
					t.Errorf("stdout holds %s…:\n%s", s[:8], stdout.String())
				}
				if strings.Contains(stderr.String(), s) {
					t.Errorf("stderr holds %s…:\n%s", s[:8], stderr.String())
				}
			}
			for _, p := range changedFiles(t, before, snapshot(t, roots...)) {
				st, err := os.Stat(p)
				if err != nil {
					continue
				}
				if isValuesFile(p) {
					if st.Mode().Perm() != 0o600 {
						t.Errorf("%s holds values and has mode %04o", p, st.Mode().Perm())
					}
					continue
				}
				data, _ := os.ReadFile(p)
				for _, s := range secrets {
					if strings.Contains(string(data), s) {
						t.Errorf("%s (written by the run) holds %s…", p, s[:8])
					}
				}
			}
		})
	}
}

// isValuesFile names the files whose job is to hold raw values: a plan's
// values file and purge's replace-text and replace-message files.
func isValuesFile(p string) bool {
	base := filepath.Base(p)
	return strings.HasPrefix(base, "values") || strings.HasSuffix(base, "replace.txt") ||
		strings.HasSuffix(base, "-messages.txt") || strings.Contains(filepath.ToSlash(p), ".leakfix-values/")
}

// snapshot maps every regular file under the roots to a content hash.
func snapshot(t *testing.T, roots ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() && d.Name() == ".git" {
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				data, _ := os.ReadFile(p)
				m[p] = fmt.Sprintf("%x", sha256.Sum256(data))
			}
			return nil
		})
	}
	return m
}

func changedFiles(t *testing.T, before, after map[string]string) []string {
	var out []string
	for p, h := range after {
		if before[p] != h {
			out = append(out, p)
		}
	}
	return out
}
