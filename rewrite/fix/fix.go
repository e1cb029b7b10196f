// Package fix is the engine behind `leakfix fix`: it groups a scan's
// findings by file, picks each file's rewriter by name, hands it the
// secrets with the file's encoding and line endings taken care of, and
// either renders the result as a unified diff or writes it atomically.
//
// Safety rules, and why:
//
//   - A file is written with a temporary file in its own directory and a
//     rename, so a crash leaves either the old or the new file, never half
//     of one; the mode (and, where the OS lets us, the owner) is kept.
//   - A UTF-8 BOM is kept, and a file whose lines all end in CRLF keeps
//     CRLF (the rewriter sees LF and the engine restores CRLF), so the diff
//     shows only the lines that changed.
//   - A file that cannot be parsed, a read-only file, a file changed since
//     the scan, a symlink or a file with other hard links is left untouched
//     and reported; the other files are still fixed.
//   - Running fix on its output changes nothing: rewriters only touch what
//     the scanner reports, and the rewritten code holds no secret.
package fix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/scanner"
)

// ErrNoRewriter marks a file whose type no registered rewriter handles.
var ErrNoRewriter = errors.New("no rewriter for this file type")

// Change is the outcome for one file.
type Change struct {
	// Path is the file on disk; File is its name in the findings
	// (slash-separated, relative to the scanned root).
	Path string
	File string
	// Kind names the rewriter that handled it ("python", "js",
	// "config", "go"), empty when none did.
	Kind string
	// Mode is the file's mode when it was read.
	Mode fs.FileMode
	// Before and After are the file's bytes as read and as rewritten.
	// New is set for a file that does not exist yet (a lookup module).
	Before, After []byte
	New           bool
	// Secrets are the secrets the file held (needed to redact diffs);
	// Left are those the rewriter left in place, with reasons.
	Secrets []rewrite.Secret
	Left    []rewrite.Left
	// Err is set when the file was refused and left untouched.
	Err error
}

// Changed reports whether applying the change would alter the file.
func (c *Change) Changed() bool {
	return c.Err == nil && (c.New || !bytes.Equal(c.Before, c.After))
}

// Rewrote counts the secrets rewritten (those not left in place).
func (c *Change) Rewrote() int {
	if c.Err != nil {
		return 0
	}
	return len(c.Secrets) - len(c.Left)
}

