package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// Streaming: a big file or stdin is scanned in segments of StreamWindow
// bytes, each handed to the detector with Overlap() bytes of context on
// either side, so memory is bounded by the window, not the input, and the
// segments run on every core. A finding belongs to the segment holding its
// secret's first byte; the others drop their copy. Line numbers are carried
// from segment to segment.
const (
	// StreamWindow is the bytes each segment owns.
	StreamWindow = 4 << 20
	// DefaultMaxScanSize is the default --max-file-size of `scan` for files
	// and stdin. Streaming holds at most a few windows whatever the size,
	// so the cap is about time (about 10 s per GiB on one core of the
	// 2-core bench machine, see docs/DESIGN.md), not memory.
	DefaultMaxScanSize = 1 << 30
)

// streamAbove is the size from which FileSource streams a file instead of
// reading it whole: below it the one-fragment scan is the same work.
const streamAbove = 2 * StreamWindow

// Overlap is the context each streamed segment gets on either side, derived
// from how far the detector looks around a keyword hit for the rules it
// runs. Every rule's regex sees only a window around a hit (the hit's line
// cut to maxBefore/maxAfter bytes; two lines more for rules that cross a
// line break; multilineWindow bytes ahead for multiline rules such as
// private keys), and rules without keywords are anchored to one line, so
// no match and none of the context judged around it (the line, the
// identifier before the secret) reaches further than this — except on
// lines or base64 tokens longer than the overlap itself, which docs/DESIGN.md
// names as the streaming edge case.
func (d *Detector) Overlap() int {
	reach := maxBefore + maxAfter // one line, cut around the hit
	for _, r := range d.rules {
		switch {
		case r.SpansLines():
			reach = max(reach, multilineWindow+maxAfter)
		case r.CrossLine():
			reach = max(reach, maxBefore+3*maxAfter)
		}
	}
	// Twice the reach: the leading context must also hold the start of a
	// merged window that began before the hit.
	o := 4 << 10
	for o < 2*reach {
		o *= 2
	}
	return o
}

// streamChunk is one segment with its context.
type streamChunk struct {
	data     []byte
	base     int64 // offset of data[0] in the stream
	line     int   // 1-based line number of data[0]
	own0     int64 // the segment: [own0, own1) in stream offsets
	own1     int64
	released func()
}

// StreamStats says what a streamed scan read.
type StreamStats struct {
	Bytes    int64
	Segments int
}

// ScanStream scans r as one fragment named name, in bounded memory, with
// the findings a scan of the whole content at once would give (sorted).
// Errors are the reader's (wrapped, with no findings) or rule timeouts
// (joined, with the findings).
func ScanStream(ctx context.Context, r io.Reader, name string, d *Detector) ([]Finding, StreamStats, error) {
	return scanStream(ctx, r, name, d, StreamWindow, d.Overlap(), runtime.GOMAXPROCS(0))
}

