package history

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// node is one commit the walk met.
type node struct {
	hash     plumbing.Hash
	tree     plumbing.Hash
	parents  []int32 // node indexes, first parent first
	time     int64
	loaded   bool // the commit object was read
	included bool // in the range being scanned (else only a diff base)
	shallow  bool // a shallow clone's boundary: its parents are not here
}

// graph is every commit the walk met, in topological order once sorted.
type graph struct {
	nodes []node
	index map[plumbing.Hash]int32
}

func (g *graph) add(h plumbing.Hash) (int32, bool) {
	if i, ok := g.index[h]; ok {
		return i, false
	}
	i := int32(len(g.nodes))
	g.nodes = append(g.nodes, node{hash: h})
	g.index[h] = i
	return i, true
}

// tips finds the commits the walk starts from: every ref (branches,
// remote-tracking branches, tags peeled to their commits, notes, the stash
// and HEAD, detached or not) and every older stash entry, or only the
// revisions the caller named.
func (r *repository) tips(branches []string, warn func(string)) ([]plumbing.Hash, error) {
	if len(branches) > 0 {
		var out []plumbing.Hash
		for _, b := range branches {
			if ref, err := r.repo.Tag(b); err == nil {
				r.peelToCommit(ref.Hash()) // an annotated tag's message (tags.go); errors come below
			}
			h, err := r.repo.ResolveRevision(plumbing.Revision(b))
			if err != nil {
				return nil, fmt.Errorf("--branch %q: %w", b, err)
			}
			c, err := r.peelToCommit(*h)
			if err != nil {
				return nil, fmt.Errorf("--branch %q: %w", b, err)
			}
			out = append(out, c)
		}
		return out, nil
	}
	st := r.repo.Storer
	refs, err := st.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	addTip := func(name string, h plumbing.Hash) {
		c, err := r.peelToCommit(h)
		if err != nil {
			warn(fmt.Sprintf("ref %s: %v", name, err))
			return
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	type namedRef struct {
		name string
		hash plumbing.Hash
	}
	var all []namedRef
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.SymbolicReference {
			return nil // its target is listed on its own
		}
		all = append(all, namedRef{ref.Name().String(), ref.Hash()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	if head, err := storer.ResolveReference(st, plumbing.HEAD); err == nil {
		all = append(all, namedRef{"HEAD", head.Hash()})
	}
	stashes, err := r.stashReflog()
	if err != nil {
		warn(err.Error())
	}
	for i, h := range stashes {
		all = append(all, namedRef{fmt.Sprintf("stash@{%d}", len(stashes)-1-i), h})
	}
	if r.peeler != nil {
		hs := make([]plumbing.Hash, len(all))
		for i, ref := range all {
			hs[i] = ref.hash
		}
		r.prepeel(hs) // refs_git.go
	}
	for _, ref := range all {
		addTip(ref.name, ref.hash)
	}
	// A stable order makes the walk, and so attribution ties, repeatable.
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i][:], out[j][:]) < 0 })
	return out, nil
}

// errNotCommit is returned for a ref that names a tree or blob.
var errNotCommit = errors.New("does not point to a commit")

