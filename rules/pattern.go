package rules

import (
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Engine names which regular-expression engine runs a pattern. Reports and
// `leakfix rules list` show it, because the two engines fail differently:
// RE2 is linear time, regexp2 backtracks and is bounded only by a timeout.
type Engine string

const (
	EngineRE2     Engine = "re2"
	EngineRegexp2 Engine = "regexp2"
)

// DefaultMatchTimeout bounds one regexp2 match. A pattern that needs longer
// on a window of a few KiB is catastrophically backtracking, and the scan must
// go on without it rather than hang.
const DefaultMatchTimeout = 250 * time.Millisecond

// ErrMatchTimeout is returned when a backtracking pattern exceeds its budget.
var ErrMatchTimeout = errors.New("regex match timed out")

// Pattern is a compiled regular expression behind either engine. Indexes are
// byte offsets into the searched slice, as with regexp.FindAllSubmatchIndex.
type Pattern interface {
	FindAllSubmatchIndex(b []byte, n int) ([][]int, error)
	MatchString(s string) (bool, error)
	NumSubexp() int
	Engine() Engine
	String() string
}

// CompilePattern compiles expr with Go's RE2 engine, and falls back to
// regexp2 only for syntax RE2 rejects (look-around, back-references), so that
// gitleaks configs written for other engines still load.
func CompilePattern(expr string, timeout time.Duration) (Pattern, error) {
	re, err := regexp.Compile(expr)
	if err == nil {
		return re2Pattern{re}, nil
	}
	re2err := err
	if timeout <= 0 {
		timeout = DefaultMatchTimeout
	}
	bt, err := regexp2.Compile(expr, regexp2.RE2)
	if err != nil {
		// Report RE2's message: it is the engine users expect, and it
		// names the offending syntax precisely.
		return nil, fmt.Errorf("%w (regexp2 also rejects it: %v)", re2err, err)
	}
	bt.MatchTimeout = timeout
	return &backtrackPattern{re: bt}, nil
}

type re2Pattern struct{ re *regexp.Regexp }

func (p re2Pattern) FindAllSubmatchIndex(b []byte, n int) ([][]int, error) {
	return p.re.FindAllSubmatchIndex(b, n), nil
}
func (p re2Pattern) MatchString(s string) (bool, error) { return p.re.MatchString(s), nil }
func (p re2Pattern) NumSubexp() int                     { return p.re.NumSubexp() }
func (p re2Pattern) Engine() Engine                     { return EngineRE2 }
func (p re2Pattern) String() string                     { return p.re.String() }

type backtrackPattern struct{ re *regexp2.Regexp }

func (p *backtrackPattern) Engine() Engine { return EngineRegexp2 }
func (p *backtrackPattern) String() string { return p.re.String() }
func (p *backtrackPattern) NumSubexp() int {
	// regexp2 counts group 0; RE2 does not.
	return len(p.re.GetGroupNumbers()) - 1
}

func (p *backtrackPattern) MatchString(s string) (bool, error) {
	ok, err := p.re.MatchString(s)
	if err != nil {
		return false, p.timeoutError()
	}
	return ok, nil
}

// FindAllSubmatchIndex runs regexp2 (which works on runes) and converts its
// rune offsets back to byte offsets.
func (p *backtrackPattern) FindAllSubmatchIndex(b []byte, n int) ([][]int, error) {
	s := string(b)
	runeToByte := runeOffsets(s)
	var out [][]int
	m, err := p.re.FindStringMatch(s)
	for m != nil && err == nil && (n < 0 || len(out) < n) {
		groups := m.Groups()
		idx := make([]int, 2*len(groups))
		for i, g := range groups {
			if len(g.Captures) == 0 {
				idx[2*i], idx[2*i+1] = -1, -1
				continue
			}
			idx[2*i] = runeToByte[g.Index]
			idx[2*i+1] = runeToByte[g.Index+g.Length]
		}
		out = append(out, idx)
		m, err = p.re.FindNextMatch(m)
	}
	if err != nil {
		return out, p.timeoutError()
	}
	return out, nil
}

// timeoutError replaces regexp2's error, whose text quotes the whole input
// (secrets included), with one that says only how long the match ran.
func (p *backtrackPattern) timeoutError() error {
	return fmt.Errorf("%w after %v", ErrMatchTimeout, p.re.MatchTimeout)
}

// runeOffsets maps each rune index (and the end) to its byte offset.
func runeOffsets(s string) []int {
	offs := make([]int, 0, utf8.RuneCountInString(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	return append(offs, len(s))
}
