package fix

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/configfile"
	"github.com/leakfix/leakfix/rewrite/js"
	"github.com/leakfix/leakfix/rewrite/python"
)

// Registry maps file-name patterns to rewriters. Patterns are matched
// case-insensitively against a file's base name with path.Match syntax;
// the most recently registered matching pattern wins, so a caller can
// override a default (or plug in the Go rewriter) by registering after.
type Registry struct {
	entries []entry
}

type entry struct {
	pattern string
	kind    string
	rw      rewrite.Rewriter
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register routes files matching any of patterns (`*.py`, `Dockerfile`,
// `.env.*`) to rw; kind names the rewriter in messages and decides which
// lookup module --emit-helper writes.
func (r *Registry) Register(kind string, rw rewrite.Rewriter, patterns ...string) {
	for _, p := range patterns {
		r.entries = append(r.entries, entry{pattern: strings.ToLower(p), kind: kind, rw: rw})
	}
}

// Lookup returns the rewriter for path.
func (r *Registry) Lookup(path string) (kind string, rw rewrite.Rewriter, ok bool) {
	base := strings.ToLower(filepath.Base(path))
	for i := len(r.entries) - 1; i >= 0; i-- {
		e := r.entries[i]
		if m, err := filepath.Match(e.pattern, base); err == nil && m {
			return e.kind, e.rw, true
		}
	}
	return "", nil, false
}

// Kinds of rewriter the default registry holds.
const (
	KindPython = "python"
	KindJS     = "js"
	KindConfig = "config"
	KindGo     = "go"
)

// Options configure the default rewriters.
type Options struct {
	// PythonImport is the line added to rewritten Python files
	// (python.DefaultImport when empty).
	PythonImport string
	// JSImport is the line added to rewritten JavaScript/TypeScript
	// files; when empty each file imports JSHelper by a relative path.
	JSImport string
	// JSHelper is the absolute path of the JavaScript lookup module.
	JSHelper string
}

// DefaultRegistry holds the Python, JavaScript/TypeScript and
// configuration-file rewriters. Go files are not in it: the caller
// registers the go/analysis-based rewriter (rewrite/goanalyzer) under
// KindGo for "*.go", which keeps this package free of the type checker.
func DefaultRegistry(o Options) (*Registry, error) {
	py, err := python.New(o.PythonImport)
	if err != nil {
		return nil, fmt.Errorf("--python-import: %w", err)
	}
	jsrw, err := js.New(o.JSImport, o.JSHelper)
	if err != nil {
		return nil, fmt.Errorf("--js-import: %w", err)
	}
	r := NewRegistry()
	r.Register(KindConfig, configfile.New(), configfile.Patterns()...)
	r.Register(KindPython, py, "*.py", "*.pyw")
	r.Register(KindJS, jsrw, "*.js", "*.mjs", "*.cjs", "*.ts", "*.mts", "*.cts")
	return r, nil
}
