package rules

//go:generate go run ./internal/packgen pack

import (
	_ "embed"
	"fmt"
	"sync"
)

// defaultPack is the rule pack compiled into the binary, so a fresh install
// needs no config file. It is the one global the project keeps.
//
//go:embed default.toml
var defaultPack []byte

var (
	defaultOnce sync.Once
	defaultCfg  *Config
	defaultErr  error
)

// DefaultSource is the Source of the embedded pack.
const DefaultSource = "default.toml (embedded)"

// DefaultPackBytes returns the embedded pack's TOML text.
func DefaultPackBytes() []byte { return defaultPack }

// Default returns a fresh compiled copy of the embedded pack. The pack is
// compiled once per process; callers get copies of the rules so that
// extending or disabling rules never changes another caller's pack.
func Default() (*Config, error) {
	defaultOnce.Do(func() {
		defaultCfg, defaultErr = loadEmbedded() // default.toml, pre-decoded (packgob.go)
		if defaultErr == nil {
			markEmbedded(defaultCfg) // embedded.go
		} else {
			defaultErr = fmt.Errorf("embedded rule pack is broken (a build bug): %w", defaultErr)
		}
	})
	if defaultErr != nil {
		return nil, defaultErr
	}
	cp := *defaultCfg
	cp.Rules = make([]*Rule, len(defaultCfg.Rules))
	for i, r := range defaultCfg.Rules {
		rc := *r
		cp.Rules[i] = &rc
	}
	cp.Allowlists = append([]*Allowlist(nil), defaultCfg.Allowlists...)
	return &cp, nil
}
