// Package decode finds encoded text and decodes it, for the detector to
// scan what the encoding hides. Two shapes of encoding are handled:
//
//   - tokens, where a whole run of characters is one encoded value
//     (base64, hex): Base64 and Hex report each run and its decoding;
//   - inline escapes, where a few characters of a line stand for one
//     (percent-encoding, backslash escapes): Percent and Escapes decode a
//     line and say, for every decoded byte, where it came from, so that a
//     match in the decoded text maps back to the encoded span.
//
// Nothing here knows about rules; layers stack by the detector scanning
// decoded text again.
package decode

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"unicode/utf8"
)

// Layer names, as they appear in a finding's decode chain.
const (
	LayerBase64  = "base64"
	LayerHex     = "hex"
	LayerPercent = "percent"
	LayerEscape  = "escape"
)

// Token is an encoded run [Start,End) of the input and its decoding.
type Token struct {
	Start, End int
	Text       []byte
}

// isBase64Byte marks the standard base64 alphabet. URL-safe '-' and '_' are
// left out on purpose: with them every snake_case identifier would become a
// candidate blob, and Kubernetes, Docker and most configs use the standard
// alphabet.
var isBase64Byte = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['/'] = true, true
	return t
}()

var isHexByte = func() (t [256]bool) {
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] = true
	}
	return t
}()

// Tokens calls fn for every run of at least minLen standard base64
// characters (with up to two '=' of padding) that decodes to mostly text
// as base64, and for every such run made only of hex digits, of even
// length, that decodes to mostly text as hex (hashes and ids decode to
// binary and are dropped). Hex digits are base64 characters, so one pass
// finds both.
func Tokens(data []byte, minLen int, base64On bool, fn func(layer string, t Token)) {
	runs(data, minLen, &isBase64Byte, func(start, end int) {
		if base64On {
			base64Token(data, start, end, fn)
		}
		if (end-start)%2 == 0 {
			hexToken(data, start, end, fn)
		}
	})
}

func base64Token(data []byte, start, end int, fn func(string, Token)) {
	tokEnd := end
	for tokEnd < len(data) && data[tokEnd] == '=' && tokEnd-end < 2 {
		tokEnd++
	}
	if (end-start)%4 == 1 {
		return
	}
	// Cheap reject before allocating: the first 9 bytes must be text
	// (ids, hashes and keys in source decode to binary at once).
	if !textHead64(data[start : start+12]) {
		return
	}
	decoded := make([]byte, base64.RawStdEncoding.DecodedLen(end-start))
	n, err := base64.RawStdEncoding.Decode(decoded, data[start:end])
	if err != nil || n < 8 || !MostlyText(decoded[:n]) {
		return
	}
	fn(LayerBase64, Token{Start: start, End: tokEnd, Text: decoded[:n]})
}

// base64Value maps a standard base64 character to its six bits.
var base64Value = func() (t [256]uint32) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = uint32(i)
	}
	return t
}()

// textHead64 reports whether the 12 base64 characters s (all in the
// alphabet) decode to 9 text bytes, a quantum at a time so that most
// blobs are rejected after the first 4 characters.
func textHead64(s []byte) bool {
	for g := 0; g+4 <= 12; g += 4 {
		v := base64Value[s[g]]<<18 | base64Value[s[g+1]]<<12 | base64Value[s[g+2]]<<6 | base64Value[s[g+3]]
		if !isTextByte(byte(v>>16)) || !isTextByte(byte(v>>8)) || !isTextByte(byte(v)) {
			return false
		}
	}
	return true
}

func hexToken(data []byte, start, end int, fn func(string, Token)) {
	// Cheap reject before allocating: the first 8 bytes must be text.
	for i := start; i < start+16; i += 2 {
		if b, ok := hexByte(data[i], data[i+1]); !ok || !isTextByte(b) {
			return
		}
	}
	for _, c := range data[start:end] {
		if !isHexByte[c] {
			return
		}
	}
	decoded := make([]byte, (end-start)/2)
	n, err := hex.Decode(decoded, data[start:end])
	if err != nil || n < 8 || !MostlyText(decoded[:n]) {
		return
	}
	fn(LayerHex, Token{Start: start, End: end, Text: decoded[:n]})
}

