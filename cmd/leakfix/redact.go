package main

import (
	"sync"

	"github.com/leakfix/leakfix/redact"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// redactOutput makes e.red the process's one redaction point and routes
// stderr through it: every warning, error (library errors included) and
// progress line is redacted on its way out, --show-secrets or not.
func redactOutput(e *env) {
	if e.red == nil {
		e.red = redact.New(nil)
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
