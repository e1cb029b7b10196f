// Package atomicfile is the one way leakfix replaces or creates a file:
// the content goes to a temporary file in the same folder, gets its final
// mode before a byte is written (so a secret is never readable by others,
// even briefly), is synced, and is renamed over the target (or linked to
// it, for a file that must not exist yet), and the folder is synced. A
// crash or error leaves the old file or the new one, never half of one,
// and no temporary file behind. fix, plan, purge and report all write
// through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Options say how to write.
type Options struct {
	// Perm is the new file's mode (whatever the umask).
	Perm fs.FileMode
	// Prepare, when set, runs on the temporary file after the content is
	// written and before it is synced (fix keeps the old owner with it).
	Prepare func(*os.File) error
	// NoClobber creates path and fails if it exists, instead of replacing
	// it.
	NoClobber bool
}

// Write writes path with the bytes write produces. Errors from write are
// returned as they are; the others name path.
func Write(path string, o Options, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(o.Perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		return err
	}
	if o.Prepare != nil {
		if err := o.Prepare(tmp); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if o.NoClobber {
		// Link fails if the target appeared meanwhile: never clobber.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("write %s: %w; not overwritten", path, fs.ErrExist)
			}
			return fmt.Errorf("write %s: %w", path, err)
		}
		os.Remove(tmp.Name())
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	SyncDir(dir)
	return nil
}

// WriteFile writes data to path with mode perm, replacing path.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, Options{Perm: perm}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes a rename in dir durable; a failure only weakens
// durability, so it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
