package rewrite

import "bytes"

// LineBounds returns the start and end (before any \r\n) of the line of src
// holding off: the line-oriented rewriters (config files, consumers) edit
// whole lines and must keep CRLF endings.
func LineBounds(src []byte, off int) (int, int) {
	ls := bytes.LastIndexByte(src[:off], '\n') + 1
	le := off
	for le < len(src) && src[le] != '\n' {
		le++
	}
	if le > ls && src[le-1] == '\r' {
		le--
	}
	return ls, le
}

// IndentOf counts the blanks (spaces and tabs) that open line.
func IndentOf(line []byte) int {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	return n
}
