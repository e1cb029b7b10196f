package goanalyzer

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/leakfix/leakfix/rewrite"
)

// litReplacement is one literal of a const spec and its secrets.
type litReplacement struct {
	lit   *ast.BasicLit
	path  []ast.Node
	items []*item
}

// constFix turns `const k = "…"` into `var k = secrets.Get("…")`: a call
// cannot initialise a constant. That is only safe when nothing needs k to
// be a constant, so constFix refuses (with the reason) when k is exported
// from an importable package, used in another constant or an array
// length, used as a named type it converted to implicitly, repeated
// implicitly by later specs of its group, or when the uses cannot be
// typed. A spec inside a `const (…)` group moves out of the group into a
// `var` declaration right after it.
func (p *planner) constFix(decl *ast.GenDecl, spec *ast.ValueSpec, lits []litReplacement) ([]rewrite.Edit, string) {
	if reason := p.constSafe(decl, spec); reason != "" {
		return nil, reason
	}
	imp := p.importPlan()
	if imp.reason != "" {
		return nil, imp.reason
	}
	var litEdits []rewrite.Edit
	for _, l := range lits {
		expr, reason := p.literalExpr(l.lit, l.path, l.items, imp.qual)
		if reason != "" {
			return nil, reason
		}
		litEdits = append(litEdits, rewrite.Edit{Start: p.off(l.lit.Pos()), End: p.off(l.lit.End()), Text: expr})
	}
	sort.Slice(litEdits, func(i, j int) bool { return litEdits[i].Start < litEdits[j].Start })

	if !decl.Lparen.IsValid() || len(decl.Specs) == 1 {
		// `const k = …` or `const ( k = … )`: change the keyword.
		at := p.off(decl.TokPos)
		edits := append([]rewrite.Edit{{Start: at, End: at + len("const"), Text: "var"}}, litEdits...)
		return append(edits, imp.edits...), ""
	}

	// Move the spec (with its doc and line comment) out of the group.
	first, last := spec.Pos(), spec.End()
	if spec.Doc != nil {
		first = spec.Doc.Pos()
	}
	if spec.Comment != nil {
		last = spec.Comment.End()
	}
	start, end := p.off(first), p.off(last)
	lineStart := start
	for lineStart > 0 && (p.src[lineStart-1] == ' ' || p.src[lineStart-1] == '\t') {
		lineStart--
	}
	lineEnd := end
	for lineEnd < len(p.src) && (p.src[lineEnd] == ' ' || p.src[lineEnd] == '\t' || p.src[lineEnd] == '\r') {
		lineEnd++
	}
	if lineStart > 0 && p.src[lineStart-1] != '\n' || lineEnd < len(p.src) && p.src[lineEnd] != '\n' {
		return nil, "the constant shares its line with other declarations"
	}
	if lineEnd < len(p.src) {
		lineEnd++
	}
	var moved []byte
	pos := start
	for _, e := range litEdits {
		moved = append(moved, p.src[pos:e.Start]...)
		moved = append(moved, e.Text...)
		pos = e.End
	}
	moved = append(moved, p.src[pos:end]...)
	var doc, body []byte
	if spec.Doc != nil {
		specStart := p.off(spec.Pos())
		cut := specStart - start
		doc = append(doc, moved[:cut]...)
		body = moved[cut:]
	} else {
		body = moved
	}
	at := p.off(decl.End())
	insert := "\n\n" + string(doc) + "var " + string(body)
	edits := []rewrite.Edit{
		{Start: lineStart, End: lineEnd, Text: ""},
		{Start: at, End: at, Text: insert},
	}
	return append(edits, imp.edits...), ""
}

