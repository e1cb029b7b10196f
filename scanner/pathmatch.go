package scanner

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"sync"
	"unicode/utf8"
)

// Rule path patterns are nearly all anchored at the end of the path
// (`(?:^|/)\.npmrc$`, `\.ya?ml$`), and Go's regexp has no reverse search:
// it tries every start position of the path, and a pattern that begins
// with a repeat (`[\w.-]+\.(?:mk|sh|...)$`) costs the path's length at
// each. Every fragment with a keyword hit asks up to 32 of them, which
// made path checks 8% of a tree scan of archive-heavy sources. The same
// pattern reversed, matched against the reversed path, is anchored at its
// start and fails within a few bytes.

// reversedPath is a rule's path pattern reversed, compiled on first use.
type reversedPath struct {
	once sync.Once
	re   *regexp.Regexp // nil: the pattern is not end-anchored, use it as is
}

// pathMatches reports whether rule ri's path pattern re matches path;
// rev is the fragment's reversePath, computed once for all its rules.
func (d *Detector) pathMatches(ri int, re *regexp.Regexp, path string, rev *reversePath) bool {
	rp := &d.pathRev[ri]
	rp.once.Do(func() { rp.re = reverseEndAnchored(re) })
	if rp.re == nil {
		return re.MatchString(path)
	}
	if !rev.done {
		rev.s, rev.ok = reverseString(path)
		rev.done = true
	}
	if !rev.ok {
		return re.MatchString(path)
	}
	return rp.re.MatchString(rev.s)
}

// reversePath is a fragment's path reversed, once known.
type reversePath struct {
	s        string
	ok, done bool // ok: the path is valid UTF-8 and s is set
}

// reverseEndAnchored returns a regexp that matches reverse(s) exactly when
// re matches s, for a pattern whose every branch ends with `$` (end of
// text); nil for any other pattern.
func reverseEndAnchored(re *regexp.Regexp) *regexp.Regexp {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil || !endAnchored(tree) {
		return nil
	}
	rev, ok := reverseTree(tree)
	if !ok {
		return nil
	}
	// Every branch now starts with `^`; saying so at the top lets the
	// matcher try the first position only.
	out, err := regexp.Compile(`^(?:` + rev.String() + `)`)
	if err != nil {
		return nil
	}
	return out
}

// endAnchored reports a pattern that can only match at the end of text.
func endAnchored(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEndText:
		return true
	case syntax.OpCapture:
		return endAnchored(re.Sub[0])
	case syntax.OpConcat:
		return len(re.Sub) > 0 && endAnchored(re.Sub[len(re.Sub)-1])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !endAnchored(s) {
				return false
			}
		}
		return true
	}
	return false
}

// reverseTree builds the pattern matching the reversed strings (a copy;
// re is not changed). ok is false for an operator it does not know.
func reverseTree(re *syntax.Regexp) (*syntax.Regexp, bool) {
	out := *re
	out.Sub = nil
	out.Sub0 = [1]*syntax.Regexp{}
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Symmetric: the same set of characters or the same boundary.
	case syntax.OpLiteral:
		out.Rune = slices.Clone(re.Rune)
		slices.Reverse(out.Rune)
	case syntax.OpBeginText:
		out.Op = syntax.OpEndText
	case syntax.OpEndText:
		out.Op = syntax.OpBeginText
	case syntax.OpBeginLine:
		out.Op = syntax.OpEndLine
	case syntax.OpEndLine:
		out.Op = syntax.OpBeginLine
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpAlternate, syntax.OpConcat:
		for _, s := range re.Sub {
			r, ok := reverseTree(s)
			if !ok {
				return nil, false
			}
			out.Sub = append(out.Sub, r)
		}
		if re.Op == syntax.OpConcat {
			slices.Reverse(out.Sub)
		}
	default:
		return nil, false
	}
	return &out, true
}

// reverseString reverses s by code point, as the reversed pattern reads
// it. ok is false for invalid UTF-8, where reading backwards need not cut
// the bytes into the same runes as reading forwards.
func reverseString(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	b := make([]byte, 0, len(s))
	for i := len(s); i > 0; {
		_, n := utf8.DecodeLastRuneInString(s[:i])
		b = append(b, s[i-n:i]...)
		i -= n
	}
	return string(b), true
}
