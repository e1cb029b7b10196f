// Package archivetest builds archives in memory for tests: zip (and so
// jar/war/whl), tar, tar.gz, tar.xz, gzip, xz, and bzip2 through the
// bzip2 program (Go has no bzip2 writer).
package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/ulikunitz/xz"
)

// File is one entry: a name and its content. Link, if set, makes the
// entry a symlink to it instead.
type File struct {
	Name, Body, Link string
}

// Zip builds a zip (deflated entries).
func Zip(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate}
		body := f.Body
		if f.Link != "" {
			h.SetMode(os.ModeSymlink | 0o777)
			body = f.Link
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Tar builds an uncompressed tar.
func Tar(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Body)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if f.Link != "" {
			h = &tar.Header{Name: f.Name, Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: f.Link, Format: tar.FormatPAX}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if f.Link == "" {
			if _, err := tw.Write([]byte(f.Body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Gzip compresses data with gzip.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// XZ compresses data with xz.
func XZ(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Bzip2 compresses data with the bzip2 program; the test skips without
// it unless LEAKFIX_REQUIRE_TOOLS=1.
func Bzip2(t testing.TB, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("bzip2"); err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatal("bzip2 is required (LEAKFIX_REQUIRE_TOOLS=1) but not installed")
		}
		t.Skip("bzip2 not installed: cannot make .bz2 test data")
	}
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

// ZerosGzip writes a valid gzip stream of n zero bytes (n a multiple of
// 1 MiB) to w without ever holding more than 1 MiB of them: one MiB is
// deflated once and sync-flushed, which leaves a byte-aligned segment that
// decodes the same wherever it stands, and the segment is written n/1MiB
// times. A 10 GB bomb is about 10 MB and takes a second or two to write.
func ZerosGzip(w io.Writer, n int64) error {
	const mib = 1 << 20
	zeros := make([]byte, mib)
	var seg bytes.Buffer
	fw, err := flate.NewWriter(&seg, flate.BestCompression)
	if err != nil {
		return err
	}
	if _, err := fw.Write(zeros); err != nil {
		return err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	var final bytes.Buffer
	fe, _ := flate.NewWriter(&final, flate.BestCompression)
	if err := fe.Close(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	crc := uint32(0)
	for i := int64(0); i < n/mib; i++ {
		if _, err := bw.Write(seg.Bytes()); err != nil {
			return err
		}
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	bw.Write(final.Bytes())
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(n))
	bw.Write(trailer[:])
	return bw.Flush()
}
