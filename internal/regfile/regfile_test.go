package regfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFile: a regular file (and a symlink to one) is read whole; a
// FIFO, a directory and a device are refused at once, saying what they
// are; a missing file is still fs.ErrNotExist.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "a.toml")
	big := strings.Repeat("line\n", 100000)
	if err := os.WriteFile(reg, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	fifoLink := filepath.Join(dir, "fifo-link")
	if err := os.Symlink(fifo, fifoLink); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, want string // want: "" to read big, else a substring of the error
	}{
		{reg, ""},
		{link, ""},
		{fifo, "named pipe"},
		{fifoLink, "named pipe"},
		{dir, "directory"},
		{"/dev/null", "character device"},
	} {
		done := make(chan struct{})
		var data []byte
		var err error
		go func() { data, err = ReadFile(tt.path); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile blocked", tt.path)
		}
		if tt.want == "" {
			if err != nil || string(data) != big {
				t.Errorf("%s: %d bytes, err %v; want the file", tt.path, len(data), err)
			}
			continue
		}
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: err %v, want ErrNotRegular naming the path and %q", tt.path, err, tt.want)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err %v, want fs.ErrNotExist", err)
	}
}
