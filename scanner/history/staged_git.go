package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakfix/leakfix/scanner"
)

// errUseGoGit says the git binary cannot answer this staged scan (it is
// missing, or the index holds an unresolved conflict, whose "ours" side
// only the go-git path picks): ScanStaged falls back to reading the index
// itself.
var errUseGoGit = errors.New("staged scan needs the go-git path")

// stagedViaGit asks git for what differs between the index and HEAD
// (`git diff --cached --raw`), then reads only those blobs through one
// `git cat-file --batch`. Its cost grows with the staged change, not the
// repository: git keeps the index's cache-tree, so unchanged directories
// are not even compared, and no pack index or tree is loaded into this
// process.
func stagedViaGit(ctx context.Context, git, repo string, d *scanner.Detector, opts StagedOptions, maxSize int64) ([]scanner.Finding, StagedStats, error) {
	var stats StagedStats
	env := gitEnv()
	if opts.IndexFile != "" {
		abs, err := filepath.Abs(opts.IndexFile)
		if err != nil {
			return nil, stats, fmt.Errorf("index %s: %w", opts.IndexFile, err)
		}
		env = append(env, "GIT_INDEX_FILE="+abs)
	}
	// Porcelain `diff` because it handles a repository with no commit
	// (everything staged is added); every option that user configuration
	// could change is set here.
	cmd := exec.CommandContext(ctx, git, "-C", repo, "diff", "--cached", "--raw", "-z", "--no-renames",
		"--no-abbrev", "--no-color", "--no-ext-diff", "--no-relative", "--ignore-submodules=all", "--diff-filter=AMTU")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, stats, ctx.Err()
		}
		return nil, stats, fmt.Errorf("%w: git diff --cached: %v: %s", errUseGoGit, err, lastLine(string(bytes.TrimSpace(stderr.Bytes()))))
	}
	changes, err := parseRawDiff(out)
	if err != nil {
		return nil, stats, err
	}
	stats.Changed = len(changes)
	if len(changes) == 0 {
		return nil, stats, nil
	}

	cf, err := startCatFile(ctx, git, repo, env)
	if err != nil {
		return nil, stats, fmt.Errorf("%w: %v", errUseGoGit, err)
	}
	defer cf.stop()
	var buf, oldBuf []byte
	var bigNames []string // text files skipped for size
	read := func(h plumbing.Hash, sniff bool, buf *[]byte) ([]byte, bool, error) {
		cf.send([]plumbing.Hash{h})
		data, size, binary, err := cf.readObject(h, plumbing.BlobObject, maxSize, sniff, buf)
		if err != nil {
			if errors.Is(err, errMissing) {
				return nil, false, fmt.Errorf("blob %s: %w", h, errMissing)
			}
			return nil, false, fmt.Errorf("blob %s: %w", h, err)
		}
		if sniff && !binary && size > maxSize {
			return nil, false, errTooLarge
		}
		return data, binary, nil
	}

	var findings []scanner.Finding
	var ruleErrs []error
	cs := newChangeScanner(d, &stats)
	for _, ch := range changes {
		if ctx.Err() != nil {
			return nil, stats, ctx.Err()
		}
		data, binary, err := read(ch.staged, true, &buf)
		if errors.Is(err, errTooLarge) {
			bigNames = append(bigNames, ch.path)
			continue
		}
		if err != nil {
			return nil, stats, fmt.Errorf("staged %s: %w", ch.path, err)
		}
		var readHead func() ([]byte, error)
		if !ch.head.IsZero() {
			// A second buffer: data must survive reading HEAD's version.
			readHead = func() ([]byte, error) {
				old, _, err := read(ch.head, false, &oldBuf)
				return old, err
			}
		}
		whole := func(data []byte) []scanner.Finding {
			// path-only rules judge a binary file whole (scanner/binaryfile.go)
			switch {
			case binary && d.NamesFile(ch.path):
				return d.DetectBinary(scanner.BinaryFile{Path: ch.path, Head: cf.head, BlobID: ch.staged.String()})
			case data != nil:
				return d.DetectBinaryData(scanner.Fragment{Path: ch.path, Data: data}, ch.staged.String())
			}
			return nil
		}
		if binary {
			data = nil // the reader kept only the first bytes (cf.head)
		}
		fs, ruleErr, err := cs.scanChange(ch.path, data, readHead, whole) // staged.go
		if ruleErr != nil {
			ruleErrs = append(ruleErrs, ruleErr)
		}
		if err != nil {
			return nil, stats, err
		}
		findings = append(findings, fs...)
	}
	scanner.SortFindings(findings)
	// A file a rule timed out on, an archive past a limit, or a file too
	// large to read was not fully scanned: not clean (as on the go-git path).
	return findings, stats, errors.Join(scanner.IncompleteError(ruleErrs),
		scanner.NewTooLargeError("file", maxSize, len(bigNames), bigNames))
}

// parseRawDiff reads `git diff --raw -z --no-abbrev` records
// (":srcmode dstmode srcsha dstsha status\0path\0") and keeps staged
// regular files. An unmerged path makes the caller fall back.
func parseRawDiff(out []byte) ([]stagedChange, error) {
	var changes []stagedChange
	for len(out) > 0 {
		i := bytes.IndexByte(out, 0)
		if i < 0 || len(out) == 0 || out[0] != ':' {
			return nil, fmt.Errorf("unexpected git diff --raw output %.40q", out)
		}
		meta := bytes.Fields(out[1:i])
		out = out[i+1:]
		j := bytes.IndexByte(out, 0)
		if j < 0 || len(meta) != 5 {
			return nil, fmt.Errorf("unexpected git diff --raw record %q", meta)
		}
		path := string(out[:j])
		out = out[j+1:]
		if meta[4][0] == 'U' {
			return nil, fmt.Errorf("%w: %s is unmerged", errUseGoGit, path)
		}
		if !regularFileMode(meta[1]) {
			continue // symlinks, submodules
		}
		staged, ok1 := parseHex(meta[3])
		head, ok2 := parseHex(meta[2])
		if !ok1 || !ok2 {
			// Not SHA-1 (a SHA-256 repository): go-git's path says what
			// it can do with it.
			return nil, fmt.Errorf("%w: object name %q", errUseGoGit, meta[3])
		}
		if !regularFileMode(meta[0]) {
			head = plumbing.ZeroHash // added, or was a symlink
		}
		changes = append(changes, stagedChange{path: path, staged: staged, head: head})
	}
	return changes, nil
}

func regularFileMode(m []byte) bool {
	return string(m) == "100644" || string(m) == "100755"
}

// startCatFile runs `git -C repo cat-file --batch`, git finding the
// repository as it does for the diff (worktrees, GIT_DIR-less hooks).
func startCatFile(ctx context.Context, git, repo string, env []string) (*catFile, error) {
	cmd := exec.CommandContext(ctx, git, "-C", repo, "cat-file", "--batch")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	b := &catFile{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 64<<10),
		stderr: &tailBuffer{max: 4 << 10}, reqs: make(chan []plumbing.Hash, 4)}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	b.wg.Add(1)
	go b.writer()
	return b, nil
}
