// Package regfile reads files named by options (--config, --baseline,
// --names, --from, --gitleaks-ignore-path, a report template) and files
// found beside the scanned tree (.leakfixignore, .gitleaksignore,
// .gitignore): only regular files, and never with an open that can block.
// Opening a FIFO for reading waits for a writer, forever; a device can be
// endless.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by the error ReadFile returns for a path that
// is not a regular file (after following symlinks).
var ErrNotRegular = errors.New("not a regular file")

// ReadFile is os.ReadFile for regular files only. The path is checked
// with stat before it is opened, and opened non-blocking (an open of a
// FIFO swapped in between returns at once) and checked again; anything
// but a regular file is an error wrapping ErrNotRegular that says what
// the path is. Errors are *fs.PathError, so errors.Is(err,
// fs.ErrNotExist) still tells a missing file.
func ReadFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, st); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(path, st); err != nil {
		return nil, err
	}
	data := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: unwrap(err)}
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew: make room
		}
	}
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func check(path string, st fs.FileInfo) error {
	if st.Mode().IsRegular() {
		return nil
	}
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s); refusing to read it", ErrNotRegular, Describe(st.Mode()))}
}

// Describe names a file mode's type in words.
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return m.Type().String()
}
