package rules

// A pack that extends the embedded one ([extend] useDefault = true, as
// this repository's .leakfix.toml and most .gitleaks.toml files say) is
// compiled eagerly, so a bad regex in the user's own rules is an error at
// load. The embedded pack's regexes and allowlists are checked by its
// tests instead (TestDefaultPackExamples compiles every one), so they are
// marked and keep compiling on first use in the merged pack too: eagerly
// compiling its ~560 rules and 170 allowlists cost 50 ms and 14 MiB on
// every pre-commit run of such a repository. A rule the extending pack
// overrides gets a new regex (overrideRule) and is compiled eagerly again.

// loadEmbedded decodes and compiles the embedded pack; tests swap in the
// TOML form to prove both give the same merged packs.
var loadEmbedded = loadDefaultGob

// markEmbedded marks cfg's compiled regexes and allowlists as the
// embedded pack's.
func markEmbedded(cfg *Config) {
	for _, a := range cfg.Allowlists {
		a.embedded = true
	}
	for i, r := range cfg.Rules {
		r.embeddedAt = i + 1
		if r.re != nil {
			r.re.embedded = true
		}
		for _, a := range r.Allowlists {
			a.embedded = true
		}
	}
}
