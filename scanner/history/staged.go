package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// StagedOptions locate the index to scan.
type StagedOptions struct {
	// IndexFile overrides the repository's index (git sets GIT_INDEX_FILE
	// for hooks of `git commit -a` and `git commit PATH`, which stage into a
	// temporary index).
	IndexFile string
	// MaxBlobSize skips larger staged files; 0 means scanner.DefaultMaxFileSize.
	MaxBlobSize int64
	// Warn receives operational messages; never a secret.
	Warn func(string)
	// GoGit reads the index and trees in process instead of asking the
	// git binary for the staged diff (the path taken anyway when git is
	// missing or the index holds a conflict).
	GoGit bool
}

// StagedStats says what a staged scan covered.
type StagedStats struct {
	Entries int // index entries (0 when git computed the diff)
	Changed int // entries whose blob differs from HEAD's
	Scanned int // text files scanned
	Bytes   int64
}

// ScanStaged scans what the next commit would add: every file in the index
// whose staged blob differs from HEAD's at that path (every file when there
// is no commit yet), with line numbers of the staged version. Only findings
// on lines the commit adds or changes are reported, so a secret already in
// HEAD does not block an unrelated commit — `leakfix history` is the tool
// for what is already committed. The work tree is never read.
func ScanStaged(ctx context.Context, repo string, d *scanner.Detector, opts StagedOptions) ([]scanner.Finding, StagedStats, error) {
	var stats StagedStats
	maxSize := opts.MaxBlobSize
	if maxSize <= 0 {
		maxSize = scanner.DefaultMaxFileSize
	}
	if !opts.GoGit {
		if git, err := exec.LookPath("git"); err == nil {
			fs, st, err := stagedViaGit(ctx, git, repo, d, opts, maxSize)
			if !errors.Is(err, errUseGoGit) {
				return fs, st, err
			}
		}
	}
	r, err := openRepository(repo)
	if err != nil {
		return nil, stats, err
	}
	idx, err := r.readIndex(opts.IndexFile)
	if err != nil {
		return nil, stats, err
	}
	st := r.repo.Storer
	objs := &goGitSource{st: r.storage(8<<20, maxSize)}
	defer objs.close()
	trees := newTreeCache(16 << 20)

	var headTree plumbing.Hash
	head, err := storer.ResolveReference(st, plumbing.HEAD)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		// No commit yet: everything staged is new.
	case err != nil:
		return nil, stats, fmt.Errorf("resolve HEAD: %w", err)
	default:
		data, err := objs.read(head.Hash(), plumbing.CommitObject)
		if err != nil {
			return nil, stats, fmt.Errorf("read HEAD: %w", err)
		}
		c, err := parseCommit(data)
		if err != nil {
			return nil, stats, fmt.Errorf("read HEAD commit %s: %w", head.Hash(), err)
		}
		headTree = c.tree
	}

	entries := stagedEntries(idx)
	stats.Entries = len(entries)
	changed, err := changedAgainstTree(ctx, objs, trees, headTree, entries)
	if err != nil {
		return nil, stats, err
	}
	stats.Changed = len(changed)

	var findings []scanner.Finding
	var ruleErrs []error
	var bigNames []string // text files skipped for size
	cs := newChangeScanner(d, &stats)
	for _, ch := range changed {
		if ctx.Err() != nil {
			return nil, stats, ctx.Err()
		}
		data, err := readBlob(objs, ch.staged, maxSize)
		if errors.Is(err, errTooLarge) {
			bigNames = append(bigNames, ch.path)
			continue
		}
		if err != nil {
			return nil, stats, fmt.Errorf("staged %s: %w", ch.path, err)
		}
		var readHead func() ([]byte, error)
		if !ch.head.IsZero() {
			readHead = func() ([]byte, error) { return readBlob(objs, ch.head, maxSize) }
		}
		whole := func(data []byte) []scanner.Finding {
			if data == nil {
				return nil
			}
			// path-only rules judge a binary file whole (scanner/binaryfile.go)
			return d.DetectBinaryData(scanner.Fragment{Path: ch.path, Data: data}, ch.staged.String())
		}
		fs, ruleErr, err := cs.scanChange(ch.path, data, readHead, whole)
		if ruleErr != nil {
			ruleErrs = append(ruleErrs, ruleErr)
		}
		if err != nil {
			return nil, stats, err
		}
		findings = append(findings, fs...)
	}
	scanner.SortFindings(findings)
	// A file a rule timed out on, or too large to read, was not fully
	// scanned: not clean.
	return findings, stats, errors.Join(scanner.IncompleteError(ruleErrs),
		scanner.NewTooLargeError("file", maxSize, len(bigNames), bigNames))
}

