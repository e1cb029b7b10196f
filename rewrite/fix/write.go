package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/leakfix/leakfix/internal/atomicfile"
)

// ErrReadOnly is returned for files without owner write permission:
// leakfix does not change permissions to get its way, even as root.
var ErrReadOnly = errors.New("file is read-only")

// Write applies c to disk atomically: the new content goes to a
// temporary file in the same directory, gets the old file's mode (and
// owner, when permitted), is synced, and is renamed over the old file.
// The file is left untouched when it is read-only, is no longer what Plan
// read, is not a regular file, or has other hard links (a rename would
// leave the secret in them). New files are created with mode c.Mode
// (0644 when unset) and never overwrite an existing file.
func Write(c *Change) error {
	if c.Err != nil {
		return c.Err
	}
	if !c.Changed() {
		return nil
	}
	dir := filepath.Dir(c.Path)
	mode := c.Mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	var st fs.FileInfo
	if c.New {
		if mode == 0 {
			mode = 0o644
		}
		if _, err := os.Lstat(c.Path); err == nil {
			return fmt.Errorf("%s already exists; not overwritten", c.Path)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, unwrapPath(err))
		}
	} else {
		var err error
		st, err = os.Lstat(c.Path)
		if err != nil {
			return fmt.Errorf("stat: %w", unwrapPath(err))
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("not a regular file (%s); left untouched", st.Mode().Type())
		}
		if st.Mode().Perm()&0o200 == 0 {
			return fmt.Errorf("%w (mode %04o); left untouched — make it writable to fix it", ErrReadOnly, st.Mode().Perm())
		}
		if n := hardLinks(st); n > 1 {
			return fmt.Errorf("has %d hard links; rewriting it would leave the secret in the others; left untouched", n)
		}
		cur, err := os.ReadFile(c.Path)
		if err != nil {
			return fmt.Errorf("read: %w", unwrapPath(err))
		}
		if !bytes.Equal(cur, c.Before) {
			return errors.New("the file changed while leakfix was working; left untouched")
		}
	}
	o := atomicfile.Options{Perm: mode, NoClobber: c.New}
	if st != nil {
		o.Prepare = func(f *os.File) error {
			keepOwner(f, st)
			return nil
		}
	}
	err := atomicfile.Write(c.Path, o, func(w io.Writer) error {
		_, err := w.Write(c.After)
		return err
	})
	switch {
	case errors.Is(err, fs.ErrExist) && c.New:
		return fmt.Errorf("%s already exists; not overwritten", c.Path)
	case err != nil:
		// The path is the caller's to print; keep the cause.
		return fmt.Errorf("write: %w", unwrapPath(err))
	}
	return nil
}
