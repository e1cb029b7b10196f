package scanner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestUnreadableCount: every entry that could not be read is counted —
// directories the walk cannot list as well as files — so the error says
// how many were left out. Paths longer than PATH_MAX fail for root too,
// which permission bits do not.
func TestUnreadableCount(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	// Nest until the directory's own path is just under PATH_MAX (4096).
	seg := strings.Repeat("d", 200)
	cur := root
	depth := (4000 - len(dir)) / (len(seg) + 1)
	for range depth {
		if err := cur.Mkdir(seg, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := cur.OpenRoot(seg)
		if err != nil {
			t.Fatal(err)
		}
		defer next.Close()
		cur = next
	}
	long := strings.Repeat("x", 240)
	for _, name := range []string{long + "1.txt", long + "2.txt"} {
		f, err := cur.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("hello\n")
		f.Close()
	}
	if err := cur.Mkdir(long+"dir", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("hello\n"), 0o644)

	var mu sync.Mutex
	var warnings []string
	// Warn is called from the workers and the walk at once.
	warn := func(m string) { mu.Lock(); warnings = append(warnings, m); mu.Unlock() }
	src := &FileSource{Roots: []string{dir}, Warn: warn}
	_, stats, err := src.Scan(t.Context(), testDetector(t))
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), ": 3 file(s)") || stats.Unreadable != 3 {
		t.Errorf("err %v, unreadable %d, want 3 (two files, one directory)", err, stats.Unreadable)
	}
	if len(warnings) != 3 || !strings.Contains(warnings[0], syscall.ENAMETOOLONG.Error()) {
		t.Errorf("warnings: %d %.200q", len(warnings), warnings)
	}
	if stats.Files != 1 {
		t.Errorf("%d files scanned, want ok.txt", stats.Files)
	}
}
