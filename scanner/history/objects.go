package history

import (
	"bytes"
	"container/list"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// errMissing marks an object the repository does not have.
var errMissing = errors.New("object missing")

// objectSource reads whole objects — the commits and trees of the walk —
// in batches: asking for many objects at once lets a `git cat-file`
// process stream them instead of answering one round trip at a time.
type objectSource interface {
	// fetch calls fn for each of hs, in order, with its content (valid only
	// during the call) or the error reading it. The returned error is
	// fatal (cancellation, a reader that cannot start).
	fetch(ctx context.Context, hs []plumbing.Hash, want plumbing.ObjectType, fn func(i int, data []byte, err error)) error
	close()
}

// goGitSource reads objects through go-git.
type goGitSource struct {
	st *filesystem.Storage
}

func (o *goGitSource) fetch(ctx context.Context, hs []plumbing.Hash, want plumbing.ObjectType, fn func(int, []byte, error)) error {
	for i, h := range hs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		data, err := o.read(h, want)
		fn(i, data, err)
	}
	return nil
}

func (o *goGitSource) close() { o.st.Close() }

// read returns the content of object h, which must be of type want.
func (o *goGitSource) read(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	obj, err := o.st.EncodedObject(plumbing.AnyObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("%s %s: %w", want, h, errMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	if obj.Type() != want {
		return nil, fmt.Errorf("%s %s: is a %s", want, h, obj.Type())
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	defer r.Close()
	buf := bytes.NewBuffer(make([]byte, 0, obj.Size()))
	if _, err := io.Copy(buf, r); err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	return buf.Bytes(), nil
}

// fetchOne reads a single object.
func fetchOne(ctx context.Context, src objectSource, h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	var data []byte
	var rerr error
	err := src.fetch(ctx, []plumbing.Hash{h}, want, func(_ int, d []byte, err error) {
		data, rerr = append([]byte(nil), d...), err
	})
	if err != nil {
		return nil, err
	}
	return data, rerr
}

// commitInfo is what the walk keeps of a commit: enough to order commits
// and diff their trees. Author, date and message are read again only for
// the few commits that end up in the report.
type commitInfo struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
	time    int64 // committer time, seconds since the epoch
	message []byte
}

// parseCommit reads the headers the walk needs and the message.
func parseCommit(data []byte) (commitInfo, error) {
	var c commitInfo
	rest := data
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			nl = len(rest)
		}
		line := rest[:nl]
		rest = rest[min(nl+1, len(rest)):]
		if len(line) == 0 {
			c.message = rest
			break
		}
		if line[0] == ' ' {
			continue // continuation of a multi-line header (gpgsig, mergetag)
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			h, ok := parseHex(val)
			if !ok {
				return c, fmt.Errorf("bad tree header %q", line)
			}
			c.tree = h
		case "parent":
			h, ok := parseHex(val)
			if !ok {
				return c, fmt.Errorf("bad parent header %q", line)
			}
			c.parents = append(c.parents, h)
		case "committer":
			c.time = signatureTime(val)
		}
	}
	if c.tree.IsZero() {
		return c, errors.New("commit has no tree")
	}
	return c, nil
}

// signatureTime extracts the epoch seconds of "Name <email> 1700000000 +0100".
func signatureTime(sig []byte) int64 {
	gt := bytes.LastIndexByte(sig, '>')
	if gt < 0 {
		return 0
	}
	fields := bytes.Fields(sig[gt+1:])
	if len(fields) == 0 {
		return 0
	}
	t, _ := strconv.ParseInt(string(fields[0]), 10, 64)
	return t
}

// parseHex decodes a full 40-digit SHA-1.
func parseHex(b []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(b) != 2*len(h) {
		return h, false
	}
	if _, err := hex.Decode(h[:], b); err != nil {
		return h, false
	}
	return h, true
}

// Git tree entry modes the walk distinguishes.
const (
	modeTree    = 0o040000
	modeFile    = 0o100644
	modeExec    = 0o100755
	modeSymlink = 0o120000
	modeGitlink = 0o160000
)

// treeEntrySize is the memory of one treeEntry (a slice header, a mode
// and a hash, padded), for the tree cache's accounting.
const treeEntrySize = 56

type treeEntry struct {
	name []byte // points into the tree's one copy of its raw bytes
	mode uint32
	hash plumbing.Hash
}

func (e *treeEntry) isTree() bool { return e.mode == modeTree }

// isFile reports a regular file. Symlinks (whose content is a path) and
// submodule links (a commit in another repository) hold no secrets of ours.
func (e *treeEntry) isFile() bool {
	return e.mode&0o170000 == 0o100000
}

