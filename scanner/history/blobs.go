package history

import (
	"bytes"
	"hash/maphash"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// blobJob is one distinct blob to read and scan.
type blobJob struct {
	blob plumbing.Hash
	path int32 // the path it was first seen at
	rank int32 // the commit that first put it there
	// extra lists the other paths the same blob appeared at (a rename, a
	// copy): the blob is read once and scanned for each of them in memory.
	extra []pair
	// firstOfPath and lastOfPath delimit the versions of one path inside a
	// chunk: the line set starts empty at the first and is not fed after
	// the last.
	firstOfPath, lastOfPath bool
}

// A chunk is a run of jobs handed to one reader at a time: the versions of
// a path, oldest first, followed by other paths'. Chunks are the unit of
// load balancing between readers; a path with very many versions is split
// over several chunks (each starting a fresh line set, which costs some
// skipping but nothing in correctness).
type chunk []blobJob

// maxChunkJobs bounds a chunk: large enough that the round trip to a
// reader is amortised, small enough that readers finish together.
const maxChunkJobs = 256

// planChunks turns the (path, blob) introductions into chunks. Each blob
// is read once, at the earliest (path, commit) it appeared; its other paths
// ride along as extra.
func planChunks(in *introductions) []chunk {
	primary := make(map[plumbing.Hash]int32, len(in.pairs))
	var jobs []blobJob
	for _, p := range in.pairs { // rank order: the first sighting comes first
		if j, ok := primary[p.blob]; ok {
			jobs[j].extra = append(jobs[j].extra, p)
			continue
		}
		primary[p.blob] = int32(len(jobs))
		jobs = append(jobs, blobJob{blob: p.blob, path: p.path, rank: p.rank})
	}
	// Versions of a path together, oldest first (stable: jobs are in rank
	// order already).
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].path < jobs[j].path })
	var chunks []chunk
	var cur chunk
	for i := range jobs {
		j := &jobs[i]
		j.firstOfPath = i == 0 || jobs[i-1].path != j.path || len(cur) == 0
		j.lastOfPath = i == len(jobs)-1 || jobs[i+1].path != j.path || len(cur)+1 == maxChunkJobs
		cur = append(cur, *j)
		if len(cur) == maxChunkJobs {
			chunks = append(chunks, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// rankedFinding is a finding with the rank of the commit it is attributed
// to, so the earliest can win.
type rankedFinding struct {
	f    scanner.Finding
	rank int32
}

// findingKey is what "report each finding once" means: one (path, rule,
// secret), whatever the commits that kept it.
type findingKey struct {
	file, rule, secret string
}

// earliest keeps, per key, the finding with the smallest rank (then line,
// then column).
type earliest map[findingKey]rankedFinding

func (e earliest) add(f scanner.Finding, rank int32) {
	k := findingKey{f.File, f.RuleID, f.Secret}
	if old, ok := e[k]; ok && !before(rank, &f, old.rank, &old.f) {
		return
	}
	e[k] = rankedFinding{f: f, rank: rank}
}

func before(ra int32, a *scanner.Finding, rb int32, b *scanner.Finding) bool {
	if ra != rb {
		return ra < rb
	}
	if a.StartLine != b.StartLine {
		return a.StartLine < b.StartLine
	}
	return a.StartColumn < b.StartColumn
}

// lineSet remembers hashes of the lines already scanned at one path, so a
// later version of the file is scanned only where it changed. It is bounded:
// past maxLines new lines are no longer remembered (and so are scanned
// again in later versions, which costs time, never a finding).
type lineSet struct {
	seed maphash.Seed
	set  hashSet
	max  int
	// prev is a copy of the version marked (or added) last; its lines are
	// all in the set. Lines a new version shares with it at the start and
	// the end need no hashing.
	prev    []byte
	hasPrev bool
	// runs is mark's result, reused from call to call.
	runs [][2]int
}

const maxLinesPerPath = 1 << 17

func newLineSet() *lineSet {
	return &lineSet{seed: maphash.MakeSeed(), max: maxLinesPerPath}
}

func (s *lineSet) reset() {
	s.set.reset()
	s.hasPrev = false
}

func (s *lineSet) keep(data []byte) {
	s.prev = append(s.prev[:0], data...)
	s.hasPrev = true
}

// addAll remembers every line of data.
func (s *lineSet) addAll(data []byte) {
	s.keep(data)
	for off := 0; off < len(data); {
		end := lineEndAt(data, off)
		if s.set.n >= s.max {
			return
		}
		s.set.add(maphash.Bytes(s.seed, data[off:end]))
		off = end + 1
	}
}

// contextLines is how many lines around a changed line are rescanned: the
// detector's regex window spans that many lines each side of a keyword, so
// a keyword on an unchanged line can still match text on a changed one.
// The value is the detector's own (scanner's window policy).
const contextLines = scanner.ContextLines

// mark hashes data's lines and returns the runs of lines not seen before,
// as byte ranges of whole lines (newline included), merged when adjacent;
// with remember, it adds them to the set (the runs are valid until the
// next call). fresh reports that no line at
// all had been seen before. Lines identical to the previous version's at
// the start and at the end of the file are old without even being
// visited: a typical commit changes a few lines in the middle.
func (s *lineSet) mark(data []byte, remember bool) (runs [][2]int, fresh bool) {
	hashFrom, hashTo := 0, len(data)
	if s.hasPrev {
		hashFrom, hashTo = sharedEnds(s.prev, data)
	}
	anyOld := hashFrom > 0 || hashTo < len(data)
	if s.runs == nil {
		s.runs = make([][2]int, 0, 16)
	}
	// Non-nil: "nothing new" must not mean "scan all". Valid until the
	// next call.
	runs = s.runs[:0]
	for off := hashFrom; off < hashTo; {
		end := lineEndAt(data, off)
		next := min(end+1, len(data))
		h := maphash.Bytes(s.seed, data[off:end])
		if s.set.has(h) {
			anyOld = true
		} else {
			if remember && s.set.n < s.max {
				s.set.add(h)
			}
			if n := len(runs); n > 0 && runs[n-1][1] == off {
				runs[n-1][1] = next
			} else {
				runs = append(runs, [2]int{off, next})
			}
		}
		off = next
	}
	if remember {
		s.keep(data)
	} else {
		s.hasPrev = false
	}
	s.runs = runs
	return runs, !anyOld
}

// sharedEnds returns [from, to): the part of cur whose lines must be
// hashed. Every line starting before from, and every line starting at or
// after to, is byte for byte a line of prev (newline included).
func sharedEnds(prev, cur []byte) (from, to int) {
	n := min(len(prev), len(cur))
	pre := commonPrefix(prev[:n], cur[:n])
	from = bytes.LastIndexByte(cur[:pre], '\n') + 1
	// The common tail, not reaching back into the common head.
	m := n - from
	suf := commonSuffix(prev[len(prev)-m:], cur[len(cur)-m:])
	// A line lies wholly in the tail only if the newline before it does:
	// the first line starting after cur's tail begins.
	tail := len(cur) - suf
	to = len(cur)
	if i := bytes.IndexByte(cur[tail:], '\n'); i >= 0 {
		to = tail + i + 1
	}
	to = max(to, from)
	return from, to
}

// widenLines grows each run (whole lines) by k lines on each side and
// merges runs that then touch or overlap.
func widenLines(data []byte, runs [][2]int, k int) [][2]int {
	out := make([][2]int, 0, len(runs))
	for _, r := range runs {
		lo, hi := r[0], r[1]
		for i := 0; i < k && lo > 0; i++ {
			lo = bytes.LastIndexByte(data[:lo-1], '\n') + 1
		}
		for i := 0; i < k && hi < len(data); i++ {
			hi = min(lineEndAt(data, hi)+1, len(data))
		}
		if n := len(out); n > 0 && lo <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], hi)
		} else {
			out = append(out, [2]int{lo, hi})
		}
	}
	return out
}

