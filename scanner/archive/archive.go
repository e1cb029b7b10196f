// Package archive turns an archive's bytes into named entries, in memory:
// zip (and its jar/war/ear/whl/nupkg/apk/aar kin), tar, and gzip, bzip2 and
// xz streams (a compressed tar, or a single compressed file), nested to a
// depth. Nothing is ever written to disk, so entry names such as
// "../../etc/passwd" or "/root/.ssh/id_rsa" are only labels. Symlink,
// hard-link and device entries are ignored. Every inflated byte is counted
// against limits on total size, compression ratio, entry count and
// nesting depth; a limit hit stops the archive and is returned as a
// *LimitError.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ulikunitz/xz"
)

// Format is what Sniff saw at the start of some bytes.
type Format int

// The formats Sniff recognises. None means "not an archive".
const (
	None Format = iota
	Zip
	Tar
	Gzip
	Bzip2
	XZ
)

func (f Format) String() string {
	return [...]string{"none", "zip", "tar", "gzip", "bzip2", "xz"}[f]
}

// Sniff recognises an archive by its magic bytes; names are not trusted
// (a .jar is a zip, a renamed .tgz is still gzip). It is O(1), so every
// file can be asked.
func Sniff(data []byte) Format {
	switch {
	case len(data) >= 4 && data[0] == 'P' && data[1] == 'K' &&
		(data[2] == 3 && data[3] == 4 || data[2] == 5 && data[3] == 6):
		return Zip
	case len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8:
		return Gzip
	case len(data) >= 10 && data[0] == 'B' && data[1] == 'Z' && data[2] == 'h' &&
		data[3] >= '1' && data[3] <= '9' && bytes.Equal(data[4:10], []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}):
		return Bzip2
	case len(data) >= 6 && bytes.Equal(data[:6], []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return XZ
	case isTar(data):
		return Tar
	}
	return None
}

// isTar checks the ustar magic at offset 257 (POSIX and GNU tar both write
// it; pre-POSIX v7 archives are too rare to guess at).
func isTar(data []byte) bool {
	return len(data) >= 263 && bytes.Equal(data[257:262], []byte("ustar"))
}

// Limits bound the work one outermost archive may cause. The budget is
// shared by everything nested inside it.
type Limits struct {
	// MaxDepth is how many archive levels are opened: 1 opens the
	// archive but not archives inside it.
	MaxDepth int
	// MaxTotal is the most bytes inflated from one outermost archive.
	MaxTotal int64
	// MaxRatio is the most inflated bytes per compressed byte of one
	// entry or stream, once past RatioFloor inflated bytes.
	MaxRatio int64
	// MaxEntries is the most entries (files, directories, anything) read
	// from one outermost archive, nested ones included.
	MaxEntries int
	// MaxEntrySize is the largest entry passed on; larger ones are skipped
	// (counted in Stats.TooLarge), as files larger than --max-file-size are.
	// Nested archives may be larger, within MaxTotal.
	MaxEntrySize int64
}

// RatioFloor is how much an entry may inflate before MaxRatio applies:
// tiny files of repeated bytes compress far beyond any bomb ratio.
const RatioFloor = 1 << 20

// DefaultLimits are the limits leakfix scans with. See docs/DESIGN.md.
var DefaultLimits = Limits{
	MaxDepth:     4,
	MaxTotal:     512 << 20,
	MaxRatio:     100,
	MaxEntries:   100_000,
	MaxEntrySize: 10 << 20,
}

// ErrLimit is wrapped by every *LimitError.
var ErrLimit = errors.New("archive limit exceeded")

// LimitError names the limit an archive hit and where. It never holds
// entry content.
type LimitError struct {
	Path  string // the entry or archive where the limit was hit
	Limit string // "depth", "total size", "ratio", "entries"
	Value int64  // the limit's value
}

func (e *LimitError) Error() string {
	if e.Limit == "depth" {
		return fmt.Sprintf("%s: archive depth limit (%d) reached; this archive was not opened (raise --max-archive-depth)", e.Path, e.Value)
	}
	return fmt.Sprintf("%s: archive %s limit (%d) exceeded; the rest of the archive was not scanned", e.Path, e.Limit, e.Value)
}

// Unwrap lets errors.Is(err, ErrLimit) work.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Entry is one regular file inside an archive.
type Entry struct {
	// Path is the outer name, then each level's entry name, joined with
	// "!": "dist.zip!lib/app.jar!application.properties".
	Path string
	// Data is the entry's content; valid only during the callback.
	Data []byte
}

// Stats counts what Walk skipped.
type Stats struct {
	Entries  int // regular-file entries passed on or skipped
	TooLarge int // entries larger than MaxEntrySize
	Skipped  int // symlinks, hard links, devices
}