// runs calls fn for each maximal run of bytes in set that is at least
// minLen long. Skip-scan: a run of at least minLen starting at or after i
// must cover the byte minLen-1 ahead, so that probe is checked first and
// the stretch behind it read backwards only until a byte out of the set;
// bytes already known to be in the set are not read again. In source
// text, where words are shorter than minLen, most bytes are never read.
// (A branch-free 64-byte bitmask version was slower on module-cache text.)
func runs(data []byte, minLen int, set *[256]bool, fn func(start, end int)) {
	// Invariant: data[i-1] is not in the set (or i == 0), and
	// data[i..known] are all in the set.
	known := -1
	for i := 0; i+minLen <= len(data); {
		probe := i + minLen - 1
		j := probe
		for j > known && set[data[j]] {
			j--
		}
		if j > known {
			// data[j] is out of the set and everything after it up to the
			// probe is in: the next run can start at j+1.
			i, known = j+1, probe
			continue
		}
		end := probe + 1
		for end < len(data) && set[data[end]] {
			end++
		}
		fn(i, end)
		i, known = end+1, end
	}
}

// MostlyText accepts decoded bytes that are at least 95% printable ASCII or
// whitespace: decoded identifiers and hashes are noise, decoded secrets are
// text.
func MostlyText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	bad := 0
	for _, c := range b {
		if !isTextByte(c) {
			bad++
		}
	}
	return bad*20 <= len(b)
}

func isTextByte(c byte) bool {
	return c >= 0x20 && c <= 0x7e || c == '\n' || c == '\r' || c == '\t'
}