// parseTree decodes a raw tree object: "<octal mode> <name>\0<20-byte hash>"
// repeated, in git's name order. The walk parses tens of thousands of
// trees, so it makes two allocations per tree (a copy of the bytes, which
// the names point into, and the entry slice), none per entry.
func parseTree(raw []byte) ([]treeEntry, error) {
	data := append([]byte(nil), raw...)
	out := make([]treeEntry, 0, len(data)/32+1)
	for len(data) > 0 {
		var mode uint32
		i := 0
		for ; i < len(data) && data[i] != ' '; i++ {
			c := data[i]
			if c < '0' || c > '7' || i > 7 {
				return nil, fmt.Errorf("bad tree entry mode %q", data[:i+1])
			}
			mode = mode<<3 | uint32(c-'0')
		}
		if i == 0 || i == len(data) {
			return nil, errors.New("tree entry without mode")
		}
		data = data[i+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+1+20 {
			return nil, errors.New("truncated tree entry")
		}
		e := treeEntry{name: data[:nul:nul], mode: mode}
		copy(e.hash[:], data[nul+1:nul+21])
		out = append(out, e)
		data = data[nul+21:]
	}
	return out, nil
}

// treeCache keeps recently parsed trees. Walking commits oldest to newest,
// a commit's parent's trees were parsed one step earlier, so a bounded LRU
// turns most of the tree reads of a diff into hits.
type treeCache struct {
	maxBytes int // bound on the memory the parsed trees hold
	bytes    int
	entries  map[plumbing.Hash]*list.Element
	lru      *list.List
}

type cachedTree struct {
	hash    plumbing.Hash
	entries []treeEntry
	err     error // the tree could not be read or parsed
	size    int   // bytes held
}

func newTreeCache(maxBytes int) *treeCache {
	return &treeCache{maxBytes: maxBytes, entries: map[plumbing.Hash]*list.Element{}, lru: list.New()}
}

// get returns a cached tree; ok is false if it is not cached. The zero hash
// is the empty tree.
func (c *treeCache) get(h plumbing.Hash) (entries []treeEntry, err error, ok bool) {
	if h.IsZero() {
		return nil, nil, true
	}
	el, ok := c.entries[h]
	if !ok {
		return nil, nil, false
	}
	c.lru.MoveToFront(el)
	t := el.Value.(*cachedTree)
	return t.entries, t.err, true
}

func (c *treeCache) put(h plumbing.Hash, entries []treeEntry, err error) {
	if _, ok := c.entries[h]; ok {
		return
	}
	size := 128 // list element, map entry, cachedTree
	for _, e := range entries {
		size += treeEntrySize + len(e.name) + 24 // the name's share of the raw copy
	}
	c.entries[h] = c.lru.PushFront(&cachedTree{hash: h, entries: entries, err: err, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes && c.lru.Len() > 1 {
		old := c.lru.Back()
		c.lru.Remove(old)
		t := old.Value.(*cachedTree)
		delete(c.entries, t.hash)
		c.bytes -= t.size
	}
}

// load reads and caches every tree of hs that is not cached yet.
func (c *treeCache) load(ctx context.Context, src objectSource, hs []plumbing.Hash) error {
	var need []plumbing.Hash
	for _, h := range hs {
		if _, _, ok := c.get(h); !ok {
			need = append(need, h)
		}
	}
	if len(need) == 0 {
		return nil
	}
	return src.fetch(ctx, need, plumbing.TreeObject, func(i int, data []byte, err error) {
		var entries []treeEntry
		if err == nil {
			if entries, err = parseTree(data); err != nil {
				err = fmt.Errorf("tree %s: corrupt: %w", need[i], err)
			}
		}
		c.put(need[i], entries, err)
	})
}

// tree returns one tree, reading it if needed.
func (c *treeCache) tree(ctx context.Context, src objectSource, h plumbing.Hash) ([]treeEntry, error) {
	if err := c.load(ctx, src, []plumbing.Hash{h}); err != nil {
		return nil, err
	}
	entries, err, ok := c.get(h)
	if !ok {
		return nil, fmt.Errorf("tree %s: not loaded", h)
	}
	return entries, err
}

// changedFile is a file a commit adds or modifies relative to its parent.
type changedFile struct {
	path    string
	blob    plumbing.Hash
	gitlink bool // a submodule's commit: not ours to read, but said (submodules.go)
}

// treePair is one directory to compare: the tree at prefix in the parent
// (zero: absent) and in the commit.
type treePair struct {
	prefix   string
	from, to plumbing.Hash
}

// diffLevel compares two parsed trees: files of `to` whose path does not
// hold the same blob in `from` go to out, differing subtrees to next.
// Unchanged subtrees are skipped by hash, so the cost follows what
// changed, not the size of the tree.
func diffLevel(p treePair, fromEntries, toEntries []treeEntry, out []changedFile, next []treePair) ([]changedFile, []treePair) {
	// Both lists are in git's tree order, where a tree sorts as if its name
	// ended in "/"; a merge join on that key finds each entry's counterpart.
	// An entry that changed type (file <-> directory) has no counterpart.
	i := 0
	for k := range toEntries {
		e := &toEntries[k]
		for i < len(fromEntries) && compareEntries(&fromEntries[i], e) < 0 {
			i++
		}
		var old *treeEntry
		if i < len(fromEntries) && compareEntries(&fromEntries[i], e) == 0 {
			old = &fromEntries[i]
		}
		if old != nil && old.hash == e.hash && old.mode == e.mode {
			continue
		}
		path := string(e.name)
		if p.prefix != "" {
			path = p.prefix + "/" + path
		}
		switch {
		case e.isTree():
			var base plumbing.Hash
			if old != nil && old.isTree() {
				base = old.hash
			}
			next = append(next, treePair{prefix: path, from: base, to: e.hash})
		case e.isFile():
			if old != nil && old.isFile() && old.hash == e.hash {
				continue // only the mode changed
			}
			out = append(out, changedFile{path: path, blob: e.hash})
		case e.mode == modeGitlink:
			out = append(out, changedFile{path: path, blob: e.hash, gitlink: true})
		}
	}
	return out, next
}

// compareEntries orders tree entries as git does: byte order of the
// names, with a tree's name read as if followed by "/".
func compareEntries(a, b *treeEntry) int {
	an, bn := a.name, b.name
	n := min(len(an), len(bn))
	for i := 0; i < n; i++ {
		if an[i] != bn[i] {
			return int(an[i]) - int(bn[i])
		}
	}
	return nextByte(a, n) - nextByte(b, n)
}

// nextByte is the byte at position n of e's sort key: its name, followed
// by "/" when it is a tree; 0 past the end.
func nextByte(e *treeEntry, n int) int {
	switch {
	case n < len(e.name):
		return int(e.name[n])
	case n == len(e.name) && e.isTree():
		return '/'
	}
	return 0
}
