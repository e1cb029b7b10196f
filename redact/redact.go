// Package redact is the one place secrets are taken out of text on its way
// out of the process: reports, diffs, stderr, errors wrapped from
// libraries. A Redactor knows the secrets found so far and, given a
// Finder, also looks for secrets nobody reported (a commit summary whose
// own finding a baseline suppressed, an error quoting its input).
package redact

import (
	"io"
	"sort"
	"strings"
	"sync"
)

// Text replaces every secret. It is scanner.RedactedText; redact does not
// import scanner, so the scanner can use it too.
const Text = "REDACTED"

// MinLen is the shortest value replaced: shorter ones would blank out
// ordinary words and numbers all over a report.
const MinLen = 4

// Finder returns the secrets it finds in text (the detector, wired in by
// the command). It must be safe for concurrent use.
type Finder func(text string) []string

// Redactor replaces known secrets, and any a Finder sees, with Text. The
// zero value is not usable; call New. It is safe for concurrent use.
type Redactor struct {
	mu    sync.RWMutex
	known map[string]bool
	rep   *strings.Replacer // nil until built; rebuilt after Add
	find  Finder
}

// New returns a Redactor that looks for unreported secrets with find (may
// be nil: known secrets only).
func New(find Finder) *Redactor {
	return &Redactor{known: map[string]bool{}, find: find}
}

// SetFinder sets or replaces the Finder (the rule pack is known only once
// a command has parsed its flags).
func (r *Redactor) SetFinder(find Finder) {
	r.mu.Lock()
	r.find = find
	r.mu.Unlock()
}

// Add records secrets to replace from now on. Values shorter than MinLen
// and the replacement text itself are ignored; a value with CRLF line ends
// is recorded with LF ones too (diffs and reports normalise them).
func (r *Redactor) Add(secrets ...string) { r.add(MinLen, secrets) }

// AddExact is Add for values known to be exactly secrets (the values a fix
// replaces): short ones are recorded too.
func (r *Redactor) AddExact(secrets ...string) { r.add(1, secrets) }

func (r *Redactor) add(minLen int, secrets []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		for _, v := range []string{s, strings.ReplaceAll(s, "\r\n", "\n")} {
			if len(v) >= minLen && v != Text && !r.known[v] {
				r.known[v] = true
				r.rep = nil
			}
		}
	}
}

// Known replaces the recorded secrets only (no Finder): for large texts
// whose secrets are all known, such as a diff of the files being fixed.
func (r *Redactor) Known(s string) string {
	if r == nil || s == "" {
		return s
	}
	return r.replacer().Replace(s)
}

// String replaces the recorded secrets, then any secret the Finder sees
// (which is recorded too, so later text loses it without a search).
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	s = r.Known(s)
	r.mu.RLock()
	find := r.find
	r.mu.RUnlock()
	if find == nil {
		return s
	}
	found := find(s)
	if len(found) == 0 {
		return s
	}
	r.Add(found...)
	s = r.Known(s)
	// A found value shorter than MinLen is still this text's secret.
	for _, v := range found {
		if v != "" && v != Text {
			s = strings.ReplaceAll(s, v, Text)
		}
	}
	return s
}

// Error returns err with its message redacted, for errors whose text came
// from a library (which may quote its input). Nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.String(err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (r *Redactor) replacer() *strings.Replacer {
	r.mu.RLock()
	rep := r.rep
	r.mu.RUnlock()
	if rep != nil {
		return rep
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rep == nil {
		values := make([]string, 0, len(r.known))
		for v := range r.known {
			values = append(values, v)
		}
		// Longest first, so a secret that contains another goes whole.
		sort.Slice(values, func(i, j int) bool {
			if len(values[i]) != len(values[j]) {
				return len(values[i]) > len(values[j])
			}
			return values[i] < values[j]
		})
		pairs := make([]string, 0, 2*len(values))
		for _, v := range values {
			pairs = append(pairs, v, Text)
		}
		r.rep = strings.NewReplacer(pairs...)
	}
	return r.rep
}

// Writer returns a writer that redacts each Write, and escapes control
// characters other than newline, tab and a progress line's "\r\x1b[K",
// before passing it on: for stderr, where every message is one Write. Text a caller splits
// across Writes is redacted piecewise, so reports are redacted before they
// are written, not through this.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return &writer{r: r, w: w}
}

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, terminalSafe(w.r.String(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}
