package rules

import (
	"bytes"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"
)

// RequiredLiterals is a necessary condition for a regex to match: every
// match contains at least one of these literals. It is derived from the
// regex's syntax tree, the way RE2 and Hyperscan build prefilters, and lets
// the engine skip windows where a rule cannot match — most usefully for
// case-sensitive rules (`DB_PASSWORD=`) whose case-insensitive keyword
// (`password`) fires on every lowercase identifier.
//
// More sets may be required at once (every match holds one of lits and one
// of each of more): a rule's best single set is often its keywords
// (`curl`, `wget`), which the keyword hit that opened the window already
// guarantees, while a second set (` -u`, ` --user`) turns most windows away.
type RequiredLiterals struct {
	lits []requiredLit
	more [][]requiredLit
}

type requiredLit struct {
	text []byte // lowercased when fold is set
	fold bool   // ASCII case-insensitive
}

// Limits: literals shorter than minRequiredLen occur everywhere, and a set
// larger than maxRequiredLits costs more to check than it saves.
const (
	minRequiredLen  = 3
	maxRequiredLits = 16
)

// Admits reports whether b may hold a match.
func (r *RequiredLiterals) Admits(b []byte) bool {
	if !admitsAny(b, r.lits) {
		return false
	}
	for _, set := range r.more {
		if !admitsAny(b, set) {
			return false
		}
	}
	return true
}

// admitsAny reports whether b holds one of lits.
func admitsAny(b []byte, lits []requiredLit) bool {
	for _, l := range lits {
		if l.fold {
			if containsFoldASCII(b, l.text) {
				return true
			}
		} else if bytes.Contains(b, l.text) {
			return true
		}
	}
	return false
}

