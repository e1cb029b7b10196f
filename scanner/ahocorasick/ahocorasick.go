// Package ahocorasick is the keyword prefilter that runs in front of every
// rule regex: it finds all occurrences of a fixed set of ASCII keywords,
// ignoring ASCII case, in a single left-to-right pass over the input.
//
// # Why a dense DFA
//
// The classic Aho-Corasick automaton is a trie plus failure links; at scan
// time a mismatch follows failure links until some state has a transition
// for the byte. That loop is a data-dependent branch per byte and costs
// several dependent memory loads on a mismatch. Since the keyword set is fixed
// when the detector starts and every fragment of a multi-gigabyte history is
// scanned with it, we pay once at build time to resolve every failure chain:
// the automaton is compiled into a full transition table (a DFA) where every
// state has a successor for every input class. Scanning is then exactly one
// table load per byte, s = trans[s + class[b]], with no branches other than
// the "did this state complete a keyword" test.
//
// # Why byte classes
//
// A full 256-column table for a few thousand states is megabytes and falls
// out of cache, which costs more than the failure links saved. Only bytes
// that occur in some keyword can change the automaton's behaviour, and the
// matching is ASCII-case-insensitive, so the 256 byte values are first mapped
// through a 256-entry class table: 'A'..'Z' share the class of 'a'..'z', each
// other byte that appears in a keyword gets its own class, and every byte that
// appears in no keyword collapses into class 0 (which always leads back to the
// start state). For ~300 typical keywords that is ~40 columns instead of 256.
//
// # Layout tricks
//
// State ids stored in the table are pre-multiplied by the row width (stride)
// so the hot loop needs no multiply. States are numbered so that every state
// with an output (a keyword ends there, directly or via its failure chain)
// has an id >= matchMin; the per-byte output test is a single compare.
//
// The per-byte work is a chain of dependent loads (the next load's address
// needs the previous load's result), so a single scan is bound by load
// latency, not bandwidth. FindAll and Contains therefore split larger inputs
// into blocks and each block into four lanes that are scanned in the same
// loop: four independent chains keep the CPU busy while each waits for its
// load. A lane that does not start at the beginning of the input first
// replays the longest-keyword-length bytes in front of it (the automaton's
// state depends on no more than that much history), and hits are buffered
// per lane and delivered in end-position order after the block. Measured
// on the package benchmark (300 keywords, 4 MiB of source-like text, one
// core of an AMD EPYC VM): one lane ~0.6 GB/s, four lanes ~1.7 GB/s; eight
// lanes were slower again (the compiler spills states to the stack), and
// dropping bounds checks with unsafe or halving the table to uint16 bought
// nothing, so the loop stays in safe Go.
//
// There is no bytes.IndexByte-style skip while in the start state: with the
// benchmark's 300 keywords, 27 distinct bytes (case-folded) start a keyword,
// and on source-like text only ~12% of bytes leave the automaton idling in
// the start state, in runs of under two bytes on average, so a skip could
// not pay for its own call.
package ahocorasick

import (
	"fmt"
	"slices"
)

// output is one keyword ending in a state: the caller's pattern index and
// the keyword's length (so start = end - length).
type output struct {
	pattern int32
	length  int32
}

// Matcher finds every occurrence of a fixed set of ASCII keywords in a byte
// slice, ignoring ASCII case, in one pass.
//
// A Matcher is immutable after New and safe for concurrent use.
type Matcher struct {
	// classes maps a byte to its column in trans.
	classes [256]uint8
	// trans is the dense DFA: trans[s+classes[b]] is the successor of the
	// (pre-multiplied) state s on byte b, itself pre-multiplied.
	trans []uint32
	// stride is the number of classes, i.e. the width of one row of trans.
	stride int
	// matchMin is the smallest pre-multiplied id of a state with outputs;
	// all states >= matchMin have outputs, all below have none.
	matchMin uint32
	// outStart[k]..outStart[k+1] indexes outs for the k-th output state,
	// k = (s-matchMin)/stride.
	outStart []uint32
	outs     []output
	// n is len(keywords) as given to New.
	n int
	// maxLen is the length of the longest non-empty keyword.
	maxLen int
	// states is the number of DFA states (for diagnostics).
	states int
}

