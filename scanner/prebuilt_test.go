package scanner

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// TestPrebuiltAutomatonIsGenerated fails when the saved automaton does not
// match the embedded pack (TestPackIsGenerated ties that pack to the
// family files): run `go generate ./rules`.
func TestPrebuiltAutomatonIsGenerated(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	want, err := PrebuiltAutomaton(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, rules.DefaultAutomaton()) {
		t.Fatal("rules/default.ac is out of date with the embedded pack: run `go generate ./rules`")
	}
}

// TestPrebuiltAutomatonUsed: a detector for the embedded pack (or a pack
// extending it with no keywords of its own) runs the saved automaton, which
// is the one New would build; a pack with other keywords builds its own.
func TestPrebuiltAutomatonUsed(t *testing.T) {
	def, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	allow, err := rules.Parse("allow.toml", []byte("[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''^vendor/''']\n"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := rules.Parse("more.toml", []byte("[extend]\nuseDefault = true\n[[rules]]\nid = \"own\"\nregex = '''own_[a-z]{8}'''\nkeywords = [\"own_\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		cfg      *rules.Config
		prebuilt bool
	}{"default": {def, true}, "extend, allowlist only": {allow, true}, "extend, own keyword": {more, false}} {
		kws := detectorKeywords(c.cfg)
		built := ahocorasick.New(kws)
		if got := prebuilt(keywordsSum(kws)) != nil; got != c.prebuilt {
			t.Errorf("%s: prebuilt automaton used = %v, want %v", name, got, c.prebuilt)
		}
		d := New(c.cfg, Options{})
		if !reflect.DeepEqual(d.keywordAC(), built) {
			t.Errorf("%s: the detector's automaton is not the one built for its keywords", name)
		}
		if again := New(c.cfg, Options{NoBase64: true}); again.keywordAC() != d.keywordAC() {
			t.Errorf("%s: a second detector for the same keywords built its automaton again", name)
		}
	}
	// The kept automaton is never handed to other keywords.
	other, err := rules.Parse("other.toml", []byte("[[rules]]\nid = \"x\"\nregex = '''x_[a-z]{8}'''\nkeywords = [\"x_\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := New(more, Options{}), New(other, Options{})
	if a.keywordAC() == b.keywordAC() || !reflect.DeepEqual(b.keywordAC(), ahocorasick.New([]string{"x_"})) {
		t.Error("detectors for different keywords share an automaton")
	}
}

// BenchmarkStartupNew: a detector for the embedded pack, with the saved
// automaton, and with the automaton built as any other pack's is.
func BenchmarkStartupNew(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("prebuilt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			last.Lock()
			last.m = nil // a fresh process: nothing kept
			last.Unlock()
			New(cfg, Options{})
		}
	})
	b.Run("built", func(b *testing.B) {
		kws := detectorKeywords(cfg)
		b.ReportAllocs()
		for b.Loop() {
			ahocorasick.New(kws)
		}
	})
}
