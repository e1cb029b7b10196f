package rules

import (
	"regexp/syntax"
	"unicode/utf8"
)

// treeRunGate derives a value gate from the whole regex when the secret
// group gives none (the group is an alternation, or a rule has several
// groups): every match must contain a run of at least MinRun bytes from one
// class. Provider rules with two key shapes ([0-9a-f]{32} or an 84-char
// key) and a long context prefix without a literal are the ones it keeps
// asleep on windows that hold no such run. It is only a necessary
// condition, so it never loses a match.
func treeRunGate(re *syntax.Regexp) *ValueGate {
	var g *ValueGate
	for _, r := range runNeed(re) {
		if r.min < minGateRun {
			return nil
		}
		g = &ValueGate{Class: r.class, MinRun: r.min, Alt: g}
	}
	return g
}

// run says every match of a node contains min consecutive bytes from class;
// whole says the match consists of such bytes only (so repeats multiply).
// runNeed returns the runs of which every match holds at least one, or nil.
type run struct {
	class [256]bool
	min   int
	whole bool
}

// maxRunAlts bounds how many alternative runs a gate checks.
const maxRunAlts = 4

func runNeed(n *syntax.Regexp) []run {
	switch n.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return runNeed(n.Sub[0])
	case syntax.OpCharClass:
		r := run{min: 1, whole: true}
		markRunes(&r.class, n.Rune, false)
		return []run{r}
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		r := run{min: 1, whole: true}
		for b := range r.class {
			r.class[b] = b != '\n' || n.Op == syntax.OpAnyChar
		}
		return []run{r}
	case syntax.OpLiteral:
		if len(n.Rune) == 0 {
			return nil
		}
		r := run{min: len(n.Rune), whole: true}
		pairs := make([]rune, 0, 2*len(n.Rune))
		for _, c := range n.Rune {
			pairs = append(pairs, c, c)
		}
		markRunes(&r.class, pairs, n.Flags&syntax.FoldCase != 0)
		return []run{r}
	case syntax.OpRepeat:
		if n.Min < 1 {
			return nil
		}
		rs := runNeed(n.Sub[0])
		if u, ok := wholeUnion(rs); ok && n.Min > 1 {
			// Each repetition may take a different branch: only the
			// union class is sure to cover all of them.
			u.min *= n.Min
			return []run{u}
		}
		return rs
	case syntax.OpConcat:
		// Adjacent children that consist of run bytes only join into one
		// longer run ([A-Za-z0-9]{52}JQQJ9[9DH]… is an 84-byte run);
		// zero-width assertions do not break it.
		var best, acc []run
		consider := func(rs []run) {
			if rs != nil && (best == nil || shortest(rs) > shortest(best)) {
				best = rs
			}
		}
		for _, s := range n.Sub {
			if zeroWidth(s) {
				continue
			}
			rs := runNeed(s)
			consider(rs)
			if u, ok := wholeUnion(rs); ok {
				if acc == nil {
					acc = []run{u}
				} else {
					acc[0] = joinRuns(acc[0], u)
					acc[0].min += u.min
					consider([]run{acc[0]})
				}
			} else {
				acc = nil
			}
		}
		if len(n.Sub) > 1 {
			best = append([]run(nil), best...)
			for i := range best {
				best[i].whole = false
			}
		}
		return best
	case syntax.OpAlternate:
		var all []run
		for _, s := range n.Sub {
			rs := runNeed(s)
			if rs == nil {
				return nil // one branch needs no run at all
			}
			all = append(all, rs...)
		}
		if len(all) > maxRunAlts {
			u := all[0]
			for _, r := range all[1:] {
				u = joinRuns(u, r)
				u.min = min(u.min, r.min)
			}
			all = []run{u}
		}
		return all
	}
	return nil
}

// joinRuns is a run over both classes; the caller sets its length.
func joinRuns(a, b run) run {
	for i := range a.class {
		a.class[i] = a.class[i] || b.class[i]
	}
	a.whole = a.whole && b.whole
	return a
}

// wholeUnion folds runs that each cover their whole match into one, the
// shortest length over the union class.
func wholeUnion(rs []run) (run, bool) {
	if len(rs) == 0 {
		return run{}, false
	}
	u := rs[0]
	for _, r := range rs[1:] {
		u = joinRuns(u, r)
		u.min = min(u.min, r.min)
	}
	return u, u.whole
}

func zeroWidth(n *syntax.Regexp) bool {
	switch n.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return false
}

func shortest(rs []run) int {
	m := rs[0].min
	for _, r := range rs[1:] {
		m = min(m, r.min)
	}
	return m
}

// markRunes sets the bytes of the runes in the [lo,hi] pairs; any non-ASCII
// rune (or case folding, which maps k and s to multi-byte runes) admits
// every high byte, since each byte of its encoding may appear.
func markRunes(class *[256]bool, pairs []rune, fold bool) {
	high := fold
	for i := 0; i+1 < len(pairs); i += 2 {
		lo, hi := pairs[i], pairs[i+1]
		if hi >= utf8.RuneSelf {
			high = true
			hi = utf8.RuneSelf - 1
		}
		for c := lo; c <= hi; c++ {
			class[c] = true
			if fold && c < utf8.RuneSelf {
				if 'a' <= c && c <= 'z' {
					class[c-'a'+'A'] = true
				} else if 'A' <= c && c <= 'Z' {
					class[c-'A'+'a'] = true
				}
			}
		}
	}
	if high {
		for b := utf8.RuneSelf; b < 256; b++ {
			class[b] = true
		}
	}
}
