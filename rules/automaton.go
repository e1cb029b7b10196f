package rules

import _ "embed"

// defaultAutomaton is the keyword automaton the scanner builds for the
// embedded pack, prebuilt and saved by `go generate ./rules` (packgen,
// scanner.PrebuiltAutomaton), so start-up loads it instead of building
// it. This package only carries it; the scanner checks that it was built
// for the keywords at hand before using it.
//
//go:embed default.ac
var defaultAutomaton []byte

// DefaultAutomaton returns the saved keyword automaton of the embedded pack.
func DefaultAutomaton() []byte { return defaultAutomaton }
