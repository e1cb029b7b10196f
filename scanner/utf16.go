package scanner

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF-16 byte order marks. Windows tools (PowerShell's Out-File, regedit
// exports, some .config and .ini writers) save text as UTF-16 with one;
// read raw, every other byte is NUL and the file looks binary.
var (
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// DecodeUTF16 returns the UTF-8 text of data when data starts with a
// UTF-16 byte order mark (little or big endian), without the mark, and ok.
// Lines and columns of findings are then those of the decoded text, which
// is what an editor shows. Unpaired surrogates become U+FFFD; a trailing
// odd byte is dropped. Data without a BOM is returned as it is, !ok.
func DecodeUTF16(data []byte) ([]byte, bool) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, bomUTF16LE):
		// FF FE 00 00 is UTF-32LE's mark: not ours.
		if len(data) >= 4 && data[2] == 0 && data[3] == 0 {
			return data, false
		}
		order = binary.LittleEndian
	case bytes.HasPrefix(data, bomUTF16BE):
		order = binary.BigEndian
	default:
		return data, false
	}
	body := data[2:]
	units := make([]uint16, len(body)/2)
	for i := range units {
		units[i] = order.Uint16(body[2*i:])
	}
	out := make([]byte, 0, len(units)+len(units)/4)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, true
}
