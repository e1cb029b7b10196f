package goanalyzer

import (
	"errors"
	"fmt"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultCall is the function a secret literal is replaced with; its
// qualifier is the name the helper package is imported under.
const DefaultCall = "secrets.Get"

// FallbackImport is the helper's import path when the code is not inside
// a module whose path could be read (GOPATH layouts, loose files). Inside
// a module the default is `<module path>/internal/secrets`, where
// `leakfix fix --emit-helper` writes the package, so the result builds
// without further edits.
const FallbackImport = "example.com/internal/secrets"

// HelperDir is where, below a module root, the helper package goes by
// default; `internal` keeps it importable from the whole module only.
const HelperDir = "internal/secrets"

// MustEnvFunc is the helper function a weak default is replaced with: it
// returns the environment variable or panics, so a missing setting stops
// the program at start-up instead of running with a guessable value.
const MustEnvFunc = "MustEnv"

// Options say what the rewritten code calls.
type Options struct {
	// ImportPath of the helper package. Empty means
	// `<module path>/internal/secrets` for the module enclosing the file,
	// or FallbackImport outside a module.
	ImportPath string
	// Call is `qualifier.Func` (DefaultCall when empty). The qualifier is
	// the name the file imports ImportPath under; weak defaults call
	// `qualifier.MustEnv`.
	Call string
	// SamePackage makes calls unqualified and prefixed with
	// SamePackagePrefix (`leakfixGet("name")`, `leakfixMustEnv(...)`),
	// for code outside any module whose helper is a file in its own
	// package (see SamePackageHelper); ImportPath is then ignored.
	SamePackage bool
}

// SamePackagePrefix is prepended to the helper's top-level names when
// the helper is a file in the caller's own package, so they cannot
// collide with the package's names.
const SamePackagePrefix = "leakfix"

// samePackageName is name as the same-package helper declares it. The
// case of name is kept, so names that differ only in case (Provider,
// provider) stay distinct.
func samePackageName(name string) string { return SamePackagePrefix + name }

// call is a parsed Options.Call.
type call struct {
	qual, fn string
}

func parseCall(s string) (call, error) {
	if s == "" {
		s = DefaultCall
	}
	q, fn, ok := strings.Cut(s, ".")
	if !ok || !token.IsIdentifier(q) || !token.IsIdentifier(fn) || q == "_" || fn == "_" {
		return call{}, fmt.Errorf("call %q must be qualifier.Function, for example %s", s, DefaultCall)
	}
	if !token.IsExported(fn) {
		return call{}, fmt.Errorf("call %q: %s must be exported to be called from other packages", s, fn)
	}
	return call{qual: q, fn: fn}, nil
}

func checkImportPath(p string) error {
	if p == "" || strings.ContainsAny(p, " \t\r\n\"`\\") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return fmt.Errorf("import path %q is not a valid Go import path", p)
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return fmt.Errorf("import path %q is not a valid Go import path", p)
		}
	}
	return nil
}

// packageName is the name the helper package declares: the last element
// of its import path made into an identifier (`secrets` by default).
func packageName(importPath string) string {
	base := path.Base(importPath)
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9' && b.Len() > 0, r == '_' && b.Len() > 0:
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r - 'A' + 'a')
		}
	}
	name := b.String()
	if !token.IsIdentifier(name) || token.IsKeyword(name) {
		return "secrets"
	}
	return name
}

// ErrNoModule says no go.mod encloses a directory.
var ErrNoModule = errors.New("no go.mod found")

// HelperLocation finds the module enclosing dir and returns the import
// path and directory of its helper package (`<module>/internal/secrets`),
// which is where `leakfix fix --emit-helper` writes it and what the
// rewritten calls import. It returns an error wrapping ErrNoModule when
// dir is not inside a module.
func HelperLocation(dir string) (importPath, helperDir string, err error) {
	root, modPath, err := findModule(dir)
	if err != nil {
		return "", "", err
	}
	return modPath + "/" + HelperDir, filepath.Join(root, filepath.FromSlash(HelperDir)), nil
}

// findModule walks up from dir to the nearest go.mod and returns its
// directory and module path.
func findModule(dir string) (root, modPath string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("find module of %s: %w", dir, err)
	}
	for d := abs; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			p := modulePath(data)
			if p == "" {
				return "", "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
			}
			return d, p, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("find module of %s: %w", dir, err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", fmt.Errorf("%s: %w", dir, ErrNoModule)
		}
		d = parent
	}
}

// resolveImport picks the helper import path for a file in dir.
func resolveImport(configured, dir string) string {
	if configured != "" {
		return configured
	}
	if ip, _, err := HelperLocation(dir); err == nil {
		return ip
	}
	return FallbackImport
}

// modulePath reads the module line of a go.mod file (quoted or not).
func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || rest[0] != ' ' && rest[0] != '\t' && rest[0] != '"' {
			continue
		}
		rest = strings.TrimSpace(rest)
		if unq, err := strconv.Unquote(rest); err == nil {
			return unq
		}
		return rest
	}
	return ""
}
