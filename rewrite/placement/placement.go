// Package placement ties the fix engine to rewrite/runroot: it gives the
// JavaScript and Go rewriters a per-file helper location (so each file
// imports the helper of its own service), and lists the helper files the
// rewritten files need, each with the files that depend on it, so
// `leakfix fix --write` writes a helper before any file that imports it
// and never leaves an import of a module that does not exist. It also
// lists what else a fix writes or records beside the rewritten files: the
// Terraform variables to mark sensitive, and the moved values with the
// service reading each.
package placement

import (
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/js"
	"github.com/leakfix/leakfix/rewrite/lookup"
	"github.com/leakfix/leakfix/rewrite/runroot"
)

// JS is a rewrite.Rewriter for JavaScript/TypeScript that makes each file
// require (or import) the leakfix-secrets.cjs of its own service.
type JS struct{ Loc *runroot.Locator }

// Rewrite implements rewrite.Rewriter.
func (r JS) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	helper := filepath.Join(r.Loc.JSDir(path), runroot.JSFile)
	rw, err := js.New("", helper)
	if err != nil {
		return nil, err
	}
	return rw.Rewrite(path, src, secrets)
}

// Go is a rewrite.Rewriter for Go that imports <module>/internal/leakfixsecrets
// inside a module and calls a same-package helper outside one.
type Go struct {
	Loc  *runroot.Locator
	Call string // --go-call
	rws  map[goanalyzer.Options]*goanalyzer.Rewriter
}

// NewGo returns a Go placement rewriter.
func NewGo(loc *runroot.Locator, call string) (*Go, error) {
	if _, err := goanalyzer.NewRewriter(goanalyzer.Options{Call: call}); err != nil {
		return nil, err
	}
	return &Go{Loc: loc, Call: call, rws: map[goanalyzer.Options]*goanalyzer.Rewriter{}}, nil
}

// Rewrite implements rewrite.Rewriter.
func (r *Go) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	return r.RewriteContext(context.Background(), path, src, secrets)
}

// RewriteContext implements rewrite.ContextRewriter.
func (r *Go) RewriteContext(ctx context.Context, path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	pkg := packageClause(path, src)
	place := r.Loc.Go(path, pkg)
	opts := goanalyzer.Options{Call: r.Call, ImportPath: place.ImportPath, SamePackage: place.SamePackage}
	if place.SamePackage && pkg == "" {
		return nil, &rewrite.ParseError{Msg: "no package clause"}
	}
	rw, ok := r.rws[opts]
	if !ok {
		var err error
		if rw, err = goanalyzer.NewRewriter(opts); err != nil {
			return nil, err
		}
		r.rws[opts] = rw
	}
	return rw.RewriteContext(ctx, path, src, secrets)
}

func packageClause(path string, src []byte) string {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly)
	if err != nil {
		return ""
	}
	return f.Name.Name
}

// Helper is one helper file to write and the rewritten files that need it.
type Helper struct {
	Change *fix.Change
	Needed []*fix.Change
}

// Which says which languages get generated helpers (false: the user named
// their own module with --python-import, --js-import or --go-import).
type Which struct{ Python, JS, Go bool }

// Helpers lists the helper files the changed files need, for target.
// Helpers that already exist are not listed (an existing leakfix helper
// may have been edited; it is never overwritten). A file whose helper
// cannot be generated gets c.Err, so it is left untouched and reported
// like any file that could not be rewritten.
func Helpers(loc *runroot.Locator, target lookup.Target, which Which, changes []*fix.Change, rel func(string) string) []*Helper {
	var helpers []*Helper
	byPath := map[string]*Helper{}
	fail := func(c *fix.Change, format string, args ...any) {
		c.Err = fmt.Errorf(format, args...)
	}
	need := func(c *fix.Change, p string, gen func() ([]byte, error)) bool {
		if h, ok := byPath[p]; ok {
			if h != nil {
				h.Needed = append(h.Needed, c)
			}
			return true
		}
		if st, err := os.Lstat(p); err == nil {
			if !st.Mode().IsRegular() {
				fail(c, "its helper %s exists but is not a regular file; left untouched", rel(p))
				return false
			}
			byPath[p] = nil // already there (maybe edited): never overwritten
			return true
		}
		data, err := gen()
		if err != nil {
			fail(c, "cannot generate the helper %s (%v); left untouched", rel(p), err)
			return false
		}
		h := &Helper{Change: &fix.Change{Path: p, File: rel(p), New: true, After: data, Mode: 0o644}, Needed: []*fix.Change{c}}
		byPath[p] = h
		helpers = append(helpers, h)
		return true
	}
	for _, c := range changes {
		if !c.Changed() || c.New {
			continue
		}
		switch c.Kind {
		case fix.KindPython:
			if !which.Python || !bytes.Contains(c.After, []byte(runroot.PythonModule)) {
				continue
			}
			dir, err := loc.PythonDir(c.Path)
			if err != nil {
				fail(c, "cannot place leakfix_secrets.py: %v; left untouched", err)
				continue
			}
			need(c, filepath.Join(dir, runroot.PythonFile), func() ([]byte, error) { return lookup.Python(target) })
		case fix.KindJS:
			if !which.JS || !bytes.Contains(c.After, []byte(runroot.JSFile)) {
				continue
			}
			dir := loc.JSDir(c.Path)
			var dts []byte
			if need(c, filepath.Join(dir, runroot.JSFile), func() ([]byte, error) {
				mod, d, err := lookup.JS(target)
				dts = d
				return mod, err
			}) && dts != nil {
				need(c, filepath.Join(dir, runroot.JSDeclFile), func() ([]byte, error) { return dts, nil })
			}
		case fix.KindGo:
			if !which.Go {
				continue
			}
			place := loc.Go(c.Path, packageClause(c.Path, c.After))
			if place.SamePackage {
				if !bytes.Contains(c.After, []byte(goanalyzer.SamePackagePrefix)) {
					continue
				}
				need(c, filepath.Join(place.Dir, runroot.GoSamePkgFile), func() ([]byte, error) {
					return goanalyzer.SamePackageHelper(place.Package, string(target))
				})
				// Its SDK client (build tag leakfix_aws) and the stub used
				// without the tag, which the helper calls.
				for _, pf := range []string{goanalyzer.SamePackageProviderFile(string(target)), goanalyzer.SamePackageProviderStub(string(target))} {
					if pf == "" {
						continue
					}
					need(c, filepath.Join(place.Dir, pf), func() ([]byte, error) {
						files, err := goanalyzer.SamePackageProvider(place.Package, string(target))
						return files[pf], err
					})
				}
				continue
			}
			if !bytes.Contains(c.After, []byte(`"`+place.ImportPath+`"`)) {
				continue
			}
			need(c, filepath.Join(place.Dir, runroot.GoHelperPkgDir+".go"), func() ([]byte, error) {
				return goanalyzer.HelperSource(place.ImportPath, string(target))
			})
			// The SDK-backed provider (build tag leakfix_aws, …) sits beside
			// the helper in its package.
			if pf := goanalyzer.ProviderFile(string(target)); pf != "" {
				need(c, filepath.Join(place.Dir, pf), func() ([]byte, error) {
					return goanalyzer.ProviderSource(place.ImportPath, string(target))
				})
			}
		}
	}
	sort.Slice(helpers, func(i, j int) bool { return helpers[i].Change.Path < helpers[j].Change.Path })
	return helpers
}
