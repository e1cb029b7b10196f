package decode

import (
	"encoding/base64"
	"encoding/hex"
	"reflect"
	"testing"
)

func TestInline(t *testing.T) {
	tests := []struct {
		name, in, want string
		dec            func([]byte) (Inline, bool)
		ok             bool
	}{
		{"percent", "a=%41%62c&b=%2F", "a=Abc&b=/", Percent, true},
		{"percent keeps plus", "q=a+b%20c", "q=a+b c", Percent, true},
		{"percent invalid", "100% sure %zz", "", Percent, false},
		{"percent at end", "50%4", "", Percent, false},
		{"unicode", `"\u0067\u0068p_x"`, `"ghp_x"`, Escapes, true},
		{"surrogate pair", `\ud83d\ude00!`, "\U0001F600!", Escapes, true},
		{"x escapes", `\x67\x68`, "gh", Escapes, true},
		{"letter escape before a word", `a\nghp`, "a\nghp", Escapes, true},
		{"letter escape before punctuation only", `fmt("%s\n")`, "", Escapes, false},
		{"quote escapes", `\"ab\"\u0041`, `"ab"A`, Escapes, true},
		{"bad unicode", `\u00zz`, "", Escapes, false},
		{"trailing backslash", `ab\`, "", Escapes, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := tt.dec([]byte(tt.in))
			if ok != tt.ok || string(in.Text) != tt.want {
				t.Fatalf("got %q %v, want %q %v", in.Text, ok, tt.want, tt.ok)
			}
			if !ok {
				return
			}
			if len(in.Offs) != len(in.Text)+1 || in.Offs[len(in.Text)] != len(tt.in) {
				t.Fatalf("offs %v for %d decoded bytes of %d", in.Offs, len(in.Text), len(tt.in))
			}
			for i := 1; i < len(in.Offs); i++ {
				if in.Offs[i] < in.Offs[i-1] {
					t.Fatalf("offs not monotonic: %v", in.Offs)
				}
			}
		})
	}
}

// A decoded span maps back to exactly the encoded bytes.
func TestInlineSpanMapsBack(t *testing.T) {
	line := `x="\u0067\u0068p_AB"`
	in, _ := Escapes([]byte(line))
	s := 3 // "ghp_AB" starts after x="
	e := s + len("ghp_AB")
	if got := line[in.Offs[s]:in.Offs[e]]; got != `\u0067\u0068p_AB` {
		t.Errorf("span maps to %q", got)
	}
}

func TestTokens(t *testing.T) {
	text := "postgres://app:s3cr3t@db:5432/x"
	b64 := base64.StdEncoding.EncodeToString([]byte(text))
	hx := hex.EncodeToString([]byte(text))
	sha := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	data := "a: " + b64 + "\nb: " + hx + "\nc: " + sha + "\nd: 0123456789abcdef0\n"
	var got []string
	Tokens([]byte(data), 16, true, func(layer string, t Token) { got = append(got, layer+":"+string(t.Text)+":"+data[t.Start:t.End]) })
	want := []string{"base64:" + text + ":" + b64, "hex:" + text + ":" + hx}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func FuzzEscapes(f *testing.F) {
	for _, s := range []string{`\u0067`, `%41`, `\x4`, `\ud83d\ude00`, `\`, `%`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, dec := range []func([]byte) (Inline, bool){Percent, Escapes} {
			in, ok := dec([]byte(s))
			if ok && (len(in.Offs) != len(in.Text)+1 || in.Offs[len(in.Text)] != len(s)) {
				t.Fatalf("bad offsets for %q", s)
			}
		}
		checkTextOnly(t, s, make([]byte, 3, 8))
	})
}

// checkTextOnly: the text-only decoders give the full decoders' text and
// verdict, whatever the buffer they are handed.
func checkTextOnly(t *testing.T, s string, buf []byte) {
	t.Helper()
	for _, p := range []struct {
		name string
		full func([]byte) (Inline, bool)
		text func(line, buf []byte) ([]byte, bool)
	}{{"percent", Percent, PercentText}, {"escapes", Escapes, EscapesText}} {
		in, ok := p.full([]byte(s))
		got, gotOK := p.text([]byte(s), buf)
		if gotOK != ok || ok && string(got) != string(in.Text) {
			t.Errorf("%s text-only on %q: %q %v, full decoder %q %v", p.name, s, got, gotOK, in.Text, ok)
		}
	}
}

func TestTextOnlyDecoders(t *testing.T) {
	buf := []byte("left over from the line before")
	for _, s := range []string{"a=%41%62c&b=%2F", "q=a+b%20c", "100% sure %zz", "50%4", `"\u0067\u0068p_x"`,
		`\ud83d\ude00!`, `\x67\x68`, `a\nghp`, `fmt("%s\n")`, `\"ab\"\u0041`, `\u00zz`, `ab\`, "", "%", `\`,
		"token=%67hp_%41%42 and \\u0041"} {
		checkTextOnly(t, s, buf)
		checkTextOnly(t, s, nil)
	}
}
