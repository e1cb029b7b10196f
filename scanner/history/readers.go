package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// Reader names, for Options.Reader and --reader.
const (
	ReaderAuto  = "auto"
	ReaderGit   = "git"
	ReaderGoGit = "go-git"
)

// blobReader reads the blobs of the chunks it pulls from the queue, in
// order, and hands each to the scanner. Several run at once, one per core.
type blobReader interface {
	run(ctx context.Context, queue <-chan chunk, s *blobScanner, errs *objectErrors) error
}

// blobError names the blob that could not be read and where it was met.
func blobError(in *introductions, j *blobJob, err error) error {
	return fmt.Errorf("blob %s (%s, commit %s): %w", j.blob, in.paths[j.path], in.commits[j.rank], err)
}

// goGitReader reads blobs with go-git: slower than git's own reader
// (inflating in Go, delta chains resolved through go-git's cache), but it
// needs nothing installed.
type goGitReader struct {
	repo    *repository
	in      *introductions
	maxSize int64
}

func (r *goGitReader) run(ctx context.Context, queue <-chan chunk, s *blobScanner, errs *objectErrors) error {
	st := r.repo.storage(64<<20, r.maxSize)
	defer st.Close()
	var buf []byte
	for c := range queue {
		for i := range c {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			j := &c[i]
			obj, err := st.EncodedObject(plumbing.AnyObject, j.blob)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				errs.add(blobError(r.in, j, errMissing))
				continue
			}
			if err != nil {
				errs.add(blobError(r.in, j, fmt.Errorf("corrupt: %w", err)))
				continue
			}
			if obj.Type() != plumbing.BlobObject {
				errs.add(blobError(r.in, j, fmt.Errorf("is a %s, not a blob", obj.Type())))
				continue
			}
			size := obj.Size()
			if size > r.maxSize {
				s.skip(size, false)
				continue
			}
			if int64(cap(buf)) < size {
				buf = make([]byte, size)
			}
			data := buf[:size]
			rd, err := obj.Reader()
			if err == nil {
				_, err = io.ReadFull(rd, data)
				rd.Close()
			}
			if err != nil {
				errs.add(blobError(r.in, j, fmt.Errorf("corrupt: %w", err)))
				continue
			}
			s.scan(j, data)
		}
	}
	return nil
}

// gitReader reads blobs through `git cat-file --batch`: git inflates with
// zlib and resolves deltas through its own delta-base cache, about 3.5
// times faster than go-git. Each reader owns one cat-file process and keeps
// it one chunk ahead: the next chunk's object names are written while the
// current chunk's contents are read, so the process never waits for us.
type gitReader struct {
	git     string // the git binary
	gitDir  string
	in      *introductions
	maxSize int64
}

// sniffLen is how much of a blob decides binary or not (as scanner.IsBinary).
const sniffLen = 8 << 10

func (r *gitReader) run(ctx context.Context, queue <-chan chunk, s *blobScanner, errs *objectErrors) error {
	b, err := r.start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if b != nil {
			b.stop()
		}
	}()
	var buf []byte
	// pending holds the jobs written to the process and not yet read.
	var pending []blobJob
	cur, ok := <-queue
	if !ok {
		return nil
	}
	b.send(cur)
	pending = append(pending, cur...)
	for len(pending) > 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Keep one chunk in flight beyond the one being read.
		if len(pending) <= len(cur) {
			if next, ok := <-queue; ok {
				b.send(next)
				pending = append(pending, next...)
				cur = next
			}
		}
		j := &pending[0]
		data, size, binary, err := b.read(j.blob, r.maxSize, &buf)
		switch {
		case errors.Is(err, errMissing):
			errs.add(blobError(r.in, j, errMissing))
		case errors.Is(err, errNotBlob):
			errs.add(blobError(r.in, j, err))
		case err != nil:
			// The process died (git exits on a corrupt object) or spoke
			// nonsense: report this blob and restart on the rest.
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs.add(blobError(r.in, j, fmt.Errorf("corrupt: %w", b.failure(err))))
			b.stop()
			if b, err = r.start(ctx); err != nil {
				return err
			}
			if len(pending) > 1 {
				b.send(chunk(pending[1:]))
			}
		case data == nil:
			s.skip(size, binary)
		default:
			s.scan(j, data)
		}
		pending = pending[1:]
	}
	return nil
}

// errNotBlob is returned when an object named as a blob is something else.
var errNotBlob = errors.New("not a blob")

// catFile is one running `git cat-file --batch`.
type catFile struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	reqs   chan chunk
	wg     sync.WaitGroup
}