// hashSet is a set of 64-bit hashes: open addressing with linear probing.
// The line sets are probed once per changed line of every blob, so a flat
// table that stays in cache beats a general map. Zero marks an empty slot;
// a hash of zero is stored as one (a harmless collision).
type hashSet struct {
	slots []uint64
	n     int
}

const minHashSlots = 1 << 10

func (h *hashSet) has(x uint64) bool {
	if h.slots == nil {
		return false
	}
	x = max(x, 1)
	mask := uint64(len(h.slots) - 1)
	for i := x & mask; ; i = (i + 1) & mask {
		switch h.slots[i] {
		case x:
			return true
		case 0:
			return false
		}
	}
}

func (h *hashSet) add(x uint64) {
	if h.slots == nil {
		h.slots = make([]uint64, minHashSlots)
	}
	if 2*(h.n+1) > len(h.slots) {
		old := h.slots
		h.slots = make([]uint64, 2*len(old))
		h.n = 0
		for _, v := range old {
			if v != 0 {
				h.insert(v)
			}
		}
	}
	h.insert(max(x, 1))
}

func (h *hashSet) insert(x uint64) {
	mask := uint64(len(h.slots) - 1)
	for i := x & mask; ; i = (i + 1) & mask {
		switch h.slots[i] {
		case x:
			return
		case 0:
			h.slots[i] = x
			h.n++
			return
		}
	}
}

