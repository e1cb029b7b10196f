package rules

import (
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// extendConfigs are packs that extend the embedded one: this repository's
// own, the gitleaks suite's and ours, and inline ones that exercise every
// way an extending pack touches the default (override by id and by alias,
// a new regex or secret group, disabled rules, rule and global allowlists,
// targetRules through an alias, an id that names no rule).
func extendConfigs(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range []string{
		"../.leakfix.toml",
		"../testdata/gitleaks-suite/01-extend-usedefault/config.toml",
		"testdata/extend.toml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = data
	}
	inline := map[string]string{
		"override-by-alias.toml": `
[extend]
useDefault = true
disabledRules = ["gcp-api-key", "no-such-rule"]
[[rules]]
id = "aws-access-token"
keywords = ["AKIA-TEST"]
tags = ["extra"]
severity = "low"
[[rules.allowlists]]
regexes = ['''EXAMPLE$''']
`,
		"new-regex.toml": `
[extend]
useDefault = true
[[rules]]
id = "github-pat"
regex = '''\b(ghp_[A-Za-z0-9]{36,40})\b'''
[[rules]]
id = "stripe-access-token"
secretGroup = 0
entropy = 2.0
path = '''\.env$'''
`,
		"global-allowlists.toml": `
[extend]
useDefault = true
[allowlist]
paths = ['''^vendor/''']
[[allowlists]]
targetRules = ["aws-access-token", "github-pat", "nope"]
stopwords = ["Example"]
condition = "and"
regexTarget = "line"
regexes = ['''fake''']
`,
	}
	for name, text := range inline {
		out[name] = []byte(text)
	}
	return out
}

// withEmbeddedLoader loads packs with the embedded pack read by load.
func withEmbeddedLoader(t testing.TB, load func() (*Config, error), f func()) {
	t.Helper()
	saved := loadEmbedded
	loadEmbedded = load
	defaultOnce = sync.Once{}
	defer func() {
		loadEmbedded = saved
		defaultOnce = sync.Once{}
	}()
	f()
}

func loadDefaultTOML() (*Config, error) { return load(DefaultSource, DefaultPackBytes(), 0, false) }

// TestExtendDefaultSameFromTOMLAndGob: a pack extending the embedded one
// merges to the same pack, field for field and rule for rule, whether the
// embedded pack was read from default.toml or from default.gob.
func TestExtendDefaultSameFromTOMLAndGob(t *testing.T) {
	for name, data := range extendConfigs(t) {
		t.Run(name, func(t *testing.T) {
			var fromTOML, fromGob *Config
			var errTOML, errGob error
			withEmbeddedLoader(t, loadDefaultTOML, func() { fromTOML, errTOML = Parse(name, data) })
			withEmbeddedLoader(t, loadDefaultGob, func() { fromGob, errGob = Parse(name, data) })
			if errTOML != nil || errGob != nil {
				t.Fatalf("toml: %v; gob: %v", errTOML, errGob)
			}
			// The gob form leaves examples out until asked; the TOML form
			// has them from the start.
			for _, r := range fromGob.Rules {
				if r.embeddedAt > 0 && len(r.Examples)+len(r.Negatives) > 0 {
					t.Fatalf("rule %s: examples decoded for a scan", r.ID)
				}
			}
			if err := fromGob.LoadExamples(); err != nil {
				t.Fatal(err)
			}
			if len(fromGob.Rules) < 500 {
				t.Fatalf("merged pack has only %d rules", len(fromGob.Rules))
			}
			a, b := viewConfig(fromTOML), viewConfig(fromGob)
			if !reflect.DeepEqual(a, b) {
				for i := range a.Rules {
					if i < len(b.Rules) && !reflect.DeepEqual(a.Rules[i], b.Rules[i]) {
						t.Errorf("rule %d (%s) differs", i, a.Rules[i].Rule.ID)
						break
					}
				}
				t.Fatal("merged packs differ between the toml and gob forms of the embedded pack")
			}
		})
	}
}

// TestExtendDefaultStillChecksOwnRules: the embedded pack's rules stay
// lazy in a merged pack, but the extending pack's own regexes, and default
// rules it gives a new regex, are still compiled, and errors, at load.
func TestExtendDefaultStillChecksOwnRules(t *testing.T) {
	for name, text := range map[string]string{
		"new rule":      "[[rules]]\nid = \"mine\"\nregex = '''(unclosed'''\n",
		"override":      "[[rules]]\nid = \"github-pat\"\nregex = '''ghp_(unclosed'''\n",
		"secret group":  "[[rules]]\nid = \"github-pat\"\nsecretGroup = 3\n",
		"rule allow":    "[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\nregexes = ['''(x''']\n",
		"global allow":  "[[allowlists]]\npaths = ['''(x''']\n",
		"bad condition": "[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\ncondition = \"XOR\"\nregexes = ['''x''']\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte("[extend]\nuseDefault = true\n"+text))
			if err == nil {
				t.Fatal("a broken extending pack loaded without error")
			}
			if !strings.Contains(err.Error(), "bad.toml") {
				t.Errorf("error does not name the pack: %v", err)
			}
		})
	}
	// Lazy does not mean unchecked for the embedded rules: the merged
	// pack's untouched default rules are the embedded pack's own.
	cfg, err := Parse("ok.toml", []byte("[extend]\nuseDefault = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if r.Regex != "" && (r.re == nil || !r.re.embedded) {
			t.Errorf("rule %s: not the embedded pack's compiled regex", r.ID)
		}
	}
}