// peelToCommit follows annotated tags down to the commit they tag.
func (r *repository) peelToCommit(h plumbing.Hash) (plumbing.Hash, error) {
	for range 16 {
		if k, ok := r.peeled[h]; ok { // read by git (refs_git.go)
			if k.isTag {
				h = k.target
				continue
			}
			return h, nil
		}
		obj, err := r.repo.Storer.EncodedObject(plumbing.AnyObject, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return h, fmt.Errorf("object %s: %w", h, errMissing)
		}
		if err != nil {
			return h, fmt.Errorf("object %s: %w", h, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			rd, err := obj.Reader()
			if err != nil {
				return h, fmt.Errorf("tag %s: %w", h, err)
			}
			var buf bytes.Buffer
			_, err = buf.ReadFrom(rd)
			rd.Close()
			if err != nil {
				return h, fmt.Errorf("tag %s: %w", h, err)
			}
			r.noteTag(h, buf.Bytes()) // tags.go: its message is scanned too
			line, _, _ := bytes.Cut(buf.Bytes(), []byte{'\n'})
			target, ok := parseHex(bytes.TrimPrefix(line, []byte("object ")))
			if !ok {
				return h, fmt.Errorf("tag %s: no target", h)
			}
			h = target
		default:
			return h, fmt.Errorf("%s %s: %w", obj.Type(), h, errNotCommit)
		}
	}
	return h, fmt.Errorf("tag chain at %s is too long", h)
}

// walkSpec narrows the walk.
type walkSpec struct {
	tips    []plumbing.Hash
	exclude []plumbing.Hash // --range's left side: commits reachable from these are not scanned
	since   time.Time
	shallow map[plumbing.Hash]bool
}

// loadGraph reads every commit reachable from the tips, and scans the
// messages of those in range as it goes (so no message is kept).
// Commits outside the range that are parents of commits inside it are
// loaded too, because their trees are the base of the inside commits'
// diffs. Commits are read a generation at a time, so a batch reader can
// stream them.
func loadGraph(ctx context.Context, src objectSource, spec walkSpec, onMessage func(idx int32, commit plumbing.Hash, msg []byte), errs *objectErrors, counter *atomic.Int64) (*graph, error) {
	excluded, err := reachable(ctx, src, spec.exclude, spec.shallow, errs)
	if err != nil {
		return nil, err
	}
	g := &graph{index: map[plumbing.Hash]int32{}}
	var wave []int32
	for _, t := range spec.tips {
		if i, isNew := g.add(t); isNew {
			wave = append(wave, i)
		}
	}
	since := int64(0)
	if !spec.since.IsZero() {
		since = spec.since.Unix()
	}
	var hs []plumbing.Hash
	for len(wave) > 0 {
		hs = hs[:0]
		for _, i := range wave {
			hs = append(hs, g.nodes[i].hash)
		}
		var next []int32
		err := src.fetch(ctx, hs, plumbing.CommitObject, func(k int, data []byte, err error) {
			i := wave[k]
			if err != nil {
				errs.add(err)
				return
			}
			c, err := parseCommit(data)
			if err != nil {
				errs.add(fmt.Errorf("commit %s: corrupt: %w", hs[k], err))
				return
			}
			counter.Add(1)
			n := &g.nodes[i]
			n.loaded, n.tree, n.time = true, c.tree, c.time
			n.included = !excluded[n.hash] && c.time >= since
			n.shallow = spec.shallow[n.hash]
			if !n.included {
				return // a diff base only
			}
			onMessage(i, n.hash, c.message)
			if n.shallow {
				return // the edge of a shallow clone: its parents are not here
			}
			parents := make([]int32, 0, len(c.parents))
			for _, p := range c.parents {
				pi, isNew := g.add(p)
				if isNew {
					next = append(next, pi)
				}
				parents = append(parents, pi)
			}
			g.nodes[i].parents = parents // g.nodes may have grown: index again
		})
		if err != nil {
			return nil, err
		}
		wave = next
	}
	return g, nil
}

// reachable returns every commit reachable from tips (for --range A..B).
func reachable(ctx context.Context, src objectSource, tips []plumbing.Hash, shallow map[plumbing.Hash]bool, errs *objectErrors) (map[plumbing.Hash]bool, error) {
	seen := map[plumbing.Hash]bool{}
	var wave []plumbing.Hash
	for _, t := range tips {
		if !seen[t] {
			seen[t] = true
			wave = append(wave, t)
		}
	}
	for len(wave) > 0 {
		var next []plumbing.Hash
		err := src.fetch(ctx, wave, plumbing.CommitObject, func(k int, data []byte, err error) {
			if err != nil {
				errs.add(err)
				return
			}
			c, err := parseCommit(data)
			if err != nil {
				errs.add(fmt.Errorf("commit %s: corrupt: %w", wave[k], err))
				return
			}
			if shallow[wave[k]] {
				return
			}
			for _, p := range c.parents {
				if !seen[p] {
					seen[p] = true
					next = append(next, p)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		wave = next
	}
	return seen, nil
}

// topoOrder returns node indexes with every parent before its children;
// among commits that are ready at the same time, the older committer date
// (then the smaller hash) goes first. This order defines "first": a
// secret is attributed to the earliest commit in it that introduced it.
func (g *graph) topoOrder() []int32 {
	n := len(g.nodes)
	pending := make([]int32, n)
	childCount := make([]int32, n+1)
	for i := range g.nodes {
		pending[i] = int32(len(g.nodes[i].parents))
		for _, p := range g.nodes[i].parents {
			childCount[p+1]++
		}
	}
	for i := 1; i <= n; i++ {
		childCount[i] += childCount[i-1]
	}
	children := make([]int32, childCount[n])
	fill := append([]int32(nil), childCount[:n]...)
	for i := range g.nodes {
		for _, p := range g.nodes[i].parents {
			children[fill[p]] = int32(i)
			fill[p]++
		}
	}
	h := &readyHeap{g: g}
	for i := range g.nodes {
		if pending[i] == 0 {
			h.items = append(h.items, int32(i))
		}
	}
	heap.Init(h)
	order := make([]int32, 0, n)
	for h.Len() > 0 {
		i := heap.Pop(h).(int32)
		order = append(order, i)
		for _, c := range children[childCount[i]:childCount[i+1]] {
			// A commit listing the same parent twice counts it twice.
			pending[c]--
			if pending[c] == 0 {
				heap.Push(h, c)
			}
		}
	}
	return order
}

type readyHeap struct {
	g     *graph
	items []int32
}

func (h *readyHeap) Len() int { return len(h.items) }
func (h *readyHeap) Less(i, j int) bool {
	a, b := &h.g.nodes[h.items[i]], &h.g.nodes[h.items[j]]
	if a.time != b.time {
		return a.time < b.time
	}
	return bytes.Compare(a.hash[:], b.hash[:]) < 0
}
func (h *readyHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *readyHeap) Push(x any)    { h.items = append(h.items, x.(int32)) }
func (h *readyHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// pair is one (path, blob) in the history, with the rank (position in
// topological order) of the first commit that put that blob at that path.
type pair struct {
	path int32
	rank int32
	blob plumbing.Hash
}

type pairKey struct {
	path int32
	blob plumbing.Hash
}

// introductions is the result of diffing every commit in range against its
// first parent: each (path, blob) once, with the commit that introduced it.
type introductions struct {
	pairs   []pair // in rank order
	paths   []string
	commits []plumbing.Hash // rank → commit
}

// diffCommits walks the commits in topological order and records, for each
// commit in range, the files it adds or changes relative to its first
// parent (all of its files for a root commit or a shallow boundary). A
// merge is diffed against its first parent only: what it brings from the
// other side was recorded when the other side's commits were walked, and
// what the merge itself resolved differs from the first parent too.
//
// The commits are cut into contiguous segments of the order, diffed in
// parallel (each with its own object reader and tree cache), and the
// results joined in order, keeping each (path, blob)'s earliest commit —
// the same result as one walk from the first commit to the last.
//
// With git (trees non-nil), each segment is diffed by `git diff-tree`
// (walk_git.go); a segment git cannot diff is walked here instead.
func diffCommits(ctx context.Context, g *graph, order []int32, newSource func() (objectSource, error), trees *gitTreeDiffer, workers int, errs *objectErrors, subs *submodules, counter *atomic.Int64) (*introductions, error) {
	in := &introductions{commits: make([]plumbing.Hash, len(order))}
	for rank, i := range order {
		in.commits[rank] = g.nodes[i].hash
	}
	segments := max(1, min(workers, len(order)/(4*diffBatch)))
	outs := make([][]changedAt, segments)
	fail := make([]error, segments)
	var wg sync.WaitGroup
	for k := range segments {
		lo, hi := k*len(order)/segments, (k+1)*len(order)/segments
		wg.Add(1)
		go func() {
			defer wg.Done()
			if trees != nil {
				var err error
				if outs[k], err = trees.segment(ctx, g, order, lo, hi, subs, counter); err == nil || ctx.Err() != nil {
					fail[k] = err
					return
				}
			}
			src, err := newSource()
			if err != nil {
				fail[k] = err
				return
			}
			defer src.close()
			outs[k], fail[k] = diffSegment(ctx, g, order, lo, hi, src, errs, subs, counter)
		}()
	}
	wg.Wait()
	if err := errors.Join(fail...); err != nil {
		return nil, err
	}
	pathIDs := map[string]int32{}
	seen := map[pairKey]struct{}{}
	for _, out := range outs {
		for _, c := range out {
			id, ok := pathIDs[c.path]
			if !ok {
				id = int32(len(in.paths))
				pathIDs[c.path] = id
				in.paths = append(in.paths, c.path)
			}
			k := pairKey{path: id, blob: c.blob}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			in.pairs = append(in.pairs, pair{path: id, rank: c.rank, blob: c.blob})
		}
	}
	return in, nil
}

// changedAt is a file a commit (by rank) adds or changes.
type changedAt struct {
	path string
	blob plumbing.Hash
	rank int32
}

// diffSegment diffs the commits order[lo:hi] in batches, one directory
// level at a time across the batch, so that every tree a level needs is
// requested at once. Within the segment each (path, blob) is kept once.
func diffSegment(ctx context.Context, g *graph, order []int32, lo, hi int, src objectSource, errs *objectErrors, subs *submodules, counter *atomic.Int64) ([]changedAt, error) {
	type seenKey struct {
		path string
		blob plumbing.Hash
	}
	seen := map[seenKey]struct{}{}
	var out []changedAt
	trees := newTreeCache(treeCacheSize)
	// A task is one directory of one commit of the batch to compare.
	type task struct {
		slot int // position in the batch
		treePair
	}
	changed := make([][]changedFile, diffBatch)
	var tasks, next []task
	var need []plumbing.Hash
	for start := lo; start < hi; start += diffBatch {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		batch := order[start:min(hi, start+diffBatch)]
		tasks = tasks[:0]
		for slot, i := range batch {
			changed[slot] = changed[slot][:0]
			n := &g.nodes[i]
			if !n.loaded || !n.included {
				continue
			}
			var base plumbing.Hash
			if len(n.parents) > 0 {
				if p := &g.nodes[n.parents[0]]; p.loaded {
					base = p.tree
				}
			}
			if base != n.tree {
				tasks = append(tasks, task{slot: slot, treePair: treePair{from: base, to: n.tree}})
			}
		}
		for len(tasks) > 0 {
			need = need[:0]
			for _, t := range tasks {
				need = append(need, t.to, t.from)
			}
			if err := trees.load(ctx, src, need); err != nil {
				return nil, err
			}
			next = next[:0]
			for _, t := range tasks {
				commit := g.nodes[batch[t.slot]].hash
				toEntries, err := levelTree(ctx, trees, src, t.to)
				if err != nil {
					errs.add(fmt.Errorf("%w (in commit %s)", err, commit))
					continue
				}
				fromEntries, err := levelTree(ctx, trees, src, t.from)
				if err != nil {
					// Scan all of `to` rather than nothing.
					errs.add(fmt.Errorf("%w (in commit %s)", err, commit))
					fromEntries = nil
				}
				var sub []treePair
				changed[t.slot], sub = diffLevel(t.treePair, fromEntries, toEntries, changed[t.slot], nil)
				for _, p := range sub {
					next = append(next, task{slot: t.slot, treePair: p})
				}
			}
			tasks, next = next, tasks
		}
		for slot, i := range batch {
			n := &g.nodes[i]
			if !n.loaded || !n.included {
				continue
			}
			counter.Add(1)
			for _, c := range changed[slot] {
				if c.gitlink {
					subs.add(c.path)
					continue
				}
				k := seenKey{c.path, c.blob}
				if _, dup := seen[k]; dup {
					continue
				}
				seen[k] = struct{}{}
				out = append(out, changedAt{path: c.path, blob: c.blob, rank: int32(start + slot)})
			}
		}
	}
	return out, nil
}

// levelTree returns a tree loaded for this level, reading it again in the
// unlikely case that the level loaded more trees than the cache holds.
func levelTree(ctx context.Context, trees *treeCache, src objectSource, h plumbing.Hash) ([]treeEntry, error) {
	if entries, err, ok := trees.get(h); ok {
		return entries, err
	}
	return trees.tree(ctx, src, h)
}

// diffBatch is how many commits are diffed together, and treeCacheSize
// the memory each segment's parsed trees may hold: enough for a batch's
// working set and the next batch's parents, bounded for huge trees.
const (
	diffBatch     = 128
	treeCacheSize = 16 << 20
)

// objectErrors collects missing and corrupt objects: the scan reports each
// and goes on with the rest. The zero value is ready to use.
type objectErrors struct {
	mu   sync.Mutex
	list []error
	seen map[string]bool
}

func (e *objectErrors) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	msg := err.Error()
	if e.seen[msg] {
		return
	}
	e.seen[msg] = true
	e.list = append(e.list, err)
}

// all returns the errors in a stable order.
func (e *objectErrors) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append([]error(nil), e.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].Error() < out[j].Error() })
	return out
}

// firstLine returns a commit message's summary.
func firstLine(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimSpace(line)
}
