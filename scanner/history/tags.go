package history

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakfix/leakfix/scanner"
)

// tagMessage is an annotated tag's text: release notes are written by
// hand and carry pasted credentials as often as commit messages do.
type tagMessage struct {
	hash    plumbing.Hash
	name    string
	target  plumbing.Hash // the object the tag points at
	tagger  string
	email   string
	when    time.Time
	message []byte
}

// noteTag records an annotated tag read while peeling a ref, once.
func (r *repository) noteTag(h plumbing.Hash, data []byte) {
	if r.tags == nil {
		r.tags = map[plumbing.Hash]tagMessage{}
	}
	if _, ok := r.tags[h]; ok {
		return
	}
	t := tagMessage{hash: h}
	head, msg, _ := bytes.Cut(data, []byte("\n\n"))
	for _, line := range bytes.Split(head, []byte{'\n'}) {
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "object":
			if target, ok := parseHex(val); ok {
				t.target = target
			}
		case "tag":
			t.name = string(val)
		case "tagger":
			t.tagger, t.email, t.when = parseSignature(string(val))
		}
	}
	// A signed tag ends with its signature: base64, not prose.
	for _, marker := range []string{"-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"} {
		if i := bytes.Index(msg, []byte(marker)); i >= 0 {
			msg = msg[:i]
		}
	}
	t.message = msg
	r.tags[h] = t
}

// parseSignature splits "Name <email> 1700000000 +0000".
func parseSignature(s string) (name, email string, when time.Time) {
	lt, gt := strings.IndexByte(s, '<'), strings.IndexByte(s, '>')
	if lt < 0 || gt < lt {
		return strings.TrimSpace(s), "", time.Time{}
	}
	name, email = strings.TrimSpace(s[:lt]), s[lt+1:gt]
	fields := strings.Fields(s[gt+1:])
	if len(fields) >= 1 {
		if sec, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			when = time.Unix(sec, 0).UTC()
			if len(fields) >= 2 {
				if tz, err := time.Parse("-0700", fields[1]); err == nil {
					when = when.In(tz.Location())
				}
			}
		}
	}
	return name, email, when
}

// scanTags scans every recorded tag message. A finding is attributed to
// the tag: its commit is the tagged one, its summary names the tag, and it
// is a message finding (purge rewrites tag messages with commit messages).
func scanTags(d *scanner.Detector, tags map[plumbing.Hash]tagMessage) ([]scanner.Finding, []error) {
	var out []scanner.Finding
	var errs []error
	for _, t := range tags {
		if len(bytes.TrimSpace(t.message)) == 0 {
			continue
		}
		fs, err := d.Detect(scanner.Fragment{Data: t.message, Commit: t.target.String()})
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range fs {
			f.InMessage = true
			f.File = ""
			f.Commit = t.target.String()
			f.Author, f.Email = t.tagger, t.email
			if !t.when.IsZero() {
				f.Date = t.when.Format(time.RFC3339)
			}
			f.Message = "tag " + t.name + ": " + firstLine(string(t.message))
			out = append(out, f)
		}
	}
	scanner.SortFindings(out)
	return out, errs
}
