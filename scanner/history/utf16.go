package history

import "github.com/leakfix/leakfix/scanner"

// hasUTF16BOM reports a blob the worker decodes as UTF-16 text
// (scanner.DecodeUTF16) rather than skips as binary.
func hasUTF16BOM(peek []byte) bool {
	_, ok := scanner.DecodeUTF16(peek[:min(len(peek), 4)])
	return ok
}