// Walk opens data (whose name is name) and calls fn for every regular-file
// entry that is not itself an archive; archives inside are opened in turn
// up to lim.MaxDepth (deeper ones are passed to fn as they are, for the
// caller to judge as binary). fn's error stops the walk and is returned. A
// corrupt archive yields an error wrapping the format's own.
func Walk(ctx context.Context, name string, data []byte, lim Limits, fn func(Entry) error) (Stats, error) {
	return WalkKeeping(ctx, name, data, lim, nil, fn)
}

// HeadLen is how much of an entry WalkKeeping's keep sees: git's window
// for calling content binary.
const HeadLen = 8 << 10

// WalkKeeping is Walk for a caller that needs only some entries whole:
// keep sees each entry's path and first HeadLen bytes (all of it when
// shorter), and an entry it refuses is inflated only to count against the
// limits, never held (a scanner has no use for an image inside a jar).
// Nested archives are always opened. A nil keep keeps every entry.
func WalkKeeping(ctx context.Context, name string, data []byte, lim Limits, keep func(path string, head []byte) bool, fn func(Entry) error) (Stats, error) {
	w := &walker{ctx: ctx, lim: lim, fn: fn, keep: keep}
	err := w.open(name, data, 1)
	return w.stats, errors.Join(append(w.deep, err)...)
}

type walker struct {
	ctx     context.Context
	lim     Limits
	fn      func(Entry) error
	keep    func(path string, head []byte) bool
	total   int64
	entries int
	stats   Stats
	// deep holds the depth-limit hits: the archive too deep is left
	// unopened and the walk goes on.
	deep []error
}

// open walks one archive at nesting level depth (1 for the outermost).
func (w *walker) open(name string, data []byte, depth int) error {
	if depth > w.lim.MaxDepth {
		return &LimitError{Path: name, Limit: "depth", Value: int64(w.lim.MaxDepth)}
	}
	switch Sniff(data) {
	case Zip:
		return w.zip(name, data, depth)
	case Tar:
		return w.tar(name, bytes.NewReader(data), depth, int64(len(data)))
	case Gzip:
		cr := &countingReader{r: bytes.NewReader(data)}
		zr, err := gzip.NewReader(cr)
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", name, err)
		}
		zr.Multistream(true)
		return w.stream(name, zr, cr, depth)
	case Bzip2:
		cr := &countingReader{r: bytes.NewReader(data)}
		return w.stream(name, bzip2.NewReader(cr), cr, depth)
	case XZ:
		if d := xzDictSize(data); d > maxXZDict {
			return &LimitError{Path: name, Limit: "xz dictionary", Value: maxXZDict}
		}
		cr := &countingReader{r: bytes.NewReader(data)}
		xr, err := xz.NewReader(cr)
		if err != nil {
			return fmt.Errorf("%s: xz: %w", name, err)
		}
		return w.stream(name, xr, cr, depth)
	}
	return fmt.Errorf("%s: not an archive", name)
}

// stream handles a compressed stream: a compressed tar, or one file whose
// name is the archive's without its compression suffix.
func (w *walker) stream(name string, r io.Reader, compressed *countingReader, depth int) error {
	br := &budgetReader{r: r, w: w, compressed: compressed, path: name}
	// Peek far enough to see a tar header.
	head := make([]byte, 512)
	n, err := io.ReadFull(br, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return wrapRead(name, err)
	}
	rest := io.MultiReader(bytes.NewReader(head), br)
	if isTar(head) {
		return w.tar(name, rest, depth, 0)
	}
	if err := w.count(name); err != nil {
		return err
	}
	return w.entry(name, innerName(name), rest, depth, -1)
}

// innerName is the single file a .gz/.bz2/.xz holds: its own name minus
// the suffix ("app.log.gz" -> "app.log").
func innerName(name string) string {
	base := path.Base(name[strings.LastIndexByte(name, '!')+1:])
	for _, ext := range []string{".gz", ".gzip", ".bz2", ".xz", ".tgz", ".tbz2", ".txz"} {
		if b, ok := strings.CutSuffix(strings.ToLower(base), ext); ok {
			if strings.HasPrefix(ext, ".t") {
				return base[:len(b)] + ".tar"
			}
			return base[:len(b)]
		}
	}
	return base
}

