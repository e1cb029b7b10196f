package goanalyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/leakfix/leakfix/rewrite"
)

// item is one secret occurrence in one file.
type item struct {
	rewrite.Secret
	// Description is the rule's description, for diagnostics.
	Description string
}

// kind says what a fix does, for messages.
type kind int

const (
	kindVault   kind = iota // literal → secrets.Get("name")
	kindWeak                // weak default → secrets.MustEnv("KEY")
	kindComment             // secret in a comment → <redacted: name>
)

// outcome is the plan for one item: the node a diagnostic points at, and
// either the edits that fix it or the reason it is left alone.
type outcome struct {
	it         *item
	start, end int // byte span the diagnostic covers
	kind       kind
	edits      []rewrite.Edit // nil when not fixed
	reason     string         // why not fixed; never holds the secret
	envKey     string         // weak defaults: the setting's name as written
	callText   string         // the call the fix writes, for messages
}

// planner computes the edits for one file. info may be incomplete (the
// fix engine type-checks without the analysis driver): where a decision
// needs a type that is missing, the planner says so instead of guessing,
// except for plain literals, which it assumes are used as strings.
type planner struct {
	fset  *token.FileSet
	tf    *token.File
	file  *ast.File
	src   []byte
	info  *types.Info
	pkg   *types.Package // nil when unknown
	files []*ast.File    // every file of the package, file included
	// complete is set when info covers the whole package without errors.
	complete bool

	importPath  string
	call        call
	samePackage bool // the helper is a file of this package (Options.SamePackage)

	imp *importPlan // computed on first need
}

func (p *planner) off(pos token.Pos) int { return p.tf.Offset(pos) }

func (p *planner) pos(off int) token.Pos { return p.tf.Pos(off) }

func (p *planner) text(n ast.Node) string {
	return string(p.src[p.off(n.Pos()):p.off(n.End())])
}

