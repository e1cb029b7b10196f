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
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/archive"
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
	st := r.repo.storage(24<<20, r.maxSize)
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
				// Binary before size: only large text is "not scanned".
				binary, err := sniffObject(obj)
				if err != nil {
					errs.add(blobError(r.in, j, fmt.Errorf("corrupt: %w", err)))
					continue
				}
				s.skip(j, size, binary, nil)
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

// sniffObject reads the first bytes of a blob too large to read whole and
// says whether it is binary (scanner.SniffBinary).
func sniffObject(obj plumbing.EncodedObject) (bool, error) {
	rd, err := obj.Reader()
	if err != nil {
		return false, err
	}
	defer rd.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(rd, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return scanner.SniffBinary(head[:n]), nil
}

// gitReader reads blobs through `git cat-file --batch`: git inflates with
// C zlib and resolves deltas through its own delta-base cache, several
// times faster than go-git. Each reader owns one cat-file process and keeps
// it one chunk ahead: the next chunk's object names are written while the
// current chunk's contents are read, so the process never waits for us.
type gitReader struct {
	git    string // the git binary
	gitDir string
	// batchCommand: git is 2.36 or later, so cat-file takes
	// --batch-command --buffer and answers a batch at each "flush"
	// instead of flushing its output after every object.
	batchCommand bool
	in           *introductions
	maxSize      int64
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
	b.send(cur.hashes())
	pending = append(pending, cur...)
	for len(pending) > 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Keep one chunk in flight beyond the one being read.
		if len(pending) <= len(cur) {
			if next, ok := <-queue; ok {
				b.send(next.hashes())
				pending = append(pending, next...)
				cur = next
			}
		}
		j := &pending[0]
		data, size, binary, err := b.read(j.blob, r.maxSize, &buf)
		switch {
		case errors.Is(err, errMissing):
			errs.add(blobError(r.in, j, missingOrCorrupt(r.gitDir, j.blob)))
		case errors.Is(err, errWrongType):
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
				b.send(chunk(pending[1:]).hashes())
			}
		case data == nil && (binary || size > r.maxSize):
			s.skip(j, size, binary, b.head)
		case data == nil:
			s.scan(j, nil) // empty
		default:
			s.scan(j, data)
		}
		pending = pending[1:]
	}
	return nil
}

// missingOrCorrupt tells the two apart for an object cat-file calls
// missing: git says "missing" for a loose object file it cannot inflate.
func missingOrCorrupt(gitDir string, h plumbing.Hash) error {
	hex := h.String()
	if _, err := os.Stat(filepath.Join(gitDir, "objects", hex[:2], hex[2:])); err == nil {
		return fmt.Errorf("corrupt: loose object file objects/%s/%s cannot be read", hex[:2], hex[2:])
	}
	return errMissing
}

// errWrongType is returned when an object is not of the type asked for.
var errWrongType = errors.New("unexpected object type")

// catFile is one running `git cat-file --batch`.
type catFile struct {
	batchCommand bool
	cmd          *exec.Cmd
	stdin        io.WriteCloser
	out          *bufio.Reader
	stderr       *tailBuffer
	reqs         chan []plumbing.Hash
	wg           sync.WaitGroup
	stopOnce     sync.Once
	// head is the start of the last binary blob skipped (its magic, for
	// path-only rules); valid until the next read.
	head []byte
	// typ is the type of the last object read.
	typ plumbing.ObjectType
}

func (r *gitReader) start(ctx context.Context) (*catFile, error) {
	args := []string{"--git-dir=" + r.gitDir, "cat-file", "--batch"}
	if r.batchCommand {
		args = []string{"--git-dir=" + r.gitDir, "cat-file", "--batch-command", "--buffer"}
	}
	cmd := exec.CommandContext(ctx, r.git, args...)
	cmd.Env = gitEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	b := &catFile{cmd: cmd, stdin: stdin, batchCommand: r.batchCommand, out: bufio.NewReaderSize(stdout, 256<<10),
		stderr: &tailBuffer{max: 4 << 10}, reqs: make(chan []plumbing.Hash, 4)}
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
	prefix := ""
	if b.batchCommand {
		prefix = "contents "
	}
	line := make([]byte, len(prefix)+2*len(plumbing.ZeroHash)+1)
	copy(line, prefix)
	line[len(line)-1] = '\n'
	for hs := range b.reqs {
		if failed {
			continue
		}
		for _, h := range hs {
			hex.Encode(line[len(prefix):], h[:])
			if _, err := w.Write(line); err != nil {
				failed = true
				break
			}
		}
		if !failed && b.batchCommand {
			_, err := w.WriteString("flush\n")
			failed = err != nil
		}
		if !failed && w.Flush() != nil {
			failed = true
		}
	}
	b.stdin.Close()
}

