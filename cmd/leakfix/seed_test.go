package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type expectedFinding struct {
	File        string `json:"file"`
	Line        int    `json:"line"`
	Provider    string `json:"provider"`
	WeakDefault bool   `json:"weak_default"`
}

func (e expectedFinding) String() string {
	return fmt.Sprintf("%s:%d %s weak=%v", e.File, e.Line, e.Provider, e.WeakDefault)
}

// scanJSON runs `leakfix scan DIR --format json` and returns the findings.
func scanJSON(t *testing.T, dir string) (int, []map[string]any) {
	t.Helper()
	code, out, stderr := runCLI(t, "", "scan", dir, "--format", "json", "--no-ignore")
	if code == 2 {
		t.Fatalf("scan %s: exit 2: %s", dir, stderr)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("scan %s: bad JSON: %v", dir, err)
	}
	return code, fs
}

func isWeak(f map[string]any) bool {
	tags, _ := f["tags"].([]any)
	for _, t := range tags {
		if t == "weak-default" {
			return true
		}
	}
	return false
}

// TestSeedReconstructions is the product's acceptance test for detection:
// the seed-002 services must yield exactly the secrets the seed lists, each
// with the right provider (the weak JWT default as a weak default); the
// Kubernetes Secret's base64 values must be decoded and found; and the
// placeholder-rich docs of seeds 003/004 must yield nothing at all.
func TestSeedReconstructions(t *testing.T) {
	for _, dir := range []string{"seed002", "k8s"} {
		t.Run(dir, func(t *testing.T) {
			root := filepath.Join("..", "..", "testdata", dir)
			raw, err := os.ReadFile(filepath.Join(root, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []expectedFinding
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			_, fs := scanJSON(t, root)
			var got []expectedFinding
			for _, f := range fs {
				got = append(got, expectedFinding{
					// Inside the project's work tree scan names files
					// from its root; expected.json names them from dir.
					File: strings.TrimPrefix(f["file"].(string), "testdata/"+dir+"/"), Line: int(f["start_line"].(float64)),
					Provider: f["provider"].(string), WeakDefault: isWeak(f),
				})
			}
			if diff := diffSets(want, got); diff != "" {
				t.Errorf("findings differ from %s/expected.json:\n%s", dir, diff)
			}
		})
	}
	t.Run("placeholders", func(t *testing.T) {
		code, fs := scanJSON(t, filepath.Join("..", "..", "testdata", "placeholders"))
		for _, f := range fs {
			t.Errorf("false positive: %v:%v %v (%v)", f["file"], f["start_line"], f["rule_id"], f["identifier"])
		}
		if len(fs) == 0 && code != 0 {
			t.Errorf("exit %d with no findings", code)
		}
	})
}

func diffSets(want, got []expectedFinding) string {
	key := func(e expectedFinding) string { return e.String() }
	w, g := map[string]int{}, map[string]int{}
	for _, e := range want {
		w[key(e)]++
	}
	for _, e := range got {
		g[key(e)]++
	}
	var lines []string
	for k, n := range w {
		if g[k] < n {
			lines = append(lines, "  missing: "+k)
		}
	}
	for k, n := range g {
		if w[k] < n {
			lines = append(lines, "  unexpected: "+k)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
