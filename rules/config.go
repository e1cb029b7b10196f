// Package rules holds the rule type, the TOML rule-pack format (a superset
// of gitleaks' config), the embedded default pack, and loading and
// validation. It knows nothing of files, git or reports: the scanner turns
// rules into findings.
package rules

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/leakfix/leakfix/internal/regfile"
)

// Config is a decoded, validated and compiled rule pack.
type Config struct {
	Title      string       `toml:"title"`
	MinVersion string       `toml:"minVersion"`
	Extend     Extend       `toml:"extend"`
	Rules      []*Rule      `toml:"rules"`
	Allowlist  *Allowlist   `toml:"allowlist"`  // gitleaks' older single global table
	Allowlists []*Allowlist `toml:"allowlists"` // gitleaks' newer array form

	// Source names where the pack came from ("default" for the embedded
	// pack, else a file path); every error message carries it.
	Source string `toml:"-"`
	// Warnings are problems that do not stop the pack loading (an id in
	// disabledRules or targetRules that names no rule); callers print them.
	Warnings []string `toml:"-"`

	aliases map[string]string // alias id → rule id (aliases.go)
}

// Extend says which pack this one builds on, in gitleaks' format.
type Extend struct {
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	UseDefault    bool     `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
}

// Rule is one detector. The first block of fields is gitleaks' format,
// read unchanged; the second block is leakfix's own.
type Rule struct {
	ID          string       `toml:"id"`
	Description string       `toml:"description"`
	Regex       string       `toml:"regex"`
	SecretGroup int          `toml:"secretGroup"`
	Entropy     float64      `toml:"entropy"`
	Keywords    []string     `toml:"keywords"`
	Path        string       `toml:"path"`
	Tags        []string     `toml:"tags"`
	SkipReport  bool         `toml:"skipReport"`
	Allowlists  []*Allowlist `toml:"allowlists"`
	Allowlist   *Allowlist   `toml:"allowlist"` // gitleaks' older per-rule table

	Provider    string   `toml:"provider"`
	Severity    string   `toml:"severity"`
	Confidence  string   `toml:"confidence"`
	Name        string   `toml:"name"`
	Examples    []string `toml:"examples"`
	Negatives   []string `toml:"negatives"`
	ExampleFile string   `toml:"exampleFile"`
	// Multiline widens the window the regex sees after a keyword hit from
	// a few lines to 32 KiB, for secrets that span lines (private keys).
	Multiline bool `toml:"multiline"`
	// Aliases are other scanners' ids for this rule (gitleaks'), so
	// configs that override or disable a rule by those ids still work.
	Aliases []string `toml:"aliases"`
	// Validate names a checksum or structure check the scanner runs on the
	// secret (see scanner/checksum.go) to raise or lower confidence.
	Validate string `toml:"validate"`

	// Line is the 1-based line of the rule's [[rules]] header.
	Line int `toml:"-"`
	// Order is the rule's position in the merged pack; earlier wins ties.
	Order int `toml:"-"`

	re     *compiledRegex
	pathRe *regexp.Regexp
	// embeddedAt is 1 + the rule's position in the embedded pack, 0 for
	// other rules: LoadExamples finds its examples by it (packgob.go).
	embeddedAt int
}

// compiledRegex is a rule's regex with what the engine derives from it,
// built on first use. Copies of a rule share it: it never changes once
// built.
type compiledRegex struct {
	expr        string
	secretGroup int
	once        sync.Once
	pattern     Pattern
	err         error
	crossLine   bool
	spansLines  bool
	gate        *ValueGate
	literals    *RequiredLiterals
	keywords    []string // the rule's: literal sets they imply are no filter
	embedded    bool     // the embedded pack's, checked by its tests (embedded.go)
	// lines holds crossLine and spansLines computed by go generate for
	// the embedded pack (packgob.go), so asking needs no compile; nil else.
	lines *lineFlags
}

func newCompiledRegex(expr string, secretGroup int, keywords ...string) *compiledRegex {
	return &compiledRegex{expr: expr, secretGroup: secretGroup, keywords: keywords}
}

func (c *compiledRegex) get() *compiledRegex {
	c.once.Do(func() {
		c.pattern, c.err = CompilePattern(c.expr, DefaultMatchTimeout)
		if c.err == nil {
			// One parse serves all three derivations (parsing dominates
			// a large pack's compile time).
			tree, err := syntax.Parse(c.expr, syntax.Perl)
			if err != nil {
				c.crossLine, c.spansLines = true, true
				return
			}
			c.crossLine, c.spansLines = treeMatchesNewline(tree)
			c.gate = treeValueGate(tree, c.secretGroup)
			if c.gate == nil {
				c.gate = treeRunGate(tree) // rungate.go
			}
			c.literals = treeRequiredLiterals(tree, c.keywords...)
		}
	})
	return c
}

// Allowlist suppresses findings, globally or for one rule, in gitleaks'
// semantics: with condition OR (the default) any criterion suppresses;
// with AND every criterion given must hold.
type Allowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Commits     []string `toml:"commits"`
	Paths       []string `toml:"paths"`
	Regexes     []string `toml:"regexes"`
	RegexTarget string   `toml:"regexTarget"`
	StopWords   []string `toml:"stopwords"`
	TargetRules []string `toml:"targetRules"`

	paths   []*regexp.Regexp
	pathLit []*RequiredLiterals // per path: a cheap necessary check, or nil
	regexes []Pattern
	// deferred: the regexes compile on first use (the embedded pack,
	// validated by its tests: most rules never judge a candidate in a
	// pre-commit run, so start-up skips compiling their allowlists).
	deferred *sync.Once
	embedded bool // the embedded pack's, compiled once (embedded.go)
}

// Severities and confidences, most severe first.
var (
	severities   = []string{"critical", "high", "medium", "low"}
	confidences  = []string{"high", "medium", "low"}
	regexTargets = []string{"", "secret", "match", "line"}
	conditions   = []string{"", "OR", "AND"}
)

// Pattern returns the rule's compiled regex.
// The regex is compiled on first use (see compile); a regex that does not
// compile gives nil, which only a pack loaded without validation can hold.
func (r *Rule) Pattern() Pattern {
	if r.re == nil {
		return nil
	}
	return r.re.get().pattern
}

// CrossLine reports whether the rule's regex can match a newline, and so
// needs to see the lines around a keyword hit, not just the hit's line.
func (r *Rule) CrossLine() bool {
	if r.re != nil && r.re.lines != nil {
		return r.re.lines.CrossLine
	}
	return r.re != nil && r.re.get().crossLine
}

// ValueGate is a necessary condition a window must meet before a rule's
// regex is worth running on it: a run of at least MinRun bytes from the
// secret's own character class. It is derived from rules whose secret group
// is a plain class repeat (`([\w.=~+/-]{16,128})`), the generic rules that
// keywords like "key" wake up on nearly every line of code.
type ValueGate struct {
	Class  [256]bool
	MinRun int
	Alt    *ValueGate // another run that would do as well (rungate.go)
}

// Admits reports whether b holds a run long enough to be the secret.
func (g *ValueGate) Admits(b []byte) bool {
	run := 0
	for _, c := range b {
		if g.Class[c] {
			run++
			if run >= g.MinRun {
				return true
			}
		} else {
			run = 0
		}
	}
	return g.Alt != nil && g.Alt.Admits(b)
}

// Literals returns what every match must contain, or nil.
func (r *Rule) Literals() *RequiredLiterals {
	if r.re == nil {
		return nil
	}
	return r.re.get().literals
}

// Gate returns the rule's value gate, or nil when it has none.
func (r *Rule) Gate() *ValueGate {
	if r.re == nil {
		return nil
	}
	return r.re.get().gate
}

// minGateRun is the shortest secret worth gating on: below it, runs of
// class bytes are everywhere and the check costs more than it saves.
const minGateRun = 12

// valueGate derives the gate from the secret group of expr, if that group
// is a single class repeated at least minGateRun times.
func valueGate(expr string, secretGroup int) *ValueGate {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return treeValueGate(re, secretGroup)
}

func treeValueGate(re *syntax.Regexp, secretGroup int) *ValueGate {
	var caps []*syntax.Regexp
	var walk func(*syntax.Regexp)
	walk = func(n *syntax.Regexp) {
		if n.Op == syntax.OpCapture {
			caps = append(caps, n)
		}
		for _, sub := range n.Sub {
			walk(sub)
		}
	}
	walk(re)
	var group *syntax.Regexp
	switch {
	case secretGroup > 0 && secretGroup <= len(caps):
		group = caps[secretGroup-1]
	case secretGroup == 0 && len(caps) == 1:
		group = caps[0]
	default:
		return nil // several candidate groups: no single shape to gate on
	}
	rep := group.Sub[0]
	if rep.Op != syntax.OpRepeat || rep.Min < minGateRun || rep.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	g := &ValueGate{MinRun: rep.Min}
	cls := rep.Sub[0].Rune
	for i := 0; i+1 < len(cls); i += 2 {
		lo, hi := cls[i], cls[i+1]
		if hi > 0x7f {
			// Non-ASCII in the class: any byte of a multi-byte rune may
			// belong, so admit every high byte.
			for b := 0x80; b <= 0xff; b++ {
				g.Class[b] = true
			}
			hi = 0x7f
		}
		for c := lo; c <= hi; c++ {
			g.Class[c] = true
		}
	}
	return g
}

// SpansLines reports whether the rule needs a wide window after a keyword
// hit: it says `multiline = true`, or its regex can run over arbitrary
// multi-line content (gitleaks configs have no multiline field).
func (r *Rule) SpansLines() bool {
	if r.re != nil && r.re.lines != nil {
		return r.Multiline || r.re.lines.SpansLines
	}
	return r.Multiline || r.re != nil && r.re.get().spansLines
}

// IsGeneric reports whether the rule is a catch-all that must lose to any
// specific rule claiming the same secret: tagged generic, or named so, as
// gitleaks' generic-api-key is (its configs carry no such tag).
func (r *Rule) IsGeneric() bool {
	return r.HasTag(TagGeneric) || strings.HasPrefix(r.ID, "generic")
}

// PathRegexp returns the compiled path filter, or nil.
func (r *Rule) PathRegexp() *regexp.Regexp { return r.pathRe }

// HasTag reports whether the rule carries tag.
func (r *Rule) HasTag(tag string) bool {
	for _, t := range r.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// ConfidenceRank orders confidences: higher is surer.
func ConfidenceRank(c string) int {
	switch c {
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

// SecuritySeverity maps a severity to GitHub's numeric scale (over 9.0 is
// critical, 7.0–8.9 high, 4.0–6.9 medium, under 4.0 low).
func SecuritySeverity(sev string) string {
	switch sev {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	default:
		return "3.0"
	}
}

// TagWeakDefault marks rules that find a fallback literal for a secret
// setting (`os.getenv("JWT_SECRET", "dev")`): a class of its own, reported
// at lower severity and fixed by removing the fallback, not by vaulting it.
const TagWeakDefault = "weak-default"

// TagGeneric marks catch-all rules, which lose to any specific rule that
// matches the same secret.
const TagGeneric = "generic"

// LoadFile reads, decodes and compiles a pack from disk, resolving
// [extend] relative to the file.
func LoadFile(path string) (*Config, error) {
	data, err := regfile.ReadFile(path) // never blocks on a FIFO
	if err != nil {
		return nil, fmt.Errorf("read rule pack: %w", err)
	}
	return load(path, data, 0, true)
}

// Parse decodes and compiles a pack held in memory. source names it in
// errors; a relative [extend] path is resolved against source's directory.
func Parse(source string, data []byte) (*Config, error) {
	return load(source, data, 0, true)
}

const maxExtendDepth = 4

func load(source string, data []byte, depth int, eager bool) (*Config, error) {
	cfg, err := decode(source, data)
	if err != nil {
		return nil, err
	}
	if depth > maxExtendDepth {
		return nil, fmt.Errorf("%s: [extend] nests deeper than %d packs", source, maxExtendDepth)
	}
	var base *Config
	switch {
	case cfg.Extend.URL != "":
		return nil, fmt.Errorf("%s: [extend] url is not supported (leakfix never fetches rules from the network); download it and use path", source)
	case cfg.Extend.Path != "":
		p := cfg.Extend.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(source), p)
		}
		raw, err := regfile.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: [extend] path: %w", source, err)
		}
		if base, err = load(p, raw, depth+1, true); err != nil {
			return nil, err
		}
	case cfg.Extend.UseDefault:
		if base, err = Default(); err != nil {
			return nil, err
		}
	}
	if base != nil {
		cfg = merge(base, cfg)
	}
	if err := cfg.compile(eager); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decode parses TOML strictly: a key the format does not know is an error
// naming its line, because a misspelt `entropy` silently ignored is a rule
// that reports far more (or less) than its author thinks.
func decode(source string, data []byte) (*Config, error) {
	var cfg Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", source, pe.Position.Line, pe.Message)
		}
		// Type mismatches come as plain errors that carry the line in text.
		if m := decodeErrLine.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%s:%s: %s: %s", source, m[1], m[2], m[3])
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	headers := ruleHeaderLines(data)
	for i, r := range cfg.Rules {
		if i < len(headers) {
			r.Line = headers[i]
		}
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		var msgs []string
		for _, k := range undecoded {
			line := keyLine(data, k)
			msgs = append(msgs, fmt.Sprintf("%s:%d: unknown key %q", source, line, k.String()))
		}
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	cfg.Source = source
	return &cfg, nil
}

var decodeErrLine = regexp.MustCompile(`^toml: line (\d+) (\(last key [^)]*\)): (.*)$`)

// ruleHeaderLines returns the line numbers of "[[rules]]" headers. A
// plain line scan: a regexp over the whole pack cost a quarter of the
// start-up that every pre-commit run pays.
func ruleHeaderLines(data []byte) []int {
	var lines []int
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimLeft(line, " \t")
		if !bytes.HasPrefix(line, []byte("[[")) {
			continue
		}
		line = bytes.TrimLeft(line[2:], " \t")
		if !bytes.HasPrefix(line, []byte("rules")) {
			continue
		}
		if bytes.HasPrefix(bytes.TrimLeft(line[5:], " \t"), []byte("]]")) {
			lines = append(lines, n)
		}
	}
	return lines
}

// keyLine finds the line where the last part of key is assigned or opened as
// a table. BurntSushi/toml keeps key positions private, so we look for it.
func keyLine(data []byte, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	last := regexp.QuoteMeta(k[len(k)-1])
	re := regexp.MustCompile(`(?m)^[ \t]*(?:` + last + `[ \t]*=|\[\[?[ \t]*[\w.]*\b` + last + `[ \t]*\]\]?)`)
	if loc := re.FindIndex(data); loc != nil {
		return 1 + bytes.Count(data[:loc[0]], []byte("\n"))
	}
	return 0
}

// merge lays ext over base the way gitleaks does: a rule with a new id is
// added; a rule with a known id overrides the fields it sets and adds its
// keywords, tags and allowlists; disabled rules are dropped.
func merge(base, ext *Config) *Config {
	out := &Config{
		Title:      ext.Title,
		MinVersion: ext.MinVersion,
		Extend:     ext.Extend,
		Source:     ext.Source,
		Warnings:   append(append([]string(nil), base.Warnings...), ext.Warnings...),
	}
	// Ids in disabledRules and in the extending pack may be another
	// scanner's names for our rules (aliases.go): resolve them first.
	disabled := map[string]bool{}
	for _, id := range ext.Extend.DisabledRules {
		rid := base.Resolve(id)
		if base.Rule(rid) == nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: [extend] disabledRules: no rule %q in the pack it extends", ext.Source, id))
		}
		disabled[rid] = true
	}
	byID := map[string]*Rule{}
	for _, r := range base.Rules {
		if disabled[r.ID] {
			continue
		}
		cp := *r
		out.Rules = append(out.Rules, &cp)
		byID[r.ID] = &cp
	}
	for _, r := range ext.Rules {
		b, ok := byID[base.Resolve(r.ID)]
		if !ok {
			out.Rules = append(out.Rules, r)
			continue
		}
		overrideRule(b, r)
	}
	out.Allowlists = append(out.Allowlists, base.globalAllowlists()...)
	out.Allowlists = append(out.Allowlists, ext.globalAllowlists()...)
	return out
}

func overrideRule(b, r *Rule) {
	setStr := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setStr(&b.Description, r.Description)
	if r.Regex != "" {
		b.Regex = r.Regex
		b.re = nil
	}
	if r.SecretGroup != 0 {
		b.SecretGroup = r.SecretGroup
	}
	if r.Entropy != 0 {
		b.Entropy = r.Entropy
	}
	if r.Path != "" {
		b.Path = r.Path
		b.pathRe = nil
	}
	setStr(&b.Provider, r.Provider)
	setStr(&b.Severity, r.Severity)
	setStr(&b.Confidence, r.Confidence)
	setStr(&b.Name, r.Name)
	b.Aliases = append(append([]string(nil), b.Aliases...), r.Aliases...)
	if r.ID != b.ID {
		// Overridden through an alias: the override's id stays resolvable.
		b.Aliases = append(b.Aliases, r.ID)
	}
	b.Keywords = append(append([]string(nil), b.Keywords...), r.Keywords...)
	b.Tags = append(append([]string(nil), b.Tags...), r.Tags...)
	b.Allowlists = append(append([]*Allowlist(nil), b.Allowlists...), r.allowlists()...)
	b.SkipReport = b.SkipReport || r.SkipReport
}

func (c *Config) globalAllowlists() []*Allowlist {
	out := append([]*Allowlist(nil), c.Allowlists...)
	if c.Allowlist != nil {
		out = append(out, c.Allowlist)
	}
	return out
}

func (r *Rule) allowlists() []*Allowlist {
	out := append([]*Allowlist(nil), r.Allowlists...)
	if r.Allowlist != nil {
		out = append(out, r.Allowlist)
	}
	return out
}

// compile validates every rule; all problems are reported at once, each
// with source, line and rule id. With eager set every regex is compiled
// now, so a bad one is an error here; without it (the embedded pack, whose
// regexes the tests compile) regexes compile on first use, which keeps
// start-up for a pre-commit hook to the TOML decode.
func (c *Config) compile(eager bool) error {
	var errs []string
	fail := func(r *Rule, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: rule %q: %s", c.Source, r.Line, r.ID, fmt.Sprintf(format, args...)))
	}
	c.Allowlists = c.globalAllowlists()
	c.Allowlist = nil
	for i, a := range c.Allowlists {
		if a.embedded {
			continue
		}
		if err := a.compile(); err != nil {
			errs = append(errs, fmt.Sprintf("%s: allowlist %d: %v", c.Source, i+1, err))
		}
	}
	seen := map[string]bool{}
	for i, r := range c.Rules {
		r.Order = i
		r.Allowlists = r.allowlists()
		r.Allowlist = nil
		if r.ID == "" {
			fail(r, "missing id")
		} else if seen[r.ID] {
			fail(r, "duplicate id")
		}
		seen[r.ID] = true
		for j, k := range r.Keywords {
			r.Keywords[j] = strings.ToLower(k)
		}
		if r.Severity == "" {
			r.Severity = "high"
		}
		if r.Confidence == "" {
			r.Confidence = "medium"
		}
		if !contains(severities, r.Severity) {
			fail(r, "severity %q is not one of %s", r.Severity, strings.Join(severities, ", "))
		}
		if !contains(confidences, r.Confidence) {
			fail(r, "confidence %q is not one of %s", r.Confidence, strings.Join(confidences, ", "))
		}
		if r.Regex == "" && r.Path == "" {
			fail(r, "needs a regex or a path")
		}
		if r.Validate != "" && !contains(Validators(), r.Validate) {
			fail(r, "validate %q is not one of %s", r.Validate, strings.Join(Validators(), ", "))
		}
		if r.Regex != "" && (r.re == nil || r.re.expr != r.Regex || r.re.secretGroup != r.SecretGroup) {
			r.re = newCompiledRegex(r.Regex, r.SecretGroup, r.Keywords...)
		}
		if r.Regex != "" && eager && !r.re.embedded {
			if c := r.re.get(); c.err != nil {
				fail(r, "regex does not compile: %v", c.err)
			} else if r.SecretGroup > c.pattern.NumSubexp() {
				fail(r, "secretGroup %d but the regex has only %d groups", r.SecretGroup, c.pattern.NumSubexp())
			}
		}
		if r.Path != "" && r.pathRe == nil {
			p, err := regexp.Compile(r.Path)
			if err != nil {
				fail(r, "path regex does not compile: %v", err)
			}
			r.pathRe = p
		}
		for k, a := range r.Allowlists {
			if a.embedded {
				continue
			}
			if !eager && len(a.Regexes) > 0 {
				a.deferred = &sync.Once{}
				continue
			}
			if err := a.compile(); err != nil {
				fail(r, "allowlist %d: %v", k+1, err)
			}
		}
	}
	errs = append(errs, c.indexAliases()...)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	c.resolveTargetRules()
	return nil
}

func (a *Allowlist) compile() error {
	if !contains(regexTargets, a.RegexTarget) {
		return fmt.Errorf("regexTarget %q is not one of secret, match, line", a.RegexTarget)
	}
	a.Condition = strings.ToUpper(a.Condition)
	if !contains(conditions, a.Condition) {
		return fmt.Errorf("condition %q is not OR or AND", a.Condition)
	}
	a.paths, a.pathLit, a.regexes = nil, nil, nil
	for _, p := range a.Paths {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Errorf("path %q: %w", p, err)
		}
		a.paths = append(a.paths, re)
		// Global path allowlists judge every file: most paths lack the
		// literal (node_modules/, go.sum) and skip the regex.
		a.pathLit = append(a.pathLit, requiredLiterals(p))
	}
	for _, p := range a.Regexes {
		re, err := CompilePattern(p, DefaultMatchTimeout)
		if err != nil {
			return fmt.Errorf("regex %q: %w", p, err)
		}
		a.regexes = append(a.regexes, re)
	}
	for i, w := range a.StopWords {
		a.StopWords[i] = strings.ToLower(w)
	}
	return nil
}

// AppliesTo reports whether a global allowlist covers rule id.
func (a *Allowlist) AppliesTo(ruleID string) bool {
	return len(a.TargetRules) == 0 || contains(a.TargetRules, ruleID)
}

// Candidate is what an allowlist judges: one would-be finding.
type Candidate struct {
	Path, Commit, Secret, Match, Line string
}

// Allows reports whether the allowlist suppresses c.
func (a *Allowlist) Allows(c Candidate) bool {
	if a.deferred != nil {
		// A pack loaded without validation: a regex that does not
		// compile is left out, as a broken rule regex is.
		a.deferred.Do(func() { _ = a.compile() })
	}
	type check struct {
		given bool
		hit   bool
	}
	var checks []check
	if len(a.Commits) > 0 {
		checks = append(checks, check{true, c.Commit != "" && contains(a.Commits, c.Commit)})
	}
	if len(a.paths) > 0 {
		hit := false
		var path []byte
		for i, p := range a.paths {
			if l := a.pathLit[i]; l != nil {
				if path == nil {
					path = []byte(c.Path)
				}
				if !l.Admits(path) {
					continue
				}
			}
			if p.MatchString(c.Path) {
				hit = true
				break
			}
		}
		checks = append(checks, check{true, hit})
	}
	if len(a.regexes) > 0 {
		target := c.Secret
		switch a.RegexTarget {
		case "match":
			target = c.Match
		case "line":
			target = c.Line
		}
		hit := false
		for _, p := range a.regexes {
			// A timeout counts as no match: never suppress on doubt.
			if ok, err := p.MatchString(target); err == nil && ok {
				hit = true
				break
			}
		}
		checks = append(checks, check{true, hit})
	}
	if len(a.StopWords) > 0 {
		low := strings.ToLower(c.Secret)
		hit := false
		for _, w := range a.StopWords {
			if w != "" && strings.Contains(low, w) {
				hit = true
				break
			}
		}
		checks = append(checks, check{true, hit})
	}
	if len(checks) == 0 {
		return false
	}
	if a.Condition == "AND" {
		for _, ch := range checks {
			if !ch.hit {
				return false
			}
		}
		return true
	}
	for _, ch := range checks {
		if ch.hit {
			return true
		}
	}
	return false
}

// Rule returns the rule with the given id or alias, or nil.
func (c *Config) Rule(id string) *Rule {
	id = c.Resolve(id)
	for _, r := range c.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// canMatchNewline reports whether expr can consume a '\n', and whether it
// can span arbitrary multi-line content: a repeat of unbounded (or long)
// length over a class holding newlines and letters alike, as in `[\s\S]*`,
// `(?s).*` or gitleaks' `[\s\S-]{64,}?` private-key body. Patterns that RE2
// cannot parse (regexp2 ones) are assumed to do both.
func canMatchNewline(expr string) (crosses, spans bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return true, true
	}
	return treeMatchesNewline(re)
}

func treeMatchesNewline(re *syntax.Regexp) (crosses, spans bool) {
	broad := func(n *syntax.Regexp) bool {
		switch n.Op {
		case syntax.OpAnyChar:
			return true
		case syntax.OpCharClass:
			nl, letter := false, false
			for i := 0; i+1 < len(n.Rune); i += 2 {
				lo, hi := n.Rune[i], n.Rune[i+1]
				nl = nl || lo <= '\n' && '\n' <= hi
				letter = letter || lo <= 'a' && 'a' <= hi
			}
			return nl && letter
		}
		return false
	}
	var walk func(*syntax.Regexp)
	walk = func(n *syntax.Regexp) {
		switch n.Op {
		case syntax.OpAnyChar:
			crosses = true
		case syntax.OpLiteral:
			for _, r := range n.Rune {
				crosses = crosses || r == '\n'
			}
		case syntax.OpCharClass:
			for i := 0; i+1 < len(n.Rune); i += 2 {
				crosses = crosses || n.Rune[i] <= '\n' && '\n' <= n.Rune[i+1]
			}
		case syntax.OpStar, syntax.OpPlus:
			spans = spans || broad(n.Sub[0])
		case syntax.OpRepeat:
			spans = spans || (n.Max < 0 || n.Max > 1024) && broad(n.Sub[0])
		}
		for _, sub := range n.Sub {
			walk(sub)
		}
	}
	walk(re)
	return crosses, spans
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
