package goanalyzer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
	"unicode/utf8"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	lfscanner "github.com/leakfix/leakfix/scanner"
)

// Rewrite applies to one Go file the edits the analyzer's suggested
// fixes make, without the analysis driver: `leakfix fix` uses it so that
// vault names come from the tree-wide assignment in findings[i].SecretName
// (findings without a name are named here). filename locates the file's
// package on disk, which is type-checked (through `go list -export` when
// the module builds offline, else from the standard library alone) so
// that constants and named string types are handled as the analyzer
// handles them; where types are missing, constants are left in place and
// plain literals are assumed to be used as strings.
//
// It returns the gofmt-formatted new source. A file that does not parse
// is refused: the source comes back unchanged with a *rewrite.ParseError.
// When some secrets could not be rewritten, the output is returned with a
// *rewrite.Unfixed saying which and why. Running Rewrite on its own
// output changes nothing.
func Rewrite(filename string, src []byte, findings []lfscanner.Finding, opts Options) ([]byte, error) {
	r, err := NewRewriter(opts)
	if err != nil {
		return src, err
	}
	named := make([]lfscanner.Finding, 0, len(findings))
	var unnamed []int
	for _, f := range findings {
		if f.SecretName == "" && !f.IsWeakDefault() {
			unnamed = append(unnamed, len(named))
		}
		named = append(named, f)
	}
	if len(unnamed) > 0 {
		sub := make([]lfscanner.Finding, len(unnamed))
		for i, k := range unnamed {
			sub[i] = named[k]
		}
		if err := naming.Assign(sub, nil, nil); err != nil {
			return src, fmt.Errorf("name secrets of %s: %w", filename, err)
		}
		for i, k := range unnamed {
			named[k].SecretName = sub[i].SecretName
		}
	}
	var secrets []rewrite.Secret
	left := &rewrite.Unfixed{}
	for _, f := range named {
		s, ok := locate(src, f)
		if !ok {
			left.Leave(s, "the finding does not match the file's content (was it changed since the scan?)")
			continue
		}
		secrets = append(secrets, s)
	}
	out, err := r.rewrite(context.Background(), filename, src, secrets, left)
	if out == nil {
		return src, err
	}
	return out, err
}

// locate finds a finding's secret in src: by its byte offsets when they
// still hold the value, else by its line and column (findings read back
// from a JSON report carry no offsets).
func locate(src []byte, f lfscanner.Finding) (rewrite.Secret, bool) {
	s := rewrite.FromFinding(f)
	redacted := f.Secret == lfscanner.RedactedText || f.Secret == ""
	if s.End > s.Start && s.Start >= 0 && s.End <= len(src) && (redacted || string(src[s.Start:s.End]) == f.Secret) {
		if s.Line == 0 {
			s.Line = rewrite.LineOf(src, s.Start)
		}
		return s, true
	}
	start, ok1 := offsetOf(src, f.StartLine, f.StartColumn)
	end, ok2 := offsetOf(src, f.EndLine, f.EndColumn)
	if !ok1 || !ok2 {
		return s, false
	}
	if end < len(src) {
		_, size := utf8.DecodeRune(src[end:])
		end += size // EndColumn is inclusive
	}
	if end <= start || !redacted && string(src[start:end]) != f.Secret {
		return s, false
	}
	s.Start, s.End = start, end
	if !redacted {
		s.Value = f.Secret
	}
	return s, true
}

// offsetOf converts a 1-based line and code-point column to a byte offset.
func offsetOf(src []byte, line, col int) (int, bool) {
	if line < 1 || col < 1 {
		return 0, false
	}
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(src) || src[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off, off < len(src)
}

// Rewriter is the Go rewriter the fix engine registers for *.go files
// (it implements rewrite.Rewriter). It keeps the export data `go list`
// found per directory, so a tree's packages are loaded once each.
type Rewriter struct {
	opts   Options
	call   call
	loader *typeLoader
}

// NewRewriter checks opts and returns a Rewriter.
func NewRewriter(opts Options) (*Rewriter, error) {
	c, err := parseCall(opts.Call)
	if err != nil {
		return nil, err
	}
	if opts.ImportPath != "" {
		if err := checkImportPath(opts.ImportPath); err != nil {
			return nil, err
		}
	}
	return &Rewriter{opts: opts, call: c, loader: newTypeLoader()}, nil
}

// Rewrite implements rewrite.Rewriter: like the package-level Rewrite,
// but a file that does not parse yields nil output with the
// *rewrite.ParseError, as the engine's contract asks.
func (r *Rewriter) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	return r.rewrite(context.Background(), path, src, secrets, &rewrite.Unfixed{})
}

// RewriteContext implements rewrite.ContextRewriter: ctx bounds the
// `go list` run that loads type information.
func (r *Rewriter) RewriteContext(ctx context.Context, path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	return r.rewrite(ctx, path, src, secrets, &rewrite.Unfixed{})
}

