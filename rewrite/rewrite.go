// Package rewrite holds what every source rewriter shares: the Secret a
// rewriter is asked to move out of a file, the Rewriter interface the fix
// engine (rewrite/fix) calls per file type, the errors that tell the engine
// to leave a file untouched or that some secrets were left in place, and
// byte-splice edits.
//
// The language rewriters live in sub-packages (rewrite/python, rewrite/js,
// rewrite/configfile; the Go analyzer in rewrite/goanalyzer) and import only
// this package, so the engine can register any of them, or a new one, by
// file name pattern without an import cycle.
package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/scanner"
)

// Secret is one occurrence of a secret inside one file, as the fix engine
// hands it to a Rewriter. Offsets are byte offsets into the src the
// rewriter receives (the engine has already stripped a UTF-8 BOM and, for
// files that use CRLF throughout, turned CRLF into LF).
type Secret struct {
	// Name is the vault name every occurrence of this value shares
	// (`together-ai-api-key`). Empty for weak defaults, which are not
	// vaulted.
	Name string
	// Value is the raw secret. It must never reach an error, a log line
	// or a diff shown without --show-secrets.
	Value string
	// Start and End delimit Value in src: src[Start:End] == Value.
	Start, End int
	// Line is the 1-based line of Start, for messages.
	Line int
	// RuleID, Provider and Identifier come from the finding: Identifier
	// is the variable or key the value was assigned to (`JWT_SECRET`).
	RuleID     string
	Provider   string
	Identifier string
	// WeakDefault marks a fallback literal for a secret setting
	// (`os.getenv("JWT_SECRET", "dev")`): the fix removes the fallback so
	// a missing setting fails loudly, instead of moving it to the vault.
	WeakDefault bool
}

// FromFinding turns a finding of a file scan into the Secret a rewriter
// needs, keeping the finding's offsets into the scanned bytes.
func FromFinding(f scanner.Finding) Secret {
	return Secret{
		Name:        f.SecretName,
		Value:       f.Secret,
		Start:       f.SecretStart,
		End:         f.SecretEnd,
		Line:        f.StartLine,
		RuleID:      f.RuleID,
		Provider:    f.Provider,
		Identifier:  f.Identifier,
		WeakDefault: f.IsWeakDefault(),
	}
}

// Rewriter rewrites the secrets of one file. It returns the new content,
// or an error:
//
//   - a *ParseError when the file cannot be parsed: the engine leaves it
//     untouched and names it on stderr;
//   - an *Unfixed together with non-nil output when the output is valid
//     but some secrets were left in place (for example a weak default in a
//     form the rewriter does not recognise); the engine writes the output
//     and reports what was left;
//   - any other error: the file is left untouched.
//
// Rewriters must be idempotent in effect: run on their own output (where
// the scanner finds nothing) they are not called again, and the import
// they add is added only when it is not already there.
type Rewriter interface {
	Rewrite(path string, src []byte, secrets []Secret) ([]byte, error)
}

// ContextRewriter is a Rewriter whose work can take long enough to be
// worth cancelling (the Go rewriter runs `go list` for type information);
// the fix engine calls RewriteContext when a rewriter has it.
type ContextRewriter interface {
	Rewriter
	RewriteContext(ctx context.Context, path string, src []byte, secrets []Secret) ([]byte, error)
}

// ParseError says a file could not be parsed, so it was not rewritten.
// Msg never holds a secret.
type ParseError struct {
	Line int // 1-based; 0 when unknown
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("cannot parse (line %d): %s", e.Line, e.Msg)
	}
	return "cannot parse: " + e.Msg
}

// Left is one secret a rewriter did not rewrite, and why (never the value).
type Left struct {
	Line   int
	Name   string
	Reason string
}

// Unfixed lists secrets left in place; it accompanies valid output.
type Unfixed struct {
	Left []Left
}

