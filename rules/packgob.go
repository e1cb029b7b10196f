package rules

import (
	"bytes"
	_ "embed"
	"encoding/gob"
	"fmt"
	"sync"
)

// defaultPackGob is the embedded pack already decoded from TOML and
// gob-encoded by `go generate ./rules` (packgen). Start-up of a pre-commit
// run was dominated by parsing ~560 rules of TOML text; decoding this form
// costs a fraction of that. default.toml stays the readable, reviewed
// artifact; TestPackIsGenerated proves both forms match the family files.
//
// The stream holds two values: the pack without its rules' examples and
// negatives, which is all a scan needs, then those (packExamples, one per
// rule in order). They were 42% of the pack's text and a third of its
// decoding; only `rules check`, CheckExamples and the tests read them, so
// they are decoded when asked (Config.LoadExamples).
//
//go:embed default.gob
var defaultPackGob []byte

// packExamples are one rule's examples and negatives.
type packExamples struct {
	Examples, Negatives []string
}

// lineFlags are what a rule's regex says about newlines (CrossLine,
// SpansLines), derived by go generate: asking for them at run time would
// compile the regex, and a history scan asks for every rule's at start
// (its multi-line keyword set), which compiled all ~560 (60 ms).
type lineFlags struct {
	CrossLine, SpansLines bool
}

// EncodePack decodes a TOML rule pack strictly (as a pack file is read) and
// returns it gob-encoded, uncompiled, for the generator. Line numbers and
// the source name are kept, so errors and listings read the same.
func EncodePack(source string, tomlData []byte) ([]byte, error) {
	cfg, err := decode(source, tomlData)
	if err != nil {
		return nil, err
	}
	ex := make([]packExamples, len(cfg.Rules))
	lines := make([]lineFlags, len(cfg.Rules))
	for i, r := range cfg.Rules {
		ex[i] = packExamples{r.Examples, r.Negatives}
		r.Examples, r.Negatives = nil, nil
		if r.Regex != "" {
			lines[i].CrossLine, lines[i].SpansLines = canMatchNewline(r.Regex)
		}
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(cfg); err != nil {
		return nil, fmt.Errorf("%s: gob-encode the decoded pack: %w", source, err)
	}
	if err := enc.Encode(lines); err != nil {
		return nil, fmt.Errorf("%s: gob-encode the pack's line flags: %w", source, err)
	}
	if err := enc.Encode(ex); err != nil {
		return nil, fmt.Errorf("%s: gob-encode the pack's examples: %w", source, err)
	}
	return buf.Bytes(), nil
}

// decodeDefaultGob decodes the pre-decoded pack, uncompiled, and its
// rules' line flags; with examples, their examples and negatives too.
func decodeDefaultGob(examples bool) (*Config, []lineFlags, []packExamples, error) {
	var cfg Config
	dec := gob.NewDecoder(bytes.NewReader(defaultPackGob))
	if err := dec.Decode(&cfg); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: decode the pre-decoded pack: %w", DefaultSource, err)
	}
	var lines []lineFlags
	if err := dec.Decode(&lines); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: decode the pack's line flags: %w", DefaultSource, err)
	}
	if len(lines) != len(cfg.Rules) {
		return nil, nil, nil, fmt.Errorf("%s: %d rules but %d line flags", DefaultSource, len(cfg.Rules), len(lines))
	}
	if !examples {
		return &cfg, lines, nil, nil
	}
	var ex []packExamples
	if err := dec.Decode(&ex); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: decode the pack's examples: %w", DefaultSource, err)
	}
	if len(ex) != len(cfg.Rules) {
		return nil, nil, nil, fmt.Errorf("%s: %d rules but %d example lists", DefaultSource, len(cfg.Rules), len(ex))
	}
	return &cfg, lines, ex, nil
}

// loadDefaultGob decodes the pre-decoded embedded pack, without examples,
// and compiles it the way load compiles the TOML form (lazily: the tests
// compile every regex).
func loadDefaultGob() (*Config, error) {
	cfg, lines, _, err := decodeDefaultGob(false)
	if err != nil {
		return nil, err
	}
	if err := cfg.compile(false); err != nil {
		return nil, err
	}
	for i, r := range cfg.Rules {
		if r.re != nil {
			r.re.lines = &lines[i]
		}
	}
	return cfg, nil
}

var (
	defaultExamplesOnce sync.Once
	defaultExamples     []packExamples
	defaultExamplesErr  error
)

// LoadExamples gives the rules that come from the embedded pack their
// examples and negatives, which Default leaves out (a scan never reads
// them). Rules of other packs are left alone. The lists are shared
// between callers: read them, do not change them.
func (c *Config) LoadExamples() error {
	defaultExamplesOnce.Do(func() {
		_, _, defaultExamples, defaultExamplesErr = decodeDefaultGob(true)
	})
	if defaultExamplesErr != nil {
		return defaultExamplesErr
	}
	for _, r := range c.Rules {
		if i := r.embeddedAt - 1; i >= 0 && i < len(defaultExamples) {
			r.Examples, r.Negatives = defaultExamples[i].Examples, defaultExamples[i].Negatives
		}
	}
	return nil
}

// DefaultWithExamples is Default with the rules' examples and negatives.
func DefaultWithExamples() (*Config, error) {
	cfg, err := Default()
	if err != nil {
		return nil, err
	}
	if err := cfg.LoadExamples(); err != nil {
		return nil, err
	}
	return cfg, nil
}
