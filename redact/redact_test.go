package redact

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRedactor(t *testing.T) {
	const secret = "gsk_vqC6khqF6IqsB3Ieh5VPWGdyb3FYhzk1"
	finder := func(text string) []string {
		// Stands in for the detector: anything after "token=" up to a space.
		var out []string
		for _, f := range strings.Fields(text) {
			if v, ok := strings.CutPrefix(f, "token="); ok {
				out = append(out, v)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		known []string
		find  Finder
		in    string
		want  string
	}{
		{"known", []string{secret}, nil, "deploy " + secret, "deploy REDACTED"},
		{"longest first", []string{"abcd", "abcdefgh"}, nil, "x abcdefgh y abcd", "x REDACTED y REDACTED"},
		{"too short to redact", []string{"abc"}, nil, "abc", "abc"},
		{"crlf secret, lf text", []string{"line1\r\nline2"}, nil, "a line1\nline2 b", "a REDACTED b"},
		{"found, not known", nil, finder, "rotate token=s3cr3tvalue now", "rotate token=REDACTED now"},
		{"found short", nil, finder, "token=xy", "token=REDACTED"},
		{"nothing", []string{secret}, finder, "plain text", "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(tt.find)
			r.Add(tt.known...)
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoundSecretsAreRemembered(t *testing.T) {
	calls := 0
	r := New(func(text string) []string {
		calls++
		if strings.Contains(text, "token=") {
			return []string{"hunter2hunter2"}
		}
		return nil
	})
	r.String("token=hunter2hunter2")
	if got := r.Known("echo hunter2hunter2"); got != "echo REDACTED" {
		t.Errorf("Known after a find = %q", got)
	}
}

func TestWriterAndError(t *testing.T) {
	r := New(nil)
	r.Add("AKIAQ3EGUWN5VTL7ZB4X")
	var b strings.Builder
	w := r.Writer(&b)
	fmt.Fprintf(w, "leakfix: bad key AKIAQ3EGUWN5VTL7ZB4X\n")
	if strings.Contains(b.String(), "AKIA") {
		t.Errorf("writer passed the secret: %q", b.String())
	}
	base := errors.New("library said AKIAQ3EGUWN5VTL7ZB4X")
	err := r.Error(fmt.Errorf("wrap: %w", base))
	if strings.Contains(err.Error(), "AKIA") || !errors.Is(err, base) {
		t.Errorf("Error() = %q, Is base %v", err, errors.Is(err, base))
	}
	if r.Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

func TestConcurrent(t *testing.T) {
	r := New(nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := fmt.Sprintf("secret-%04d", i)
			r.Add(v)
			if got := r.String("x " + v); got != "x REDACTED" {
				t.Errorf("got %q", got)
			}
		}()
	}
	wg.Wait()
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"src/app.py", "src/app.py"},
		{"naïve/日本.py", "naïve/日本.py"},
		{"evil\x1b[2Jname.py", `evil\x1b[2Jname.py`},
		{"two\nlines.py", `two\nlines.py`},
		{"bad\xffutf8.py", `bad\xffutf8.py`},
		{"back\\slash\x07", `back\\slash\x07`},
		{"rtl\u202egnp.py", `rtl\u202egnp.py`},
		{"c1\u009b.py", `c1\u009b.py`},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterEscapesTerminalControls(t *testing.T) {
	var b strings.Builder
	w := New(nil).Writer(&b)
	fmt.Fprint(w, "\r\x1b[Kleakfix: 3 commits")
	fmt.Fprint(w, "leakfix: cannot read a\x1b]0;pwned\x07.py: denied\n\tnext\n")
	want := "\r\x1b[Kleakfix: 3 commitsleakfix: cannot read a\\x1b]0;pwned\\x07.py: denied\n\tnext\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