// readIndex reads the index, or the file git named in GIT_INDEX_FILE.
func (r *repository) readIndex(file string) (*index.Index, error) {
	if file == "" {
		idx, err := r.repo.Storer.Index()
		if err != nil {
			return nil, fmt.Errorf("read index: %w", err)
		}
		return idx, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return &index.Index{Version: 2}, nil // nothing staged yet
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	defer f.Close()
	idx := &index.Index{}
	if err := index.NewDecoder(f).Decode(idx); err != nil {
		return nil, fmt.Errorf("read index %s: %w", file, err)
	}
	return idx, nil
}

// stagedEntries returns the index entries a commit would record: stage 0
// files, sorted by path. During a conflicted merge, the "ours" side stands
// in for a path with no stage-0 entry yet.
func stagedEntries(idx *index.Index) []*index.Entry {
	byPath := map[string]*index.Entry{}
	for _, e := range idx.Entries {
		if e.Mode&0o170000 != 0o100000 || e.IntentToAdd {
			continue // symlinks, submodules, `git add -N` placeholders
		}
		old, ok := byPath[e.Name]
		if !ok || rankStage(e.Stage) < rankStage(old.Stage) {
			byPath[e.Name] = e
		}
	}
	out := make([]*index.Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func rankStage(s index.Stage) int {
	switch s {
	case 0:
		return 0
	case index.OurMode:
		return 1
	case index.TheirMode:
		return 2
	}
	return 3
}

// stagedChange is a staged file that differs from HEAD.
type stagedChange struct {
	path   string
	staged plumbing.Hash
	head   plumbing.Hash // zero if the file is new
}

// changedAgainstTree compares index entries (sorted by path) with HEAD's
// tree, reading only the HEAD trees of directories that hold staged files.
func changedAgainstTree(ctx context.Context, src objectSource, trees *treeCache, headTree plumbing.Hash, entries []*index.Entry) ([]stagedChange, error) {
	var out []stagedChange
	dirs := map[string]map[string]treeEntry{} // dir path → its HEAD entries by name
	var lookupDir func(dir string) (map[string]treeEntry, error)
	lookupDir = func(dir string) (map[string]treeEntry, error) {
		if m, ok := dirs[dir]; ok {
			return m, nil
		}
		var h plumbing.Hash
		if dir == "" {
			h = headTree
		} else {
			parent, name := "", dir
			if i := strings.LastIndexByte(dir, '/'); i >= 0 {
				parent, name = dir[:i], dir[i+1:]
			}
			pm, err := lookupDir(parent)
			if err != nil {
				return nil, err
			}
			if e, ok := pm[name]; ok && e.isTree() {
				h = e.hash
			}
		}
		m := map[string]treeEntry{}
		if !h.IsZero() {
			list, err := trees.tree(ctx, src, h)
			if err != nil {
				return nil, fmt.Errorf("HEAD tree of %q: %w", dir, err)
			}
			for _, e := range list {
				m[string(e.name)] = e
			}
		}
		dirs[dir] = m
		return m, nil
	}
	for _, e := range entries {
		dir, name := "", e.Name
		if i := strings.LastIndexByte(e.Name, '/'); i >= 0 {
			dir, name = e.Name[:i], e.Name[i+1:]
		}
		m, err := lookupDir(dir)
		if err != nil {
			return nil, err
		}
		var head plumbing.Hash
		if he, ok := m[name]; ok && he.isFile() {
			if he.hash == e.Hash {
				continue
			}
			head = he.hash
		}
		out = append(out, stagedChange{path: e.Name, staged: e.Hash, head: head})
	}
	return out, nil
}

// errTooLarge is returned for a text blob larger than the limit.
var errTooLarge = errors.New("too large")

// readBlob returns a blob's content; a blob larger than maxSize is nil if
// binary, errTooLarge if text.
func readBlob(objs *goGitSource, h plumbing.Hash, maxSize int64) ([]byte, error) {
	obj, err := objs.st.EncodedObject(plumbing.BlobObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("blob %s: %w", h, errMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	if obj.Size() > maxSize {
		// Binary before size: a large binary file is not "not scanned".
		binary, err := sniffObject(obj)
		if err != nil {
			return nil, fmt.Errorf("blob %s: %w", h, err)
		}
		if binary {
			return nil, nil
		}
		return nil, errTooLarge
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	defer rd.Close()
	var buf bytes.Buffer
	buf.Grow(int(obj.Size()))
	if _, err := io.Copy(&buf, rd); err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	return buf.Bytes(), nil
}

// onRuns keeps the findings whose secret touches a changed line: runs
// are the byte ranges of whole lines not in the HEAD version.
func onRuns(runs [][2]int, fs []scanner.Finding) []scanner.Finding {
	kept := fs[:0]
	for _, f := range fs {
		// Runs are whole lines: a secret touches a new line if it
		// overlaps a run.
		i := sort.Search(len(runs), func(i int) bool { return runs[i][1] > f.SecretStart })
		if i < len(runs) && runs[i][0] < max(f.SecretEnd, f.SecretStart+1) {
			kept = append(kept, f)
		}
	}
	return kept
}

// changedLinesAbove is the staged file size from which only the lines
// around the change are scanned (as history scans a later version): below
// it, scanning the file whole and reading HEAD's version only when there
// are findings costs less than reading and hashing HEAD's version first.
const changedLinesAbove = 256 << 10

// changeScanner holds what one staged scan shares across its files.
type changeScanner struct {
	d     *scanner.Detector
	lines *lineSet
	stats *StagedStats
	multi *ahocorasick.Matcher // multiline keywords, built for the first large file
	built bool
}

func newChangeScanner(d *scanner.Detector, stats *StagedStats) *changeScanner {
	return &changeScanner{d: d, lines: newLineSet(), stats: stats}
}

// scanChange scans one staged blob (data; nil when the reader decided it
// is binary) the same way on the git and go-git paths: an archive whole,
// UTF-16 as its text, and a text file only on the lines that differ from
// HEAD's version (readHead; nil for a new file); binary content goes to
// whole, for the path-only rules. A text file past changedLinesAbove is
// scanned near its changed lines only, so a one-line change to a large
// file costs the change, not the file. ruleErr is a timeout or archive
// limit (the scan goes on); err a failed read.
func (c *changeScanner) scanChange(path string, data []byte, readHead func() ([]byte, error), whole func([]byte) []scanner.Finding) (fs []scanner.Finding, ruleErr, err error) {
	d, stats := c.d, c.stats
	if data != nil && d.OpensArchive(data) {
		// An archive changed as a whole: everything in it is new.
		stats.Scanned++
		fs, ruleErr = d.Detect(scanner.Fragment{Path: path, Data: data})
		return fs, ruleErr, nil
	}
	if text, ok := scanner.DecodeUTF16(data); ok {
		data = text // a UTF-16 file is scanned as its text
	}
	if data == nil || scanner.IsBinary(data) {
		return whole(data), nil, nil
	}
	stats.Scanned++
	stats.Bytes += int64(len(data))
	frag := scanner.Fragment{Path: path, Data: data}
	large := len(data) >= changedLinesAbove && readHead != nil && !d.NamesFile(path)
	if !large {
		fs, ruleErr = d.Detect(frag)
		if len(fs) == 0 || readHead == nil {
			return fs, ruleErr, nil
		}
	}
	old, err := readHead()
	if errors.Is(err, errTooLarge) {
		old, err = nil, nil // every line counts as changed
	}
	if err != nil {
		return nil, ruleErr, fmt.Errorf("HEAD version of %s: %w", path, err)
	}
	if text, ok := scanner.DecodeUTF16(old); ok {
		old = text // compared line by line with the decoded index version
	}
	if old == nil {
		if large {
			fs, ruleErr = d.Detect(frag)
		}
		return fs, ruleErr, nil
	}
	c.lines.reset()
	c.lines.addAll(old)
	runs, fresh := c.lines.mark(data, false)
	if fresh {
		if large {
			fs, ruleErr = d.Detect(frag)
		}
		return fs, ruleErr, nil
	}
	if large {
		if !c.built {
			c.multi, c.built = multilineKeywords(d), true
		}
		// As history scans a later version (worker.go scanWhole): keyword
		// hits near new lines, and multiline keywords whose window reaches
		// them.
		ranges := widenForMultiline(c.multi, data, widenLines(data, runs, contextLines))
		fs, ruleErr = d.DetectLines(frag, ranges)
	}
	return onRuns(runs, fs), ruleErr, nil
}
