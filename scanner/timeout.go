package scanner

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/leakfix/leakfix/redact"
)

// ErrIncomplete is wrapped by the error a scan returns when some input was
// not fully scanned (a rule's regex timed out on it): the findings cover
// everything else, and the command must not exit 0.
var ErrIncomplete = errors.New("not every input was fully scanned")

// TimeoutError says which rule gave up on which input, and where, and
// nothing else: the regex engine's own error quotes the input, secrets
// included.
type TimeoutError struct {
	RuleID             string
	Path               string // "" for a commit message
	Commit             string // set for commit messages
	StartLine, EndLine int
	err                error
}

func newTimeoutError(ruleID string, frag Fragment, w [2]int, err error) *TimeoutError {
	start := 1 + bytes.Count(frag.Data[:w[0]], []byte{'\n'})
	body := bytes.TrimSuffix(frag.Data[w[0]:w[1]], []byte{'\n'})
	end := start + bytes.Count(body, []byte{'\n'})
	return &TimeoutError{RuleID: ruleID, Path: frag.Path, Commit: frag.Commit, StartLine: start, EndLine: end, err: err}
}

func (e *TimeoutError) Error() string {
	where := redact.Name(e.Path)
	if where == "" && e.Commit != "" {
		where = "message of commit " + e.Commit
	}
	lines := fmt.Sprintf("line %d", e.StartLine)
	if e.EndLine > e.StartLine {
		lines = fmt.Sprintf("lines %d-%d", e.StartLine, e.EndLine)
	}
	return fmt.Sprintf("%s %s: rule %s: %v", where, lines, e.RuleID, e.err)
}

func (e *TimeoutError) Unwrap() error { return e.err }

// Incomplete reports whether err says only that some input was skipped
// or not fully scanned (unreadable files, regex timeouts): the findings
// returned with it are good for everything else.
func Incomplete(err error) bool {
	return errors.Is(err, ErrUnreadable) || errors.Is(err, ErrIncomplete)
}

// incompleteError is nil when every file was read and fully scanned, and
// otherwise names what was not, in the error itself: --quiet must not
// hide it.
func incompleteError(unreadable int64, ruleErrs []error) error {
	var errs []error
	if unreadable > 0 {
		errs = append(errs, fmt.Errorf("%w: %d file(s)", ErrUnreadable, unreadable))
	}
	if len(ruleErrs) > 0 {
		errs = append(errs, IncompleteError(ruleErrs))
	}
	return errors.Join(errs...)
}

// IncompleteError wraps ErrIncomplete around rule errors (timeouts), each
// named on its own line; nil for none.
func IncompleteError(ruleErrs []error) error {
	if len(ruleErrs) == 0 {
		return nil
	}
	var flat []error
	for _, e := range ruleErrs {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			flat = append(flat, j.Unwrap()...)
		} else if e != nil {
			flat = append(flat, e)
		}
	}
	ruleErrs = flat
	var b bytes.Buffer
	const shown = 20
	for i, e := range ruleErrs {
		if i == shown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(ruleErrs)-shown)
			break
		}
		fmt.Fprintf(&b, "\n  %v", e)
	}
	// The causes stay wrapped: callers ask errors.Is(err, ErrArchiveLimit).
	return &incomplete{msg: ErrIncomplete.Error() + ":" + b.String(), causes: ruleErrs}
}

// incomplete is IncompleteError's error: its text, ErrIncomplete and the
// rule errors it names.
type incomplete struct {
	msg    string
	causes []error
}

func (e *incomplete) Error() string   { return e.msg }
func (e *incomplete) Unwrap() []error { return append([]error{ErrIncomplete}, e.causes...) }
