package scanner

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/redact"
)

// TooLargeError names the text inputs skipped for size: they were not
// scanned, so the scan is incomplete (it unwraps to ErrIncomplete) and
// the command must not exit 0. Binary inputs are never counted here: a
// large image or jar holds no text to scan.
type TooLargeError struct {
	What  string   // "file" or "blob"
	Limit int64    // the size limit in bytes
	Count int      // inputs skipped
	Names []string // distinct names, sorted
}

// tooLargeShown is how many names the message lists before "and N more".
const tooLargeShown = 5

func (e *TooLargeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s(s) larger than %d bytes not scanned (raise --max-file-size to scan them)", e.Count, e.What, e.Limit)
	for i, n := range e.Names {
		if i == tooLargeShown {
			fmt.Fprintf(&b, " and %d more", len(e.Names)-tooLargeShown)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(redact.Name(n)) // a crafted name must not drive the terminal
	}
	return b.String()
}

func (e *TooLargeError) Unwrap() error { return ErrIncomplete }

// NewTooLargeError returns nil when count is 0, else the error naming the
// skipped inputs (names may repeat: a path met in several commits).
func NewTooLargeError(what string, limit int64, count int, names []string) error {
	if count == 0 {
		return nil
	}
	seen := map[string]bool{}
	var distinct []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			distinct = append(distinct, n)
		}
	}
	sort.Strings(distinct)
	return &TooLargeError{What: what, Limit: limit, Count: count, Names: distinct}
}

// SniffBinary reports whether the first bytes of an input (up to 8 KiB)
// say it is binary: a NUL byte and no UTF-16 byte order mark. It decides
// binary before size, so that only large text counts as not scanned.
func SniffBinary(head []byte) bool {
	head = head[:min(len(head), sniffLen)]
	if _, ok := DecodeUTF16(head[:min(len(head), 4)]); ok {
		return false
	}
	return bytes.IndexByte(head, 0) >= 0
}
