// Package js rewrites hardcoded secrets in JavaScript and TypeScript into
// `getSecret("name")` calls and removes weak fallbacks from environment
// lookups, working on tokens (strings, template literals, regexes and
// comments are each handled as what they are).
//
// The rules, and why:
//
//   - A string literal that is exactly the secret becomes
//     `getSecret("name")` (`[getSecret("name")]` when it is an object key).
//   - A secret inside a larger string literal (`"Bearer gsk_…"`, a URL)
//     rewrites that literal as one unit: `("Bearer " + getSecret("name"))`,
//     the other parts kept as written, so it evaluates to the same text
//     while the vault holds exactly the value the scanner found, under the
//     name every occurrence shares (one entry to rotate, and the value
//     `leakfix plan` uploads). In a template literal the secret becomes a
//     `${getSecret("name")}` substitution.
//   - A secret in a comment becomes `<redacted: name>`.
//   - A weak default (`process.env.JWT_SECRET || "dev"`) becomes a lookup
//     that throws when the variable is missing.
//   - The import is added once, after a hashbang and "use strict": an ES
//     module import or a CommonJS require, whichever the file uses.
//
// JSX (.jsx, .tsx) is not handled: its text and attributes are not
// JavaScript tokens, so those files are not registered.
package js

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
)

// callName is the function rewritten code calls.
const callName = "getSecret"

// Rewriter rewrites JavaScript and TypeScript files. Use New.
type Rewriter struct {
	importLine string
	helperPath string
}

// New returns a Rewriter. importLine, when set, is added verbatim to every
// rewritten file; otherwise each file gets an import (ES module) or require
// (CommonJS) of helperPath, the absolute path of the lookup module, by a
// path relative to the file.
func New(importLine, helperPath string) (*Rewriter, error) {
	line := strings.TrimSpace(importLine)
	if line != "" {
		toks, err := tokenize([]byte(line))
		if err != nil || strings.ContainsAny(line, "\r\n") {
			return nil, fmt.Errorf("js import line %q is not one line of JavaScript", importLine)
		}
		binds, loads := false, false
		for _, t := range toks {
			binds = binds || t.kind == tIdent && t.text == callName
			loads = loads || t.kind == tIdent && (t.text == "import" || t.text == "require")
		}
		if !binds || !loads {
			return nil, fmt.Errorf("js import line %q must import or require %s", importLine, callName)
		}
		return &Rewriter{importLine: line}, nil
	}
	if helperPath == "" || !filepath.IsAbs(helperPath) {
		return nil, fmt.Errorf("js rewriter: helper path %q must be absolute", helperPath)
	}
	return &Rewriter{helperPath: helperPath}, nil
}

type file struct {
	path string
	src  []byte
	toks []token
	rewrite.Plan
	calls bool
}

// Rewrite implements rewrite.Rewriter.
func (r *Rewriter) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	f := &file{path: path, src: src, toks: toks}
	byToken := map[int][]rewrite.Secret{}
	for _, s := range secrets {
		if s.Start < 0 || s.End > len(src) || s.Start >= s.End || string(src[s.Start:s.End]) != s.Value {
			return nil, fmt.Errorf("secret at line %d is not where the scan found it (file changed since the scan?)", s.Line)
		}
		ti := f.tokenAt(s.Start, s.End)
		switch {
		case ti < 0:
			f.Left.Leave(s, "not inside one string literal or comment")
		case toks[ti].kind == tComment:
			f.Add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: rewrite.Redaction(s.Name)})
		case toks[ti].kind != tString && toks[ti].kind != tTemplate:
			f.Left.Leave(s, "not inside a string literal, template literal or comment")
		case s.Start <= toks[ti].start || s.End >= toks[ti].end:
			f.Left.Leave(s, "overlaps the quotes of a string literal")
		case s.WeakDefault:
			f.weakDefault(ti, s)
		default:
			byToken[ti] = append(byToken[ti], s)
		}
	}
	idx := make([]int, 0, len(byToken))
	for ti := range byToken {
		idx = append(idx, ti)
	}
	sort.Ints(idx)
	for _, ti := range idx {
		f.rewriteLiteral(ti, byToken[ti])
	}
	if f.calls {
		line := r.importLine
		if line == "" {
			line, err = r.defaultImport(path, toks)
			if err != nil {
				return nil, err
			}
		}
		if !f.imported(line) {
			f.insertImport(line)
		}
	}
	return f.Apply(src, func(out []byte) error {
		_, err := tokenize(out)
		return err
	})
}

