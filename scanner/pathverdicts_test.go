package scanner

import (
	"reflect"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// TestPathVerdictsChangeNothing: one PathVerdicts carried across fragments
// of many paths (every rule's example file with its examples, a lock file
// a global allowlist drops, ordinary sources), path after path and back
// again, gives exactly the findings of fragments without one.
func TestPathVerdictsChangeNothing(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	byPath := map[string][]string{}
	paths := []string{"src/example", "package-lock.json", "deploy/main.tf", "app/.env", "Makefile"}
	for _, r := range cfg.Rules {
		p := r.ExampleFile
		if p == "" {
			p = "src/example"
		}
		if _, ok := byPath[p]; !ok && p != "src/example" {
			paths = append(paths, p)
		}
		byPath[p] = append(byPath[p], r.Examples...)
	}
	// Every path sees its own rules' examples and those of another path,
	// so path-scoped rules both fire and are held back.
	var v PathVerdicts
	findings := 0
	visits := append(append([]string(nil), paths...), paths[0], "package-lock.json", paths[len(paths)-1], paths[2])
	for i, p := range visits {
		other := paths[(i+1)%len(paths)]
		text := []byte(strings.Join(append(append([]string(nil), byPath[p]...), byPath[other]...), "\n"))
		if len(text) > 64<<10 {
			text = text[:64<<10]
		}
		want, werr := d.Detect(Fragment{Path: p, Data: text, Commit: "c"})
		got, gerr := d.Detect(Fragment{Path: p, Data: text, Commit: "c", Verdicts: &v})
		if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
			t.Fatalf("visit %d, %s: %d findings with verdicts, %d without", i, p, len(got), len(want))
		}
		findings += len(want)
	}
	if findings == 0 {
		t.Fatal("no findings: the test proves nothing")
	}
	// A global allowlist drops the lock file whole, whatever came before.
	text := []byte(strings.Join(byPath["src/example"], "\n"))
	if fs, _ := d.Detect(Fragment{Path: "src/example", Data: text, Verdicts: &v}); len(fs) == 0 {
		t.Fatal("src/example: no findings")
	}
	if fs, _ := d.Detect(Fragment{Path: "package-lock.json", Data: text, Verdicts: &v}); len(fs) != 0 {
		t.Errorf("package-lock.json: %d findings, want none", len(fs))
	}
}
