package redact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Name makes a file name (or any text from the data: a commit summary, a
// line) safe for a terminal and for one-line output formats: control
// characters (ESC, newline, DEL, C1), bidirectional overrides and bytes
// that are not UTF-8 are written as Go-style escapes (\n, \x1b, \u202e,
// \xff), and a backslash as \\ so the escapes are unambiguous. Text with
// none of these is returned unchanged. JSON and SARIF carry names
// losslessly instead.
func Name(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isUnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\\' || r < 0x20 || r == 0x7f || isUnsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// isUnsafeRune: C1 controls and the bidirectional formatting characters
// that reorder how a terminal shows a line ("Trojan Source").
func isUnsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// terminalSafe escapes control characters in stderr text except the ones
// messages are made of: newline, tab, and the progress line's own
// "\r\x1b[K" (return, erase line).
func terminalSafe(s string) string {
	const clearLine = "\r\x1b[K"
	unsafe := func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || isUnsafeRune(r) }
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], clearLine) {
			b.WriteString(clearLine)
			i += len(clearLine)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			if r == '\n' || r == '\t' {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		case isUnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