// containsFoldASCII is an ASCII case-insensitive bytes.Contains. Any
// non-ASCII byte admits the window: Unicode folding (the Kelvin sign for
// k, long s for s) could make a match this check cannot see.
func containsFoldASCII(b, lower []byte) bool {
	if len(lower) == 0 {
		return true
	}
	first := lower[0]
	for i := 0; i+len(lower) <= len(b); i++ {
		c := b[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if c|0x20 != first && c != first {
			continue
		}
		j := 1
		for ; j < len(lower); j++ {
			d := b[i+j]
			if d >= utf8.RuneSelf {
				return true
			}
			if 'A' <= d && d <= 'Z' {
				d += 'a' - 'A'
			}
			if d != lower[j] {
				break
			}
		}
		if j == len(lower) {
			return true
		}
	}
	for _, c := range b[max(0, len(b)-len(lower)+1):] {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// requiredLiterals derives the set for expr, or nil when none is useful.
func requiredLiterals(expr string) *RequiredLiterals {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return treeRequiredLiterals(re)
}

// keywords are the rule's: a window always holds one, so a set every
// keyword already spells is no extra filter.
func treeRequiredLiterals(re *syntax.Regexp, keywords ...string) *RequiredLiterals {
	lits, ok := required(re)
	if !ok || !useful(lits) {
		lits = nil
	}
	// Further sets every match needs as well, best first.
	var more [][]requiredLit
	for _, set := range conjuncts(re, keywords) {
		if len(more) == maxMoreSets {
			break
		}
		if !useful(set) || sameSet(set, lits) || spelledByKeywords(set, keywords) {
			continue
		}
		dup := false
		for _, m := range more {
			dup = dup || sameSet(set, m)
		}
		if !dup {
			more = append(more, set)
		}
	}
	if lits == nil {
		if len(more) == 0 {
			return nil
		}
		lits, more = more[0], more[1:]
	}
	return &RequiredLiterals{lits: lits, more: more}
}

// useful: every literal is long enough to be rare, and there are few.
func useful(lits []requiredLit) bool {
	if len(lits) == 0 || len(lits) > maxRequiredLits {
		return false
	}
	for _, l := range lits {
		if len(l.text) < minRequiredLen {
			return false
		}
	}
	return true
}

// spelledByKeywords reports a set with a literal inside every keyword (in
// any case): the keyword hit that opened a window nearly always satisfies it.
func spelledByKeywords(set []requiredLit, keywords []string) bool {
	if len(keywords) == 0 {
		return false
	}
	for _, k := range keywords {
		k = strings.ToLower(k)
		inside := false
		for _, l := range set {
			inside = inside || strings.Contains(k, strings.ToLower(string(l.text)))
		}
		if !inside {
			return false
		}
	}
	return true
}

func sameSet(a, b []requiredLit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].fold != b[i].fold || !bytes.Equal(a[i].text, b[i].text) {
			return false
		}
	}
	return true
}

// maxMoreSets bounds the extra sets a window is checked against, and
// maxConjuncts the sets one node keeps while deriving them.
const (
	maxMoreSets  = 2
	maxConjuncts = 3
)

// conjuncts returns literal sets that every match of n contains one of
// each of, best (by score) first: for a concatenation, its children's sets
// side by side; for an alternation, the unions of one set per branch,
// taken in every combination (each union is necessary). Sets the keywords
// spell are left out as they go (they filter nothing).
func conjuncts(n *syntax.Regexp, keywords []string) [][]requiredLit {
	switch n.Op {
	case syntax.OpLiteral:
		if lits, ok := required(n); ok {
			return [][]requiredLit{lits}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return conjuncts(n.Sub[0], keywords)
	case syntax.OpRepeat:
		if n.Min >= 1 {
			return conjuncts(n.Sub[0], keywords)
		}
	case syntax.OpConcat:
		var sets [][]requiredLit
		// As in required: runs of exact children make longer literals.
		var run []requiredLit
		for _, sub := range n.Sub {
			if ex, ok := exact(sub); ok {
				run = extendRun(run, ex)
				sets = append(sets, run)
				continue
			}
			run = nil
			sets = append(sets, conjuncts(sub, keywords)...)
		}
		return bestSets(sets, keywords)
	case syntax.OpAlternate:
		combos := [][]requiredLit{nil}
		for _, sub := range n.Sub {
			cs := conjuncts(sub, keywords)
			if len(cs) == 0 {
				return nil // a branch that needs nothing
			}
			var next [][]requiredLit
			for _, c := range combos {
				for _, set := range cs {
					if u := append(append([]requiredLit(nil), c...), set...); len(u) <= maxRequiredLits {
						next = append(next, u)
					}
				}
			}
			combos = bestSets(next, keywords)
			if len(combos) == 0 {
				return nil
			}
		}
		return combos
	}
	return nil
}

// bestSets keeps the maxConjuncts sets that score highest, leaving out
// those the keywords spell.
func bestSets(sets [][]requiredLit, keywords []string) [][]requiredLit {
	var out [][]requiredLit
	for _, s := range sets {
		if len(s) == 0 || len(s) > maxRequiredLits || spelledByKeywords(s, keywords) {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
	return out[:min(len(out), maxConjuncts)]
}

// required returns literals one of which every match of n contains.
func required(n *syntax.Regexp) ([]requiredLit, bool) {
	switch n.Op {
	case syntax.OpLiteral:
		fold := n.Flags&syntax.FoldCase != 0
		text := []byte(string(n.Rune))
		for _, r := range n.Rune {
			if r >= utf8.RuneSelf {
				return nil, false // keep folding questions ASCII-only
			}
		}
		if fold {
			text = bytes.ToLower(text)
		}
		return []requiredLit{{text: text, fold: fold}}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(n.Sub[0])
	case syntax.OpRepeat:
		if n.Min >= 1 {
			return required(n.Sub[0])
		}
	case syntax.OpConcat:
		var best []requiredLit
		bestScore := 0
		consider := func(lits []requiredLit) {
			if len(lits) == 0 || len(lits) > maxRequiredLits {
				return
			}
			if s := score(lits); s > bestScore {
				best, bestScore = lits, s
			}
		}
		// Runs of children that each match one of a few exact strings
		// combine into longer literals (`_` + `P(?:ASS|WD)` → _PASS, _PWD),
		// which the parser's prefix factoring would otherwise cut short.
		var run []requiredLit
		for _, sub := range n.Sub {
			if ex, ok := exact(sub); ok {
				run = extendRun(run, ex)
				consider(run)
				continue
			}
			run = nil
			lits, ok := required(sub)
			if ok {
				consider(lits)
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []requiredLit
		for _, sub := range n.Sub {
			lits, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, len(all) <= maxRequiredLits
	}
	return nil, false
}

// exact returns the strings n matches when they are few and literal:
// literals, small classes ([Pp]), alternations and optional parts of them.
func exact(n *syntax.Regexp) ([]requiredLit, bool) {
	switch n.Op {
	case syntax.OpLiteral:
		return required(n)
	case syntax.OpCapture:
		return exact(n.Sub[0])
	case syntax.OpCharClass:
		var out []requiredLit
		for i := 0; i+1 < len(n.Rune); i += 2 {
			if n.Rune[i+1]-n.Rune[i] > 3 || n.Rune[i+1] >= utf8.RuneSelf {
				return nil, false
			}
			for r := n.Rune[i]; r <= n.Rune[i+1]; r++ {
				out = append(out, requiredLit{text: []byte{byte(r)}})
			}
		}
		return out, len(out) > 0 && len(out) <= 4
	case syntax.OpQuest:
		ex, ok := exact(n.Sub[0])
		if !ok {
			return nil, false
		}
		return append(ex, requiredLit{}), true
	case syntax.OpAlternate:
		var all []requiredLit
		for _, sub := range n.Sub {
			ex, ok := exact(sub)
			if !ok {
				return nil, false
			}
			all = append(all, ex...)
		}
		return all, len(all) <= maxRequiredLits
	case syntax.OpConcat:
		var acc []requiredLit
		for i, sub := range n.Sub {
			ex, ok := exact(sub)
			if !ok {
				return nil, false
			}
			if i == 0 {
				acc = ex
			} else if acc = cross(acc, ex); acc == nil {
				return nil, false
			}
		}
		return acc, true
	}
	return nil, false
}

// cross concatenates every a with every b, or returns nil past the limit.
// A folded part makes the whole folded (lowercased): a weaker test, still
// a necessary one.
func cross(a, b []requiredLit) []requiredLit {
	if len(a)*len(b) > maxRequiredLits {
		return nil
	}
	out := make([]requiredLit, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			fold := x.fold || y.fold
			xt, yt := x.text, y.text
			if fold {
				xt, yt = bytes.ToLower(xt), bytes.ToLower(yt)
			}
			out = append(out, requiredLit{text: append(append([]byte(nil), xt...), yt...), fold: fold})
		}
	}
	return out
}

// score prefers sets whose shortest literal is longest: they are rarer.
func score(lits []requiredLit) int {
	m := 1 << 30
	for _, l := range lits {
		m = min(m, len(l.text))
	}
	return m*100 - len(lits)
}

// extendRun continues a run of exact children with the next one's strings;
// when the cross product would be too large the run starts over at ex.
func extendRun(run, ex []requiredLit) []requiredLit {
	if run == nil {
		return ex
	}
	if r := cross(run, ex); r != nil {
		return r
	}
	return ex
}
