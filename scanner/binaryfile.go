package scanner

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/leakfix/leakfix/scanner/archive"
	"io"
	"os"
)

// Binary credential files (a PKCS#12 bundle, a Java keystore) are secrets
// as a whole: no regex runs over them, but a path-only rule (a `path` and
// no `regex`) names them. Sources skip binary content before the
// detector, so they hand it here instead.
//
// A whole-file finding is at line 1, column 1, and its Secret is the
// file's git blob id (SHA-1 of "blob <size>\0" + content, what
// `git hash-object` prints): it is the same in a tree scan and in
// history, it is what `git filter-repo --strip-blobs-with-ids` takes, and
// it never carries the file's bytes. The fingerprint is made from it like
// any other secret. Match says what the file is, not what it holds.

// TagWholeFile marks a finding whose secret is a whole binary file: fix
// leaves it in place, purge strips its blobs instead of replacing text.
const TagWholeFile = "whole-file"

// IsWholeFile reports a finding on a binary file as a whole.
func (f *Finding) IsWholeFile() bool {
	for _, t := range f.Tags {
		if t == TagWholeFile {
			return true
		}
	}
	return false
}

// tagKeystore marks rules whose files always start with a known magic
// (keystoreMagic): content without it lowers the finding to low.
const tagKeystore = "keystore"

// keystoreMagic names the container format data starts with, or "".
// PKCS#12 is a DER (or BER) SEQUENCE with a long or indefinite length;
// JKS and JCEKS have their own 4-byte magics.
func keystoreMagic(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}):
		return "jks"
	case bytes.HasPrefix(data, []byte{0xCE, 0xCE, 0xCE, 0xCE}):
		return "jceks"
	case len(data) >= 4 && data[0] == 0x30 && data[1] >= 0x80 && data[1] <= 0x84:
		return "der"
	}
	return ""
}

// GitBlobID returns the SHA-1 git blob id of data.
func GitBlobID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// BinaryFile is a binary file or blob as the path-only rules see it.
type BinaryFile struct {
	Path   string
	Commit string
	// Head is the start of the content (the first 8 bytes at least) for
	// the format's magic; nil when the reader did not keep it, and the
	// rule's own confidence then stands.
	Head   []byte
	BlobID string // git blob id of the content
}

// DetectBinary runs the path-only rules over a binary file.
func (d *Detector) DetectBinary(b BinaryFile) []Finding {
	if len(d.pathOnly) == 0 || d.globallyAllowedPath(b.Path) {
		return nil
	}
	var out []Finding
	for _, ri := range d.pathOnly {
		r := d.rules[ri]
		if re := r.PathRegexp(); re == nil || !re.MatchString(b.Path) {
			continue
		}
		checked := ""
		switch {
		case b.Head == nil:
		case keystoreMagic(b.Head) != "":
			checked = "high"
		case r.HasTag(tagKeystore):
			checked = "low" // the extension without the format
		}
		f := Finding{
			RuleID:      r.ID,
			Description: r.Description,
			File:        b.Path,
			StartLine:   1,
			EndLine:     1,
			StartColumn: 1,
			EndColumn:   1,
			Commit:      b.Commit,
			Match:       "binary file, git blob " + b.BlobID,
			Secret:      b.BlobID,
			Provider:    r.Provider,
			Severity:    r.Severity,
			Tags:        append(append([]string(nil), r.Tags...), TagWholeFile),
		}
		if f.Provider == "" {
			f.Provider = providerFromID(r.ID)
		}
		f.Confidence = assessConfidence(r, checked, b.Path, "", "", b.BlobID)
		f.Fingerprint = d.hash.Fingerprint(r.ID, b.Path, b.BlobID)
		if d.ignored(&f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// DetectBinaryData is DetectBinary for content in memory; blobID is
// computed when "".
func (d *Detector) DetectBinaryData(frag Fragment, blobID string) []Finding {
	if !d.NamesFile(frag.Path) {
		return nil
	}
	if blobID == "" {
		blobID = GitBlobID(frag.Data)
	}
	return d.DetectBinary(BinaryFile{Path: frag.Path, Commit: frag.Commit, Head: frag.Data, BlobID: blobID})
}

// detectBinaryFile is DetectBinary for the file source: data is nil when
// the file was too large to hold, and is then hashed from abs in a stream,
// only if a path-only rule names the file.
func (d *Detector) detectBinaryFile(rel, abs string, data []byte) ([]Finding, error) {
	if !d.NamesFile(rel) {
		return nil, nil
	}
	if data != nil {
		return d.DetectBinaryData(Fragment{Path: rel, Data: data}, ""), nil
	}
	head, id, err := hashFile(abs)
	if err != nil {
		return nil, err
	}
	return d.DetectBinary(BinaryFile{Path: rel, Head: head, BlobID: id}), nil
}

// NamesFile reports whether a path-only rule applies to path.
func (d *Detector) NamesFile(path string) bool {
	var rev reversePath // the detector's reversed path matching (pathmatch.go)
	for _, ri := range d.pathOnly {
		if re := d.rules[ri].PathRegexp(); re != nil && d.pathMatches(ri, re, path, &rev) {
			return true
		}
	}
	return false
}

// hashFile returns a file's first bytes and its git blob id, reading it
// once in a stream.
func hashFile(path string) (head []byte, id string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("open binary file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("stat binary file: %w", err)
	}
	head = make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("read binary file: %w", err)
	}
	head = head[:n]
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", st.Size())
	h.Write(head)
	if _, err := io.Copy(h, f); err != nil {
		return nil, "", fmt.Errorf("read binary file: %w", err)
	}
	return head, hex.EncodeToString(h.Sum(nil)), nil
}

// readText reads a file of size bytes from f, unless its first sniffLen
// bytes already say it is binary and neither an archive nor UTF-16 text:
// then skipped is set and nothing more is read (images, wasm, test
// binaries), since only its path and, for a path-only rule, its blob id
// matter, and detectBinaryFile hashes those from the file when asked.
func readText(f io.Reader, size int64) (data []byte, skipped bool, err error) {
	head := make([]byte, min(size, sniffLen))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false, err
	}
	if n < len(head) || int64(n) == size {
		return head[:n], false, nil
	}
	if IsBinary(head) && archive.Sniff(head) == archive.None {
		if _, utf16 := DecodeUTF16(head[:min(n, 4)]); !utf16 {
			return nil, true, nil
		}
	}
	data = make([]byte, size)
	copy(data, head)
	m, err := io.ReadFull(f, data[n:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	return data[:n+m], false, nil
}
