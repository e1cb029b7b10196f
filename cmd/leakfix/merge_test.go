package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/scanner"
)

// shardRuns runs `leakfix ARGS --shard k/n --output FILE` for every k and
// returns the report files.
func shardRuns(t *testing.T, n int, format string, args ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for k := 1; k <= n; k++ {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.%s", k, format))
		a := append(append([]string{}, args...), "--shard", fmt.Sprintf("%d/%d", k, n), "--format", format, "--output", out, "--quiet")
		if code, _, stderr := runCLI(t, "", a...); code > 1 {
			t.Fatalf("leakfix %v: exit %d: %s", a, code, stderr)
		}
		files = append(files, out)
	}
	return files
}

func mergeRun(t *testing.T, files ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "merged")
	if code, _, stderr := runCLI(t, "", append([]string{"merge", "--output", out}, files...)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func singleRun(t *testing.T, format string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "single."+format)
	a := append(append([]string{}, args...), "--format", format, "--output", out, "--quiet")
	if code, _, stderr := runCLI(t, "", a...); code > 1 {
		t.Fatalf("leakfix %v: exit %d: %s", a, code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Vault name suggestions (secret_name) are chosen over all the findings a
// run sees (the same value in two files shares a name; -2 suffixes go in
// file order), so each shard chooses its own: the one field a merge cannot
// make equal. Everything else must be.
var vaultName = regexp.MustCompile(`("secret_name": )"[^"]*"|; vault name \\"[^"]*\\"`)

func withoutNames(s string) string { return vaultName.ReplaceAllString(s, "$1\"\"") }

// TestMergedShardsEqualOneRun: `scan --shard k/N` for every k, merged,
// is the unsharded report — JSON and SARIF, byte for byte but for vault
// names — and `history --shard` merged holds the same findings.
func TestMergedShardsEqualOneRun(t *testing.T) {
	tree := filepath.Join("..", "..", "testdata")
	for _, format := range []string{"json", "sarif"} {
		single := singleRun(t, format, "scan", tree)
		if strings.Count(single, `"rule`) < 20 {
			t.Fatalf("%s: too few findings in testdata to prove anything", format)
		}
		for _, n := range []int{2, 3} {
			merged := mergeRun(t, shardRuns(t, n, format, "scan", tree)...)
			if withoutNames(merged) != withoutNames(single) {
				t.Errorf("scan %s, %d shards merged differs from one run:\n%s", format, n, firstDiff(withoutNames(merged), withoutNames(single)))
			}
		}
	}

	r := newHistRepo(t)
	for i := range 12 {
		r.commit(fmt.Sprintf("change %d", i), map[string]string{
			fmt.Sprintf("svc%d/settings.py", i%5): fmt.Sprintf("# v%d\nAWS_ACCESS_KEY_ID = \"AKIAQ3EGUWN5VTL7ZB%d%c\"\nretries = %d\n", i, i%10, 'A'+i, i),
			"app.py":                              fmt.Sprintf("groq_api_key = \"%s\"\nversion = %d\n", cliGroq, i),
		})
	}
	single := singleRun(t, "json", "history", r.dir)
	merged := mergeRun(t, shardRuns(t, 3, "json", "history", r.dir)...)
	a, b := findingSet(t, merged), findingSet(t, single)
	if len(b) < 5 || !reflect.DeepEqual(a, b) {
		t.Errorf("history: %d merged findings, %d in one run\n merged: %v\n single: %v", len(a), len(b), a, b)
	}
	if strings.Contains(merged, cliGroq) {
		t.Error("the merged report shows a secret the shard reports had redacted")
	}
}

// findingSet is the findings without vault names, in one fixed order.
func findingSet(t *testing.T, report string) []scanner.Finding {
	t.Helper()
	var fs []scanner.Finding
	if err := json.Unmarshal([]byte(report), &fs); err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		fs[i].SecretName = ""
	}
	sort.SliceStable(fs, func(i, j int) bool { return fmt.Sprint(fs[i]) < fmt.Sprint(fs[j]) })
	return fs
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n merged: %s\n single: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(la), len(lb))
}

// TestMergeRejects: what is not a report is a clear error, and nothing is
// written.
func TestMergeRejects(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("hello\n"), 0o644)
	out := filepath.Join(dir, "merged.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"merge"}, "at least one report"},
		{[]string{"merge", filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"merge", "--output", out, bad}, "not a leakfix JSON report"},
		{[]string{"merge", "--format", "sarif", "--output", out, bad}, "not SARIF"},
		{[]string{"merge", "--format", "text", bad}, "--format"},
		{[]string{"scan", "--staged", "--shard", "1/2"}, "--shard"},
		{[]string{"scan", "--shard", "3/2", "."}, "1 ≤ K ≤ N"},
	} {
		code, _, stderr := runCLI(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed merge left a file behind")
	}
}

// TestStdinIsStreamed: stdin larger than a segment is scanned in several,
// with the line numbers of the whole stream, a secret right at a cut found
// once, and the segments counted under --verbose.
func TestStdinIsStreamed(t *testing.T) {
	var b strings.Builder
	line := 0
	var want []int
	for b.Len() < 3*scanner.StreamWindow {
		line++
		// A secret on the lines nearest each 4 MiB mark.
		if next := b.Len() + 80; next/scanner.StreamWindow != b.Len()/scanner.StreamWindow || line == 7 {
			fmt.Fprintf(&b, "groq_api_key = \"%s\"\n", cliGroq)
			want = append(want, line)
			continue
		}
		fmt.Fprintf(&b, "def handler_%d(request):\n", line)
	}
	code, stdout, stderr := runCLI(t, b.String(), "scan", "-", "--format", "json", "--verbose")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var fs []scanner.Finding
	if err := json.Unmarshal([]byte(stdout), &fs); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range fs {
		lines = append(lines, f.StartLine)
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("findings on lines %v, want %v", lines, want)
	}
	if !strings.Contains(stderr, "segment(s)") || strings.Contains(stderr, "in 1 segment(s)") {
		t.Errorf("stderr %q: want several segments", stderr)
	}
}
