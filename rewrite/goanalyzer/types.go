package goanalyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// goListTimeout bounds one `go list -export`, which may compile the
// dependencies of a package whose build cache is cold.
const goListTimeout = 3 * time.Minute

// typeLoader type-checks the package of a file being rewritten. Export
// data comes from `go list -export -deps` run in the file's directory,
// with GOPROXY=off and GOTOOLCHAIN=local so that a rewrite never reaches
// the network; when that fails (no go.mod, missing dependencies) the
// standard library still resolves and the rest is typed as far as it can
// be.
type typeLoader struct {
	mu    sync.Mutex
	byDir map[string]*dirExports
}

type dirExports struct {
	once      sync.Once
	exports   map[string]string // import path → export data file
	importMap map[string]string // import path as written → resolved (vendoring)
}

func newTypeLoader() *typeLoader { return &typeLoader{byDir: map[string]*dirExports{}} }

// typedPackage is the result of a best-effort type check.
type typedPackage struct {
	pkg      *types.Package
	info     *types.Info
	files    []*ast.File
	complete bool // no errors: every decision can rely on the types
}

func dirOf(filename string) string {
	d := filepath.Dir(filename)
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		return ""
	}
	return d
}

// check type-checks file together with its on-disk siblings of the same
// package (honouring build constraints), with file standing in for its
// own on-disk copy.
func (l *typeLoader) check(ctx context.Context, fset *token.FileSet, filename string, file *ast.File) typedPackage {
	files := []*ast.File{file}
	dir := dirOf(filename)
	if dir != "" {
		files = append(files, siblings(fset, dir, filename, file.Name.Name)...)
	}
	info := &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{},
	}
	var errs int
	conf := types.Config{
		Importer:    l.importer(ctx, fset, dir),
		Error:       func(error) { errs++ },
		FakeImportC: true,
	}
	pkg, _ := conf.Check(file.Name.Name, fset, files, info)
	return typedPackage{pkg: pkg, info: info, files: files, complete: errs == 0}
}

// siblings parses the other files of the package in dir that the
// current build context would compile with filename.
func siblings(fset *token.FileSet, dir, filename, pkgName string) []*ast.File {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	self := filepath.Base(filename)
	isTest := strings.HasSuffix(self, "_test.go")
	var out []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == self || !strings.HasSuffix(name, ".go") || !isTest && strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != pkgName {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (l *typeLoader) importer(ctx context.Context, fset *token.FileSet, dir string) types.Importer {
	std := importer.ForCompiler(fset, "gc", nil)
	if dir == "" {
		return std
	}
	l.mu.Lock()
	de := l.byDir[dir]
	if de == nil {
		de = &dirExports{}
		l.byDir[dir] = de
	}
	l.mu.Unlock()
	de.once.Do(func() { de.exports, de.importMap, _ = goListExports(ctx, dir) })
	if len(de.exports) == 0 {
		return std
	}
	gc := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := de.exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	return importerFunc(func(path string) (*types.Package, error) {
		if mapped, ok := de.importMap[path]; ok {
			path = mapped
		}
		if _, ok := de.exports[path]; ok {
			return gc.Import(path)
		}
		return std.Import(path) // a test-only import
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// goListExports asks the go command for the export data of the package
// in dir and all its dependencies.
func goListExports(ctx context.Context, dir string) (map[string]string, map[string]string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, nil, fmt.Errorf("type information: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, goListTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "list", "-e", "-export", "-deps", "-json=ImportPath,Export,ImportMap,DepOnly", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("go list in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	exports := map[string]string{}
	importMap := map[string]string{}
	dec := json.NewDecoder(&stdout)
	for {
		var p struct {
			ImportPath string
			Export     string
			ImportMap  map[string]string
			DepOnly    bool
		}
		if err := dec.Decode(&p); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, nil, fmt.Errorf("go list in %s: %w", dir, err)
		}
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
		if !p.DepOnly {
			for k, v := range p.ImportMap {
				importMap[k] = v
			}
		}
	}
	return exports, importMap, nil
}
