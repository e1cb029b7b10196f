package scanner

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/leakfix/leakfix/scanner/archive"
)

// ErrArchiveLimit is wrapped by the errors Detect returns when an archive
// hit a limit (size, ratio, entries, depth): part of it went unscanned,
// and the scan must say so in its exit status.
var ErrArchiveLimit = archive.ErrLimit

// resolveDepths turns the Options' zero-means-default, negative-means-off
// depths into the detector's settings.
func resolveDepths(opts Options) (decodeDepth int, lim archive.Limits) {
	decodeDepth = opts.MaxDecodeDepth
	switch {
	case decodeDepth == 0:
		decodeDepth = DefaultMaxDecodeDepth
	case decodeDepth < 0:
		decodeDepth = 0
	}
	lim = archive.DefaultLimits
	if opts.ArchiveLimits != nil {
		lim = *opts.ArchiveLimits
	}
	switch {
	case opts.MaxArchiveDepth > 0:
		lim.MaxDepth = opts.MaxArchiveDepth
	case opts.MaxArchiveDepth < 0:
		lim.MaxDepth = 0
	case lim.MaxDepth == 0:
		lim.MaxDepth = archive.DefaultLimits.MaxDepth
	}
	return decodeDepth, lim
}

// OpensArchive reports whether Detect opens data as an archive: archives
// are on and its first bytes are an archive's. Sources call it on binary
// content before skipping it.
func (d *Detector) OpensArchive(data []byte) bool {
	return d.archives.MaxDepth > 0 && archive.Sniff(data) != archive.None
}

// detectArchive scans every text entry of an archive (nested archives
// included) as a fragment named "outer!inner". Findings keep the archive's
// own path in Container. Limit hits come back as errors wrapping
// ErrArchiveLimit, with the findings made before them.
func (d *Detector) detectArchive(frag Fragment) ([]Finding, error) {
	if d.globallyAllowedPath(frag.Path) {
		return nil, nil
	}
	var out []Finding
	var errs []error
	// A binary entry only matters whole to a path-only rule that names it.
	keep := func(path string, head []byte) bool { return !IsBinary(head) || d.NamesFile(path) }
	_, err := archive.WalkKeeping(context.Background(), frag.Path, frag.Data, d.archives, keep, func(e archive.Entry) error {
		if IsBinary(e.Data) {
			// A keystore inside an archive is still a whole-file secret.
			fs := d.DetectBinaryData(Fragment{Path: e.Path, Data: e.Data, Commit: frag.Commit}, "")
			for i := range fs {
				fs[i].Container = frag.Path
			}
			out = append(out, fs...)
			return nil
		}
		fs, err := d.detect(Fragment{Path: e.Path, Data: e.Data, Commit: frag.Commit}, 0, nil)
		if err != nil {
			errs = append(errs, err)
		}
		for i := range fs {
			fs[i].Container = frag.Path
		}
		out = append(out, fs...)
		return nil
	})
	if err != nil && !errors.Is(err, ErrArchiveLimit) && len(out) == 0 && !IsBinary(frag.Data) {
		// Text that only looked like an archive ("ustar" at offset 257):
		// scan it as the text it is.
		return d.detect(frag, 0, nil)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// ArchiveLimits gathers the archive limit hits among a scan's errors, for
// the scan's own error: a limit hit means an incomplete scan.
func ArchiveLimits(errs []error) error {
	var hits []error
	for _, e := range errs {
		if errors.Is(e, ErrArchiveLimit) {
			hits = append(hits, e)
		}
	}
	return errors.Join(hits...)
}

// largeArchive reads a file too large to hold as text (streamed, see
// stream.go) whole when its first bytes are an archive's that Detect
// opens: archives are scanned entry by entry, never streamed. The
// archive limits bound what it inflates; the compressed file itself is at
// most the archive's total inflated limit.
func (d *Detector) largeArchive(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	head := make([]byte, 512) // tar's magic sits at offset 257
	n, _ := io.ReadFull(f, head)
	if !d.OpensArchive(head[:n]) {
		return nil, false, nil
	}
	st, err := f.Stat()
	if err != nil || st.Size() > d.archives.MaxTotal {
		return nil, false, err
	}
	data, err := os.ReadFile(path)
	return data, err == nil, err
}