func hexByte(a, b byte) (byte, bool) {
	h, ok1 := unhex(a)
	l, ok2 := unhex(b)
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Inline is a line with its escapes decoded. Offs[i] is the offset in the
// original line where decoded byte i came from; Offs[len(Text)] is the
// line's length, so a decoded span [s,e) came from [Offs[s], Offs[e]).
type Inline struct {
	Text []byte
	Offs []int
}

// HasPercent reports a %XX escape in line.
func HasPercent(line []byte) bool {
	for i := bytes.IndexByte(line, '%'); i >= 0 && i+2 < len(line); {
		if _, ok := hexByte(line[i+1], line[i+2]); ok {
			return true
		}
		j := bytes.IndexByte(line[i+1:], '%')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// Percent decodes %XX escapes (and nothing else: '+' stays '+', since a
// base64 secret in a query keeps its '+' more often than a form encodes a
// space). ok is false when the line holds no valid escape.
func Percent(line []byte) (Inline, bool) {
	if !HasPercent(line) {
		return Inline{}, false
	}
	in := Inline{Text: make([]byte, 0, len(line)), Offs: make([]int, 0, len(line)+1)}
	percent(line, &in, true)
	return in, true
}

// PercentText is Percent's decoded text alone, appended to buf[:0]: the
// detector checks it for a keyword before it needs the offsets, so most
// lines (format strings: "%02x") cost no allocation.
func PercentText(line, buf []byte) ([]byte, bool) {
	if !HasPercent(line) {
		return buf[:0], false
	}
	in := Inline{Text: buf[:0]}
	percent(line, &in, false)
	return in.Text, true
}

func percent(line []byte, in *Inline, offs bool) {
	for i := 0; i < len(line); {
		if line[i] == '%' && i+2 < len(line) {
			if b, ok := hexByte(line[i+1], line[i+2]); ok {
				in.Text = append(in.Text, b)
				if offs {
					in.Offs = append(in.Offs, i)
				}
				i += 3
				continue
			}
		}
		in.Text = append(in.Text, line[i])
		if offs {
			in.Offs = append(in.Offs, i)
		}
		i++
	}
	if offs {
		in.Offs = append(in.Offs, len(line))
	}
}

// HasEscape reports a backslash escape in line worth decoding: \uXXXX and
// \xXX anywhere, and the one-letter escapes (\n, \t, ...) only where a
// letter or digit follows them, because only there does the escape's
// letter hide a token's start from a rule's boundary ("\nghp_...").
func HasEscape(line []byte) bool {
	for i := bytes.IndexByte(line, '\\'); i >= 0; {
		if _, n := escapeAt(line, i); n > 0 {
			switch line[i+1] {
			case 'u', 'x':
				return true
			default:
				if i+n < len(line) && isWordByte(line[i+n]) {
					return true
				}
			}
		}
		j := bytes.IndexByte(line[i+1:], '\\')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// IsCodeEscape reports a \uXXXX or \xXX escape of printable ASCII at
// line[i] (a backslash). Only those can hide a keyword or a token: the
// \u4e00 of a Unicode table cannot.
func IsCodeEscape(line []byte, i int) bool {
	r, n := escapeAt(line, i)
	return n > 0 && (line[i+1] == 'u' || line[i+1] == 'x') && r >= 0x20 && r <= 0x7e
}

// IsLetterEscape reports c as the letter of a one-letter escape Escapes
// decodes (\n, \t, \r, \0).
func IsLetterEscape(c byte) bool {
	switch c {
	case 'n', 't', 'r', '0':
		return true
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// Escapes decodes backslash escapes: \uXXXX (surrogate pairs joined),
// \xXX, and \n \t \r \" \' \\ \/ \0. ok is false when there are none.
func Escapes(line []byte) (Inline, bool) {
	if !HasEscape(line) {
		return Inline{}, false
	}
	in := Inline{Text: make([]byte, 0, len(line)), Offs: make([]int, 0, len(line)+1)}
	escapes(line, &in, true)
	return in, true
}

// EscapesText is Escapes' decoded text alone, appended to buf[:0] (see
// PercentText).
func EscapesText(line, buf []byte) ([]byte, bool) {
	if !HasEscape(line) {
		return buf[:0], false
	}
	in := Inline{Text: buf[:0]}
	escapes(line, &in, false)
	return in.Text, true
}

func escapes(line []byte, in *Inline, offs bool) {
	for i := 0; i < len(line); {
		if line[i] == '\\' {
			if r, n := escapeAt(line, i); n > 0 {
				var buf [utf8.UTFMax]byte
				k := utf8.EncodeRune(buf[:], r)
				if line[i+1] == 'x' {
					buf[0], k = byte(r), 1 // \xXX is a byte, not a code point
				}
				for _, b := range buf[:k] {
					in.Text = append(in.Text, b)
					if offs {
						in.Offs = append(in.Offs, i)
					}
				}
				i += n
				continue
			}
		}
		in.Text = append(in.Text, line[i])
		if offs {
			in.Offs = append(in.Offs, i)
		}
		i++
	}
	if offs {
		in.Offs = append(in.Offs, len(line))
	}
}

// escapeAt decodes the escape at line[i] (a backslash) and returns the
// rune and the escape's length, or n == 0 when it is not one.
func escapeAt(line []byte, i int) (r rune, n int) {
	if i+1 >= len(line) {
		return 0, 0
	}
	switch c := line[i+1]; c {
	case 'u':
		r, ok := hex4(line, i+2)
		if !ok {
			return 0, 0
		}
		if r >= 0xd800 && r < 0xdc00 && i+12 <= len(line) && line[i+6] == '\\' && line[i+7] == 'u' {
			if lo, ok := hex4(line, i+8); ok && lo >= 0xdc00 && lo < 0xe000 {
				return (r-0xd800)<<10 | (lo - 0xdc00) + 0x10000, 12
			}
		}
		return r, 6
	case 'x':
		if i+4 > len(line) {
			return 0, 0
		}
		b, ok := hexByte(line[i+2], line[i+3])
		if !ok {
			return 0, 0
		}
		return rune(b), 4
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case '0':
		return 0, 2
	case '"', '\'', '\\', '/':
		return rune(c), 2
	}
	return 0, 0
}

func hex4(line []byte, at int) (rune, bool) {
	if at+4 > len(line) {
		return 0, false
	}
	var r rune
	for _, c := range line[at : at+4] {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