// plan returns one outcome per item, in the items' order.
func (p *planner) plan(items []*item) []*outcome {
	out := make([]*outcome, len(items))
	type litGroup struct {
		lit   *ast.BasicLit
		path  []ast.Node
		items []int
	}
	var groups []*litGroup
	byLit := map[*ast.BasicLit]*litGroup{}
	for i, it := range items {
		o := &outcome{it: it, start: it.Start, end: it.End}
		out[i] = o
		if it.Start < 0 || it.End > len(p.src) || it.End <= it.Start {
			o.reason = "the finding's location is outside the file"
			continue
		}
		if c := p.commentAt(it.Start, it.End); c != nil {
			p.planComment(o, c)
			continue
		}
		path, _ := astutil.PathEnclosingInterval(p.file, p.pos(it.Start), p.pos(it.End))
		lit, ok := path[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || p.off(lit.Pos()) > it.Start || p.off(lit.End()) < it.End {
			o.reason = "the secret is not inside one string literal"
			continue
		}
		o.start, o.end = p.off(lit.Pos()), p.off(lit.End())
		g := byLit[lit]
		if g == nil {
			g = &litGroup{lit: lit, path: path}
			byLit[lit] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, i)
	}

	// Constant specs gather every literal of theirs, because turning a
	// const into a var is one edit for the whole spec.
	type constGroup struct {
		decl *ast.GenDecl
		spec *ast.ValueSpec
		lits []*litGroup
	}
	var consts []*constGroup
	bySpec := map[*ast.ValueSpec]*constGroup{}
	for _, g := range groups {
		outs := make([]*outcome, len(g.items))
		for k, i := range g.items {
			outs[k] = out[i]
		}
		fail := func(reason string) {
			for _, o := range outs {
				o.reason = reason
			}
		}
		switch parent := g.path[1].(type) {
		case *ast.ImportSpec:
			fail("the secret is an import path")
			continue
		case *ast.Field:
			if parent.Tag == g.lit {
				fail("the secret is in a struct tag, which must be a constant")
				continue
			}
		}
		weak := false
		for _, o := range outs {
			weak = weak || o.it.WeakDefault
		}
		if weak {
			for _, o := range outs {
				p.planWeak(o, g.lit, g.path)
			}
			continue
		}
		if inArrayLen(g.path) {
			fail("the literal is part of an array length, which must be a constant")
			continue
		}
		if decl, spec := enclosingConst(g.path); spec != nil {
			cg := bySpec[spec]
			if cg == nil {
				cg = &constGroup{decl: decl, spec: spec}
				bySpec[spec] = cg
				consts = append(consts, cg)
			}
			cg.lits = append(cg.lits, g)
			continue
		}
		imp := p.importPlan()
		if imp.reason != "" {
			fail(imp.reason)
			continue
		}
		expr, reason := p.literalExpr(g.lit, g.path, litItems(outs), imp.qual)
		if reason != "" {
			fail(reason)
			continue
		}
		edits := append([]rewrite.Edit{{Start: p.off(g.lit.Pos()), End: p.off(g.lit.End()), Text: expr}}, imp.edits...)
		for _, o := range outs {
			o.kind, o.edits, o.callText = kindVault, edits, imp.callFor(o.it.Name)
		}
	}

	for _, cg := range consts {
		var outs []*outcome
		var lits []litReplacement
		for _, g := range cg.lits {
			var gouts []*outcome
			for _, i := range g.items {
				gouts = append(gouts, out[i])
			}
			outs = append(outs, gouts...)
			lits = append(lits, litReplacement{lit: g.lit, path: g.path, items: litItems(gouts)})
		}
		edits, reason := p.constFix(cg.decl, cg.spec, lits)
		for _, o := range outs {
			o.kind = kindVault
			if reason != "" {
				o.reason = reason
				continue
			}
			o.edits, o.callText = edits, p.imp.callFor(o.it.Name)
		}
	}
	return out
}

func litItems(outs []*outcome) []*item {
	items := make([]*item, len(outs))
	for i, o := range outs {
		items[i] = o.it
	}
	sort.Slice(items, func(a, b int) bool { return items[a].Start < items[b].Start })
	return items
}

// commentAt returns the comment holding [start,end), or nil.
func (p *planner) commentAt(start, end int) *ast.Comment {
	for _, cg := range p.file.Comments {
		if p.off(cg.End()) < start {
			continue
		}
		if p.off(cg.Pos()) > start {
			break
		}
		for _, c := range cg.List {
			if p.off(c.Pos()) <= start && end <= p.off(c.End()) {
				return c
			}
		}
	}
	return nil
}

// planComment redacts a secret written in a comment: nothing runs there,
// so the value is simply replaced by a readable marker naming the vault
// entry. A cgo preamble is C code, not prose, and is left alone.
func (p *planner) planComment(o *outcome, c *ast.Comment) {
	o.kind = kindComment
	for _, d := range p.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT || gd.Doc == nil {
			continue
		}
		for _, s := range gd.Specs {
			if s.(*ast.ImportSpec).Path.Value == `"C"` && gd.Doc.Pos() <= c.Pos() && c.End() <= gd.Doc.End() {
				o.reason = "the secret is in a cgo preamble (C code)"
				return
			}
		}
	}
	o.edits = []rewrite.Edit{{Start: o.it.Start, End: o.it.End, Text: rewrite.Redaction(o.it.Name)}}
}

func inArrayLen(path []ast.Node) bool {
	for i := 1; i < len(path); i++ {
		if at, ok := path[i].(*ast.ArrayType); ok && at.Len != nil && at.Len == path[i-1] {
			return true
		}
	}
	return false
}

// enclosingConst returns the const declaration and spec whose value
// holds path[0], if any.
func enclosingConst(path []ast.Node) (*ast.GenDecl, *ast.ValueSpec) {
	for i := 1; i+1 < len(path); i++ {
		spec, ok := path[i].(*ast.ValueSpec)
		if !ok {
			continue
		}
		if decl, ok := path[i+1].(*ast.GenDecl); ok && decl.Tok == token.CONST {
			return decl, spec
		}
		return nil, nil
	}
	return nil, nil
}