func (e *Unfixed) Error() string {
	var b strings.Builder
	for i, l := range e.Left {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d", l.Line)
		if l.Name != "" {
			fmt.Fprintf(&b, " (%s)", l.Name)
		}
		b.WriteString(": ")
		b.WriteString(l.Reason)
	}
	return fmt.Sprintf("%d secret(s) left in place: %s", len(e.Left), b.String())
}

// Leave records a secret the rewriter could not handle.
func (e *Unfixed) Leave(s Secret, format string, args ...any) {
	e.Left = append(e.Left, Left{Line: s.Line, Name: s.Name, Reason: fmt.Sprintf(format, args...)})
}

// Err returns e when it lists anything, else nil, so a rewriter can end
// with `return out, left.Err()`.
func (e *Unfixed) Err() error {
	if e == nil || len(e.Left) == 0 {
		return nil
	}
	return e
}

// Plan collects one file's edits and the secrets left in place, for the
// token-based rewriters (Python, JavaScript) that share this bookkeeping.
type Plan struct {
	Edits []Edit
	Left  Unfixed
}

// Add records e for s unless it overlaps an edit already made, in which
// case s is left in place with the reason.
func (p *Plan) Add(s Secret, e Edit) bool {
	for _, o := range p.Edits {
		if e.Start < o.End && o.Start < e.End {
			p.Left.Leave(s, "overlaps another rewrite on the same line")
			return false
		}
	}
	p.Edits = append(p.Edits, e)
	return true
}

// Apply applies the edits to src and runs check on the result, so a
// rewriter never returns output its own tokenizer rejects. The error is an
// *Unfixed when secrets were left in place (the output is still valid).
func (p *Plan) Apply(src []byte, check func([]byte) error) ([]byte, error) {
	out, err := ApplyEdits(src, p.Edits)
	if err != nil {
		return nil, err
	}
	if err := check(out); err != nil {
		return nil, fmt.Errorf("internal error: rewritten file no longer tokenizes (%v); left untouched", err)
	}
	return out, p.Left.Err()
}

// Edit replaces src[Start:End] with Text.
type Edit struct {
	Start, End int
	Text       string
}

// ApplyEdits returns src with every edit applied. Edits may come in any
// order but must not overlap (two edits at the same offset that both only
// insert are applied in the order given).
func ApplyEdits(src []byte, edits []Edit) ([]byte, error) {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		// Pure insertions go before a replacement at the same offset.
		return a.End == a.Start && b.End > b.Start
	})
	var out bytes.Buffer
	out.Grow(len(src) + 64*len(edits))
	pos := 0
	for _, e := range sorted {
		if e.Start < pos || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("internal error: overlapping or out-of-range edit at byte %d", e.Start)
		}
		out.Write(src[pos:e.Start])
		out.WriteString(e.Text)
		pos = e.End
	}
	out.Write(src[pos:])
	return out.Bytes(), nil
}

// EnvName is the environment variable that stands for a vault name in
// config files and in the lookup modules' fallback: upper snake case
// (`azure-openai-gpt-4-turbo-key` → `AZURE_OPENAI_GPT_4_TURBO_KEY`).
func EnvName(name string) string {
	var b strings.Builder
	under := false
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			under = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			under = false
		default:
			if !under && b.Len() > 0 {
				b.WriteByte('_')
				under = true
			}
		}
	}
	s := strings.TrimRight(b.String(), "_")
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// Redaction is what replaces a secret inside a comment (or a docstring):
// readable, says which vault entry holds the value, and matches no rule.
func Redaction(name string) string {
	if name == "" {
		return "<redacted>"
	}
	return "<redacted: " + name + ">"
}

// LineEnding returns the newline sequence src uses ("\r\n" when its first
// line ends that way), for lines a rewriter inserts.
func LineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// LineOf returns the 1-based line of byte offset off in src.
func LineOf(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return 1 + bytes.Count(src[:off], []byte("\n"))
}
