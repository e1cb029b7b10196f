package scanner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/leakfix/leakfix/rules"
)

// bigText is filler source with every example of the default pack (private
// keys and other multi-line secrets included) placed every few KiB, so that
// some land across any segment boundary.
func bigText(t testing.TB, cfg *rules.Config, size int) []byte {
	t.Helper()
	var examples []string
	for _, r := range cfg.Rules {
		examples = append(examples, r.Examples...)
	}
	if len(examples) < 100 {
		t.Fatalf("only %d examples in the default pack", len(examples))
	}
	// A 4096-bit RSA key's PEM is about 3.2 KB, longer than most examples:
	// a cut through it needs the multiline overlap.
	var pem strings.Builder
	pem.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for l := range 50 {
		for c := range 64 {
			pem.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(l*131+c*c*7+c)%64])
		}
		pem.WriteByte('\n')
	}
	pem.WriteString("-----END RSA PRIVATE KEY-----\n")
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		if i%211 == 0 {
			b.WriteString(pem.String())
		}
		fmt.Fprintf(&b, "def handler_%d(request, limit=%d):\n    return request.items[:limit]  # page %d\n", i, i*7, i)
		if i%23 == 0 {
			b.WriteString(examples[(i/23)%len(examples)])
			b.WriteByte('\n')
		}
		if i%97 == 0 {
			// An example glued to the previous line's end: no newline to
			// cut at right before it.
			b.WriteString("x = 1; ")
			b.WriteString(examples[(i/97*7)%len(examples)])
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// TestStreamEqualsWholeScan: streamed in segments of several sizes (so the
// cuts fall in different places), a text gives the findings of one scan
// of the whole text, finding for finding: lines, columns, offsets, the
// line text, fingerprints.
func TestStreamEqualsWholeScan(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	data := bigText(t, cfg, 1<<20)
	whole, err := d.Detect(Fragment{Path: "big.txt", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	SortFindings(whole)
	if len(whole) < 200 {
		t.Fatalf("only %d findings in the whole scan: the test text is too thin", len(whole))
	}
	overlap := d.Overlap()
	if overlap < multilineWindow {
		t.Fatalf("overlap %d is shorter than the multiline window %d", overlap, multilineWindow)
	}
	for _, tc := range []struct {
		window, workers int
		reader          func(io.Reader) io.Reader
	}{
		{overlap, 2, nil},
		{100_003, 1, nil},
		{256 << 10, 2, iotest.HalfReader},
		{len(data) / 3, 2, iotest.OneByteReader},
		{2 * len(data), 2, nil},
	} {
		t.Run(fmt.Sprintf("window %d", tc.window), func(t *testing.T) {
			var r io.Reader = bytes.NewReader(data)
			if tc.reader != nil {
				r = tc.reader(r)
			}
			fs, st, err := scanStream(context.Background(), r, "big.txt", d, tc.window, overlap, tc.workers)
			if err != nil {
				t.Fatal(err)
			}
			if st.Bytes != int64(len(data)) {
				t.Errorf("read %d bytes of %d", st.Bytes, len(data))
			}
			// The last segment may take up to an overlap more than a window.
			if want := max(1, (len(data)-overlap+tc.window-1)/tc.window); st.Segments < want {
				t.Errorf("%d segments, want at least %d", st.Segments, want)
			}
			sameFindings(t, fs, whole)
		})
	}
}

func sameFindings(t *testing.T, got, want []Finding) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	key := func(f Finding) string {
		return fmt.Sprintf("%s:%d:%d %s %s", f.File, f.StartLine, f.StartColumn, f.RuleID, f.Fingerprint)
	}
	seen := map[string]Finding{}
	for _, f := range want {
		seen[key(f)] = f
	}
	n := 0
	for _, f := range got {
		w, ok := seen[key(f)]
		switch {
		case !ok:
			t.Errorf("extra finding %s", key(f))
			n++
		case !reflect.DeepEqual(w, f):
			t.Errorf("finding %s differs:\n got  %+v\n want %+v", key(f), f, w)
			n++
		}
		delete(seen, key(f))
		if n > 10 {
			t.Fatal("too many differences")
		}
	}
	for k := range seen {
		t.Errorf("missing finding %s", k)
	}
	t.Errorf("got %d findings, want %d", len(got), len(want))
}

// TestLargeFileIsStreamed: FileSource streams a file past streamAbove and
// still finds what a whole read would; ScanReader (stdin) does the same.
func TestLargeFileIsStreamed(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	data := bigText(t, cfg, streamAbove+StreamWindow/2)
	whole, err := d.Detect(Fragment{Path: "big.log", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	SortFindings(whole)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.log"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	src := &FileSource{Roots: []string{dir}, NoIgnore: true, MaxFileSize: DefaultMaxScanSize}
	fs, stats, err := src.Scan(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != 1 || stats.Bytes != int64(len(data)) {
		t.Errorf("stats %+v", stats)
	}
	sameFindings(t, fs, whole)

	fromStdin, err := ScanReader(strings.NewReader(string(data)), "big.log", d)
	if err != nil {
		t.Fatal(err)
	}
	sameFindings(t, fromStdin, whole)
}

// TestStreamReadError: a failing reader is an error, not a partial report.
func TestStreamReadError(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	r := io.MultiReader(bytes.NewReader(bigText(t, cfg, 300<<10)), iotest.ErrReader(io.ErrClosedPipe))
	fs, _, err := scanStream(context.Background(), r, "x", d, 64<<10, d.Overlap(), 2)
	if err == nil || !strings.Contains(err.Error(), "read x") || fs != nil {
		t.Fatalf("got %d findings, err %v", len(fs), err)
	}
}
