package scanner

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// encodeUTF16 writes s as UTF-16 with a BOM in the given byte order.
func encodeUTF16(s string, order binary.ByteOrder) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 2+2*len(units))
	order.PutUint16(out, 0xFEFF)
	for i, u := range units {
		order.PutUint16(out[2+2*i:], u)
	}
	return out
}

func TestDecodeUTF16(t *testing.T) {
	text := "héllo 😀\r\nline two\n"
	tests := []struct {
		name string
		in   []byte
		want string
		ok   bool
	}{
		{"LE", encodeUTF16(text, binary.LittleEndian), text, true},
		{"BE", encodeUTF16(text, binary.BigEndian), text, true},
		{"no BOM", []byte("plain"), "plain", false},
		{"UTF-32LE BOM", []byte{0xFF, 0xFE, 0, 0, 'a', 0, 0, 0}, "\xff\xfe\x00\x00a\x00\x00\x00", false},
		{"odd trailing byte", append(encodeUTF16("ab", binary.LittleEndian), 'x'), "ab", true},
	}
	for _, tt := range tests {
		got, ok := DecodeUTF16(tt.in)
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("%s: got %q %v, want %q %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestScanUTF16Files: UTF-16 files with a BOM (PowerShell, Windows
// configs) are decoded and scanned, with the decoded text's line and
// column; without a BOM a NUL-laden file is still binary.
func TestScanUTF16Files(t *testing.T) {
	dir := t.TempDir()
	const key = "AKIAQ3EGUWN5VTL7ZB4X"
	text := "# deploy.ps1\r\n$env:AWS_ACCESS_KEY_ID = \"" + key + "\"\r\n"
	os.WriteFile(filepath.Join(dir, "le.ps1"), encodeUTF16(text, binary.LittleEndian), 0o644)
	os.WriteFile(filepath.Join(dir, "be.ps1"), encodeUTF16(text, binary.BigEndian), 0o644)
	os.WriteFile(filepath.Join(dir, "nobom.bin"), encodeUTF16(text, binary.LittleEndian)[2:], 0o644)
	src := &FileSource{Roots: []string{dir}}
	fs, stats, err := src.Scan(t.Context(), testDetector(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range fs {
		got[f.File] = f
	}
	for _, name := range []string{"le.ps1", "be.ps1"} {
		f, ok := got[name]
		if !ok || f.Secret != key || f.StartLine != 2 || f.StartColumn != 27 {
			t.Errorf("%s: %+v (found %v)", name, f, ok)
		}
	}
	if _, ok := got["nobom.bin"]; ok || stats.Binary != 1 {
		t.Errorf("a file without a BOM was decoded: binary %d", stats.Binary)
	}
}
