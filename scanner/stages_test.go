package scanner

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// TestStagesChangeNothing: timing a scan by stage gives the same findings,
// and the profile says where the time went — every stage the tree
// exercises, and the rule that matched among the costly ones.
func TestStagesChangeNothing(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"app/settings.py": "GITHUB_TOKEN = \"ghp_Zt4mQ8rW2xK7pN1vB5cL9dF3hJ6gS0aY2eU8\"\n",
		"app/enc.yaml":    "blob: Z2l0aHViX3Rva2VuID0gZ2hwX1p0NG1ROHJXMnhLN3BOMXZCNWNMOWRGM2hKNmdTMGFZMmVVOA==\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(st *Stages) []Finding {
		fs, _, err := (&FileSource{Roots: []string{dir}, NoIgnore: true}).Scan(context.Background(), New(cfg, Options{Stages: st}))
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	plain := scan(nil)
	st := NewStages()
	timed := scan(st)
	if len(plain) < 2 || !reflect.DeepEqual(plain, timed) {
		t.Fatalf("findings with stages differ or are too few: %d vs %d", len(timed), len(plain))
	}
	got := map[string]bool{}
	for _, s := range st.Totals() {
		got[s.Name] = s.Time > 0
	}
	for _, name := range []string{"read", "keyword prefilter", "regex", "judge+fingerprint", "decode layers"} {
		if !got[name] {
			t.Errorf("stage %q took no time", name)
		}
	}
	if got["archives"] {
		t.Error("archive time without an archive")
	}
	found := false
	for _, r := range st.Costliest(len(cfg.Rules)) {
		found = found || r.Name == plain[0].RuleID
	}
	if !found {
		t.Errorf("rule %s, which matched, has no regex time", plain[0].RuleID)
	}
}
