package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/redact"
	"github.com/leakfix/leakfix/rules"
)

// DefaultMaxFileSize is the size above which files are skipped: generated
// bundles and data dumps cost more than they find.
const DefaultMaxFileSize = 10 << 20

// sniffLen is how much of a file is checked for a NUL byte to call it
// binary (git and filter-repo look at the first 8 KiB too).
const sniffLen = 8 << 10

// FileSource scans files on disk.
type FileSource struct {
	Roots       []string // files or directories
	NoIgnore    bool     // scan files .gitignore excludes
	MaxFileSize int64    // 0 means DefaultMaxFileSize
	Workers     int      // 0 means GOMAXPROCS
	Shard       Shard    // scan only the files of this shard (zero: all)
	// Warn receives operational messages (unreadable files); never a secret.
	Warn func(string)
	// RepoRelative names files inside a git work tree by their path from
	// the work tree's root, whatever root was passed (scanning sub/ gives
	// sub/x.py), so allowlists, ignore files and baselines written for the
	// repository apply. Outside a work tree paths stay relative to the root.
	RepoRelative bool
}

// Stats counts what a file scan did.
type Stats struct {
	Files, Bytes, Binary, TooLarge, Unreadable int64
}

// ErrUnreadable is wrapped by the error Scan returns when some files could
// not be read; the scan still covers every other file.
var ErrUnreadable = errors.New("some files could not be read")

type fileJob struct {
	abs, rel string
}

// Scan walks the roots and runs d over every text file, in parallel.
// Findings are returned sorted by file, line and column.
func (s *FileSource) Scan(ctx context.Context, d *Detector) ([]Finding, Stats, error) {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	maxSize := s.MaxFileSize
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	warn := s.Warn
	if warn == nil {
		warn = func(string) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan fileJob, 256)
	var (
		mu       sync.Mutex
		findings []Finding
		stats    Stats
		walkErr  error
		unread   atomic.Int64
		errMu    sync.Mutex
		ruleErrs []error
		bigMu    sync.Mutex
		bigNames []string // text files skipped for size
	)
	// Entries the walk cannot read (a directory without permission) count
	// as unreadable files too.
	unreadable := func(msg string) { unread.Add(1); warn(msg) }
	go func() {
		defer close(jobs)
		for _, root := range s.Roots {
			if err := s.walk(ctx, root, jobs, unreadable); err != nil {
				walkErr = err
				cancel()
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local Stats
			for job := range jobs {
				if ctx.Err() != nil || !s.Shard.Owns(job.rel) {
					continue
				}
				var t0 time.Time
				if d.opts.Stages != nil {
					t0 = time.Now()
				}
				data, skip, err := readCandidate(job.abs, maxSize)
				if d.opts.Stages != nil {
					lap(&d.opts.Stages.read, t0)
				}
				if skip == skipStream {
					// Past streamAbove: streamed in bounded memory.
					var fs []Finding
					var n int64
					binary := false
					fs, n, binary, err = scanLargeFile(ctx, job.abs, job.rel, d)
					if binary {
						skip = skipBinary
						// An archive is opened whole (archives.go), not streamed.
						if whole, ok, rerr := d.largeArchive(job.abs); ok || rerr != nil {
							data, err = whole, rerr
						}
					} else if err == nil || errors.Is(err, rules.ErrMatchTimeout) {
						local.Files++
						local.Bytes += n
						if err != nil {
							errMu.Lock()
							ruleErrs = append(ruleErrs, err)
							errMu.Unlock()
						}
						mu.Lock()
						findings = append(findings, fs...)
						mu.Unlock()
						continue
					}
				}
				switch {
				case err != nil:
					unread.Add(1)
					warn(fmt.Sprintf("cannot read %s: %v", redact.Name(job.rel), unwrapPathError(err)))
					continue
				case skip == skipBinary && !d.OpensArchive(data):
					local.Binary++
					// Path-only rules still judge the file as a whole (binaryfile.go).
					if fs, err := d.detectBinaryFile(job.rel, job.abs, data); err != nil {
						unread.Add(1)
						warn(fmt.Sprintf("cannot read %s: %v", redact.Name(job.rel), unwrapPathError(err)))
					} else if len(fs) > 0 {
						mu.Lock()
						findings = append(findings, fs...)
						mu.Unlock()
					}
					continue
				case skip == skipTooLarge:
					local.TooLarge++
					bigMu.Lock()
					bigNames = append(bigNames, job.rel)
					bigMu.Unlock()
					continue
				}
				local.Files++
				local.Bytes += int64(len(data))
				fs, err := d.Detect(Fragment{Path: job.rel, Data: data})
				if err != nil {
					errMu.Lock()
					ruleErrs = append(ruleErrs, err)
					errMu.Unlock()
				}
				if len(fs) > 0 {
					mu.Lock()
					findings = append(findings, fs...)
					mu.Unlock()
				}
			}
			mu.Lock()
			stats.Files += local.Files
			stats.Bytes += local.Bytes
			stats.Binary += local.Binary
			stats.TooLarge += local.TooLarge
			mu.Unlock()
		}()
	}
	wg.Wait()
	stats.Unreadable = unread.Load()
	if walkErr != nil {
		return nil, stats, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, stats, err
	}
	SortFindings(findings)
	// Text files skipped for size are named in the error (toolarge.go):
	// --quiet must not hide them, and the scan is not clean.
	tooLarge := NewTooLargeError("file", maxSize, int(stats.TooLarge), bigNames)
	return findings, stats, errors.Join(incompleteError(stats.Unreadable, ruleErrs), tooLarge) // timeout.go
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// SortFindings orders findings by commit position is not known here, so
// by file, line, column, rule.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.StartLine != b.StartLine {
			return a.StartLine < b.StartLine
		}
		if a.StartColumn != b.StartColumn {
			return a.StartColumn < b.StartColumn
		}
		return a.RuleID < b.RuleID
	})
}

