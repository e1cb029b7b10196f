package main

import (
	"fmt"

	"github.com/leakfix/leakfix/scanner"
)

// leaveWholeFiles takes binary credential files (a PKCS#12, a keystore)
// out of plan's work, each named on stderr unless --quiet: their finding's
// value is the file's git blob id (scanner/binaryfile.go), not something
// to import; the file itself goes to the vault by hand.
func leaveWholeFiles(e *env, quiet bool, findings []scanner.Finding) []scanner.Finding {
	kept := findings[:0]
	for _, f := range findings {
		if !f.IsWholeFile() {
			kept = append(kept, f)
			continue
		}
		if !quiet {
			fmt.Fprintf(e.stderr, "leakfix: not in the plan: %s %s: the whole file is the secret: store it in the vault as a file/binary secret by hand\n", f.File, f.RuleID)
		}
	}
	return kept
}
