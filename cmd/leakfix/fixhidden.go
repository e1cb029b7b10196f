package main

import (
	"fmt"

	"github.com/leakfix/leakfix/scanner"
)

// leaveHidden takes out of fix's work the findings it cannot rewrite in
// place, each named on stderr with the reason (unless --quiet): a secret
// inside an archive (the file on disk is compressed bytes) or behind an
// encoding (a get_secret() call cannot stand inside base64 or a URL's
// percent-encoding). They do not make fix exit 2: they are not failures
// of the rewrite, `leakfix scan` keeps reporting them, and `leakfix purge`
// handles them in history.
func leaveHidden(e *env, quiet bool, findings []scanner.Finding) []scanner.Finding {
	kept := findings[:0]
	for _, f := range findings {
		var why string
		switch {
		case f.Container != "":
			why = "inside the archive " + f.Container + ": rebuild the archive without it"
		case f.IsWholeFile():
			why = "the whole file is the secret: move it to the vault as a file/binary secret by hand"
		case f.Encoding != "":
			why = "stored encoded (" + f.Encoding + "): rewrite it by hand"
		default:
			kept = append(kept, f)
			continue
		}
		if !quiet {
			fmt.Fprintf(e.stderr, "leakfix: left in place: %s:%d %s (%s): %s\n", f.File, f.StartLine, f.RuleID, f.SecretName, why)
		}
	}
	return kept
}