// constSafe returns why the constants of spec cannot become variables,
// or "".
func (p *planner) constSafe(decl *ast.GenDecl, spec *ast.ValueSpec) string {
	for i, s := range decl.Specs {
		if s != spec {
			continue
		}
		if i+1 < len(decl.Specs) && len(decl.Specs[i+1].(*ast.ValueSpec).Values) == 0 {
			return "later constants of its group repeat its expression implicitly"
		}
	}
	usesIota := false
	for _, v := range spec.Values {
		ast.Inspect(v, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "iota" {
				usesIota = true
			}
			return !usesIota
		})
	}
	if usesIota {
		return "its value uses iota"
	}
	topLevel := false
	for _, d := range p.file.Decls {
		if d == decl {
			topLevel = true
		}
	}
	if p.info == nil {
		return "a constant can only become a variable with type information, which is unavailable"
	}
	for _, name := range spec.Names {
		if name.Name == "_" {
			continue
		}
		if topLevel && name.IsExported() && p.file.Name.Name != "main" {
			return fmt.Sprintf("%s is exported, and other packages may use it where a constant is required", name.Name)
		}
		obj, ok := p.info.Defs[name].(*types.Const)
		if !ok {
			return fmt.Sprintf("the type of %s is unknown (its package could not be type-checked)", name.Name)
		}
		uses := 0
		for _, f := range p.files {
			var reason string
			ast.Inspect(f, func(n ast.Node) bool {
				if reason != "" {
					return false
				}
				id, ok := n.(*ast.Ident)
				if !ok || p.info.Uses[id] != obj {
					return true
				}
				uses++
				reason = p.useSafe(f, id, obj)
				return true
			})
			if reason != "" {
				return reason
			}
		}
		if uses == 0 && !topLevel {
			return fmt.Sprintf("%s is an unused local constant, and an unused variable does not compile; delete it", name.Name)
		}
	}
	return ""
}

// useSafe returns why this use of obj needs a constant, or "". The value
// a use stands in is found by climbing the constant expression around it
// (`"Bearer " + k`): go/types records the type each untyped constant
// expression was finally converted to.
func (p *planner) useSafe(f *ast.File, id *ast.Ident, obj *types.Const) string {
	path, _ := astutil.PathEnclosingInterval(f, id.Pos(), id.End())
	if _, spec := enclosingConst(path); spec != nil {
		return fmt.Sprintf("%s is used in another constant", id.Name)
	}
	if inArrayLen(path) {
		return fmt.Sprintf("%s is used in an array length", id.Name)
	}
	var e ast.Expr = id
	i := 1
	for ; i < len(path); i++ {
		parent, ok := path[i].(ast.Expr)
		if !ok {
			break
		}
		tv, ok := p.info.Types[parent]
		if !ok || tv.Value == nil {
			break
		}
		e = parent
	}
	tv, ok := p.info.Types[e]
	if !ok || tv.Type == nil || !isValid(tv.Type) {
		return fmt.Sprintf("cannot tell how %s is used at %s (its package could not be fully type-checked)", id.Name, p.fset.Position(id.Pos()))
	}
	want := types.Default(obj.Type())
	switch got := tv.Type.(type) {
	case *types.Basic:
		if got.Info()&types.IsUntyped != 0 {
			// Still untyped after checking: a comparison, len(k), or an
			// argument the checker could not match to a parameter.
			if i < len(path) {
				if call, ok := path[i].(*ast.CallExpr); ok && call.Fun != e && !p.complete {
					if ft := p.typeOf(call.Fun); ft == nil || !isValid(ft) {
						return fmt.Sprintf("cannot tell the parameter type %s is passed as at %s (a dependency could not be loaded)", id.Name, p.fset.Position(id.Pos()))
					}
				}
			}
			if types.Default(got).String() != want.String() && e == id {
				return fmt.Sprintf("%s is used as %s", id.Name, types.Default(got))
			}
			return ""
		}
		if e != id {
			return "" // len(k), k == "x": the result's type does not depend on k being constant
		}
		if !types.Identical(got, want) {
			return fmt.Sprintf("%s is used as %s", id.Name, got)
		}
		return ""
	default:
		if e != id {
			if b, ok := got.Underlying().(*types.Basic); ok && b.Info()&types.IsString == 0 {
				return ""
			}
		}
		if !types.Identical(got, want) {
			return fmt.Sprintf("%s is used as %s, which an untyped constant converts to implicitly but a variable does not", id.Name, got)
		}
		return ""
	}
}
