package history

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// repository is an opened git repository: go-git's view for refs and
// revisions, and the .git directory for opening more object readers.
type repository struct {
	repo   *git.Repository
	dotGit billy.Filesystem
	// gitDir is the .git directory (or the bare repository) on disk, for
	// the git binary.
	gitDir string
	// tags are the annotated tags met while resolving refs (tags.go).
	tags map[plumbing.Hash]tagMessage
	// peeler, when set, reads the refs' commits and tags through git
	// (refs_git.go) into peeled, ahead of peelToCommit.
	peeler *gitReader
	peeled map[plumbing.Hash]peeledObject
}

// ErrNotRepository is wrapped by the error for a path that is not in a
// git repository.
var ErrNotRepository = errors.New("not a git repository")

// openRepository opens the repository at or above path, bare or not.
func openRepository(path string) (*repository, error) {
	repo, err := git.PlainOpenWithOptions(path, &git.PlainOpenOptions{
		// A bare repository is opened as it is; anything else is looked
		// up from path towards the root, as git does.
		DetectDotGit:          !looksBare(path),
		EnableDotGitCommonDir: true,
	})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open repository %s: unsupported storage %T", path, repo.Storer)
	}
	return &repository{repo: repo, dotGit: st.Filesystem(), gitDir: st.Filesystem().Root()}, nil
}

// looksBare reports a directory that is itself a git directory: a HEAD
// file and an objects directory.
func looksBare(path string) bool {
	head, err := os.Stat(filepath.Join(path, "HEAD"))
	if err != nil || !head.Mode().IsRegular() {
		return false
	}
	objs, err := os.Stat(filepath.Join(path, "objects"))
	return err == nil && objs.IsDir()
}

// storage opens an independent go-git object storage on the repository.
// go-git's storage is not safe for concurrent use when it keeps pack files
// open, so every goroutine that reads objects gets its own.
// Objects above largeObject bytes are not loaded into memory when opened
// (0: no limit), so a huge blob can be skipped by its size.
func (r *repository) storage(cacheBytes, largeObject int64) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(r.dotGit,
		cache.NewObjectLRU(cache.FileSize(cacheBytes)),
		filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: largeObject})
}

// stashReflog returns every stash entry, newest first: refs/stash names
// only the latest, the older ones live in its reflog.
func (r *repository) stashReflog() ([]plumbing.Hash, error) {
	f, err := r.dotGit.Open("logs/refs/stash")
	if err != nil {
		return nil, nil // no stash, or no reflog kept: nothing more to find
	}
	defer f.Close()
	var out []plumbing.Hash
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// "<old> <new> Name <email> 1700000000 +0000\tmessage"
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		if h, ok := parseHex([]byte(fields[1])); ok && !h.IsZero() {
			out = append(out, h)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read stash reflog: %w", err)
	}
	return out, nil
}
