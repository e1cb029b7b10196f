package history

import (
	"bytes"
	"errors"
	"sync/atomic"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// blobScanner is one reader's scanning state: the detector, the line set of
// the path being read, and the findings so far (earliest per key).
type blobScanner struct {
	d          *scanner.Detector
	in         *introductions
	lines      *lineSet
	multi      *ahocorasick.Matcher
	lineSkip   bool
	found      earliest
	ruleErrs   []error
	tooLarge   []string // paths of text blobs skipped for size
	counters   *counters
	commitHex  []string // rank → hex, filled lazily
	beforeBlob func()
	// pathHasMulti: a version of the current path held a keyword of a
	// multiline rule, whose window may reach from an unchanged line into
	// changed ones. pathWholeFile: a rule judges the current path's whole
	// file. Either way later versions get the whole-blob treatment.
	pathHasMulti, pathWholeFile bool
	// verdicts keeps the detector's path-filter verdicts for the path being
	// read, across its versions and excerpts.
	verdicts scanner.PathVerdicts
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

// skip records a blob that is not scanned: binary, or text larger than
// the limit (named: the scan is then incomplete).
func (s *blobScanner) skip(j *blobJob, size int64, binary bool, head []byte) {
	s.counters.blobs.Add(1)
	s.counters.bytes.Add(size)
	if binary {
		s.counters.binary.Add(1)
		s.binary(j, head)
	} else {
		s.counters.tooLarge.Add(1)
		s.tooLarge = append(s.tooLarge, s.in.paths[j.path])
	}
}

// binary runs the path-only rules over a binary blob at each of its paths
// (scanner/binaryfile.go); head is its start, or nil if not kept.
func (s *blobScanner) binary(j *blobJob, head []byte) {
	for _, p := range append([]pair{{path: j.path, rank: j.rank}}, j.extra...) {
		path := s.in.paths[p.path]
		if s.d.NamesFile(path) {
			s.keep(s.d.DetectBinary(scanner.BinaryFile{Path: path, Head: head, BlobID: j.blob.String()}), nil, p.rank)
		}
	}
}

// scan runs the detector over one blob at its first path (skipping lines
// already scanned in earlier versions of that path) and at its other paths.
func (s *blobScanner) scan(j *blobJob, data []byte) {
	if s.beforeBlob != nil {
		s.beforeBlob()
	}
	s.counters.blobs.Add(1)
	s.counters.bytes.Add(int64(len(data)))
	if s.d.OpensArchive(data) {
		s.scanArchive(j, data)
		return
	}
	if text, ok := scanner.DecodeUTF16(data); ok {
		data = text // a UTF-16 file is scanned as its text
	}
	if scanner.IsBinary(data) {
		s.counters.binary.Add(1)
		s.binary(j, data)
		return
	}
	if j.firstOfPath {
		s.lines.reset()
	}
	frag := scanner.Fragment{Path: s.in.paths[j.path], Data: data, Commit: s.commit(j.rank), Verdicts: &s.verdicts}
	if j.firstOfPath {
		s.pathHasMulti = false
		s.pathWholeFile = s.wholeFileRule(frag.Path)
	}
	var fs []scanner.Finding
	var err error
	switch {
	case !s.lineSkip:
		fs, err = s.d.Detect(frag)
	case j.firstOfPath:
		if !j.lastOfPath {
			s.lines.addAll(data)
			// Only later versions ask (a second pass over the blob).
			s.pathHasMulti = s.pathHasMulti || s.multi != nil && s.multi.Contains(data)
		}
		fs, err = s.d.Detect(frag)
	default:
		runs, fresh := s.lines.mark(data, !j.lastOfPath)
		if fresh {
			// No line seen before: nothing to skip.
			s.pathHasMulti = s.pathHasMulti || !j.lastOfPath && s.multi != nil && s.multi.Contains(data)
			fs, err = s.d.Detect(frag)
			break
		}
		fs, err = s.scanChanged(frag, runs)
	}
	s.counters.scanned.Add(int64(len(data)))
	s.keep(fs, err, j.rank)
	for _, p := range j.extra {
		frag := scanner.Fragment{Path: s.in.paths[p.path], Data: data, Commit: s.commit(p.rank), Verdicts: &s.verdicts}
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

// scanChanged scans a later version of a path where only the runs of
// lines are new. Each run is cut out with enough unchanged lines around it
// for the detector's widest window, scanned on its own (keyword
// prefilter, regexes, base64 and all), and the findings' positions moved
// back into the whole blob. So the unchanged bulk of the file costs at
// most one hash per line and nothing else.
func (s *blobScanner) scanChanged(frag scanner.Fragment, runs [][2]int) ([]scanner.Finding, error) {
	data := frag.Data
	if s.pathHasMulti || s.pathWholeFile {
		return s.scanWhole(frag, runs)
	}
	var out []scanner.Finding
	var errs []error
	covered := 0
	// The keyword hits that matter: those within contextLines of a new
	// line. Excerpts reach contextLines further, so each hit's window
	// lies inside its excerpt.
	inner := widenLines(data, runs, contextLines)
	k := 0
	line, lineAt := 1, 0 // 1-based line number at offset lineAt
	for _, ex := range s.excerpts(data, runs) {
		lo, hi := ex[0], ex[1]
		if s.multi != nil && s.multi.Contains(data[lo:hi]) {
			// A new multiline keyword: its window may run past the
			// excerpt. Rare; take the careful path.
			s.pathHasMulti = true
			return s.scanWhole(frag, runs)
		}
		var ranges [][2]int
		for ; k < len(inner) && inner[k][0] < hi; k++ {
			ranges = append(ranges, [2]int{inner[k][0] - lo, inner[k][1] - lo})
		}
		covered += hi - lo
		line += bytes.Count(data[lineAt:lo], []byte{'\n'})
		lineAt = lo
		sub := scanner.Fragment{Path: frag.Path, Data: data[lo:hi], Commit: frag.Commit, Verdicts: frag.Verdicts}
		fs, err := s.d.DetectLines(sub, ranges)
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range fs {
			f.StartLine += line - 1
			f.EndLine += line - 1
			f.SecretStart += lo
			f.SecretEnd += lo
			out = append(out, f)
		}
	}
	s.counters.skipped.Add(int64(len(data) - covered))
	return out, errors.Join(errs...)
}

// excerptGap is the largest run of unchanged bytes kept inside one excerpt
// rather than splitting it in two: every detector call has a fixed cost
// (path filters, allocations) worth about this many bytes of prefilter.
const excerptGap = 16 << 10

// excerpts returns the byte ranges to cut out: each run of new lines with
// 2*contextLines lines around it (a keyword within contextLines of a new
// line sees contextLines more), ranges closer than excerptGap joined.
func (s *blobScanner) excerpts(data []byte, runs [][2]int) [][2]int {
	var out [][2]int
	for _, r := range widenLines(data, runs, 2*contextLines) {
		if n := len(out); n > 0 && r[0]-out[n-1][1] < excerptGap {
			out[n-1][1] = r[1]
			continue
		}
		out = append(out, r)
	}
	return out
}

// scanWhole scans a later version as one fragment, limited to keyword hits
// near new lines (and multiline keywords whose window reaches them).
func (s *blobScanner) scanWhole(frag scanner.Fragment, runs [][2]int) ([]scanner.Finding, error) {
	ranges := widenForMultiline(s.multi, frag.Data, widenLines(frag.Data, runs, contextLines))
	return s.d.DetectLines(frag, ranges)
}

// wholeFileRule reports whether a rule judges the whole file at path (a
// path-only rule: the file itself is the secret), which excerpts would
// cut short. Only path-only rules are asked: matching every rule's path
// pattern against each path was a fifth of the process's CPU on
// spf13/cobra's history.
func (s *blobScanner) wholeFileRule(path string) bool {
	return s.d.NamesFile(path)
}