func (r *gitReader) start(ctx context.Context) (*catFile, error) {
	cmd := exec.CommandContext(ctx, r.git, "--git-dir="+r.gitDir, "cat-file", "--batch")
	cmd.Env = gitEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	b := &catFile{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 256<<10),
		stderr: &tailBuffer{max: 4 << 10}, reqs: make(chan chunk, 4)}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	b.wg.Add(1)
	go b.writer()
	return b, nil
}

// writer sends object names to the process. After a write error (the
// process died) it keeps draining so senders never block.
func (b *catFile) writer() {
	defer b.wg.Done()
	w := bufio.NewWriterSize(b.stdin, 64<<10)
	var failed bool
	var line [2*len(plumbing.ZeroHash) + 1]byte
	line[len(line)-1] = '\n'
	for c := range b.reqs {
		if failed {
			continue
		}
		for i := range c {
			hex.Encode(line[:], c[i].blob[:])
			if _, err := w.Write(line[:]); err != nil {
				failed = true
				break
			}
		}
		if !failed && w.Flush() != nil {
			failed = true
		}
	}
	b.stdin.Close()
}

func (b *catFile) send(c chunk) { b.reqs <- c }

// read reads the next response, which must be for h. It returns the
// content (in *buf, valid until the next read), or nil content with the
// size when the blob is binary or larger than maxSize (its bytes are
// skipped without copying).
func (b *catFile) read(h plumbing.Hash, maxSize int64, buf *[]byte) (data []byte, size int64, binary bool, err error) {
	header, err := b.out.ReadSlice('\n')
	if err != nil {
		return nil, 0, false, fmt.Errorf("read cat-file header: %w", err)
	}
	fields := strings.Fields(string(header))
	if len(fields) == 2 && fields[1] == "missing" && fields[0] == h.String() {
		return nil, 0, false, errMissing
	}
	if len(fields) != 3 || fields[0] != h.String() {
		return nil, 0, false, fmt.Errorf("unexpected cat-file reply %q", strings.TrimSpace(string(header)))
	}
	size, err = strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size < 0 {
		return nil, 0, false, fmt.Errorf("unexpected cat-file reply %q", strings.TrimSpace(string(header)))
	}
	if fields[1] != "blob" {
		if _, err := b.out.Discard(int(size) + 1); err != nil {
			return nil, 0, false, fmt.Errorf("read cat-file content: %w", err)
		}
		return nil, 0, false, fmt.Errorf("is a %s: %w", fields[1], errNotBlob)
	}
	if size > maxSize {
		return nil, size, false, b.discard(size + 1)
	}
	// Decide binary from the first bytes without copying them.
	if peek, _ := b.out.Peek(int(min(size, sniffLen))); bytes.IndexByte(peek, 0) >= 0 {
		return nil, size, true, b.discard(size + 1)
	}
	if int64(cap(*buf)) < size {
		*buf = make([]byte, size, size+size/4)
	}
	data = (*buf)[:size]
	if _, err := io.ReadFull(b.out, data); err != nil {
		return nil, 0, false, fmt.Errorf("read cat-file content: %w", err)
	}
	if c, err := b.out.ReadByte(); err != nil || c != '\n' {
		return nil, 0, false, errors.New("cat-file content not followed by a newline")
	}
	return data, size, false, nil
}

func (b *catFile) discard(n int64) error {
	for n > 0 {
		k := int(min(n, 1<<30))
		d, err := b.out.Discard(k)
		n -= int64(d)
		if err != nil {
			return fmt.Errorf("read cat-file content: %w", err)
		}
	}
	return nil
}

// failure explains a dead process with what git said on stderr.
func (b *catFile) failure(err error) error {
	b.stdin.Close()
	_ = b.cmd.Process.Kill() // it has usually exited already
	_ = b.cmd.Wait()
	if msg := strings.TrimSpace(b.stderr.String()); msg != "" {
		return fmt.Errorf("git cat-file: %s", lastLine(msg))
	}
	return err
}

// stop ends the process and its writer.
func (b *catFile) stop() {
	close(b.reqs)
	if b.cmd.Process != nil {
		_ = b.cmd.Process.Kill()
	}
	b.wg.Wait()
	_ = b.cmd.Wait()
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// gitEnv is the environment for git subprocesses: the user's, without the
// GIT_* variables that would redirect it to another repository, object
// store or index, and without replace refs, which would make git return
// other objects than the ones named.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GIT_NO_REPLACE_OBJECTS=1", "LC_ALL=C")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
