package purge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/archive"
)

// Archived is a secret found inside an archive (Finding.Container set).
// No text replacement reaches into compressed bytes, so it gets no
// replace-text line: the archive's blobs are stripped instead
// (--strip-blobs-with-ids), or its path dropped from every commit
// (--invert-paths). It never holds the value.
type Archived struct {
	Name, RuleID string
	File         string // "dist.zip!lib/app.jar!application.properties"
	Container    string // "dist.zip"
	Commit       string
}

// splitArchived takes the findings inside archives, and whole binary
// credential files (scanner.TagWholeFile), out of findings.
func splitArchived(findings []scanner.Finding) (rest []scanner.Finding, archived []Archived) {
	for _, f := range findings {
		container := f.Container
		if container == "" && f.IsWholeFile() {
			container = f.File // a binary credential file: the file is the blob
		}
		if container == "" {
			rest = append(rest, f)
			continue
		}
		archived = append(archived, Archived{Name: f.SecretName, RuleID: f.RuleID, File: f.File, Container: container, Commit: f.Commit})
	}
	return rest, archived
}

// ArchivePaths are the paths of the archives that hold secrets, sorted,
// for `git filter-repo --invert-paths --path ...`.
func (p *Plan) ArchivePaths() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range p.Archived {
		if !seen[a.Container] {
			seen[a.Container] = true
			out = append(out, a.Container)
		}
	}
	sort.Strings(out)
	return out
}

// archiveBlobs adds every blob ever stored at an archive path of
// findings that still holds one of those findings' values somewhere
// inside it (any version of the archive, not only the first one the scan
// reports), as Binary and Archive: it must be stripped.
func archiveBlobs(ctx context.Context, gitBin, repo string, findings []scanner.Finding, found map[string]*Unreachable) error {
	values := map[string][][]byte{} // container → values
	for _, f := range findings {
		if f.Container != "" && f.Secret != "" && f.Secret != scanner.RedactedText {
			v := f.Secret
			if f.Encoding != "" {
				v = f.Match // stored encoded inside the entry
			}
			values[f.Container] = append(values[f.Container], []byte(v))
		}
	}
	if len(values) == 0 {
		return nil
	}
	out, err := exec.CommandContext(ctx, gitBin, "-C", repo, "rev-list", "--objects", "--all").Output()
	if err != nil {
		return fmt.Errorf("git rev-list: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		id, path, _ := strings.Cut(sc.Text(), " ")
		vs, ok := values[path]
		if !ok {
			continue
		}
		data, err := exec.CommandContext(ctx, gitBin, "-C", repo, "cat-file", "blob", id).Output()
		if err != nil {
			return fmt.Errorf("git cat-file blob %s: %w", id, err)
		}
		if archiveHolds(path, data, vs) {
			add(found, Unreachable{ID: id, Size: int64(len(data)), Paths: []string{path}, Binary: true, Archive: true})
		}
	}
	return sc.Err()
}

// archiveHolds reports whether an entry of the archive holds a value. An
// archive that hits a limit counts as holding one: what was not read
// cannot be called clean.
func archiveHolds(name string, data []byte, values [][]byte) bool {
	if archive.Sniff(data) == archive.None {
		return false
	}
	hit := false
	_, err := archive.Walk(context.Background(), name, data, archive.DefaultLimits, func(e archive.Entry) error {
		for _, v := range values {
			if bytes.Contains(e.Data, v) {
				hit = true
				return errFound
			}
		}
		return nil
	})
	return hit || errors.Is(err, archive.ErrLimit)
}

var errFound = errors.New("found")

// writeArchiveNote says how the archives' secrets go: their blobs are in
// the strip-ids file; dropping the paths from every commit is the other way.
func writeArchiveNote(b *strings.Builder, paths []string) {
	b.WriteString("  Secrets inside archives, and binary credential files (the whole file is the secret), cannot be replaced: their blobs are in the --strip-blobs-with-ids file.\n")
	b.WriteString("  To drop those files from every commit instead (each version, clean or not):\n")
	inv := "    git filter-repo --replace-refs delete-no-add --invert-paths"
	for _, p := range paths {
		inv += " --path " + ShellQuote(p)
	}
	b.WriteString(inv + "\n")
}
