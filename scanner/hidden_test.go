package scanner_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/scantest"
)

func defaultDetector(t *testing.T, opts scanner.Options) *scanner.Detector {
	t.Helper()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return scanner.New(cfg, opts)
}

// TestHiddenSecretsTree writes every case to a directory and scans it as
// `leakfix scan` does: each token is found exactly once, named and placed.
func TestHiddenSecretsTree(t *testing.T) {
	dir := t.TempDir()
	cases := scantest.Cases(t)
	for _, c := range cases {
		p := filepath.Join(dir, filepath.FromSlash(c.Path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, c.Data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := &scanner.FileSource{Roots: []string{dir}}
	fs, _, err := src.Scan(context.Background(), defaultDetector(t, scanner.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]scanner.Finding{}
	for _, f := range fs {
		byFile[f.File] = append(byFile[f.File], f)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got := byFile[c.File]
			if len(got) != 1 {
				t.Fatalf("%d findings in %s, want 1: %v", len(got), c.File, redacted(got))
			}
			f := got[0]
			if f.RuleID != "github-pat" || f.Secret != scantest.Token || f.Encoding != c.Encoding ||
				f.StartLine != c.Line || f.StartColumn != c.Column {
				t.Errorf("got %s %q line %d col %d, want github-pat %q line %d col %d",
					f.RuleID, f.Encoding, f.StartLine, f.StartColumn, c.Encoding, c.Line, c.Column)
			}
			wantContainer := ""
			if i := strings.IndexByte(c.File, '!'); i >= 0 {
				wantContainer = c.File[:i]
			}
			if f.Container != wantContainer {
				t.Errorf("container %q, want %q", f.Container, wantContainer)
			}
			if f.Encoding != "" && strings.Contains(f.Match, scantest.Token) {
				t.Errorf("an encoded finding's Match holds the raw token")
			}
		})
	}
	if len(fs) != len(cases) {
		t.Errorf("%d findings for %d cases: %v", len(fs), len(cases), redacted(fs))
	}
}

// Off switches: no archives, no decoding.
func TestHiddenSecretsOff(t *testing.T) {
	d := defaultDetector(t, scanner.Options{MaxArchiveDepth: -1, MaxDecodeDepth: -1})
	for _, c := range scantest.Cases(t) {
		fs, _ := d.Detect(scanner.Fragment{Path: c.Path, Data: c.Data})
		for _, f := range fs {
			if f.Encoding != "" || f.Container != "" {
				t.Errorf("%s: archive or decoded finding with both off: %+v", c.Name, f.Redacted())
			}
		}
	}
}

func redacted(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		r := f.Redacted()
		out = append(out, r.File+":"+r.RuleID+":"+r.Encoding+":"+r.Match)
	}
	return out
}

// A decoded finding equal to a plain one on the same line is one finding;
// on another line it is its own.
func TestDecodedDuplicates(t *testing.T) {
	d := defaultDetector(t, scanner.Options{})
	b64 := base64.StdEncoding.EncodeToString([]byte(scantest.Token))
	tests := []struct {
		name, src string
		want      []string // encodings, in order
	}{
		{"plain and base64 on one line", "t=" + scantest.Token + " b=" + b64 + "\n", []string{""}},
		{"plain among percent-escapes", "GET /x?a=%20b&t=" + scantest.Token + "&c=%2F\n", []string{""}},
		{"plain and \\u-escaped on one line", `{"a": "` + scantest.Token + `", "b": "\u0067` + scantest.Token[1:] + `"}` + "\n", []string{""}},
		{"base64 on the next line", "t=" + scantest.Token + "\nb=" + b64 + "\n", []string{"", "base64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := d.Detect(scanner.Fragment{Path: "x.txt", Data: []byte(tt.src)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Encoding)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("encodings %q, want %q: %v", got, tt.want, redacted(fs))
			}
		})
	}
}

// Text that merely looks like a tar header is still scanned as text.
func TestFalseArchiveIsText(t *testing.T) {
	d := defaultDetector(t, scanner.Options{})
	src := strings.Repeat("x", 257) + "ustar\nGITHUB_TOKEN=" + scantest.Token + "\n"
	fs, _ := d.Detect(scanner.Fragment{Path: "notes.txt", Data: []byte(src)})
	if len(fs) != 1 || fs[0].File != "notes.txt" || fs[0].Container != "" {
		t.Fatalf("findings %v", redacted(fs))
	}
}