func scanStream(ctx context.Context, r io.Reader, name string, d *Detector, window, overlap, workers int) ([]Finding, StreamStats, error) {
	var stats StreamStats
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunkCap := window + 4*overlap + 1
	free := make(chan []byte, workers+1) // buffers bound the memory in flight
	for range workers + 1 {
		free <- nil
	}
	chunks := make(chan streamChunk)
	var (
		mu       sync.Mutex
		findings []Finding
		ruleErrs []error
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				fs, err := d.Detect(Fragment{Path: name, Data: c.data})
				kept := fs[:0]
				for _, f := range fs {
					at := c.base + int64(f.SecretStart)
					if at < c.own0 || at >= c.own1 {
						continue // the neighbouring segment reports it
					}
					f.StartLine += c.line - 1
					f.EndLine += c.line - 1
					f.SecretStart += int(c.base)
					f.SecretEnd += int(c.base)
					kept = append(kept, f)
				}
				c.released()
				mu.Lock()
				findings = append(findings, kept...)
				if err != nil {
					ruleErrs = append(ruleErrs, err)
				}
				mu.Unlock()
			}
		}()
	}

	readErr := func() error {
		defer close(chunks)
		buf := make([]byte, 0, chunkCap)
		var bufOff int64 // stream offset of buf[0]
		bufLine := 1     // line number at buf[0]
		var segStart int64
		eof := false
		for {
			// Fill: the segment, and two overlaps either side of its end.
			need := int(segStart-bufOff) + window + 2*overlap
			for !eof && len(buf) < need {
				n, err := r.Read(buf[len(buf):min(cap(buf), need)])
				buf = buf[:len(buf)+n]
				stats.Bytes += int64(n)
				if errors.Is(err, io.EOF) {
					eof = true
				} else if err != nil {
					return fmt.Errorf("read %s: %w", name, err)
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			end := bufOff + int64(len(buf))
			rel := func(off int64) int { return int(off - bufOff) }
			var segEnd int64
			if eof && end-segStart <= int64(window)+int64(overlap) {
				segEnd = end // the rest fits: last segment
			} else {
				// Cut after a newline in the segment's second half.
				segEnd = segStart + int64(window)
				if i := bytes.LastIndexByte(buf[rel(segStart+int64(window/2)):rel(segEnd)], '\n'); i >= 0 {
					segEnd = segStart + int64(window/2) + int64(i) + 1
				}
			}
			// Context before: from a line start between 2 and 1 overlaps back.
			ctxStart := segStart
			if segStart > 0 {
				lo := max(bufOff, segStart-2*int64(overlap))
				hi := max(lo, segStart-int64(overlap))
				ctxStart = hi
				if i := bytes.LastIndexByte(buf[rel(lo):rel(hi)], '\n'); i >= 0 {
					ctxStart = lo + int64(i) + 1
				}
			}
			// Context after: to a line end between 1 and 2 overlaps ahead.
			ctxEnd := segEnd
			if segEnd < end {
				lo := min(end, segEnd+int64(overlap))
				hi := min(end, segEnd+2*int64(overlap))
				ctxEnd = hi
				if i := bytes.IndexByte(buf[rel(lo):rel(hi)], '\n'); i >= 0 {
					ctxEnd = lo + int64(i) + 1
				}
			}
			var out []byte
			select {
			case out = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			out = append(out[:0], buf[rel(ctxStart):rel(ctxEnd)]...)
			line := bufLine + bytes.Count(buf[:rel(ctxStart)], []byte{'\n'})
			stats.Segments++
			released := func() { free <- out }
			select {
			case chunks <- streamChunk{data: out, base: ctxStart, line: line, own0: segStart, own1: segEnd, released: released}:
			case <-ctx.Done():
				return ctx.Err()
			}
			if segEnd >= end && eof {
				return nil
			}
			// Slide: keep two overlaps before the next segment.
			segStart = segEnd
			keep := max(bufOff, segStart-2*int64(overlap))
			drop := rel(keep)
			bufLine += bytes.Count(buf[:drop], []byte{'\n'})
			n := copy(buf, buf[drop:])
			buf = buf[:n]
			bufOff = keep
		}
	}()
	if readErr != nil {
		cancel()
	}
	wg.Wait()
	if readErr != nil {
		return nil, stats, readErr
	}
	SortFindings(findings)
	return findings, stats, errors.Join(ruleErrs...)
}

// scanLargeFile streams one file past streamAbove bytes. It reports it
// binary (nil findings, true) from its first bytes as readCandidate would.
func scanLargeFile(ctx context.Context, path, rel string, d *Detector) ([]Finding, int64, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, false, err
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, 0, false, err
	}
	if IsBinary(head[:n]) {
		return nil, 0, true, nil
	}
	fs, st, err := ScanStream(ctx, io.MultiReader(bytes.NewReader(head[:n]), f), rel, d)
	return fs, st.Bytes, false, err
}
