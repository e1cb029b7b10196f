package archive_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/leakfix/leakfix/scanner/archive"
	at "github.com/leakfix/leakfix/scanner/archive/archivetest"
)

// walkAll collects entry path → content.
func walkAll(t *testing.T, name string, data []byte, lim archive.Limits) (map[string]string, archive.Stats, error) {
	t.Helper()
	got := map[string]string{}
	st, err := archive.Walk(context.Background(), name, data, lim, func(e archive.Entry) error {
		got[e.Path] = string(e.Data)
		return nil
	})
	return got, st, err
}

func TestWalkFormats(t *testing.T) {
	files := []at.File{{Name: "conf/app.properties", Body: "db.password=one\n"}, {Name: "README", Body: "two\n"}}
	tarData := at.Tar(t, files...)
	inner := at.Zip(t, at.File{Name: "application.yml", Body: "three\n"})
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want map[string]string
		fmt  archive.Format
	}{
		{"a.zip", func(t *testing.T) []byte { return at.Zip(t, files...) },
			map[string]string{"a.zip!conf/app.properties": "db.password=one\n", "a.zip!README": "two\n"}, archive.Zip},
		{"a.tar", func(t *testing.T) []byte { return tarData },
			map[string]string{"a.tar!conf/app.properties": "db.password=one\n", "a.tar!README": "two\n"}, archive.Tar},
		{"a.tar.gz", func(t *testing.T) []byte { return at.Gzip(t, tarData) },
			map[string]string{"a.tar.gz!conf/app.properties": "db.password=one\n", "a.tar.gz!README": "two\n"}, archive.Gzip},
		{"a.tar.xz", func(t *testing.T) []byte { return at.XZ(t, tarData) },
			map[string]string{"a.tar.xz!conf/app.properties": "db.password=one\n", "a.tar.xz!README": "two\n"}, archive.XZ},
		{"a.tar.bz2", func(t *testing.T) []byte { return at.Bzip2(t, tarData) },
			map[string]string{"a.tar.bz2!conf/app.properties": "db.password=one\n", "a.tar.bz2!README": "two\n"}, archive.Bzip2},
		{"logs/app.log.gz", func(t *testing.T) []byte { return at.Gzip(t, []byte("four\n")) },
			map[string]string{"logs/app.log.gz!app.log": "four\n"}, archive.Gzip},
		{"app.log.xz", func(t *testing.T) []byte { return at.XZ(t, []byte("five\n")) },
			map[string]string{"app.log.xz!app.log": "five\n"}, archive.XZ},
		{"app.log.bz2", func(t *testing.T) []byte { return at.Bzip2(t, []byte("six\n")) },
			map[string]string{"app.log.bz2!app.log": "six\n"}, archive.Bzip2},
		{"release.tgz", func(t *testing.T) []byte { return at.Gzip(t, at.Tar(t, at.File{Name: "x", Body: "seven\n"})) },
			map[string]string{"release.tgz!x": "seven\n"}, archive.Gzip},
		{"dist.zip", func(t *testing.T) []byte {
			return at.Zip(t, at.File{Name: "lib/app.jar", Body: string(inner)}, at.File{Name: "top.txt", Body: "eight\n"})
		}, map[string]string{"dist.zip!lib/app.jar!application.yml": "three\n", "dist.zip!top.txt": "eight\n"}, archive.Zip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			if got := archive.Sniff(data); got != tt.fmt {
				t.Errorf("Sniff = %v, want %v", got, tt.fmt)
			}
			got, _, err := walkAll(t, tt.name, data, archive.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSniffText(t *testing.T) {
	for _, s := range []string{"", "PK", "package main\n", strings.Repeat("x", 600), "BZh9 not really"} {
		if f := archive.Sniff([]byte(s)); f != archive.None {
			t.Errorf("Sniff(%q) = %v", s, f)
		}
	}
}

// Hostile names are labels only: nothing is written anywhere, and links
// are neither followed nor scanned.
func TestHostileEntries(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(filepath.Join(dir))
	files := []at.File{
		{Name: "../../evil.properties", Body: "up\n"},
		{Name: "/tmp/abs.properties", Body: "abs\n"},
		{Name: "link", Link: "/etc/passwd"},
		{Name: "ok.txt", Body: "ok\n"},
	}
	for name, data := range map[string][]byte{"h.zip": at.Zip(t, files...), "h.tar": at.Tar(t, files...)} {
		got, st, err := walkAll(t, name, data, archive.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{name + "!../../evil.properties": "up\n", name + "!/tmp/abs.properties": "abs\n", name + "!ok.txt": "ok\n"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: entries = %v, want %v", name, got, want)
		}
		if st.Skipped != 1 {
			t.Errorf("%s: skipped = %d, want the one symlink", name, st.Skipped)
		}
	}
	var left []string
	filepath.WalkDir(filepath.Dir(dir), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(p, "evil") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files appeared on disk: %v", left)
	}
}

// nestZips wraps body in n levels of zip: level1.zip!level2.zip!...!secret.txt.
func nestZips(t *testing.T, n int, body string) []byte {
	data := at.Zip(t, at.File{Name: "secret.txt", Body: body})
	for i := n; i > 1; i-- {
		data = at.Zip(t, at.File{Name: "level" + string(rune('0'+i)) + ".zip", Body: string(data)})
	}
	return data
}

func TestLimits(t *testing.T) {
	lim := archive.DefaultLimits
	t.Run("depth", func(t *testing.T) {
		lim := lim
		lim.MaxDepth = 2
		data := at.Zip(t, at.File{Name: "shallow.txt", Body: "a\n"},
			at.File{Name: "deep.zip", Body: string(nestZips(t, 3, "b\n"))}, at.File{Name: "after.txt", Body: "c\n"})
		got, _, err := walkAll(t, "n.zip", data, lim)
		var le *archive.LimitError
		if !errors.As(err, &le) || le.Limit != "depth" || le.Path != "n.zip!deep.zip!level2.zip" {
			t.Fatalf("err = %v, want a depth limit at n.zip!deep.zip!level2.zip", err)
		}
		// The archive goes on past the level it could not open.
		if got["n.zip!shallow.txt"] != "a\n" || got["n.zip!after.txt"] != "c\n" || len(got) != 2 {
			t.Errorf("entries = %v", got)
		}
	})
	t.Run("entries", func(t *testing.T) {
		lim := lim
		lim.MaxEntries = 10
		var files []at.File
		for i := 0; i < 20; i++ {
			files = append(files, at.File{Name: strings.Repeat("f", i+1), Body: "x"})
		}
		got, _, err := walkAll(t, "many.zip", at.Zip(t, files...), lim)
		if !errors.Is(err, archive.ErrLimit) || !strings.Contains(err.Error(), "entries limit (10)") {
			t.Fatalf("err = %v", err)
		}
		if len(got) != 10 {
			t.Errorf("%d entries passed on, want the 10 before the limit", len(got))
		}
	})
	t.Run("total", func(t *testing.T) {
		lim := lim
		lim.MaxTotal = 1 << 20
		// Incompressible-looking text: the ratio limit stays quiet.
		var b bytes.Buffer
		for i := 0; b.Len() < 600<<10; i++ {
			b.WriteString(strings.Repeat(string(rune('a'+i%26)), i%7+1) + "\n")
		}
		body := b.String()
		_, _, err := walkAll(t, "big.zip", at.Zip(t, at.File{Name: "a", Body: body}, at.File{Name: "b", Body: body}), lim)
		var le *archive.LimitError
		if !errors.As(err, &le) || le.Limit != "total size" {
			t.Fatalf("err = %v, want a total size limit", err)
		}
	})
	t.Run("ratio", func(t *testing.T) {
		zeros := strings.Repeat("\x00", 8<<20)
		_, _, err := walkAll(t, "z.zip", at.Zip(t, at.File{Name: "zeros", Body: zeros}), lim)
		var le *archive.LimitError
		if !errors.As(err, &le) || le.Limit != "ratio" || le.Path != "z.zip!zeros" {
			t.Fatalf("err = %v, want a ratio limit on z.zip!zeros", err)
		}
	})
	t.Run("too large entry is skipped", func(t *testing.T) {
		lim := lim
		lim.MaxEntrySize = 100
		got, st, err := walkAll(t, "l.tar", at.Tar(t, at.File{Name: "big", Body: strings.Repeat("y\n", 100)}, at.File{Name: "small", Body: "s"}), lim)
		if err != nil {
			t.Fatal(err)
		}
		if st.TooLarge != 1 || len(got) != 1 || got["l.tar!small"] != "s" {
			t.Errorf("got %v, stats %+v", got, st)
		}
	})
}

// A nested zip bomb: 16 copies of 16 copies of 64 MiB of zeros (16 GiB
// inflated) in a few hundred KB. The walk stops on a limit, quickly.
func TestNestedZipBomb(t *testing.T) {
	level0 := at.Zip(t, at.File{Name: "zeros.txt", Body: strings.Repeat("\x00", 64<<20)})
	var l1, l2 []at.File
	for i := 0; i < 16; i++ {
		l1 = append(l1, at.File{Name: "l0-" + string(rune('a'+i)) + ".zip", Body: string(level0)})
	}
	level1 := at.Zip(t, l1...)
	for i := 0; i < 16; i++ {
		l2 = append(l2, at.File{Name: "l1-" + string(rune('a'+i)) + ".zip", Body: string(level1)})
	}
	bomb := at.Zip(t, l2...)
	t.Logf("bomb: %d bytes for 16 GiB", len(bomb))
	_, _, err := walkAll(t, "bomb.zip", bomb, archive.DefaultLimits)
	if !errors.Is(err, archive.ErrLimit) {
		t.Fatalf("err = %v, want a limit", err)
	}
}

// 10 GB of zeros in one gzip stream, written by streaming to a file.
func TestGzipBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zeros.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := at.ZerosGzip(f, 9537<<20); err != nil { // 10.0e9 bytes
		t.Fatal(err)
	}
	f.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bomb: %d bytes for 10 GB", len(data))
	_, _, err = walkAll(t, "zeros.gz", data, archive.DefaultLimits)
	var le *archive.LimitError
	if !errors.As(err, &le) || le.Limit != "ratio" {
		t.Fatalf("err = %v, want the ratio limit", err)
	}
}

func TestCorrupt(t *testing.T) {
	data := at.Zip(t, at.File{Name: "a", Body: "x"})
	_, _, err := walkAll(t, "c.zip", data[:len(data)-10], archive.DefaultLimits)
	if err == nil || errors.Is(err, archive.ErrLimit) || !strings.Contains(err.Error(), "c.zip") {
		t.Fatalf("err = %v, want a named corruption error", err)
	}
}

func TestInnerNames(t *testing.T) {
	var got []string
	for _, n := range []string{"x.gz", "dir/Y.LOG.GZ", "a.tgz", "b.txz", "c.xz", "d.bz2", "e"} {
		data := at.Gzip(t, []byte("z"))
		m, _, err := walkAll(t, n, data, archive.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m {
			got = append(got, k)
		}
	}
	sort.Strings(got)
	want := []string{"a.tgz!a.tar", "b.txz!b.tar", "c.xz!c", "d.bz2!d", "dir/Y.LOG.GZ!Y.LOG", "e!e", "x.gz!x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// FuzzWalk: no input panics, hangs or escapes the limits.
func FuzzWalk(f *testing.F) {
	t := &testing.T{}
	f.Add(at.Zip(t, at.File{Name: "a", Body: "x"}))
	f.Add(at.Tar(t, at.File{Name: "a", Body: "x"}))
	f.Add(at.Gzip(t, at.Tar(t, at.File{Name: "a", Body: "x"})))
	f.Add(at.XZ(t, []byte("hello")))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := archive.DefaultLimits
		lim.MaxTotal = 4 << 20
		var total int
		archive.Walk(context.Background(), "f", data, lim, func(e archive.Entry) error {
			total += len(e.Data)
			return nil
		})
		if total > 4<<20 {
			t.Fatalf("%d bytes passed on past a 4 MiB budget", total)
		}
	})
}

// An xz stream asking for a huge dictionary is refused before the reader
// allocates it; the usual sizes pass.
func TestXZDictionary(t *testing.T) {
	for _, tc := range []struct {
		dict int
		ok   bool
	}{{8 << 20, true}, {64 << 20, true}, {1 << 30, false}} {
		var buf bytes.Buffer
		w, err := xz.WriterConfig{DictCap: tc.dict}.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("hello\n"))
		w.Close()
		got, _, err := walkAll(t, "h.xz", buf.Bytes(), archive.DefaultLimits)
		if tc.ok != (err == nil) || tc.ok && got["h.xz!h"] != "hello\n" {
			t.Errorf("dict %d: entries %v, err %v", tc.dict, got, err)
		}
		if !tc.ok && !errors.Is(err, archive.ErrLimit) {
			t.Errorf("dict %d: err %v, want a limit", tc.dict, err)
		}
	}
}

// TestWalkKeeping: entries keep refuses never reach the callback, keep
// sees the head of each (HeadLen bytes at most), nested archives are
// opened whatever keep says, and refused entries still count against the
// limits, as Walk counts them.
func TestWalkKeeping(t *testing.T) {
	big := strings.Repeat("\x00binary", 3000) // 21 KB, past HeadLen
	inner := at.Zip(t, at.File{Name: "in.txt", Body: "inner\n"}, at.File{Name: "in.bin", Body: big})
	data := at.Zip(t, at.File{Name: "a.txt", Body: "text\n"}, at.File{Name: "b.bin", Body: big},
		at.File{Name: "nested.zip", Body: string(inner)}, at.File{Name: "keep.bin", Body: big})
	var heads []int
	keep := func(path string, head []byte) bool {
		heads = append(heads, len(head))
		return !bytes.Contains(head, []byte{0}) || strings.HasSuffix(path, "keep.bin")
	}
	got := map[string]string{}
	_, err := archive.WalkKeeping(context.Background(), "x.zip", data, archive.DefaultLimits, keep, func(e archive.Entry) error {
		got[e.Path] = string(e.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x.zip!a.txt": "text\n", "x.zip!nested.zip!in.txt": "inner\n", "x.zip!keep.bin": big}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries: %v, want %v", keys(got), keys(want))
	}
	for _, n := range heads {
		if n > archive.HeadLen {
			t.Errorf("keep saw %d bytes, want at most %d", n, archive.HeadLen)
		}
	}
	// A refused entry past the total budget still stops the walk.
	lim := archive.DefaultLimits
	lim.MaxTotal = 10 << 10
	_, err = archive.WalkKeeping(context.Background(), "x.zip", data, lim, func(string, []byte) bool { return false }, func(archive.Entry) error { return nil })
	if !errors.Is(err, archive.ErrLimit) {
		t.Errorf("refused entries over the total budget: err = %v, want a limit", err)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
