package history

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// blobScanner is one reader's scanning state: the detector, the line set of
// the path being read, and the findings so far (earliest per key).
type blobScanner struct {
	d         *scanner.Detector
	in        *introductions
	lines     *lineSet
	multi     *ahocorasick.Matcher
	lineSkip  bool
	found     earliest
	ruleErrs  []error
	counters  *counters
	commitHex []string // rank → hex, filled lazily
}

// counters are shared by all readers and read by the progress reporter.
type counters struct {
	commits     atomic.Int64 // commits diffed
	blobs       atomic.Int64 // blobs read (text, binary or too large)
	blobsTotal  atomic.Int64
	bytes       atomic.Int64 // bytes of blob content read
	scanned     atomic.Int64 // bytes of text scanned
	binary      atomic.Int64
	tooLarge    atomic.Int64
	skipped     atomic.Int64 // bytes of unchanged lines not rescanned
	objectsRead atomic.Int64 // commits read in the walk
}

func newBlobScanner(d *scanner.Detector, in *introductions, multi *ahocorasick.Matcher, lineSkip bool, c *counters) *blobScanner {
	return &blobScanner{d: d, in: in, lines: newLineSet(), multi: multi, lineSkip: lineSkip,
		found: earliest{}, counters: c, commitHex: make([]string, len(in.commits))}
}

func (s *blobScanner) commit(rank int32) string {
	if s.commitHex[rank] == "" {
		s.commitHex[rank] = s.in.commits[rank].String()
	}
	return s.commitHex[rank]
}

// binaryOnly reports that a blob was seen and is binary.
func (s *blobScanner) skip(size int64, binary bool) {
	s.counters.blobs.Add(1)
	s.counters.bytes.Add(size)
	if binary {
		s.counters.binary.Add(1)
	} else {
		s.counters.tooLarge.Add(1)
	}
}

// scan runs the detector over one blob at its first path (skipping lines
// already scanned in earlier versions of that path) and at its other paths.
func (s *blobScanner) scan(j *blobJob, data []byte) {
	s.counters.blobs.Add(1)
	s.counters.bytes.Add(int64(len(data)))
	if scanner.IsBinary(data) {
		s.counters.binary.Add(1)
		return
	}
	if j.firstOfPath {
		s.lines.reset()
	}
	frag := scanner.Fragment{Path: s.in.paths[j.path], Data: data, Commit: s.commit(j.rank)}
	var fs []scanner.Finding
	var err error
	switch {
	case !s.lineSkip:
		fs, err = s.d.Detect(frag)
	case j.firstOfPath:
		if !j.lastOfPath {
			s.lines.addAll(data)
		}
		fs, err = s.d.Detect(frag)
	default:
		ranges, fresh := s.lines.newRanges(data, !j.lastOfPath)
		if fresh {
			fs, err = s.d.Detect(frag)
			break
		}
		ranges = widenForMultiline(s.multi, data, ranges)
		covered := 0
		for _, r := range ranges {
			covered += r[1] - r[0]
		}
		s.counters.skipped.Add(int64(len(data) - covered))
		fs, err = s.d.DetectLines(frag, ranges)
	}
	s.counters.scanned.Add(int64(len(data)))
	s.keep(fs, err, j.rank)
	for _, p := range j.extra {
		frag := scanner.Fragment{Path: s.in.paths[p.path], Data: data, Commit: s.commit(p.rank)}
		fs, err := s.d.Detect(frag)
		s.keep(fs, err, p.rank)
	}
}

func (s *blobScanner) keep(fs []scanner.Finding, err error, rank int32) {
	if err != nil {
		s.ruleErrs = append(s.ruleErrs, err)
	}
	for _, f := range fs {
		f.Commit = s.commit(rank)
		s.found.add(f, rank)
	}
}

// ruleErrors returns the regex timeouts met, which are warnings: the other
// rules' findings stand.
func (s *blobScanner) ruleErrors() []error {
	var out []error
	for _, e := range s.ruleErrs {
		if errors.Is(e, rules.ErrMatchTimeout) {
			out = append(out, e)
		} else {
			out = append(out, fmt.Errorf("scan: %w", e))
		}
	}
	return out
}