func (w *walker) zip(name string, data []byte, depth int) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%s: zip: %w", name, err)
	}
	for _, f := range zr.File {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if err := w.count(name); err != nil {
			return err
		}
		mode := f.Mode()
		if mode.IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if !mode.IsRegular() {
			w.stats.Skipped++ // symlinks: never followed, never scanned
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s!%s: zip: %w", name, f.Name, err)
		}
		cr := &countingReader{r: nil, fixed: int64(f.CompressedSize64)}
		br := &budgetReader{r: rc, w: w, compressed: cr, path: name + "!" + f.Name}
		err = w.entry(name, f.Name, br, depth, int64(min(f.UncompressedSize64, 1<<62)))
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// tar walks a tar stream. A plain tar (plainSize > 0, not inside a
// compressed stream whose reader counts already) has its entries counted
// against the budget too: PAX-sparse entries inflate holes from nothing.
func (w *walker) tar(name string, r io.Reader, depth int, plainSize int64) error {
	tr := tar.NewReader(r)
	for {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapRead(name, fmt.Errorf("tar: %w", err))
		}
		if err := w.count(name); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
		case tar.TypeDir, tar.TypeXGlobalHeader, tar.TypeXHeader:
			continue
		default:
			// Symlinks, hard links, devices, FIFOs; and sparse files,
			// whose holes would inflate to any declared size for free.
			w.stats.Skipped++
			continue
		}

		var er io.Reader = tr
		if plainSize > 0 {
			er = &budgetReader{r: tr, w: w, compressed: &countingReader{fixed: plainSize}, path: name + "!" + h.Name}
		}
		if err := w.entry(name, h.Name, er, depth, h.Size); err != nil {
			return err
		}
	}
}

// entry reads one entry and either opens it as an archive or hands it on.
// size is the entry's size as its header declares it, or -1.
func (w *walker) entry(outer, inner string, r io.Reader, depth int, size int64) error {
	p := outer + "!" + inner
	w.stats.Entries++
	// Read up to the entry cap; an archive may go on within the budget.
	// The buffer starts at the declared size (capped, since a header can
	// lie), so most entries are read without growing and copying it.
	head := make([]byte, 0, max(512, min(size, w.lim.MaxEntrySize)+1))
	headLen := int64(512)
	if w.keep != nil {
		headLen = HeadLen
	}
	head, err := readUpTo(r, head, headLen)
	if err != nil {
		return wrapRead(p, err)
	}
	isArchive := Sniff(head) != None
	if !isArchive && w.keep != nil && !w.keep(p, head) {
		// Inflated all the same: the limits count what an entry holds.
		n, err := io.Copy(io.Discard, r)
		if int64(len(head))+n > w.lim.MaxEntrySize {
			w.stats.TooLarge++
		}
		return wrapRead(p, err)
	}
	limit := w.lim.MaxEntrySize
	if isArchive {
		limit = w.lim.MaxTotal
	}
	data, err := readUpTo(r, head, limit+1)
	if err != nil {
		return wrapRead(p, err)
	}
	if int64(len(data)) > limit {
		w.stats.TooLarge++
		_, err := io.Copy(io.Discard, r) // still counted against the budget
		return wrapRead(p, err)
	}
	if Sniff(data) != None {
		if depth < w.lim.MaxDepth {
			return w.open(p, data, depth+1)
		}
		// Too deep to open: named so the user knows a level went
		// unscanned; the rest of this archive still is.
		w.deep = append(w.deep, &LimitError{Path: p, Limit: "depth", Value: int64(w.lim.MaxDepth)})
		return nil
	}
	return w.fn(Entry{Path: p, Data: data})
}

// readUpTo appends from r to buf until buf holds n bytes or r ends.
func readUpTo(r io.Reader, buf []byte, n int64) ([]byte, error) {
	idle := 0
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(max(int64(cap(buf)), 4096), n-int64(len(buf)))
			buf = append(buf, make([]byte, grow)...)[:len(buf)]
		}
		k, err := r.Read(buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+k]
		if k == 0 && err == nil {
			if idle++; idle > 100 {
				return buf, io.ErrNoProgress
			}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func (w *walker) count(name string) error {
	w.entries++
	if w.entries > w.lim.MaxEntries {
		return &LimitError{Path: name, Limit: "entries", Value: int64(w.lim.MaxEntries)}
	}
	return nil
}

// wrapRead passes limit errors through unchanged and names the place of
// any other read error.
func wrapRead(p string, err error) error {
	if err == nil {
		return nil
	}
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("%s: %w", p, err)
}

// countingReader counts the compressed bytes a decompressor has consumed;
// for zip entries, whose compressed size is known, fixed holds it.
type countingReader struct {
	r     io.Reader
	n     int64
	fixed int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) consumed() int64 {
	if c.r == nil {
		return c.fixed
	}
	return c.n
}

// budgetReader counts inflated bytes against the outermost archive's
// total and the stream's ratio, and fails the read when either is past.
type budgetReader struct {
	r          io.Reader
	w          *walker
	compressed *countingReader
	path       string
	n          int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	b.w.total += int64(n)
	if b.w.total > b.w.lim.MaxTotal {
		return n, &LimitError{Path: b.path, Limit: "total size", Value: b.w.lim.MaxTotal}
	}
	if b.n > RatioFloor && b.n > b.w.lim.MaxRatio*max(1, b.compressed.consumed()) {
		return n, &LimitError{Path: b.path, Limit: "ratio", Value: b.w.lim.MaxRatio}
	}
	return n, err
}