// send queues object names for the writer; at most a few batches may be
// outstanding (the channel's capacity).
func (b *catFile) send(hs []plumbing.Hash) { b.reqs <- hs }

func (c chunk) hashes() []plumbing.Hash {
	hs := make([]plumbing.Hash, len(c))
	for i := range c {
		hs[i] = c[i].blob
	}
	return hs
}

// read reads the next response, which must be for h. It returns the
// content (in *buf, valid until the next read), or nil content with the
// size when the blob is binary or larger than maxSize (its bytes are
// skipped without copying).
func (b *catFile) read(h plumbing.Hash, maxSize int64, buf *[]byte) (data []byte, size int64, binary bool, err error) {
	return b.readObject(h, plumbing.BlobObject, maxSize, true, buf)
}

// readObject reads the next response, which must be for h, of type want.
// With sniff, a blob with a NUL byte in its first bytes is skipped as
// binary.
func (b *catFile) readObject(h plumbing.Hash, want plumbing.ObjectType, maxSize int64, sniff bool, buf *[]byte) (data []byte, size int64, binary bool, err error) {
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
	b.typ, _ = plumbing.ParseObjectType(fields[1])
	if want != plumbing.AnyObject && fields[1] != want.String() {
		if _, err := b.out.Discard(int(size) + 1); err != nil {
			return nil, 0, false, fmt.Errorf("read cat-file content: %w", err)
		}
		return nil, 0, false, fmt.Errorf("is a %s: %w", fields[1], errWrongType)
	}
	// Decide binary from the first bytes without copying them, before
	// size: a large binary blob is binary, only large text is too large.
	if !sniff {
		// no binary check for commits and trees
	} else if peek, _ := b.out.Peek(int(min(size, sniffLen))); bytes.IndexByte(peek, 0) >= 0 && !hasUTF16BOM(peek) && archive.Sniff(peek) == archive.None {
		b.head = append(b.head[:0], peek[:min(len(peek), 16)]...)
		return nil, size, true, b.discard(size + 1)
	}
	if size > maxSize {
		return nil, size, false, b.discard(size + 1)
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

// stop ends the process and its writer. It may be called more than once.
func (b *catFile) stop() {
	b.stopOnce.Do(b.doStop)
}

func (b *catFile) doStop() {
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

// supportsBatchCommand reports whether the git binary is 2.36 or later.
func supportsBatchCommand(git string) bool {
	out, err := exec.Command(git, "version").Output()
	if err != nil {
		return false
	}
	// "git version 2.39.5" (vendors append more after the numbers)
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		return false
	}
	parts := strings.SplitN(fields[2], ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > 2 || major == 2 && minor >= 36
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

// catFileSource reads commits and trees for the walk through one
// `git cat-file --batch` process, a batch of object names at a time.
type catFileSource struct {
	r   *gitReader
	b   *catFile
	buf []byte
}

func (r *gitReader) source(ctx context.Context) (*catFileSource, error) {
	b, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	return &catFileSource{r: r, b: b}, nil
}

func (s *catFileSource) fetch(ctx context.Context, hs []plumbing.Hash, want plumbing.ObjectType, fn func(int, []byte, error)) error {
	for start := 0; start < len(hs); {
		// Batches of bounded size keep the writer just ahead of the reader.
		end := min(len(hs), start+1024)
		s.b.send(append([]plumbing.Hash(nil), hs[start:end]...))
		for i := start; i < end; i++ {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			data, _, _, err := s.b.readObject(hs[i], want, 1<<62, false, &s.buf)
			switch {
			case errors.Is(err, errMissing):
				fn(i, nil, fmt.Errorf("%s %s: %w", want, hs[i], missingOrCorrupt(s.r.gitDir, hs[i])))
			case errors.Is(err, errWrongType):
				fn(i, nil, fmt.Errorf("%s %s: %w", want, hs[i], err))
			case err != nil:
				// The process died on this object: report it, restart on
				// the rest of the batch.
				if ctx.Err() != nil {
					return ctx.Err()
				}
				fn(i, nil, fmt.Errorf("%s %s: corrupt: %w", want, hs[i], s.b.failure(err)))
				s.b.stop()
				if s.b, err = s.r.start(ctx); err != nil {
					return err
				}
				if i+1 < end {
					s.b.send(append([]plumbing.Hash(nil), hs[i+1:end]...))
				}
			default:
				fn(i, data, nil)
			}
		}
		start = end
	}
	return nil
}

func (s *catFileSource) close() {
	if s.b != nil {
		s.b.stop()
		s.b = nil
	}
}
