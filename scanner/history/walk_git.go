package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// gitTreeDiffer diffs the walk's tree pairs with `git diff-tree --stdin`:
// git compares the trees in C, reading each object once from its own
// cache, where the Go walk reads every changed tree through a cat-file
// pipe and parses it here (on curl/curl's history 1.7 s of git's CPU
// against 4 s of ours and cat-file's). It gives the same changes in the
// same order as the Go walk (diffLevel), which stays for the go-git
// reader and takes over whenever git fails: it is the one that names
// missing and corrupt trees.
type gitTreeDiffer struct {
	git    string
	gitDir string
}

// emptyTree is git's empty tree, which git knows without the object being
// stored: the base of a root commit's diff.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// errDiffTree marks a diff-tree run whose output cannot be trusted; the
// segment is walked again in Go.
var errDiffTree = errors.New("git diff-tree")

// segment diffs the commits order[lo:hi] as diffSegment does.
func (d *gitTreeDiffer) segment(ctx context.Context, g *graph, order []int32, lo, hi int, subs *submodules, counter *atomic.Int64) ([]changedAt, error) {
	// The pairs to compare, one per commit whose tree differs from its
	// first parent's (or, without a loaded parent, from the empty tree).
	type job struct {
		rank     int
		from, to plumbing.Hash
	}
	var jobs []job
	included := 0
	for rank := lo; rank < hi; rank++ {
		n := &g.nodes[order[rank]]
		if !n.loaded || !n.included {
			continue
		}
		included++
		var base plumbing.Hash
		if len(n.parents) > 0 {
			if p := &g.nodes[n.parents[0]]; p.loaded {
				base = p.tree
			}
		}
		if base != n.tree {
			if base.IsZero() {
				base = emptyTree
			}
			jobs = append(jobs, job{rank: rank, from: base, to: n.tree})
		}
	}
	if len(jobs) == 0 {
		counter.Add(int64(included))
		return nil, nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.git, "--git-dir="+d.gitDir, "diff-tree", "--stdin", "-r", "-z", "--raw",
		"--no-renames", "--no-abbrev", "--ignore-submodules=none")
	cmd.Env = gitEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDiffTree, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDiffTree, err)
	}
	stderr := &tailBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", errDiffTree, err)
	}
	go func() {
		w := bufio.NewWriterSize(stdin, 64<<10)
		line := make([]byte, 0, 82)
		for _, j := range jobs {
			line = append(line[:0], j.from.String()...)
			line = append(line, ' ')
			line = append(line, j.to.String()...)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				break
			}
		}
		_ = w.Flush()
		stdin.Close()
	}()

	type seenKey struct {
		path string
		blob plumbing.Hash
	}
	seen := map[seenKey]struct{}{}
	var out []changedAt
	var changed []changedFile
	rd := bufio.NewReaderSize(stdout, 256<<10)
	k := -1 // the job whose changes are being read
	flush := func() {
		if k < 0 {
			return
		}
		// git lists a commit's changes depth first; the Go walk goes a
		// directory level at a time. Same files, put in its order, so
		// paths and blobs are numbered the same whichever walked.
		sort.SliceStable(changed, func(a, b int) bool {
			return strings.Count(changed[a].path, "/") < strings.Count(changed[b].path, "/")
		})
		for _, c := range changed {
			if c.gitlink {
				subs.add(c.path)
				continue
			}
			key := seenKey{c.path, c.blob}
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = struct{}{}
			out = append(out, changedAt{path: c.path, blob: c.blob, rank: int32(jobs[k].rank)})
		}
		changed = changed[:0]
	}
	fail := func(err error) ([]changedAt, error) {
		cancel()
		_ = cmd.Wait()
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w (%s)", err, lastLine(msg))
		}
		return nil, fmt.Errorf("%w: %w", errDiffTree, err)
	}
	for {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		c, err := rd.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		if c != ':' {
			// "<from> <to>\n" opens the next pair's changes.
			_ = rd.UnreadByte()
			line, err := rd.ReadSlice('\n')
			if err != nil {
				return fail(err)
			}
			flush()
			k++
			if k >= len(jobs) || len(line) != 82 || string(line[:40]) != jobs[k].from.String() || string(line[41:81]) != jobs[k].to.String() {
				return fail(fmt.Errorf("unexpected line %q", line))
			}
			continue
		}
		// ":<src mode> <dst mode> <src> <dst> <status>\0<path>\0"
		meta, err := rd.ReadSlice(0)
		if err != nil {
			return fail(err)
		}
		srcMode, dstMode, src, dst, ok := parseRawMeta(meta)
		if !ok || k < 0 {
			return fail(fmt.Errorf("unexpected entry %q", meta))
		}
		p, err := rd.ReadSlice(0)
		if err != nil {
			return fail(err)
		}
		switch {
		case dstMode&0o170000 == 0o100000: // a regular file (diffLevel's isFile)
			if srcMode&0o170000 == 0o100000 && src == dst {
				continue // only the mode changed
			}
			changed = append(changed, changedFile{path: string(p[:len(p)-1]), blob: dst})
		case dstMode == modeGitlink:
			changed = append(changed, changedFile{path: string(p[:len(p)-1]), blob: dst, gitlink: true})
		}
	}
	flush()
	if err := cmd.Wait(); err != nil {
		return fail(err)
	}
	if k != len(jobs)-1 {
		return fail(fmt.Errorf("%d of %d tree pairs answered", k+1, len(jobs)))
	}
	counter.Add(int64(included))
	return out, nil
}

// parseRawMeta reads "<src mode> <dst mode> <src> <dst> <status>\0" (after
// the colon) of `git diff-tree --raw -z --no-abbrev`.
func parseRawMeta(meta []byte) (srcMode, dstMode uint32, src, dst plumbing.Hash, ok bool) {
	fields := bytes.Fields(bytes.TrimSuffix(meta, []byte{0}))
	if len(fields) != 5 {
		return 0, 0, src, dst, false
	}
	var ok1, ok2, ok3, ok4 bool
	srcMode, ok1 = parseOctal(fields[0])
	dstMode, ok2 = parseOctal(fields[1])
	src, ok3 = parseHex(fields[2])
	dst, ok4 = parseHex(fields[3])
	return srcMode, dstMode, src, dst, ok1 && ok2 && ok3 && ok4
}

func parseOctal(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 7 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		if c < '0' || c > '7' {
			return 0, false
		}
		v = v<<3 | uint32(c-'0')
	}
	return v, true
}