// foldByte lowers ASCII upper-case letters and leaves every other byte,
// including non-ASCII ones, unchanged.
func foldByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// New builds the automaton. Keywords are matched ASCII-case-insensitively.
// Empty keywords are ignored (never reported). Duplicate keywords (also
// those equal after ASCII case folding) are allowed and each index is
// reported for its own occurrences, so callers can map a pattern index
// straight to its rule.
//
// New panics if the keyword set is so large that the table would not be
// addressable with 32-bit state ids (billions of entries).
func New(keywords []string) *Matcher {
	m := &Matcher{n: len(keywords)}

	// Byte classes: class 0 is "appears in no keyword".
	used := [256]bool{}
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			used[foldByte(k[i])] = true
		}
		m.maxLen = max(m.maxLen, len(k))
	}
	stride := 1
	for b := 0; b < 256; b++ {
		if used[b] {
			m.classes[b] = uint8(stride)
			stride++
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		m.classes[b] = m.classes[b+('a'-'A')]
	}
	m.stride = stride

	// Trie, built directly into a dense goto table; 0 means "no edge"
	// (no trie edge ever leads back to the root). The table is sized for
	// exactly the trie's nodes (trieNodes), then turned into the DFA and
	// renumbered in place: one table, allocated once, is all New touches.
	// New runs at every start-up (every pre-commit run); a table sized
	// for one node per keyword byte plus a renumbered copy was 3.5 MB and
	// a third of start-up for the default pack's 1,085 keywords.
	nodes := trieNodes(keywords, &m.classes)
	gotoT := make([]uint32, stride*nodes)
	own := make([][]output, nodes) // keywords ending exactly at each node
	nstates := 1
	for idx, k := range keywords {
		if k == "" {
			continue
		}
		s := 0
		for i := 0; i < len(k); i++ {
			c := int(m.classes[k[i]])
			next := int(gotoT[s*stride+c])
			if next == 0 {
				next = nstates
				nstates++
				gotoT[s*stride+c] = uint32(next)
			}
			s = next
		}
		own[s] = append(own[s], output{pattern: int32(idx), length: int32(len(k))})
	}
	if uint64(nstates)*uint64(stride) >= 1<<31 {
		panic(fmt.Sprintf("ahocorasick: %d states x %d classes is too large", nstates, stride))
	}
	m.states = nstates

	// Breadth-first: failure links, full DFA transitions, inherited outputs.
	// gotoT is turned into the DFA in place: when a node is dequeued, its
	// failure target is shallower and already complete, so a missing edge is
	// simply copied from the failure target's row.
	fail := make([]uint32, nstates)
	outsOf := make([][]output, nstates)
	order := make([]uint32, 0, nstates)
	order = append(order, 0)
	for c := 0; c < stride; c++ {
		if t := gotoT[c]; t != 0 {
			order = append(order, t)
			// fail[t] = 0 (root)
		}
	}
	for qi := 1; qi < len(order); qi++ {
		u := order[qi]
		f := fail[u]
		if len(own[u])+len(outsOf[f]) > 0 {
			outsOf[u] = append(append([]output(nil), own[u]...), outsOf[f]...)
		}
		row := gotoT[int(u)*stride : int(u+1)*stride]
		frow := gotoT[int(f)*stride : int(f+1)*stride]
		for c := range row {
			if v := row[c]; v != 0 {
				fail[v] = frow[c]
				order = append(order, v)
			} else {
				row[c] = frow[c]
			}
		}
	}

	// Renumber: states without outputs first (root stays 0), then states
	// with outputs, so "has output" is id >= matchMin.
	newID := make([]uint32, nstates)
	next := uint32(0)
	for _, u := range order {
		if len(outsOf[u]) == 0 {
			newID[u] = next
			next++
		}
	}
	firstMatch := next
	m.outStart = make([]uint32, 0, nstates-int(firstMatch)+1)
	for _, u := range order {
		if len(outsOf[u]) != 0 {
			newID[u] = next
			next++
			m.outStart = append(m.outStart, uint32(len(m.outs)))
			m.outs = append(m.outs, outsOf[u]...)
		}
	}
	m.outStart = append(m.outStart, uint32(len(m.outs)))
	m.matchMin = firstMatch * uint32(stride)

	// Pre-multiplied new ids as values, then each row moved to its new
	// place by following the permutation's cycles.
	for i, v := range gotoT {
		gotoT[i] = newID[v] * uint32(stride)
	}
	tmp := make([]uint32, stride)
	moved := make([]bool, nstates)
	for u := range nstates {
		if moved[u] {
			continue
		}
		copy(tmp, gotoT[u*stride:(u+1)*stride])
		for v := int(newID[u]); ; v = int(newID[v]) {
			row := gotoT[v*stride : (v+1)*stride]
			for c := range row {
				row[c], tmp[c] = tmp[c], row[c]
			}
			moved[v] = true
			if v == u {
				break
			}
		}
	}
	m.trans = gotoT
	return m
}