// reset empties the set; a table grown for a long file is dropped rather
// than cleared, so the next small file does not pay for it.
func (h *hashSet) reset() {
	if len(h.slots) > 16*minHashSlots {
		h.slots = nil
	} else {
		clear(h.slots)
	}
	h.n = 0
}

// commonPrefix is the length of the longest common prefix of a and b, of
// equal length. Blocks are compared with bytes.Equal (vectorised) first.
func commonPrefix(a, b []byte) int {
	const block = 64
	i := 0
	for i+block <= len(a) && bytes.Equal(a[i:i+block], b[i:i+block]) {
		i += block
	}
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b, of
// equal length.
func commonSuffix(a, b []byte) int {
	const block = 64
	n := len(a)
	i := 0
	for i+block <= n && bytes.Equal(a[n-i-block:n-i], b[n-i-block:n-i]) {
		i += block
	}
	for i < n && a[n-1-i] == b[n-1-i] {
		i++
	}
	return i
}

func lineEndAt(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(data)
}

// multilineWindow is the detector's window for rules that span lines: the
// regex sees up to this much text after a keyword hit's line start.
const multilineWindow = scanner.SpanWindow

// widenForMultiline adds to ranges the keyword hits of multiline rules
// (private keys) whose window reaches a changed line: the key's BEGIN line
// may be unchanged while its body is new.
func widenForMultiline(m *ahocorasick.Matcher, data []byte, ranges [][2]int) [][2]int {
	if m == nil || len(ranges) == 0 {
		return ranges
	}
	lo := max(0, ranges[0][0]-multilineWindow)
	hi := ranges[len(ranges)-1][1]
	var extra [][2]int
	m.FindAll(data[lo:hi], func(_, start, end int) bool {
		start, end = start+lo, end+lo
		ls := bytes.LastIndexByte(data[:start], '\n') + 1
		// Is there a changed range within the window [ls, ls+window)?
		k := sort.Search(len(ranges), func(i int) bool { return ranges[i][1] > ls })
		if k < len(ranges) && ranges[k][0] < ls+multilineWindow {
			extra = append(extra, [2]int{start, end})
		}
		return true
	})
	if len(extra) == 0 {
		return ranges
	}
	all := append(append([][2]int(nil), ranges...), extra...)
	sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
	merged := all[:1]
	for _, r := range all[1:] {
		if last := &merged[len(merged)-1]; r[0] <= last[1] {
			last[1] = max(last[1], r[1])
		} else {
			merged = append(merged, r)
		}
	}
	return merged
}

// multilineKeywords builds a matcher over the keywords of the rules the
// detector gives a line-spanning window (its window policy, not the rule's
// multiline field: a gitleaks config has none), or nil when it has none.
func multilineKeywords(d *scanner.Detector) *ahocorasick.Matcher {
	kws := d.SpanningKeywords()
	if len(kws) == 0 {
		return nil
	}
	return ahocorasick.New(kws)
}
