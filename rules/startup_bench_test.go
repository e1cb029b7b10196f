package rules

import (
	"os"
	"sync"
	"testing"
)

// Start-up benchmarks: what every leakfix process pays before it reads a
// byte (docs/DESIGN.md, "Start-up"). Each iteration starts from a process's
// state: the embedded pack not yet decoded.

func resetDefault() {
	defaultOnce = sync.Once{}
	defaultCfg, defaultErr = nil, nil
}

// BenchmarkStartupDefault: decoding and compiling the embedded pack.
func BenchmarkStartupDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		resetDefault()
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartupExtendDefault: a config that extends the embedded pack
// (this repository's .leakfix.toml).
func BenchmarkStartupExtendDefault(b *testing.B) {
	data, err := os.ReadFile("../.leakfix.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resetDefault()
		if _, err := Parse("../.leakfix.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartupDefaultTOML: the embedded pack from its TOML text, the
// comparison point for the gob form.
func BenchmarkStartupDefaultTOML(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(DefaultSource, DefaultPackBytes(), 0, false); err != nil {
			b.Fatal(err)
		}
	}
}