type skipReason int

const (
	noSkip skipReason = iota
	skipBinary
	skipTooLarge
	skipStream // too large to hold, not too large to scan: stream it
)

// readCandidate reads a file unless it is too large or binary. Binary is
// decided first, from the first 8 KiB, so a large image is binary, not
// "too large" (which makes the scan incomplete).
func readCandidate(path string, maxSize int64) ([]byte, skipReason, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, noSkip, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, noSkip, err
	}
	if st.Size() > maxSize {
		head := make([]byte, sniffLen)
		n, err := io.ReadFull(f, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, noSkip, err
		}
		if SniffBinary(head[:n]) { // toolarge.go
			return nil, skipBinary, nil
		}
		return nil, skipTooLarge, nil
	}
	if st.Size() > streamAbove {
		return nil, skipStream, nil
	}
	data, skipped, err := readText(f, st.Size()) // binaryfile.go
	if err != nil {
		return nil, noSkip, err
	}
	if skipped {
		return nil, skipBinary, nil
	}
	if text, ok := DecodeUTF16(data); ok { // utf16.go
		return text, noSkip, nil
	}
	if IsBinary(data) {
		return data, skipBinary, nil // archives are binary and still scanned
	}
	return data, noSkip, nil
}

// IsBinary reports a NUL byte in the first 8 KiB, git's own test.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), sniffLen)], 0) >= 0
}

// walk sends every regular file under root to jobs. Symlinks are never
// followed (a link to a file inside the root is scanned as that file; one
// out of the root must not be), .git directories are skipped, and inside
// a git work tree .gitignore rules apply unless NoIgnore.
func (s *FileSource) walk(ctx context.Context, root string, jobs chan<- fileJob, warn func(string)) error {
	checked, err := CheckRoot(root) // paths.go: no FIFO, a root symlink followed
	if err != nil {
		return err
	}
	if !checked.IsDir {
		select {
		case jobs <- fileJob{abs: root, rel: s.filePath(root)}:
		case <-ctx.Done():
		}
		return nil
	}
	absRoot, err := filepath.Abs(checked.Walk)
	if err != nil {
		return fmt.Errorf("scan %s: %w", root, err)
	}
	var ignore *ignoreSet
	if !s.NoIgnore {
		ignore = newIgnoreSet(absRoot)
	}
	prefix := s.repoPrefix(absRoot)
	return filepath.WalkDir(absRoot, func(path string, de fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(absRoot, path)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if path == absRoot {
				return fmt.Errorf("scan %s: %w", root, unwrapPathError(err))
			}
			warn(fmt.Sprintf("cannot read %s: %v", redact.Name(rel), unwrapPathError(err)))
			if de != nil && de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() {
			if de.Name() == ".git" && path != absRoot {
				return fs.SkipDir
			}
			if ignore != nil && path != absRoot {
				if ignore.match(rel, true) {
					return fs.SkipDir
				}
			}
			if ignore != nil {
				ignore.load(path)
			}
			return nil
		}
		if !de.Type().IsRegular() {
			return nil // symlinks, sockets, devices
		}
		if ignore != nil && ignore.match(rel, false) {
			return nil
		}
		select {
		case jobs <- fileJob{abs: path, rel: prefix + rel}:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
}

// ignoreSet applies .gitignore files, but only inside a git work tree:
// outside one, .gitignore means nothing to git and so nothing to us.
type ignoreSet struct {
	repoRoot string // absolute; "" when not in a work tree
	scanRoot string
	patterns []gitignore.Pattern
}

func newIgnoreSet(scanRoot string) *ignoreSet {
	repo := findWorkTree(scanRoot)
	if repo == "" {
		return nil
	}
	is := &ignoreSet{repoRoot: repo, scanRoot: scanRoot}
	is.readFile(filepath.Join(repo, ".git", "info", "exclude"), nil)
	// .gitignore files between the repository root and the scan root.
	rel, _ := filepath.Rel(repo, scanRoot)
	dir := repo
	if rel != "." {
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			is.load(dir)
			dir = filepath.Join(dir, part)
		}
	}
	return is
}

func findWorkTree(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func (is *ignoreSet) load(dir string) {
	rel, err := filepath.Rel(is.repoRoot, dir)
	if err != nil {
		return
	}
	var domain []string
	if rel != "." {
		domain = strings.Split(filepath.ToSlash(rel), "/")
	}
	is.readFile(filepath.Join(dir, ".gitignore"), domain)
}

func (is *ignoreSet) readFile(path string, domain []string) {
	data, err := regfile.ReadFile(path) // a FIFO named .gitignore must not hang the walk
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		is.patterns = append(is.patterns, gitignore.ParsePattern(line, domain))
	}
}

// match takes a path relative to the scan root.
func (is *ignoreSet) match(rel string, isDir bool) bool {
	full := filepath.Join(is.scanRoot, filepath.FromSlash(rel))
	r, err := filepath.Rel(is.repoRoot, full)
	if err != nil {
		return false
	}
	parts := strings.Split(filepath.ToSlash(r), "/")
	// Later patterns win, as in git.
	for i := len(is.patterns) - 1; i >= 0; i-- {
		switch is.patterns[i].Match(parts, isDir) {
		case gitignore.Exclude:
			return true
		case gitignore.Include:
			return false
		}
	}
	return false
}

// ScanReader scans one stream (stdin) as a single fragment named name,
// streamed in bounded memory (see ScanStream).
func ScanReader(r io.Reader, name string, d *Detector) ([]Finding, error) {
	fs, _, err := ScanStream(context.Background(), r, name, d)
	return fs, err
}
