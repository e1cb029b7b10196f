package scanner

import "bytes"

// maxLineContext bounds how much of a match's line is taken as "its
// line" (for allowlists, inline markers, identifiers and the report):
// a minified file or a JSON document inside an archive is one line of
// megabytes, and copying, searching and matching all of it per candidate
// made one 6 MB line cost 35 s and 8 GB.
const maxLineContext = 1024

// nearLineStart is the start of pos's line, or maxLineContext bytes
// before pos on a longer line; it never looks further back.
func nearLineStart(data []byte, pos int) int {
	lo := max(0, pos-maxLineContext)
	return lo + bytes.LastIndexByte(data[lo:pos], '\n') + 1
}

// nearLineEnd is the end of pos's line, or maxLineContext bytes after pos
// on a longer line.
func nearLineEnd(data []byte, pos int) int {
	return lineEnd(data[:min(len(data), pos+maxLineContext)], pos)
}
