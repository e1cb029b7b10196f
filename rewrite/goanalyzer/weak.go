package goanalyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
)

// planWeak fixes a weak default — a guessable fallback for a secret
// setting — by removing the fallback, not by vaulting it: the value is
// not a credential, and the bug is that a missing setting goes unnoticed.
// Two shapes are recognised, and the whole call becomes
// `secrets.MustEnv("KEY")`, which panics when KEY is unset or empty:
//
//	getEnv("JWT_SECRET", "dev")               // any f(name, fallback) whose name mentions env
//	cmp.Or(os.Getenv("JWT_SECRET"), "dev")
//
// Anything else is reported without a fix.
func (p *planner) planWeak(o *outcome, lit *ast.BasicLit, path []ast.Node) {
	o.kind = kindWeak
	call, ok := path[1].(*ast.CallExpr)
	if !ok || len(call.Args) != 2 || call.Args[1] != lit || call.Ellipsis.IsValid() {
		o.reason = "weak default in a form leakfix does not rewrite; remove the fallback by hand so a missing setting fails"
		return
	}
	var key *ast.BasicLit
	switch {
	case p.isPkgFunc(call.Fun, "cmp", "Or"):
		inner, ok := call.Args[0].(*ast.CallExpr)
		if ok && len(inner.Args) == 1 && p.isPkgFunc(inner.Fun, "os", "Getenv") {
			key, _ = inner.Args[0].(*ast.BasicLit)
		}
	case strings.Contains(strings.ToLower(funcName(call.Fun)), "env"):
		key, _ = call.Args[0].(*ast.BasicLit)
	}
	if key == nil || key.Kind != token.STRING {
		o.reason = "weak default in a form leakfix does not rewrite (the setting's name is not a string literal); remove the fallback by hand"
		return
	}
	if k, err := strconv.Unquote(key.Value); err == nil {
		o.envKey = k
	}
	if t := p.typeOf(call); t != nil && isValid(t) && !isBasicString(t) {
		o.reason = "the lookup does not return a string"
		return
	}
	if _, spec := enclosingConst(path); spec != nil {
		o.reason = "the lookup is in a constant declaration"
		return
	}
	imp := p.importPlan()
	if imp.reason != "" {
		o.reason = imp.reason
		return
	}
	text := p.text(key)
	repl := MustEnvFunc + "(" + text + ")"
	if p.samePackage {
		repl = samePackageName(MustEnvFunc) + "(" + text + ")"
	}
	if imp.qual != "" {
		repl = imp.qual + "." + repl
	}
	o.start, o.end = p.off(lit.Pos()), p.off(lit.End())
	o.callText = repl
	o.edits = append([]rewrite.Edit{{Start: p.off(call.Pos()), End: p.off(call.End()), Text: repl}}, imp.edits...)
}

// isPkgFunc reports whether fun is pkgPath.name, through whatever name
// the file imports pkgPath under.
func (p *planner) isPkgFunc(fun ast.Expr, pkgPath, name string) bool {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	if p.info != nil {
		if pn, ok := p.info.Uses[x].(*types.PkgName); ok {
			return pn.Imported().Path() == pkgPath
		}
	}
	for _, spec := range p.file.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		if path != pkgPath {
			continue
		}
		if spec.Name == nil && x.Name == pkgPath || spec.Name != nil && spec.Name.Name == x.Name {
			return true
		}
	}
	return false
}

func funcName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr: // generic getEnv[T]
		return funcName(f.X)
	}
	return ""
}
