package vaultplan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/leakfix/leakfix/scanner"
)

// Recover fills in the raw secret of findings read from a redacted JSON
// report, by reading each one back from the file it was found in: first
// at the reported location, then anywhere in that file. A value is taken
// only when it reproduces the finding's fingerprint (rule, file and
// secret), so an edited line, a moved file or a different secret in the
// same place is refused instead of importing the wrong value.
//
// roots are the directories the report's paths may be relative to, tried
// in order. Findings that already carry their value are left alone.
func Recover(ctx context.Context, findings []scanner.Finding, roots []string, d *scanner.Detector) error {
	type fileState struct {
		data  []byte
		found []scanner.Finding
		used  []bool // found[i] already claimed by a finding
		err   error
		ran   bool
	}
	files := map[string]*fileState{}
	read := func(path string) *fileState {
		if st, ok := files[path]; ok {
			return st
		}
		st := &fileState{}
		st.data, st.err = os.ReadFile(path)
		files[path] = st
		return st
	}
	var failures []string
	for i := range findings {
		if err := ctx.Err(); err != nil {
			return err
		}
		f := &findings[i]
		if f.Secret != "" && f.Secret != scanner.RedactedText {
			continue
		}
		loc := fmt.Sprintf("%s:%d (%s)", f.File, f.StartLine, f.RuleID)
		switch {
		case f.Fingerprint == "":
			failures = append(failures, loc+": no fingerprint to verify a value against")
			continue
		case f.InMessage:
			failures = append(failures, loc+": found in a commit message, not in a file")
			continue
		case f.File == "" || f.File == "stdin":
			failures = append(failures, loc+": read from stdin, there is no file to read it back from")
			continue
		}
		recovered, seen := false, false
		for _, root := range roots {
			path := filepath.Join(root, filepath.FromSlash(f.File))
			st := read(path)
			if st.err != nil {
				continue
			}
			seen = true
			if v, ok := atLocation(st.data, f); ok && d.Fingerprint(f.RuleID, f.File, v) == f.Fingerprint {
				f.Secret = v
				recovered = true
				break
			}
			// The line moved: find the same secret anywhere in the file.
			// One file can hold the same secret several times (same
			// fingerprint), so each sighting is claimed once, nearest
			// line first, and every finding keeps a location of its own.
			if !st.ran {
				st.found, _ = d.Detect(scanner.Fragment{Path: f.File, Data: st.data})
				st.used = make([]bool, len(st.found))
				st.ran = true
			}
			best := -1
			for j, g := range st.found {
				if st.used[j] || g.RuleID != f.RuleID || g.Fingerprint != f.Fingerprint {
					continue
				}
				if best < 0 || abs(g.StartLine-f.StartLine) < abs(st.found[best].StartLine-f.StartLine) {
					best = j
				}
			}
			if best >= 0 {
				g := st.found[best]
				st.used[best] = true
				f.Secret = g.Secret
				f.StartLine, f.StartColumn, f.EndLine, f.EndColumn = g.StartLine, g.StartColumn, g.EndLine, g.EndColumn
				f.SecretStart, f.SecretEnd, f.Line = g.SecretStart, g.SecretEnd, g.Line
				recovered = true
				break
			}
		}
		switch {
		case recovered:
		case !seen:
			failures = append(failures, fmt.Sprintf("%s: file not found under %s (moved or deleted?)", loc, strings.Join(roots, " or ")))
		default:
			failures = append(failures, fmt.Sprintf("%s: the file no longer holds this secret (fingerprint %s); it was edited or the secret moved to another file", loc, f.Fingerprint))
		}
	}
	if len(failures) == 0 {
		return nil
	}
	const show = 10
	msg := failures
	if len(msg) > show {
		msg = append(msg[:show:show], fmt.Sprintf("... and %d more", len(failures)-show))
	}
	return fmt.Errorf("%w: %d secret(s) cannot be read back from disk:\n  %s\nscan the tree again (leakfix plan --target T PATH), pass --root DIR if the report's paths start elsewhere, or use a report written with --show-secrets",
		ErrUnrecoverable, len(failures), strings.Join(msg, "\n  "))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ErrUnrecoverable is wrapped by Recover's error when a redacted value
// cannot be read back and verified.
var ErrUnrecoverable = errors.New("redacted report")

// atLocation cuts the text a finding's location covers: lines are 1-based,
// columns 1-based code points, the end inclusive.
func atLocation(data []byte, f *scanner.Finding) (string, bool) {
	if f.StartLine < 1 || f.EndLine < f.StartLine || f.StartColumn < 1 || f.EndColumn < 1 {
		return "", false
	}
	start, ok := offset(data, f.StartLine, f.StartColumn-1)
	if !ok {
		return "", false
	}
	end, ok := offset(data, f.EndLine, f.EndColumn)
	if !ok || end < start {
		return "", false
	}
	return string(data[start:end]), true
}

// offset is the byte offset of the code point after the first runes ones
// on the given line.
func offset(data []byte, line, runes int) (int, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for ; runes > 0; runes-- {
		if off >= len(data) || data[off] == '\n' {
			return 0, false
		}
		_, n := utf8.DecodeRune(data[off:])
		off += n
	}
	return off, true
}
