package purge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// Unreachable is a blob that holds a secret the replace-text run will not
// clean, because a tool skips the blob's content.
type Unreachable struct {
	ID    string
	Size  int64
	Paths []string
	// Binary: a NUL byte in the first 8 KiB. git filter-repo leaves the
	// blob as it is (and so does BFG, which sniffs 8000 bytes), so the
	// blob must be stripped.
	Binary bool
	// Large: 1 MiB or more. BFG leaves the content as it is unless its
	// --filter-content-size-threshold is raised; git filter-repo has no
	// size limit.
	Large bool
	// Archive: an archive (zip, tar.gz, ...) with a secret inside its
	// compressed entries; always Binary too, so it is stripped.
	Archive bool
}

// BlobOptions tune FindUnreachable.
type BlobOptions struct {
	// Git is the git binary for the sweep over every blob; empty means
	// "git" on PATH. Without git only the blobs the findings point at are
	// checked.
	Git string
	// Warn receives operational messages; never a value.
	Warn func(string)
}

// sweepChunk is how much of a large blob is searched at a time.
const sweepChunk = 1 << 20

// FindUnreachable lists the blobs of repo that hold a secret of the plan
// but that git filter-repo or BFG will not rewrite: binary blobs and, for
// BFG, blobs of 1 MiB or more. Two sources feed it: the blob each finding
// points at (commit:path, read with go-git), and — where git is installed
// — one pass over every object of the repository, searching each binary
// or large blob for the plan's values. The pass matters because the
// history scan skips binary blobs and reports each (path, secret) only
// once, at its first commit: a compiled file with a key in it, or a later,
// larger version of the same file, would otherwise go unnoticed.
func FindUnreachable(ctx context.Context, repo string, p *Plan, findings []scanner.Finding, opts BlobOptions) ([]Unreachable, error) {
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	found := map[string]*Unreachable{}
	if err := checkFindingBlobs(repo, findings, found, warn); err != nil {
		return nil, err
	}
	gitBin := opts.Git
	if gitBin == "" {
		gitBin = "git"
	}
	if len(p.needles) > 0 {
		if path, err := exec.LookPath(gitBin); err != nil {
			warn("git is not installed: only the blob where each secret first appeared was checked for being binary or too large for BFG")
		} else if err := sweep(ctx, path, repo, p.needles, found); err != nil {
			return nil, err
		}
	}
	if path, err := exec.LookPath(gitBin); err == nil {
		if err := archiveBlobs(ctx, path, repo, findings, found); err != nil {
			return nil, err
		}
	}
	out := make([]Unreachable, 0, len(found))
	for _, u := range found {
		sort.Strings(u.Paths)
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// checkFindingBlobs looks up the blob at each finding's commit:path.
func checkFindingBlobs(repo string, findings []scanner.Finding, found map[string]*Unreachable, warn func(string)) error {
	type key struct{ commit, file string }
	seen := map[key]bool{}
	var r *git.Repository
	for _, f := range findings {
		file := f.File
		if f.Container != "" {
			file = f.Container // the archive is the blob
		}
		whole := f.Container == "" && f.IsWholeFile() // a binary credential file
		k := key{f.Commit, file}
		if f.InMessage || f.Commit == "" || f.File == "" || seen[k] {
			continue
		}
		seen[k] = true
		if r == nil {
			var err error
			r, err = OpenRepository(repo)
			if err != nil {
				return err
			}
		}
		u, err := findingBlob(r, f.Commit, file)
		if err != nil {
			warn(fmt.Sprintf("cannot check the blob of %s at commit %.12s: %v", file, f.Commit, err))
			continue
		}
		if f.Container != "" || whole {
			u.Binary, u.Archive = true, true
		}
		if u.Binary || u.Large {
			add(found, u)
		}
	}
	return nil
}

func findingBlob(r *git.Repository, commit, path string) (Unreachable, error) {
	c, err := r.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return Unreachable{}, fmt.Errorf("read commit: %w", err)
	}
	tree, err := c.Tree()
	if err != nil {
		return Unreachable{}, fmt.Errorf("read tree: %w", err)
	}
	file, err := tree.File(path)
	if err != nil {
		if errors.Is(err, object.ErrFileNotFound) {
			return Unreachable{}, errors.New("the path is not in that commit")
		}
		return Unreachable{}, fmt.Errorf("find path: %w", err)
	}
	rd, err := file.Blob.Reader()
	if err != nil {
		return Unreachable{}, fmt.Errorf("read blob: %w", err)
	}
	defer rd.Close()
	head := make([]byte, FilterRepoBinarySniff)
	n, err := io.ReadFull(rd, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Unreachable{}, fmt.Errorf("read blob: %w", err)
	}
	return Unreachable{
		ID:     file.Blob.Hash.String(),
		Size:   file.Blob.Size,
		Paths:  []string{path},
		Binary: bytes.IndexByte(head[:n], 0) >= 0,
		Large:  file.Blob.Size >= BFGSizeThreshold,
	}, nil
}

func add(found map[string]*Unreachable, u Unreachable) {
	have := found[u.ID]
	if have == nil {
		c := u
		c.Paths = append([]string(nil), u.Paths...)
		found[u.ID] = &c
		return
	}
	for _, p := range u.Paths {
		if !contains(have.Paths, p) {
			have.Paths = append(have.Paths, p)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// sweep reads every object once (`git cat-file --batch-all-objects`) and
// searches each binary or large blob for the needles.
func sweep(ctx context.Context, gitBin, repo string, needles []string, found map[string]*Unreachable) error {
	ac := ahocorasick.New(needles)
	maxLen := 0
	for _, n := range needles {
		maxLen = max(maxLen, len(n))
	}
	cmd := exec.CommandContext(ctx, gitBin, "-C", repo, "cat-file", "--batch-all-objects", "--unordered",
		"--batch=%(objectname) %(objecttype) %(objectsize)")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	hits := map[string]Unreachable{}
	readErr := func() error {
		br := bufio.NewReaderSize(out, 1<<20)
		buf := make([]byte, sweepChunk+maxLen)
		for {
			header, err := br.ReadString('\n')
			if errors.Is(err, io.EOF) && header == "" {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read git cat-file output: %w", err)
			}
			fields := strings.Fields(header)
			if len(fields) != 3 {
				return fmt.Errorf("git cat-file: unexpected line %q", strings.TrimSpace(header))
			}
			size, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				return fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
			}
			if fields[1] != "blob" {
				if _, err := br.Discard(int(size + 1)); err != nil {
					return fmt.Errorf("read git cat-file output: %w", err)
				}
				continue
			}
			u, err := searchBlob(br, size, buf, maxLen, ac, needles)
			if err != nil {
				return err
			}
			if u != nil {
				u.ID = fields[0]
				hits[u.ID] = *u
			}
		}
	}()
	if readErr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return readErr
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("git cat-file: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if len(hits) == 0 {
		return nil
	}
	return addPaths(ctx, gitBin, repo, hits, found)
}

// searchBlob reads one blob's content (and the newline after it) from br
// and reports it if it is binary or large and holds a needle.
func searchBlob(br *bufio.Reader, size int64, buf []byte, maxLen int, ac *ahocorasick.Matcher, needles []string) (*Unreachable, error) {
	head := int(min(size, FilterRepoBinarySniff))
	if _, err := io.ReadFull(br, buf[:head]); err != nil {
		return nil, fmt.Errorf("read git cat-file output: %w", err)
	}
	u := Unreachable{Size: size, Binary: bytes.IndexByte(buf[:head], 0) >= 0, Large: size >= BFGSizeThreshold}
	remaining := size - int64(head)
	if !u.Binary && !u.Large {
		_, err := br.Discard(int(remaining + 1))
		if err != nil {
			return nil, fmt.Errorf("read git cat-file output: %w", err)
		}
		return nil, nil
	}
	hit := false
	window := buf[:head]
	for {
		if hasNeedle(window, ac, needles) {
			hit = true
			break
		}
		if remaining == 0 {
			break
		}
		// Keep the tail that could begin a needle cut by the chunk end.
		keep := min(maxLen-1, len(window))
		copy(buf, window[len(window)-keep:])
		n := int(min(remaining, sweepChunk))
		if _, err := io.ReadFull(br, buf[keep:keep+n]); err != nil {
			return nil, fmt.Errorf("read git cat-file output: %w", err)
		}
		remaining -= int64(n)
		window = buf[:keep+n]
	}
	if _, err := br.Discard(int(remaining + 1)); err != nil {
		return nil, fmt.Errorf("read git cat-file output: %w", err)
	}
	if !hit {
		return nil, nil
	}
	return &u, nil
}

// hasNeedle confirms the automaton's case-insensitive hits byte for byte.
func hasNeedle(data []byte, ac *ahocorasick.Matcher, needles []string) bool {
	hit := false
	ac.FindAll(data, func(pattern, start, end int) bool {
		if string(data[start:end]) == needles[pattern] {
			hit = true
			return false
		}
		return true
	})
	return hit
}

// addPaths names the hit blobs with a path from `git rev-list --objects
// --all`; a blob no ref reaches is dropped (a mirror clone will not have it).
func addPaths(ctx context.Context, gitBin, repo string, hits map[string]Unreachable, found map[string]*Unreachable) error {
	cmd := exec.CommandContext(ctx, gitBin, "-C", repo, "rev-list", "--objects", "--all")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("git rev-list: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git rev-list: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		id, path, _ := strings.Cut(sc.Text(), " ")
		if u, ok := hits[id]; ok {
			if path != "" {
				u.Paths = []string{path}
			}
			add(found, u)
		}
	}
	scanErr := sc.Err()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("git rev-list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if scanErr != nil {
		return fmt.Errorf("read git rev-list output: %w", scanErr)
	}
	return nil
}

// OpenRepository opens the repository at path: a work tree, a directory
// inside one, or a bare repository. go-git's DetectDotGit alone walks up
// from a bare repository to the file system root (or, worse, to an
// enclosing work tree), so the path itself is tried first.
func OpenRepository(path string) (*git.Repository, error) {
	r, err := git.PlainOpen(path)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	r, err = git.PlainOpenWithOptions(path, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	return r, nil
}