// Plan computes the change for every file with findings, reading files
// under root (the directory or file that was scanned). Findings from git
// history or commit messages, and base64-encoded ones, are not rewritten
// (the last are reported as left in place). Plan writes nothing.
func Plan(ctx context.Context, root string, reg *Registry, findings []scanner.Finding) ([]*Change, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", root, err)
	}
	byFile := map[string][]scanner.Finding{}
	var files []string
	for _, f := range findings {
		if f.InMessage || f.Commit != "" {
			continue
		}
		if _, ok := byFile[f.File]; !ok {
			files = append(files, f.File)
		}
		byFile[f.File] = append(byFile[f.File], f)
	}
	sort.Strings(files)
	var out []*Change
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := root
		if st.IsDir() {
			path = filepath.Join(root, filepath.FromSlash(file))
		}
		out = append(out, planFile(ctx, path, file, reg, byFile[file]))
	}
	// A rewrite cut short by cancellation may have less to go on (no type
	// information): nothing of a cancelled run is used.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func planFile(ctx context.Context, path, file string, reg *Registry, findings []scanner.Finding) *Change {
	c := &Change{Path: path, File: file}
	var secrets []rewrite.Secret
	var left []rewrite.Left
	for _, f := range findings {
		s := rewrite.FromFinding(f)
		c.Secrets = append(c.Secrets, s)
		if f.Encoding != "" {
			left = append(left, rewrite.Left{Line: s.Line, Name: s.Name, Reason: "the secret is " + f.Encoding + "-encoded in the file; rewrite it by hand"})
			continue
		}
		secrets = append(secrets, s)
	}
	st, err := os.Lstat(path)
	if err != nil {
		c.Err = fmt.Errorf("read: %w", unwrapPath(err))
		return c
	}
	if !st.Mode().IsRegular() {
		c.Err = fmt.Errorf("not a regular file (%s); left untouched", st.Mode().Type())
		return c
	}
	c.Mode = st.Mode()
	c.Before, err = os.ReadFile(path)
	if err != nil {
		c.Err = fmt.Errorf("read: %w", unwrapPath(err))
		return c
	}
	c.After = c.Before
	if _, utf16 := scanner.DecodeUTF16(c.Before); utf16 && len(secrets) > 0 {
		// The scan read the decoded text; the rewriters write UTF-8.
		c.Err = errors.New("UTF-16 text: not rewritten (leakfix rewrites UTF-8; convert the file, or move the secret by hand)")
		return c
	}
	kind, rw, ok := reg.Lookup(path)
	if !ok {
		c.Err = ErrNoRewriter
		return c
	}
	c.Kind = kind
	if len(secrets) == 0 {
		c.Left = left
		return c
	}

	// Hand the rewriter the text without a BOM and, for files that use
	// CRLF throughout, with LF line ends; put both back afterwards.
	src := c.Before
	shift := 0
	bom := bytes.HasPrefix(src, utf8BOM)
	if bom {
		src = src[len(utf8BOM):]
		shift = len(utf8BOM)
	}
	crlf := allCRLF(src)
	var crPos []int // offsets (in src) of the \r of each CRLF
	if crlf {
		for i := 0; i+1 < len(src); i++ {
			if src[i] == '\r' && src[i+1] == '\n' {
				crPos = append(crPos, i)
			}
		}
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	adjust := func(off int) int {
		off -= shift
		return off - sort.SearchInts(crPos, off)
	}
	for i := range secrets {
		s := &secrets[i]
		s.Start, s.End = adjust(s.Start), adjust(s.End)
		if crlf {
			s.Value = strings.ReplaceAll(s.Value, "\r\n", "\n")
		}
		if s.Start < 0 || s.End > len(src) || s.Start >= s.End || string(src[s.Start:s.End]) != s.Value {
			c.Err = errors.New("the file changed since it was scanned; left untouched")
			return c
		}
		s.Line = rewrite.LineOf(src, s.Start)
	}
	var out []byte
	if cr, ok := rw.(rewrite.ContextRewriter); ok {
		out, err = cr.RewriteContext(ctx, path, src, secrets)
	} else {
		out, err = rw.Rewrite(path, src, secrets)
	}
	var unfixed *rewrite.Unfixed
	switch {
	case err == nil:
	case errors.As(err, &unfixed) && out != nil:
		left = append(left, unfixed.Left...)
	default:
		c.Err = err
		return c
	}
	if crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if bom {
		out = append(append([]byte{}, utf8BOM...), out...)
	}
	c.After = out
	c.Left = left
	return c
}

// allCRLF reports whether src has line ends and every one is CRLF.
func allCRLF(src []byte) bool {
	n := bytes.Count(src, []byte("\n"))
	return n > 0 && bytes.Count(src, []byte("\r\n")) == n
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Summary describes the outcome for messages: how many secrets were
// rewritten in how many files, and the problems, one line each (never a
// secret value).
func Summary(changes []*Change) (rewritten, files int, problems []string) {
	for _, c := range changes {
		switch {
		case errors.Is(c.Err, ErrNoRewriter):
			problems = append(problems, fmt.Sprintf("%s: %v; %d secret(s) left in place (%s)", c.File, c.Err, len(c.Secrets), lines(c.Secrets)))
			continue
		case c.Err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", c.File, c.Err))
			continue
		}
		rewritten += c.Rewrote()
		if c.Changed() {
			files++
		}
		for _, l := range c.Left {
			name := ""
			if l.Name != "" {
				name = " (" + l.Name + ")"
			}
			problems = append(problems, fmt.Sprintf("%s:%d%s: left in place: %s", c.File, l.Line, name, l.Reason))
		}
	}
	return rewritten, files, problems
}

func lines(secrets []rewrite.Secret) string {
	seen := map[int]bool{}
	var ls []string
	for _, s := range secrets {
		if !seen[s.Line] {
			seen[s.Line] = true
			ls = append(ls, fmt.Sprint(s.Line))
		}
	}
	return "line " + strings.Join(ls, ", ")
}