func (f *file) tokenAt(start, end int) int {
	i := sort.Search(len(f.toks), func(i int) bool { return f.toks[i].end > start })
	if i < len(f.toks) && f.toks[i].start <= start && end <= f.toks[i].end {
		return i
	}
	return -1
}

func (f *file) prevSig(i int) int {
	for i--; i >= 0; i-- {
		if f.toks[i].kind != tComment {
			return i
		}
	}
	return -1
}

func (f *file) nextSig(i int) int {
	for i++; i < len(f.toks); i++ {
		if f.toks[i].kind != tComment {
			return i
		}
	}
	return -1
}

func (f *file) isPunct(i int, texts ...string) bool {
	if i < 0 || f.toks[i].kind != tPunct {
		return false
	}
	for _, t := range texts {
		if f.toks[i].text == t {
			return true
		}
	}
	return false
}

func (f *file) isIdent(i int, text string) bool {
	return i >= 0 && f.toks[i].kind == tIdent && f.toks[i].text == text
}

func call(name string) string { return fmt.Sprintf(`%s("%s")`, callName, name) }

// rewriteLiteral replaces the secrets of one string or template literal.
func (f *file) rewriteLiteral(ti int, secrets []rewrite.Secret) {
	t := f.toks[ti]
	sort.Slice(secrets, func(i, j int) bool { return secrets[i].Start < secrets[j].Start })
	kept := secrets[:0]
	for _, s := range secrets {
		if n := len(kept); n > 0 && s.Start < kept[n-1].End {
			continue
		}
		kept = append(kept, s)
	}
	secrets = kept
	for _, s := range secrets {
		if odd := oddBackslashesBefore(f.src, t.start+1, s.Start); odd {
			for _, s := range secrets {
				f.Left.Leave(s, "follows a backslash escape")
			}
			return
		}
	}
	whole := len(secrets) == 1 && secrets[0].Start == t.start+1 && secrets[0].End == t.end-1

	if t.kind == tTemplate {
		for _, s := range secrets {
			for _, fld := range t.fields {
				if s.Start < fld[1] && fld[0] < s.End {
					for _, s := range secrets {
						f.Left.Leave(s, "inside a template literal substitution")
					}
					return
				}
			}
		}
		prev := f.prevSig(ti)
		tagged := prev >= 0 && (f.toks[prev].kind == tIdent && !regexAfterWord[f.toks[prev].text] ||
			f.isPunct(prev, ")", "]") || f.toks[prev].kind == tTemplate || f.toks[prev].kind == tString)
		if whole && len(t.fields) == 0 && !tagged {
			f.replace(ti, secrets[0], call(secrets[0].Name))
			return
		}
		for _, s := range secrets {
			if f.Add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: "${" + call(s.Name) + "}"}) {
				f.calls = true
			}
		}
		return
	}

	if prev := f.prevSig(ti); f.isIdent(prev, "from") || f.isIdent(prev, "import") ||
		f.isPunct(prev, "(") && f.isIdent(f.prevSig(prev), "require") {
		for _, s := range secrets {
			f.Left.Leave(s, "inside a module specifier")
		}
		return
	}
	if whole {
		text := call(secrets[0].Name)
		prev, next := f.prevSig(ti), f.nextSig(ti)
		if f.isPunct(prev, "{", ",") && f.isPunct(next, ":") {
			text = "[" + text + "]" // an object key
		}
		f.replace(ti, secrets[0], text)
		return
	}
	quote := string(f.src[t.start])
	var parts []string
	pos := t.start + 1
	for _, s := range secrets {
		if s.Start > pos {
			parts = append(parts, quote+string(f.src[pos:s.Start])+quote)
		}
		parts = append(parts, call(s.Name))
		pos = s.End
	}
	if t.end-1 > pos {
		parts = append(parts, quote+string(f.src[pos:t.end-1])+quote)
	}
	text := "(" + strings.Join(parts, " + ") + ")"
	if prev, next := f.prevSig(ti), f.nextSig(ti); f.isPunct(prev, "{", ",") && f.isPunct(next, ":") {
		text = "[" + text + "]"
	}
	f.replace(ti, secrets[0], text)
}

