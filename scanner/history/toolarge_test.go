package history

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/leakfix/leakfix/scanner"
)

// tooLargeLimit is the --max-file-size of these tests: every "big" file
// below is larger, every "small" one smaller.
const tooLargeLimit = 10000

// tooLargeFiles are the files of the size tests: large text (ASCII and
// UTF-16 with a BOM) must be named as not scanned; a large binary file
// (NUL in its first bytes) is binary, not "too large".
func tooLargeFiles() map[string]string {
	pad := strings.Repeat("# generated line\n", 1000) // 17 000 bytes
	wide := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(pad)) {
		wide = append(wide, byte(u), byte(u>>8))
	}
	return map[string]string{
		"big.txt":   pad + "k = '" + awsConfig + "'\n",
		"wide.ps1":  string(wide),
		"image.png": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00\x07", 10000),
		"small.txt": "x = 1\n",
	}
}

// wantTooLarge checks err names exactly the large text files and makes
// the scan incomplete.
func wantTooLarge(t *testing.T, label string, err error, names string) {
	t.Helper()
	var tl *scanner.TooLargeError
	if !errors.As(err, &tl) || !scanner.Incomplete(err) {
		t.Fatalf("%s: err = %v, want an incomplete scan naming the large text files", label, err)
	}
	if got := strings.Join(tl.Names, ","); got != names || tl.Limit != tooLargeLimit {
		t.Errorf("%s: not scanned %q (limit %d), want %q (limit %d)", label, got, tl.Limit, names, tooLargeLimit)
	}
	if !strings.Contains(err.Error(), "big.txt") {
		t.Errorf("%s: message %q does not name big.txt", label, err)
	}
}

// TestHistoryTooLargeIsIncomplete: with both readers, a large text blob
// makes the history scan incomplete (named, never clean); a large binary
// blob does not.
func TestHistoryTooLargeIsIncomplete(t *testing.T) {
	r := newTestRepo(t)
	r.commit("big files", tooLargeFiles())
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		_, st, err := Scan(context.Background(), r.dir, testDetector(t), Options{Reader: reader, MaxBlobSize: tooLargeLimit})
		wantTooLarge(t, reader, err, "big.txt,wide.ps1")
		if !errors.Is(err, ErrIncomplete) {
			t.Errorf("%s: err %v does not wrap history.ErrIncomplete", reader, err)
		}
		if st.Binary != 1 || st.TooLarge != 2 {
			t.Errorf("%s: stats %d binary, %d too large; want 1 and 2", reader, st.Binary, st.TooLarge)
		}
	}

	// Only a large binary blob: complete, exit 0 territory.
	r2 := newTestRepo(t)
	r2.commit("an image", map[string]string{"image.png": tooLargeFiles()["image.png"], "a.txt": "x\n"})
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		_, st, err := Scan(context.Background(), r2.dir, testDetector(t), Options{Reader: reader, MaxBlobSize: tooLargeLimit})
		if err != nil || st.Binary != 1 || st.TooLarge != 0 {
			t.Errorf("%s: large binary blob only: err %v, %d binary, %d too large; want nil, 1, 0", reader, err, st.Binary, st.TooLarge)
		}
	}
}

// TestStagedTooLargeIsIncomplete: the same for `scan --staged`, on the
// git path and the go-git path.
func TestStagedTooLargeIsIncomplete(t *testing.T) {
	r := newTestRepo(t)
	r.commit("first", map[string]string{"small.txt": "x = 0\n"})
	r.write(tooLargeFiles())
	r.git("add", "-A")
	for _, goGit := range []bool{false, true} {
		label := map[bool]string{false: "git", true: "go-git"}[goGit]
		_, _, err := ScanStaged(context.Background(), r.dir, testDetector(t), StagedOptions{MaxBlobSize: tooLargeLimit, GoGit: goGit})
		wantTooLarge(t, label, err, "big.txt,wide.ps1")
	}
}
