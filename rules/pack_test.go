package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules/internal/pack"
)

// TestPackIsGenerated fails when a family file in pack/ was edited without
// running `go generate ./rules`, so the embedded pack never drifts from its
// sources.
func TestPackIsGenerated(t *testing.T) {
	want, err := pack.Compose("pack")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, DefaultPackBytes()) {
		t.Fatal("rules/default.toml is out of date with rules/pack/*.toml: run `go generate ./rules`")
	}
	wantGob, err := EncodePack(DefaultSource, want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wantGob, defaultPackGob) {
		t.Fatal("rules/default.gob is out of date with rules/pack/*.toml: run `go generate ./rules`")
	}
}

// TestPackGobMatchesTOML: the pre-decoded form the binary loads holds
// exactly what decoding default.toml gives, field for field, and compiles
// to the same rules.
func TestPackGobMatchesTOML(t *testing.T) {
	fromTOML, err := decode(DefaultSource, DefaultPackBytes())
	if err != nil {
		t.Fatal(err)
	}
	stripped, _, _, err := decodeDefaultGob(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stripped.Rules {
		if len(r.Examples)+len(r.Negatives) > 0 {
			t.Fatalf("rule %s: the scan form of default.gob carries examples", r.ID)
		}
	}
	full, _, ex, err := decodeDefaultGob(true)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range full.Rules {
		r.Examples, r.Negatives = ex[i].Examples, ex[i].Negatives
	}
	fromGob := *full
	if len(fromTOML.Rules) < 500 {
		t.Fatalf("decoded only %d rules from default.toml", len(fromTOML.Rules))
	}
	// gob does not tell an empty list from none (`keywords = []` on a
	// path-only rule); nothing in leakfix does either.
	nilEmptySlices(reflect.ValueOf(fromTOML))
	if !reflect.DeepEqual(fromTOML, &fromGob) {
		t.Fatal("default.gob decodes to a different pack than default.toml")
	}
	compiledTOML, err := load(DefaultSource, DefaultPackBytes(), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	compiledGob, err := loadDefaultGob()
	if err != nil {
		t.Fatal(err)
	}
	markEmbedded(compiledGob)
	if err := compiledGob.LoadExamples(); err != nil {
		t.Fatal(err)
	}
	if len(compiledTOML.Rules) != len(compiledGob.Rules) || len(compiledTOML.Allowlists) != len(compiledGob.Allowlists) {
		t.Fatalf("compiled packs differ in size: toml %d rules/%d allowlists, gob %d/%d",
			len(compiledTOML.Rules), len(compiledTOML.Allowlists), len(compiledGob.Rules), len(compiledGob.Allowlists))
	}
	for i, r := range compiledTOML.Rules {
		g := compiledGob.Rules[i]
		a, b := *r, *g
		a.re, b.re, a.pathRe, b.pathRe = nil, nil, nil, nil
		a.Allowlists, b.Allowlists = nil, nil
		b.embeddedAt = 0
		nilEmptySlices(reflect.ValueOf(&a))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("rule %s compiles differently from default.gob", r.ID)
		}
		if (r.pathRe == nil) != (g.pathRe == nil) || r.pathRe != nil && r.pathRe.String() != g.pathRe.String() {
			t.Errorf("rule %s: path regex differs", r.ID)
		}
		if len(r.Allowlists) != len(g.Allowlists) {
			t.Errorf("rule %s: %d allowlists from toml, %d from gob", r.ID, len(r.Allowlists), len(g.Allowlists))
		}
	}
	if !reflect.DeepEqual(compiledTOML.aliases, compiledGob.aliases) {
		t.Error("alias index differs between the toml and gob forms")
	}
}

// TestPackRegexesFitAScreen keeps every regex in the family files readable:
// at most a screen (15 lines of 80 columns) before fragment expansion. A
// longer one should name its repeated parts as fragments
// (rules/internal/pack/fragments.go) or split into rules.
func TestPackRegexesFitAScreen(t *testing.T) {
	const screen = 15 * 80
	names, err := filepath.Glob("pack/*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no family files: %v", err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "regex") && len(line) > screen {
				t.Errorf("%s:%d: regex is %d characters, more than a screen (%d)", n, i+1, len(line), screen)
			}
		}
	}
}

// TestEveryRuleHasNegatives: the default pack's rules carry both halves of
// their test data (TestDefaultPackExamples runs them; it already demands
// examples).
func TestEveryRuleHasNegatives(t *testing.T) {
	cfg, err := DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if len(r.Negatives) == 0 {
			t.Errorf("line %d: rule %s has no negatives", r.Line, r.ID)
		}
	}
}

// nilEmptySlices sets every empty slice reachable from v to nil.
func nilEmptySlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			nilEmptySlices(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				nilEmptySlices(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 && !v.IsNil() && v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
		for i := 0; i < v.Len(); i++ {
			nilEmptySlices(v.Index(i))
		}
	}
}