func (f *file) replace(ti int, s rewrite.Secret, text string) {
	if f.Add(s, rewrite.Edit{Start: f.toks[ti].start, End: f.toks[ti].end, Text: text}) {
		f.calls = true
	}
}

func oddBackslashesBefore(src []byte, from, at int) bool {
	n := 0
	for i := at - 1; i >= from && src[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// weakDefault turns `process.env.X || "dev"` (also `??`, `process.env["X"]`
// and `import.meta.env.X`) into a lookup that throws when X is unset.
func (f *file) weakDefault(ti int, s rewrite.Secret) {
	if f.toks[ti].kind == tTemplate && len(f.toks[ti].fields) > 0 {
		f.Left.Leave(s, "weak default is a template with substitutions; remove it by hand")
		return
	}
	op := f.prevSig(ti)
	if !f.isPunct(op, "||", "??") {
		f.Left.Leave(s, "weak default is not a `process.env.X || \"…\"` fallback; remove it by hand")
		return
	}
	// Walk the member expression back: NAME or ["NAME"], then .env, then
	// process / import.meta.
	i := f.prevSig(op)
	var envVar string
	switch {
	case i >= 0 && f.toks[i].kind == tIdent && f.isPunct(f.prevSig(i), "."):
		envVar = f.toks[i].text
		i = f.prevSig(f.prevSig(i))
	case f.isPunct(i, "]") && f.prevSig(i) >= 0 && f.toks[f.prevSig(i)].kind == tString && f.isPunct(f.prevSig(f.prevSig(i)), "["):
		lit := f.toks[f.prevSig(i)]
		envVar = string(f.src[lit.start+1 : lit.end-1])
		i = f.prevSig(f.prevSig(f.prevSig(i)))
	default:
		i = -1
	}
	start := -1
	if f.isIdent(i, "env") && f.isPunct(f.prevSig(i), ".") {
		base := f.prevSig(f.prevSig(i))
		switch {
		case f.isIdent(base, "process"):
			start = f.toks[base].start
		case f.isIdent(base, "meta") && f.isPunct(f.prevSig(base), ".") && f.isIdent(f.prevSig(f.prevSig(base)), "import"):
			start = f.toks[f.prevSig(f.prevSig(base))].start
		}
	}
	if start < 0 || envVar == "" || strings.ContainsAny(envVar, `"\`) {
		f.Left.Leave(s, "weak default is not a `process.env.X || \"…\"` fallback; remove it by hand")
		return
	}
	lookup := string(f.src[start:f.toks[op].start])
	text := fmt.Sprintf(`(%s %s (() => { throw new Error("%s is not set"); })())`,
		strings.TrimRight(lookup, " \t\r\n"), f.toks[op].text, envVar)
	f.Add(s, rewrite.Edit{Start: start, End: f.toks[ti].end, Text: text})
}

// defaultImport builds the import of the lookup module for path, in the
// module style the file uses.
func (r *Rewriter) defaultImport(path string, toks []token) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	rel, err := filepath.Rel(filepath.Dir(abs), r.helperPath)
	if err != nil {
		return "", fmt.Errorf("locate the lookup module from %s: %w", path, err)
	}
	spec := filepath.ToSlash(rel)
	if !strings.HasPrefix(spec, "../") {
		spec = "./" + spec
	}
	if isESM(abs, toks) {
		return fmt.Sprintf(`import { %s } from "%s";`, callName, spec), nil
	}
	return fmt.Sprintf(`const { %s } = require("%s");`, callName, spec), nil
}

