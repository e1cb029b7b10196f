package scanner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/leakfix/leakfix/internal/regfile"
)

// ErrNotRegular is wrapped by the error CheckRoot returns for a path that
// is neither a regular file nor a directory: opening a FIFO blocks until a
// writer appears, and a device can be endless.
var ErrNotRegular = errors.New("not a regular file or directory")

// Root is a path named on the command line, checked before anything
// opens it.
type Root struct {
	Path string // as given
	// Walk is what to open or walk: Path, or for a symlink to a directory
	// the directory it resolves to (the root itself is followed; links
	// inside the tree never are).
	Walk  string
	IsDir bool
}

// CheckRoot stats path without opening it and refuses anything but a
// regular file or a directory (after following the root's own symlinks).
func CheckRoot(path string) (Root, error) {
	lst, err := os.Lstat(path)
	if err != nil {
		return Root{}, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	st := lst
	if lst.Mode()&fs.ModeSymlink != 0 {
		if st, err = os.Stat(path); err != nil {
			return Root{}, fmt.Errorf("%s: %s", path, symlinkProblem(path, err))
		}
	}
	r := Root{Path: path, Walk: path, IsDir: st.IsDir()}
	switch {
	case st.IsDir():
		if lst.Mode()&fs.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(path)
			if err != nil {
				return Root{}, fmt.Errorf("%s: %s", path, symlinkProblem(path, err))
			}
			r.Walk = resolved
		}
	case st.Mode().IsRegular():
	default:
		return Root{}, fmt.Errorf("%s: %w (%s); refusing to read it", path, ErrNotRegular, describeMode(st.Mode()))
	}
	return r, nil
}

// symlinkProblem says what is wrong with a symlink that cannot be
// followed: a loop or a dangling target, in words.
func symlinkProblem(path string, err error) string {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return "symbolic link loop (the link resolves to itself)"
	case errors.Is(err, fs.ErrNotExist):
		target, _ := os.Readlink(path)
		return fmt.Sprintf("dangling symbolic link (target %s does not exist)", target)
	}
	return unwrapPathError(err).Error()
}

func describeMode(m fs.FileMode) string { return regfile.Describe(m) }