// trieNodes counts the nodes of the keywords' trie (the root included):
// the keywords, case-folded through classes, sorted, each adding the bytes
// past its common prefix with the one before it.
func trieNodes(keywords []string, classes *[256]uint8) int {
	folded := make([]string, 0, len(keywords))
	buf := make([]byte, 0, 64)
	for _, k := range keywords {
		buf = buf[:0]
		for i := 0; i < len(k); i++ {
			buf = append(buf, classes[k[i]])
		}
		folded = append(folded, string(buf))
	}
	slices.Sort(folded)
	n, prev := 1, ""
	for _, k := range folded {
		common := 0
		for common < len(k) && common < len(prev) && k[common] == prev[common] {
			common++
		}
		n += len(k) - common
		prev = k
	}
	return n
}

// Len reports the number of keywords given to New, including empty ones.
func (m *Matcher) Len() int { return m.n }

// stats reports the size of the compiled automaton: the number of states,
// the number of byte classes (table columns) and the transition table's
// size in bytes.
func (m *Matcher) stats() (states, classes, tableBytes int) {
	return m.states, m.stride, len(m.trans) * 4
}

// report delivers the outputs of state s (pre-multiplied, >= matchMin) for
// an occurrence ending at byte offset end.
func (m *Matcher) report(s uint32, end int, fn func(pattern, start, end int) bool) bool {
	k := (s - m.matchMin) / uint32(m.stride)
	for _, o := range m.outs[m.outStart[k]:m.outStart[k+1]] {
		if !fn(int(o.pattern), end-int(o.length), end) {
			return false
		}
	}
	return true
}

// Lane geometry. A block is split into lanes segments of at most laneBytes
// each; when the segments would be shorter than minLaneBytes (or than a few
// keyword lengths, which bounds the replay overhead) the rest is scanned by
// the single-lane loop instead.
const (
	lanes        = 4
	laneBytes    = 4 << 10
	minLaneBytes = 64
	// hitCap is how many hits a lane buffers per block. When a lane's
	// buffer fills, the block finishes lane by lane with the single-lane
	// loop, so it only bounds stack use, never correctness. 128 keeps the
	// four-lane loop running up to about one hit per 32 bytes.
	hitCap = 128
)

// laneLen returns the lane length to use for the remaining n bytes, or 0 if
// the remainder should be scanned by the single-lane loop.
func (m *Matcher) laneLen(n int) int {
	seg := min(n/lanes, laneBytes)
	if seg < minLaneBytes || seg < 4*m.maxLen {
		return 0
	}
	return seg
}

// warm returns the state the automaton is in at data offset at, computed
// by replaying only the maxLen bytes before it from the start state. This is
// exact: the state is the longest suffix of data[:at] that is a prefix of
// some keyword, and that suffix is never longer than maxLen.
func (m *Matcher) warm(data []byte, at int) uint32 {
	trans, cls := m.trans, &m.classes
	s := uint32(0)
	for _, b := range data[max(at-m.maxLen, 0):at] {
		s = trans[int(s)+int(cls[b])]
	}
	return s
}

// run4 advances four automata in lock step, lane k over dk (all the same
// length), starting from the states in st, until at least one of them is
// in a state with outputs or the lanes are exhausted. It stores the states
// back into st and returns the number of bytes consumed per lane.
//
// It is a separate, non-inlined function on purpose: with only the loop's
// values live, the compiler keeps all four states, the four lane pointers
// and the table in registers (measured ~15% faster than the same loop
// inlined into FindAll, where hit bookkeeping forced spills).
//
//go:noinline
func run4(trans []uint32, cls *[256]uint8, mm uint32, d0, d1, d2, d3 []byte, st *[lanes]uint32) int {
	d1, d2, d3 = d1[:len(d0)], d2[:len(d0)], d3[:len(d0)]
	s0, s1, s2, s3 := st[0], st[1], st[2], st[3]
	i := 0
	for i < len(d0) {
		// Four independent dependency chains: while one lane waits for
		// its table load, the others' loads are in flight.
		s0 = trans[int(s0)+int(cls[d0[i]])]
		s1 = trans[int(s1)+int(cls[d1[i]])]
		s2 = trans[int(s2)+int(cls[d2[i]])]
		s3 = trans[int(s3)+int(cls[d3[i]])]
		i++
		if s0 >= mm || s1 >= mm || s2 >= mm || s3 >= mm {
			break
		}
	}
	*st = [lanes]uint32{s0, s1, s2, s3}
	return i
}

