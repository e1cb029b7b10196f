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
	})
}
