package rules

import (
	"bytes"
	_ "embed"
	"encoding/gob"
	"fmt"
)

// defaultPackGob is the embedded pack already decoded from TOML and
// gob-encoded by `go generate ./rules` (packgen). Start-up of a pre-commit
// run was dominated by parsing ~560 rules of TOML text; decoding this form
// costs a fraction of that. default.toml stays the readable, reviewed
// artifact; TestPackIsGenerated proves both forms match the family files.
//
//go:embed default.gob
var defaultPackGob []byte

// EncodePack decodes a TOML rule pack strictly (as a pack file is read) and
// returns it gob-encoded, uncompiled, for the generator. Line numbers and
// the source name are kept, so errors and listings read the same.
func EncodePack(source string, tomlData []byte) ([]byte, error) {
	cfg, err := decode(source, tomlData)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(cfg); err != nil {
		return nil, fmt.Errorf("%s: gob-encode the decoded pack: %w", source, err)
	}
	return buf.Bytes(), nil
}

// loadDefaultGob decodes the pre-decoded embedded pack and compiles it the
// way load compiles the TOML form (lazily: the tests compile every regex).
func loadDefaultGob() (*Config, error) {
	var cfg Config
	if err := gob.NewDecoder(bytes.NewReader(defaultPackGob)).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: decode the pre-decoded pack: %w", DefaultSource, err)
	}
	if err := cfg.compile(false); err != nil {
		return nil, err
	}
	return &cfg, nil
}
