package scanner

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreeTooLargeIsIncomplete: a text file over the limit (ASCII or
// UTF-16 with a BOM) is named and makes the scan incomplete; a binary one
// is binary, whatever its size; names are escaped in the message.
func TestTreeTooLargeIsIncomplete(t *testing.T) {
	pad := strings.Repeat("# generated line\n", 200) // 3400 bytes
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string // names not scanned; "" for a complete scan
		bin   int64
	}{
		{"large text", map[string]string{"big.txt": pad, "a.txt": "x\n"}, "big.txt", 0},
		{"large UTF-16", map[string]string{"wide.ps1": "\xff\xfe" + strings.Repeat("a\x00", 2000)}, "wide.ps1", 0},
		{"large binary", map[string]string{"image.png": "\x89PNG\x00\x00" + pad}, "", 1},
		{"small only", map[string]string{"a.txt": "x\n"}, "", 0},
		{"control character", map[string]string{"evil\x1b[2Jname.txt": pad}, "evil\x1b[2Jname.txt", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for n, c := range tt.files {
				writeFile(t, filepath.Join(root, n), c, 0o644)
			}
			_, st, err := scanFiles(t, &FileSource{Roots: []string{root}, MaxFileSize: 1000})
			if st.Binary != tt.bin {
				t.Errorf("binary = %d, want %d", st.Binary, tt.bin)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want a complete scan", err)
				}
				return
			}
			var tl *TooLargeError
			if !errors.As(err, &tl) || !Incomplete(err) || strings.Join(tl.Names, ",") != tt.want {
				t.Fatalf("err = %v, want an incomplete scan naming %q", err, tt.want)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("message carries a raw ESC: %q", err)
			}
		})
	}
}

// TestTooLargeMessageListsAFew: the message names the first few files and
// counts the rest.
func TestTooLargeMessageListsAFew(t *testing.T) {
	names := []string{"g", "f", "e", "d", "c", "b", "a", "a"}
	err := NewTooLargeError("blob", 10, len(names), names)
	want := "8 blob(s) larger than 10 bytes not scanned (raise --max-file-size to scan them): a, b, c, d, e and 2 more"
	if err == nil || err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if NewTooLargeError("file", 10, 0, nil) != nil {
		t.Error("no file skipped must be no error")
	}
}