// Views of a compiled pack: every exported field, and what the unexported
// compiled state answers through the package's methods.
type configView struct {
	Config  Config
	Rules   []ruleView
	Allow   []allowView
	Aliases map[string]string
}

type ruleView struct {
	Rule                  Rule
	Pattern, Engine, Path string
	Embedded              bool
	CrossLine, SpansLines bool
	Gate                  *ValueGate
	Literals              *RequiredLiterals
	Allow                 []allowView
}

type allowView struct {
	Allowlist      Allowlist
	Paths, Regexes []string
	Embedded, Lazy bool
	PathLits       []*RequiredLiterals
}

func viewConfig(c *Config) configView {
	v := configView{Config: *c, Aliases: c.aliases}
	v.Config.Rules, v.Config.Allowlists, v.Config.aliases = nil, nil, nil
	for _, a := range c.Allowlists {
		v.Allow = append(v.Allow, viewAllow(a))
	}
	for _, r := range c.Rules {
		rv := ruleView{Rule: *r, CrossLine: r.CrossLine(), SpansLines: r.SpansLines(), Gate: r.Gate(), Literals: r.Literals()}
		rv.Rule.re, rv.Rule.pathRe, rv.Rule.Allowlists = nil, nil, nil
		if p := r.Pattern(); p != nil {
			rv.Pattern, rv.Engine = p.String(), string(p.Engine())
		}
		if r.re != nil {
			rv.Embedded = r.re.embedded
		}
		if r.pathRe != nil {
			rv.Path = r.pathRe.String()
		}
		for _, a := range r.Allowlists {
			rv.Allow = append(rv.Allow, viewAllow(a))
		}
		v.Rules = append(v.Rules, rv)
	}
	nilEmptySlices(reflect.ValueOf(&v))
	return v
}

func viewAllow(a *Allowlist) allowView {
	v := allowView{Allowlist: *a, Embedded: a.embedded, Lazy: a.deferred != nil, PathLits: a.pathLit}
	a.Allows(Candidate{}) // compiles a deferred allowlist
	for _, p := range a.paths {
		v.Paths = append(v.Paths, p.String())
	}
	for _, p := range a.regexes {
		v.Regexes = append(v.Regexes, p.String())
	}
	v.Allowlist.paths, v.Allowlist.pathLit, v.Allowlist.regexes, v.Allowlist.deferred = nil, nil, nil, nil
	return v
}

// TestLoadExamples: a scan's pack carries no examples; LoadExamples gives
// the embedded pack's rules theirs and leaves a pack's own rules alone.
func TestLoadExamples(t *testing.T) {
	cfg, err := Parse("own.toml", []byte(`
[extend]
useDefault = true
[[rules]]
id = "own-token"
regex = '''own_[a-z]{8}'''
examples = ["own_abcdefgh"]
`))
	if err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, r := range cfg.Rules {
		if r.ID != "own-token" && len(r.Examples)+len(r.Negatives) > 0 {
			t.Fatalf("rule %s: examples decoded without being asked for", r.ID)
		}
	}
	if err := cfg.LoadExamples(); err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if len(r.Examples) > 0 {
			with++
		}
	}
	if with != len(cfg.Rules) {
		t.Errorf("%d of %d rules have examples after LoadExamples", with, len(cfg.Rules))
	}
	if own := cfg.Rule("own-token"); !reflect.DeepEqual(own.Examples, []string{"own_abcdefgh"}) || own.Negatives != nil {
		t.Errorf("own rule's examples changed: %q / %q", own.Examples, own.Negatives)
	}
}

// TestLineFlagsPrecomputed: the embedded pack's rules answer CrossLine and
// SpansLines from go generate's flags, without compiling, and the flags
// are what the compiled regex says.
func TestLineFlagsPrecomputed(t *testing.T) {
	cfg, err := loadDefaultGob()
	if err != nil {
		t.Fatal(err)
	}
	spans := 0
	for _, r := range cfg.Rules {
		if r.Regex == "" {
			continue
		}
		if r.re.lines == nil {
			t.Fatalf("rule %s: no precomputed line flags", r.ID)
		}
		cross, span := r.CrossLine(), r.SpansLines()
		if r.re.pattern != nil {
			t.Fatalf("rule %s: asking for line flags compiled the regex", r.ID)
		}
		c := r.re.get()
		if cross != c.crossLine || span != (r.Multiline || c.spansLines) {
			t.Errorf("rule %s: precomputed cross/spans %v/%v, compiled %v/%v", r.ID, cross, span, c.crossLine, r.Multiline || c.spansLines)
		}
		if span {
			spans++
		}
	}
	if spans == 0 {
		t.Error("no rule spans lines; the flags are not being derived")
	}
}
