package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/leakfix/leakfix/redact"
	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// redactOutput makes e.red the process's one redaction point and routes
// stderr through it: every warning, error (library errors included) and
// progress line is redacted on its way out, --show-secrets or not.
func redactOutput(e *env) {
	if e.red == nil {
		// Until a command loads its rule pack, the embedded one looks for
		// secrets (in a broken config's error, say).
		e.red = redact.New(defaultFinder())
	}
	e.stderr = e.red.Writer(e.stderr)
}

// recordSecrets tells the redaction point about every secret found, before
// any is filtered out of the report (a baseline's finding is still a
// secret when it shows up in another finding's line or commit summary).
func recordSecrets(e *env, findings []scanner.Finding) {
	for _, f := range findings {
		e.red.Add(f.Secret)
	}
}

// secretFinder looks for secrets in free text with the rule pack, without
// .leakfixignore: a fingerprint ignored as a finding is still a secret
// that must not be printed in a commit summary or an error.
func secretFinder(cfg *rules.Config, noBase64 bool) redact.Finder {
	var once sync.Once
	var det *scanner.Detector
	return func(text string) []string {
		once.Do(func() { det = scanner.New(cfg, scanner.Options{NoBase64: noBase64}) })
		fs, _ := det.Detect(scanner.Fragment{Data: []byte(text)})
		out := make([]string, 0, len(fs))
		for _, f := range fs {
			out = append(out, f.Secret)
			if f.Encoding != "" {
				out = append(out, f.Match) // the encoded form is what the text holds
			}
		}
		return out
	}
}

// defaultFinder is secretFinder over the embedded pack, loaded on first use.
func defaultFinder() redact.Finder {
	var once sync.Once
	var find redact.Finder
	return func(text string) []string {
		once.Do(func() {
			cfg, err := rules.Default()
			if err != nil {
				find = func(string) []string { return nil }
				return
			}
			find = secretFinder(cfg, false)
		})
		return find(text)
	}
}

// packFinder looks with the command's pack and, when that is not the
// embedded one, with the embedded pack too: a custom pack that does not
// know a provider's format must not let its secrets through.
func packFinder(cfg *rules.Config, noBase64 bool) redact.Finder {
	own := secretFinder(cfg, noBase64)
	if cfg.Source == rules.DefaultSource {
		return own
	}
	fallback := defaultFinder()
	return func(text string) []string {
		return append(own(text), fallback(text)...)
	}
}

// warnLossyNames says when a JSON report could not carry a file name as it
// is: JSON strings are UTF-8, so bytes that are not become U+FFFD there
// (SARIF percent-encodes them; text escapes them).
func warnLossyNames(e *env, rf *reportFlags, findings []scanner.Finding) {
	if rf.format != report.FormatJSON || rf.quiet {
		return
	}
	n := 0
	for _, f := range findings {
		if !utf8.ValidString(f.File) {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(e.stderr, "leakfix: %d finding(s) in files whose names are not valid UTF-8: the JSON report shows those bytes as U+FFFD (SARIF keeps them, percent-encoded)\n", n)
	}
}

// writeDiff writes fix's diff. Unless showSecrets, the whole diff passes
// the redaction point once more after fix's own redaction of the values it
// replaces: a context line can hold a secret fix leaves alone (one
// .leakfixignore suppresses, say).
func writeDiff(e *env, changes []*fix.Change, showSecrets bool) error {
	if showSecrets {
		return fix.WriteDiff(e.stdout, changes, true)
	}
	var buf strings.Builder
	if err := fix.WriteDiff(&buf, changes, false); err != nil {
		return err
	}
	_, err := io.WriteString(e.stdout, e.red.String(buf.String()))
	return err
}