func (r *Rewriter) rewrite(ctx context.Context, filename string, src []byte, secrets []rewrite.Secret, left *rewrite.Unfixed) ([]byte, error) {
	if len(secrets) == 0 {
		return src, left.Err()
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, parseError(err, secrets)
	}
	tp := r.loader.check(ctx, fset, filename, file)
	p := &planner{
		fset:       fset,
		tf:         fset.File(file.FileStart),
		file:       file,
		src:        src,
		info:       tp.info,
		pkg:        tp.pkg,
		files:      tp.files,
		complete:   tp.complete,
		importPath: resolveImport(r.opts.ImportPath, dirOf(filename)),
		call:       r.call,
	}
	p.samePackage = r.opts.SamePackage
	items := make([]*item, len(secrets))
	for i := range secrets {
		items[i] = &item{Secret: secrets[i]}
	}
	var edits []rewrite.Edit
	for _, o := range p.plan(items) {
		if o.edits == nil {
			left.Leave(o.it.Secret, "%s", o.reason)
			continue
		}
		merged, ok := mergeEdits(edits, o.edits)
		if !ok {
			left.Leave(o.it.Secret, "its fix overlaps another fix in the same file; run leakfix fix again")
			continue
		}
		edits = merged
	}
	if len(edits) == 0 {
		return src, left.Err()
	}
	out, err := rewrite.ApplyEdits(src, edits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	out, err = tidy(file, out)
	if err != nil {
		// Never hand back source that does not parse; the message names
		// the problem, not the (possibly secret-bearing) text.
		return nil, fmt.Errorf("%s: internal error: the rewritten file does not parse (%s); it was left untouched", filename, sanitizeMsg(err.Error(), secrets))
	}
	return out, left.Err()
}

// mergeEdits adds next to edits. Edits identical to one already there
// are shared (the import every fix carries); an edit that overlaps a
// different one makes the whole fix conflict.
func mergeEdits(edits, next []rewrite.Edit) ([]rewrite.Edit, bool) {
	var add []rewrite.Edit
outer:
	for _, n := range next {
		for _, e := range edits {
			if e == n {
				continue outer
			}
			insN, insE := n.Start == n.End, e.Start == e.End
			switch {
			case insN && insE:
				// Two insertions at one point: both apply, in order.
			case insN:
				if e.Start < n.Start && n.Start < e.End {
					return edits, false
				}
			case insE:
				if n.Start < e.Start && e.Start < n.End {
					return edits, false
				}
			default:
				if n.Start < e.End && e.Start < n.End {
					return edits, false
				}
			}
		}
		add = append(add, n)
	}
	return append(edits, add...), true
}

// tidy removes imports the edits left unused (`cmp`, `os` after a weak
// default was replaced) and formats the result.
func tidy(orig *ast.File, out []byte) ([]byte, error) {
	before := importUses(orig)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", out, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	after := importUses(f)
	type unused struct{ explicit, path string }
	var drop []unused
	for _, spec := range f.Imports {
		name, path := specName(spec)
		if name == "" || name == "_" || name == "." || path == "C" {
			continue
		}
		if before[name] > 0 && after[name] == 0 {
			u := unused{path: path}
			if spec.Name != nil {
				u.explicit = spec.Name.Name
			}
			drop = append(drop, u)
		}
	}
	pruned := false
	for _, u := range drop {
		pruned = astutil.DeleteNamedImport(fset, f, u.explicit, u.path) || pruned
	}
	var buf bytes.Buffer
	if pruned {
		if err := format.Node(&buf, fset, f); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return format.Source(out)
}

// specName is the name an import binds (a guess from the path when it is
// not renamed) and its path.
func specName(spec *ast.ImportSpec) (string, string) {
	path := strings.Trim(spec.Path.Value, "\"`")
	if spec.Name != nil {
		return spec.Name.Name, path
	}
	return packageName(path), path
}

// importUses counts, per imported name, the selector expressions x.Y
// whose x is that name.
func importUses(f *ast.File) map[string]int {
	names := map[string]bool{}
	for _, spec := range f.Imports {
		n, _ := specName(spec)
		names[n] = true
	}
	uses := map[string]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] {
				uses[x.Name]++
			}
		}
		return true
	})
	return uses
}

// parseError turns go/parser's error into a ParseError that cannot leak
// a secret (the parser quotes the literal it tripped on).
func parseError(err error, secrets []rewrite.Secret) *rewrite.ParseError {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return &rewrite.ParseError{Line: list[0].Pos.Line, Msg: sanitizeMsg(list[0].Msg, secrets)}
	}
	return &rewrite.ParseError{Msg: sanitizeMsg(err.Error(), secrets)}
}

// sanitizeMsg drops the literal text go/parser appends after the token
// kind (`found 'STRING' "gsk_…"`) and any secret value.
func sanitizeMsg(msg string, secrets []rewrite.Secret) string {
	if i := strings.Index(msg, "found '"); i >= 0 {
		if j := strings.Index(msg[i+len("found '"):], "'"); j >= 0 {
			msg = msg[:i+len("found '")+j+1]
		}
	}
	for _, s := range secrets {
		if s.Value != "" {
			msg = strings.ReplaceAll(msg, s.Value, lfscanner.RedactedText)
		}
	}
	return msg
}