// literalExpr builds the expression that replaces lit. A literal that is
// exactly the secret becomes the call; a secret inside a larger literal
// (`"Bearer gsk_…"`, a URL with a password) rewrites the whole literal
// into a concatenation of its other parts, kept as written, and the call,
// so the program sees the same string and the vault holds exactly the
// value the scanner found — the value `leakfix plan` uploads under that
// name, shared by every literal that quoted it.
func (p *planner) literalExpr(lit *ast.BasicLit, path []ast.Node, items []*item, qual string) (string, string) {
	ls, le := p.off(lit.Pos()), p.off(lit.End())
	if string(p.src[ls:le]) != lit.Value || len(lit.Value) < 2 {
		return "", "the literal's text does not match the file (a //line directive or cgo?)"
	}
	raw := lit.Value[0] == '`'
	quote := lit.Value[:1]
	whole, err := strconv.Unquote(lit.Value)
	if err != nil {
		return "", "the literal cannot be decoded"
	}
	var parts []string
	var value strings.Builder
	pos := ls + 1
	piece := func(from, to int) bool {
		if from == to {
			return true
		}
		text := quote + string(p.src[from:to]) + quote
		v, err := strconv.Unquote(text)
		if err != nil {
			return false
		}
		parts = append(parts, text)
		value.WriteString(v)
		return true
	}
	for _, it := range items {
		if it.Start < pos {
			return "", "two findings overlap in one literal"
		}
		if it.Start < ls+1 || it.End > le-1 {
			return "", "the finding covers the literal's quotes"
		}
		if !piece(pos, it.Start) {
			return "", "the secret starts inside an escape sequence"
		}
		secretSrc := string(p.src[it.Start:it.End])
		if !raw && strings.Contains(secretSrc, `\`) {
			return "", "the secret is written with escape sequences, so the vault value would differ from the string the program sees"
		}
		if it.Name == "" {
			return "", "the finding has no vault name"
		}
		parts = append(parts, p.callExpr(qual, it.Name))
		value.WriteString(strings.ReplaceAll(secretSrc, "\r", ""))
		pos = it.End
	}
	if !piece(pos, le-1) || value.String() != whole {
		return "", "the literal cannot be split around the secret without changing its value"
	}
	expr := strings.Join(parts, " + ")
	t := p.typeOf(lit)
	if conv, reason := p.conversion(t); reason != "" {
		return "", reason
	} else if conv != "" {
		return conv + "(" + expr + ")", ""
	}
	if len(parts) > 1 && needsParens(path) {
		expr = "(" + expr + ")"
	}
	return expr, ""
}

func (p *planner) callExpr(qual, name string) string {
	if qual == "" {
		if p.samePackage {
			return samePackageName(p.call.fn) + "(" + strconv.Quote(name) + ")"
		}
		return p.call.fn + "(" + strconv.Quote(name) + ")"
	}
	return qual + "." + p.call.fn + "(" + strconv.Quote(name) + ")"
}

func (p *planner) typeOf(e ast.Expr) types.Type {
	if p.info == nil {
		return nil
	}
	if tv, ok := p.info.Types[e]; ok {
		return tv.Type
	}
	return nil
}

// conversion returns the conversion a string-valued call needs to take
// the place of a literal of type t ("" when none), or why it cannot. A
// literal used as a named string type (`var t Token = "…"`) is an
// untyped constant converted implicitly; a call returns plain string and
// needs the conversion written out.
func (p *planner) conversion(t types.Type) (string, string) {
	if t == nil || !isValid(t) || isBasicString(t) {
		return "", ""
	}
	if b, ok := t.Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
		if _, isTP := t.(*types.TypeParam); !isTP {
			return "", fmt.Sprintf("the literal is used as %s, not as a string", t)
		}
	}
	name, ok := p.typeName(t)
	if !ok {
		return "", fmt.Sprintf("the literal is used as %s, which this file cannot name", t)
	}
	return name, ""
}

// typeName writes t as this file can refer to it.
func (p *planner) typeName(t types.Type) (string, bool) {
	ok := true
	name := types.TypeString(t, func(other *types.Package) string {
		if p.pkg != nil && other.Path() == p.pkg.Path() {
			return ""
		}
		for _, spec := range p.file.Imports {
			if path, err := strconv.Unquote(spec.Path.Value); err == nil && path == other.Path() {
				switch {
				case spec.Name == nil:
					return other.Name()
				case spec.Name.Name == "_", spec.Name.Name == ".":
					ok = ok && spec.Name.Name == "."
					return ""
				default:
					return spec.Name.Name
				}
			}
		}
		ok = false
		return other.Name()
	})
	return name, ok
}

func isValid(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return !ok || b.Kind() != types.Invalid
}

func isBasicString(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && (b.Kind() == types.String || b.Kind() == types.UntypedString)
}

// needsParens reports whether a concatenation put where path[0] is would
// bind differently than the literal did (`"a b"[2:]`, `-x`, `s.f`).
func needsParens(path []ast.Node) bool {
	if len(path) < 2 {
		return false
	}
	switch parent := path[1].(type) {
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr, *ast.SliceExpr,
		*ast.TypeAssertExpr, *ast.StarExpr, *ast.UnaryExpr:
		return true
	case *ast.CallExpr:
		return parent.Fun == path[0]
	case *ast.BinaryExpr:
		return parent.Op.Precedence() > token.ADD.Precedence()
	}
	return false
}
