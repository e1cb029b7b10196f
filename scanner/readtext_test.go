package scanner

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/leakfix/leakfix/rules"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bytes.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestReadText: a large binary file is read no further than its first
// sniffLen bytes; text, archives and UTF-16 text are read whole.
func TestReadText(t *testing.T) {
	noise := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(noise)
	noise[10] = 0
	text := bytes.Repeat([]byte("plain text line\n"), 4<<10)
	zipLike := append([]byte("PK\x03\x04"), noise...)
	utf16LE := append([]byte{0xFF, 0xFE}, noise...)
	small := noise[:100]
	for _, tc := range []struct {
		name      string
		data      []byte
		skipped   bool
		readWhole bool
	}{
		{"binary", noise, true, false},
		{"text", text, false, true},
		{"archive", zipLike, false, true},
		{"utf-16 bom", utf16LE, false, true},
		{"small binary", small, false, true},
		{"empty", nil, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := &countingReader{r: bytes.NewReader(tc.data)}
			got, skipped, err := readText(cr, int64(len(tc.data)))
			if err != nil {
				t.Fatal(err)
			}
			if skipped != tc.skipped {
				t.Errorf("skipped = %v, want %v", skipped, tc.skipped)
			}
			if tc.readWhole && !bytes.Equal(got, tc.data) {
				t.Errorf("read %d bytes, want the whole %d", len(got), len(tc.data))
			}
			if !tc.readWhole && (got != nil || cr.n > sniffLen) {
				t.Errorf("read %d bytes of a binary file (kept %d), want at most %d", cr.n, len(got), sniffLen)
			}
		})
	}
	// A file shorter than its size said (changed under us) is what was
	// there, as before.
	got, skipped, err := readText(bytes.NewReader(text[:20<<10]), int64(len(text)))
	if err != nil || skipped || len(got) != 20<<10 {
		t.Errorf("short file: %d bytes, skipped %v, err %v", len(got), skipped, err)
	}
}

// TestLargeBinaryFilesInTree: past the sniffed head, a binary file named by
// a path-only rule is still reported with its whole blob id, an archive is
// still opened, UTF-16 text is still scanned, and other binary files are
// skipped.
func TestLargeBinaryFilesInTree(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Rule("aws-secret-access-key")
	if r == nil || len(r.Examples) == 0 {
		t.Fatal("aws-secret-access-key has no example")
	}
	secretLine := r.Examples[0] + "\n"
	noise := make([]byte, 32<<10)
	rand.New(rand.NewSource(2)).Read(noise)
	noise[0] = 0

	keystore := append([]byte{0x30, 0x82, 0x0a, 0x00}, noise...) // DER magic, then 32 KiB
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, e := range []struct {
		name string
		data []byte
	}{{"blob.bin", noise}, {"conf/app.env", []byte(secretLine)}, {"certs/inner.p12", keystore}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var u16 bytes.Buffer
	u16.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(string(bytes.Repeat([]byte("# filler line\n"), 1<<10)) + secretLine)) {
		binary.Write(&u16, binary.LittleEndian, u)
	}

	dir := t.TempDir()
	files := map[string][]byte{
		"dist/bundle.zip":  zbuf.Bytes(),
		"notes-utf16.txt":  u16.Bytes(),
		"certs/server.p12": keystore,
		"img/logo.png":     append(append([]byte{}, noise...), secretLine...),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if len(data) <= sniffLen {
			t.Fatalf("%s: %d bytes, the test needs files past the sniffed head", name, len(data))
		}
	}
	fs, st, err := (&FileSource{Roots: []string{dir}}).Scan(context.Background(), New(cfg, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range fs {
		got[f.File+" "+f.RuleID] = f
	}
	if f, ok := got["dist/bundle.zip!conf/app.env aws-secret-access-key"]; !ok || f.Container != "dist/bundle.zip" {
		t.Errorf("secret inside the zip not found: %v", keysOf(got))
	}
	// A binary entry is held whole only when a path-only rule names it.
	inner := 0
	for _, f := range fs {
		if f.File == "dist/bundle.zip!certs/inner.p12" {
			inner++
			if f.Secret != GitBlobID(keystore) || !f.IsWholeFile() {
				t.Errorf("keystore in zip: secret %.12s, want blob %.12s", f.Secret, GitBlobID(keystore))
			}
		}
		if f.File == "dist/bundle.zip!blob.bin" {
			t.Errorf("binary entry reported: %s", f.RuleID)
		}
	}
	if inner != 1 {
		t.Errorf("keystore in zip: %d findings, want 1 (%v)", inner, keysOf(got))
	}
	if _, ok := got["notes-utf16.txt aws-secret-access-key"]; !ok {
		t.Errorf("secret in UTF-16 text not found: %v", keysOf(got))
	}
	ks := 0
	for _, f := range fs {
		if f.File == "certs/server.p12" {
			ks++
			if f.Secret != GitBlobID(keystore) || f.Confidence != "high" || !f.IsWholeFile() {
				t.Errorf("keystore: secret %.12s confidence %s, want blob %.12s high", f.Secret, f.Confidence, GitBlobID(keystore))
			}
		}
		if f.File == "img/logo.png" {
			t.Errorf("binary image reported: %s", f.RuleID)
		}
	}
	if ks != 1 {
		t.Errorf("keystore: %d findings, want 1 (%v)", ks, keysOf(got))
	}
	if st.Binary < 2 {
		t.Errorf("binary files counted: %d, want the keystore and the image", st.Binary)
	}
}

func keysOf(m map[string]Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
