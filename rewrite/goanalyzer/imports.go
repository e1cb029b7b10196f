package goanalyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
)

// importPlan is how a file refers to the helper package: the qualifier
// the calls use and the edits (possibly none) that import it.
type importPlan struct {
	qual   string // "" for a dot import
	fn     string
	edits  []rewrite.Edit
	reason string // set when the file cannot import the helper
}

func (ip *importPlan) callFor(name string) string {
	if ip == nil {
		return ""
	}
	if ip.qual == "" {
		return ip.fn + "(" + strconv.Quote(name) + ")"
	}
	return ip.qual + "." + ip.fn + "(" + strconv.Quote(name) + ")"
}

// importPlan decides once per file how the helper is imported. Every fix
// in the file carries the same import edit, so drivers that merge fixes
// (analysistest, -fix, leakfix fix) apply it once, and a fix applied on
// its own still compiles.
func (p *planner) importPlan() *importPlan {
	if p.imp != nil {
		return p.imp
	}
	ip := &importPlan{fn: p.call.fn}
	p.imp = ip
	if p.samePackage {
		ip.fn = samePackageName(p.call.fn)
		return ip
	}
	for _, spec := range p.file.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil || path != p.importPath {
			continue
		}
		switch {
		case spec.Name == nil:
			ip.qual = p.importedName(spec, path)
			return ip
		case spec.Name.Name == ".":
			ip.qual = ""
			return ip
		case spec.Name.Name != "_":
			ip.qual = spec.Name.Name
			return ip
		}
	}

	// Not imported yet: use the configured qualifier unless the file (or
	// its package) already means something else by that name.
	qual := p.call.qual
	for n := 1; p.nameTaken(qual); n++ {
		qual = "leakfix" + p.call.qual
		if n > 1 {
			qual += strconv.Itoa(n)
		}
	}
	spec := strconv.Quote(p.importPath)
	if qual != packageName(p.importPath) {
		spec = qual + " " + spec
	}
	ip.qual = qual
	ip.edits = p.importEdits(spec)
	return ip
}

// importedName is the name a non-renaming import binds.
func (p *planner) importedName(spec *ast.ImportSpec, path string) string {
	if p.info != nil {
		if pn, ok := p.info.Implicits[spec].(*types.PkgName); ok {
			return pn.Imported().Name()
		}
	}
	return packageName(path)
}

// nameTaken reports whether name already means something in the file:
// an import, any identifier the file declares or uses (a local variable
// named `secrets` would shadow the import), or a package-level name.
func (p *planner) nameTaken(name string) bool {
	for _, spec := range p.file.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		n := ""
		if spec.Name != nil {
			n = spec.Name.Name
		} else {
			n = p.importedName(spec, path)
		}
		if n == name {
			return true
		}
	}
	if p.pkg != nil && p.pkg.Scope().Lookup(name) != nil {
		return true
	}
	for _, f := range p.files {
		if f != p.file && declaresTopLevel(f, name) {
			return true
		}
	}
	taken := false
	var stack []ast.Node
	ast.Inspect(p.file, func(n ast.Node) bool {
		if taken {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if id, ok := n.(*ast.Ident); ok && id.Name == name && !fieldOrMethodName(id, stack) {
			taken = true
		}
		stack = append(stack, n)
		return true
	})
	return taken
}

// fieldOrMethodName reports whether id names a field or method (x.name,
// struct { name T }, func (r) name()), which cannot clash with an import.
func fieldOrMethodName(id *ast.Ident, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	switch parent := stack[len(stack)-1].(type) {
	case *ast.SelectorExpr:
		return parent.Sel == id
	case *ast.FuncDecl:
		return parent.Recv != nil && parent.Name == id
	case *ast.Field:
		if len(stack) >= 3 {
			switch stack[len(stack)-3].(type) {
			case *ast.StructType, *ast.InterfaceType:
				for _, n := range parent.Names {
					if n == id {
						return true
					}
				}
			}
		}
	case *ast.File:
		return parent.Name == id
	}
	return false
}

// declaresTopLevel reports whether f declares name at package level.
func declaresTopLevel(f *ast.File, name string) bool {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				return true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name == name {
							return true
						}
					}
				case *ast.TypeSpec:
					if s.Name.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// importEdits adds spec to the file: into the first parenthesised import
// block (as a group of its own after standard-library imports, as
// goimports would), or by turning a single `import "x"` into a block, or
// as a new declaration after the package clause. `import "C"` is never
// touched: cgo needs it alone under its preamble.
func (p *planner) importEdits(spec string) []rewrite.Edit {
	var block, single, last *ast.GenDecl
	for _, d := range p.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		last = gd
		if importsC(gd) {
			continue
		}
		if gd.Lparen.IsValid() {
			if block == nil {
				block = gd
			}
		} else {
			single = gd
		}
	}
	std := func(s ast.Spec) bool {
		path, _ := strconv.Unquote(s.(*ast.ImportSpec).Path.Value)
		first, _, _ := strings.Cut(path, "/")
		return !strings.Contains(first, ".")
	}
	first, _, _ := strings.Cut(p.importPath, "/")
	oursStd := !strings.Contains(first, ".")
	switch {
	case block != nil:
		at := p.off(block.Rparen)
		lineStart := at
		for lineStart > 0 && (p.src[lineStart-1] == ' ' || p.src[lineStart-1] == '\t') {
			lineStart--
		}
		text := "\t" + spec + "\n"
		if len(block.Specs) > 0 && std(block.Specs[len(block.Specs)-1]) && !oursStd {
			text = "\n" + text
		}
		if lineStart == 0 || p.src[lineStart-1] != '\n' {
			text = "\n" + text
		} else {
			at = lineStart
		}
		return []rewrite.Edit{{Start: at, End: at, Text: text}}
	case single != nil:
		old := p.text(single.Specs[0])
		sep := "\n\t"
		if std(single.Specs[0]) && !oursStd {
			sep = "\n\n\t"
		}
		return []rewrite.Edit{{Start: p.off(single.Pos()), End: p.off(single.End()),
			Text: "import (\n\t" + old + sep + spec + "\n)"}}
	case last != nil:
		at := p.off(last.End())
		return []rewrite.Edit{{Start: at, End: at, Text: "\n\nimport " + spec}}
	default:
		at := p.off(p.file.Name.End())
		for at < len(p.src) && p.src[at] != '\n' {
			at++ // after a comment on the package line
		}
		return []rewrite.Edit{{Start: at, End: at, Text: "\n\nimport " + spec}}
	}
}

func importsC(gd *ast.GenDecl) bool {
	for _, s := range gd.Specs {
		if s.(*ast.ImportSpec).Path.Value == `"C"` {
			return true
		}
	}
	return false
}
