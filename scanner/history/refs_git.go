package history

import (
	"bytes"
	"context"

	"github.com/go-git/go-git/v5/plumbing"
)

// peeledObject is what git said a ref's object (or a tag's target) is: a
// commit, or an annotated tag pointing at target.
type peeledObject struct {
	isTag  bool
	target plumbing.Hash
}

// prepeel reads the objects the refs name, and the targets of their
// annotated tags, through one `git cat-file` process, a wave of tag
// levels at a time. Peeling ref by ref through go-git inflated each
// commit after loading the pack index: 40 ms for spf13/cobra's 1,500
// pull-request refs. Anything else (a tree, a blob, a missing or corrupt
// object) is left to peelToCommit's go-git path, which says what is wrong.
func (r *repository) prepeel(hs []plumbing.Hash) {
	src, err := r.peeler.source(context.Background())
	if err != nil {
		return // peelToCommit reads them through go-git
	}
	defer src.close()
	if r.peeled == nil {
		r.peeled = map[plumbing.Hash]peeledObject{}
	}
	var wave []plumbing.Hash
	queued := map[plumbing.Hash]bool{}
	for _, h := range hs {
		if !queued[h] {
			queued[h] = true
			wave = append(wave, h)
		}
	}
	for depth := 0; len(wave) > 0 && depth < 16; depth++ {
		var next []plumbing.Hash
		err := src.fetch(context.Background(), wave, plumbing.AnyObject, func(i int, data []byte, err error) {
			if err != nil {
				return
			}
			switch src.b.typ {
			case plumbing.CommitObject:
				r.peeled[wave[i]] = peeledObject{}
			case plumbing.TagObject:
				line, _, _ := bytes.Cut(data, []byte{'\n'})
				target, ok := parseHex(bytes.TrimPrefix(line, []byte("object ")))
				if !ok {
					return // "no target", from the go-git path
				}
				r.noteTag(wave[i], append([]byte(nil), data...)) // tags.go keeps its message; data is reused
				r.peeled[wave[i]] = peeledObject{isTag: true, target: target}
				if !queued[target] {
					queued[target] = true
					next = append(next, target)
				}
			}
		})
		if err != nil {
			return
		}
		wave = next
	}
}
