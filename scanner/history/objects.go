package history

import (
	"bytes"
	"container/list"
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

// objectStore reads whole commits and trees, the small objects the walk
// needs. Raw bytes are parsed here rather than through go-git's object
// package: the walk reads tens of thousands of trees and only needs names,
// modes and hashes, not go-git's richer (and allocation-heavy) types.
type objectStore struct {
	st *filesystem.Storage
}

// read returns the content of object h, which must be of type want.
func (o *objectStore) read(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	obj, err := o.st.EncodedObject(plumbing.AnyObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("%s %s: %w", want, h, errMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	if obj.Type() != want {
		return nil, fmt.Errorf("%s %s: is a %s, not a %s", want, h, obj.Type(), want)
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	defer r.Close()
	data := make([]byte, 0, obj.Size())
	buf := bytes.NewBuffer(data)
	if _, err := io.Copy(buf, r); err != nil {
		return nil, fmt.Errorf("%s %s: corrupt: %w", want, h, err)
	}
	return buf.Bytes(), nil
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

type treeEntry struct {
	name string
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
// repeated, in git's name order.
func parseTree(data []byte) ([]treeEntry, error) {
	var out []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, errors.New("tree entry without mode")
		}
		mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
		if err != nil {
			return nil, fmt.Errorf("tree entry mode %q: %w", data[:sp], err)
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+1+20 {
			return nil, errors.New("truncated tree entry")
		}
		var e treeEntry
		e.name = string(data[:nul])
		e.mode = uint32(mode)
		copy(e.hash[:], data[nul+1:nul+21])
		out = append(out, e)
		data = data[nul+21:]
	}
	return out, nil
}

// treeCache keeps recently parsed trees. Walking commits oldest to newest,
// a commit's parent's trees were parsed one step earlier, so a small LRU
// turns most of the tree reads of a diff into hits.
type treeCache struct {
	objs    *objectStore
	max     int
	entries map[plumbing.Hash]*list.Element
	lru     *list.List
}

type cachedTree struct {
	hash    plumbing.Hash
	entries []treeEntry
}

func newTreeCache(objs *objectStore, max int) *treeCache {
	return &treeCache{objs: objs, max: max, entries: map[plumbing.Hash]*list.Element{}, lru: list.New()}
}

func (c *treeCache) get(h plumbing.Hash) ([]treeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	if el, ok := c.entries[h]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cachedTree).entries, nil
	}
	data, err := c.objs.read(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	entries, err := parseTree(data)
	if err != nil {
		return nil, fmt.Errorf("tree %s: corrupt: %w", h, err)
	}
	c.entries[h] = c.lru.PushFront(&cachedTree{hash: h, entries: entries})
	if c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*cachedTree).hash)
	}
	return entries, nil
}

// changedFile is a file a commit adds or modifies relative to its parent.
type changedFile struct {
	path string
	blob plumbing.Hash
}

// diffTrees appends to out every file of tree `to` whose path does not
// hold the same blob in tree `from` (zero hash = empty tree). Unchanged
// subtrees are skipped by hash, so the cost follows what changed, not the
// size of the tree. Errors reading a subtree are passed to onErr and that
// subtree is skipped; the rest of the diff goes on.
func (c *treeCache) diffTrees(prefix string, from, to plumbing.Hash, out []changedFile, onErr func(error)) []changedFile {
	if from == to {
		return out
	}
	toEntries, err := c.get(to)
	if err != nil {
		onErr(err)
		return out
	}
	fromEntries, err := c.get(from)
	if err != nil {
		onErr(err)
		fromEntries = nil // scan all of `to` rather than nothing
	}
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
		path := e.name
		if prefix != "" {
			path = prefix + "/" + e.name
		}
		switch {
		case e.isTree():
			var base plumbing.Hash
			if old != nil && old.isTree() {
				base = old.hash
			}
			out = c.diffTrees(path, base, e.hash, out, onErr)
		case e.isFile():
			if old != nil && old.isFile() && old.hash == e.hash {
				continue
			}
			out = append(out, changedFile{path: path, blob: e.hash})
		}
	}
	return out
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