// scan1 runs the automaton over data from state s, reporting occurrences
// with end offsets shifted by base. It returns the final state and false if
// fn stopped the scan.
func (m *Matcher) scan1(data []byte, s uint32, base int, fn func(pattern, start, end int) bool) (uint32, bool) {
	trans, cls, mm := m.trans, &m.classes, m.matchMin
	for i, b := range data {
		s = trans[int(s)+int(cls[b])]
		if s >= mm {
			if !m.report(s, base+i+1, fn) {
				return s, false
			}
		}
	}
	return s, true
}

// hit is a buffered occurrence: end offset within the lane and the state.
type hit struct {
	end   uint32
	state uint32
}

// FindAll calls fn for every occurrence of every keyword in data, in order of
// end position (occurrences sharing an end position come in unspecified
// order). pattern is the index into the keywords slice given to New; start
// and end are byte offsets with data[start:end] equal to the keyword modulo
// ASCII case. Overlapping occurrences are all reported. Returning false from
// fn stops the scan.
func (m *Matcher) FindAll(data []byte, fn func(pattern, start, end int) bool) {
	if len(m.outs) == 0 {
		return
	}
	mm := m.matchMin
	s := uint32(0) // automaton state before data[pos]
	pos := 0
	var buf [lanes][hitCap]hit
	for {
		seg := m.laneLen(len(data) - pos)
		if seg == 0 {
			break
		}
		a1, a2, a3 := pos+seg, pos+2*seg, pos+3*seg
		st := [lanes]uint32{s, m.warm(data, a1), m.warm(data, a2), m.warm(data, a3)}
		var nb [lanes]int

		// Four-lane pass; hits are buffered per lane.
		j := 0
		for j < seg {
			j += run4(m.trans, &m.classes, mm, data[pos+j:a1], data[a1+j:a2], data[a2+j:a3], data[a3+j:a3+seg], &st)
			full := false
			for k, sk := range st {
				if sk >= mm {
					buf[k][nb[k]] = hit{uint32(j), sk}
					nb[k]++
					full = full || nb[k] == hitCap
				}
			}
			if full {
				break
			}
		}

		// Deliver in end order, lane by lane: the lane's buffered hits
		// (ends <= j), then, if a buffer filled up early, the rest of the
		// lane scanned directly.
		for k := range lanes {
			base := pos + k*seg
			for _, h := range buf[k][:nb[k]] {
				if !m.report(h.state, base+int(h.end), fn) {
					return
				}
			}
			if j < seg {
				var ok bool
				if st[k], ok = m.scan1(data[base+j:base+seg], st[k], base+j, fn); !ok {
					return
				}
			}
		}
		s = st[lanes-1]
		pos += lanes * seg
	}
	m.scan1(data[pos:], s, pos, fn)
}

// Contains reports whether any keyword occurs in data. It stops at the
// first hit.
func (m *Matcher) Contains(data []byte) bool {
	if len(m.outs) == 0 {
		return false
	}
	mm := m.matchMin
	s := uint32(0)
	pos := 0
	for {
		seg := m.laneLen(len(data) - pos)
		if seg == 0 {
			break
		}
		a1, a2, a3 := pos+seg, pos+2*seg, pos+3*seg
		st := [lanes]uint32{s, m.warm(data, a1), m.warm(data, a2), m.warm(data, a3)}
		run4(m.trans, &m.classes, mm, data[pos:a1], data[a1:a2], data[a2:a3], data[a3:a3+seg], &st)
		for _, sk := range st {
			if sk >= mm {
				return true
			}
		}
		s = st[lanes-1]
		pos += lanes * seg
	}
	trans, cls := m.trans, &m.classes
	for _, b := range data[pos:] {
		s = trans[int(s)+int(cls[b])]
		if s >= mm {
			return true
		}
	}
	return false
}