// isESM decides whether a file is an ES module: by extension (.mjs/.mts,
// .cjs/.cts), then by its own import/export statements or require calls,
// then TypeScript (written as modules) or the nearest package.json "type".
func isESM(path string, toks []token) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mjs", ".mts":
		return true
	case ".cjs", ".cts":
		return false
	}
	esm, cjs := false, false
	for i, t := range toks {
		if t.kind != tIdent {
			continue
		}
		prevDot := i > 0 && toks[i-1].kind == tPunct && (toks[i-1].text == "." || toks[i-1].text == "?.")
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].text
		}
		switch t.text {
		case "import":
			if !prevDot && next != "(" && next != "." {
				esm = true
			}
		case "export":
			if !prevDot {
				esm = true
			}
		case "require":
			if !prevDot && next == "(" {
				cjs = true
			}
		case "module":
			if next == "." && i+2 < len(toks) && toks[i+2].text == "exports" {
				cjs = true
			}
		case "exports":
			if !prevDot && next == "." {
				cjs = true
			}
		}
	}
	switch {
	case esm:
		return true
	case cjs:
		return false
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".ts" {
		return true
	}
	return packageType(filepath.Dir(path)) == "module"
}

// packageType reads "type" from the nearest package.json above dir.
func packageType(dir string) string {
	for {
		data, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err == nil {
			var pkg struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(data, &pkg) == nil {
				return pkg.Type
			}
			return ""
		} else if !errors.Is(err, os.ErrNotExist) {
			return ""
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// imported reports whether the file already brings getSecret in.
func (f *file) imported(line string) bool {
	for _, l := range strings.Split(string(f.src), "\n") {
		l = strings.TrimSpace(strings.TrimRight(l, "\r"))
		if l == line {
			return true
		}
		if strings.Contains(l, callName) && (strings.HasPrefix(l, "import ") || strings.Contains(l, "require(") ||
			strings.HasPrefix(l, "function "+callName) || strings.HasPrefix(l, "export function "+callName)) {
			return true
		}
	}
	return false
}

// insertImport adds line after a hashbang and the directive prologue
// ("use strict"), before the first statement.
func (f *file) insertImport(line string) {
	nl := rewrite.LineEnding(f.src)
	i := 0
	pos := -1
	if len(f.toks) > 0 && f.toks[0].kind == tComment && strings.HasPrefix(string(f.src), "#!") {
		pos = f.toks[0].end
		i = 1
	}
	// Directives: string statements at the very top.
	for j := f.nextSig(i - 1); j >= 0 && f.toks[j].kind == tString; {
		next := f.nextSig(j)
		if f.isPunct(next, ";") {
			pos = f.toks[next].end
			j = f.nextSig(next)
			continue
		}
		if next < 0 || f.toks[next].nlBefore && !continuesExpression(f.toks[next]) {
			pos = f.toks[j].end
			j = next
			continue
		}
		break
	}
	text := line + nl
	if pos >= 0 {
		// After the hashbang or directives: start the next line.
		end := pos
		for end < len(f.src) && (f.src[end] == ' ' || f.src[end] == '\t') {
			end++
		}
		if end < len(f.src) && f.src[end] == '/' && end+1 < len(f.src) && f.src[end+1] == '/' {
			end = lineEnd(f.src, end) // a trailing comment stays on its line
		}
		switch {
		case end < len(f.src) && f.src[end] == '\r' && end+1 < len(f.src) && f.src[end+1] == '\n':
			pos = end + 2
		case end < len(f.src) && (f.src[end] == '\n' || f.src[end] == '\r'):
			pos = end + 1
		default:
			pos = end
			text = nl + line + nl
		}
	} else if first := f.nextSig(-1); first >= 0 {
		pos = lineStart(f.src, f.toks[first].start)
	} else {
		pos = len(f.src)
		if pos > 0 && f.src[pos-1] != '\n' {
			text = nl + line + nl
		}
	}
	f.Edits = append(f.Edits, rewrite.Edit{Start: pos, End: pos, Text: text})
}

// continuesExpression reports whether a token at the start of a line
// would continue the previous line's expression (so no semicolon is
// inserted there).
func continuesExpression(t token) bool {
	if t.kind == tTemplate {
		return true
	}
	return t.kind == tPunct && strings.ContainsAny(t.text[:1], "([.+-*/%,?:=<>&|^")
}

func lineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' && src[off-1] != '\r' {
		off--
	}
	return off
}
