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
	seed  maphash.Seed
	set   map[uint64]struct{}
	max   int
	ends  []int // scratch: end offset of each line of the current blob
	fresh []bool
}

const maxLinesPerPath = 1 << 17

func newLineSet() *lineSet {
	return &lineSet{seed: maphash.MakeSeed(), set: map[uint64]struct{}{}, max: maxLinesPerPath}
}

func (s *lineSet) reset() { clear(s.set) }

// addAll remembers every line of data.
func (s *lineSet) addAll(data []byte) {
	for off := 0; off < len(data); {
		end := lineEndAt(data, off)
		if len(s.set) >= s.max {
			return
		}
		s.set[maphash.Bytes(s.seed, data[off:end])] = struct{}{}
		off = end + 1
	}
}

// contextLines is how many lines around a changed line are rescanned: the
// detector's regex window spans two lines each side of a keyword, so a
// keyword on an unchanged line can still match text on a changed one.
const contextLines = 2

// newRanges remembers data's lines and returns the byte ranges to scan:
// the lines not seen before, widened by contextLines each side, merged.
// fresh reports whether no line at all had been seen before.
func (s *lineSet) newRanges(data []byte, remember bool) (ranges [][2]int, fresh bool) {
	s.ends, s.fresh = s.ends[:0], s.fresh[:0]
	anyOld := false
	for off := 0; off < len(data); {
		end := lineEndAt(data, off)
		h := maphash.Bytes(s.seed, data[off:end])
		_, seen := s.set[h]
		if !seen && remember && len(s.set) < s.max {
			s.set[h] = struct{}{}
		}
		anyOld = anyOld || seen
		s.ends = append(s.ends, end)
		s.fresh = append(s.fresh, !seen)
		off = end + 1
	}
	if !anyOld {
		return nil, true
	}
	ranges = [][2]int{} // non-nil: "nothing new" must not mean "scan all"
	lineStart := func(i int) int {
		if i == 0 {
			return 0
		}
		return s.ends[i-1] + 1
	}
	for i, isNew := range s.fresh {
		if !isNew {
			continue
		}
		lo := lineStart(max(0, i-contextLines))
		hi := s.ends[min(len(s.ends)-1, i+contextLines)]
		if hi < len(data) {
			hi++ // include the newline, so a hit at a line's end is inside
		}
		if n := len(ranges); n > 0 && lo <= ranges[n-1][1] {
			ranges[n-1][1] = max(ranges[n-1][1], hi)
		} else {
			ranges = append(ranges, [2]int{lo, hi})
		}
	}
	return ranges, false
}

func lineEndAt(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(data)
}

// multilineWindow mirrors the detector's window for multiline rules: the
// regex sees up to this much text after a keyword hit's line start.
const multilineWindow = 32 << 10

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

// multilineKeywords builds a matcher over the keywords of the pack's
// multiline rules, or nil when it has none.
func multilineKeywords(d *scanner.Detector) *ahocorasick.Matcher {
	var kws []string
	for _, r := range d.Config().Rules {
		if r.Multiline {
			kws = append(kws, r.Keywords...)
		}
	}
	if len(kws) == 0 {
		return nil
	}
	return ahocorasick.New(kws)
}
