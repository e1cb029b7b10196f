// Package python rewrites hardcoded secrets in Python source into
// `get_secret("name")` calls, and removes weak fallbacks from environment
// lookups, working on tokens so that string prefixes (r, b, u, f and their
// combinations), triple quotes, f-strings, implicit concatenation, comments
// and docstrings are each handled as what they are.
//
// The rules, and why:
//
//   - A string literal that is exactly the secret becomes
//     `get_secret("name")` (`get_secret("name").encode()` for bytes).
//   - A secret inside a larger literal (`"Bearer gsk_…"`, a URL with a
//     password, an f-string) rewrites that whole literal as one unit: it
//     becomes an f-string whose secret part is a `get_secret('name')`
//     field and whose other parts stay as written, so the literal still
//     evaluates to the same text. The vault then holds exactly the value
//     the scanner found, under the one name every occurrence shares —
//     `leakfix plan` uploads that value, and rotating the key means
//     updating one vault entry, not one per literal that quoted it. Bytes
//     literals become a parenthesised concatenation instead.
//   - A secret in a comment, or in a docstring or other string that is a
//     statement of its own, is replaced by `<redacted: name>`: the text
//     stays readable and no call is executed where none was.
//   - A weak default (`os.getenv("JWT_SECRET", "dev")`,
//     `os.environ.get("X") or "dev"`) becomes `os.environ["JWT_SECRET"]`,
//     which fails loudly when the setting is missing (seed 003's idiom).
//   - The import (default `from utils.secrets import get_secret`) is added
//     once, after the module docstring and `from __future__` imports.
//
// A file the tokenizer rejects (an unterminated string, unbalanced
// brackets) is refused with a *rewrite.ParseError; a secret in a place
// the rules above do not cover is left in place and reported.
package python

import (
	"fmt"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/rewrite"
)

// DefaultImport is the line added to files that now call get_secret; it
// matches the helper module `leakfix fix --emit-helper` writes.
const DefaultImport = "from utils.secrets import get_secret"

// callName is the function the rewritten code calls.
const callName = "get_secret"

// Rewriter rewrites Python files. The zero value is not usable: use New.
type Rewriter struct {
	importLine string
}

// New returns a Rewriter that adds importLine (DefaultImport when empty).
// The line must be one Python import statement that binds get_secret.
func New(importLine string) (*Rewriter, error) {
	if importLine == "" {
		importLine = DefaultImport
	}
	line := strings.TrimSpace(importLine)
	toks, err := tokenize([]byte(line))
	if err != nil || strings.ContainsAny(line, "\r\n") {
		return nil, fmt.Errorf("python import line %q is not one line of Python", importLine)
	}
	if len(toks) == 0 || toks[0].kind != tName || toks[0].text != "from" && toks[0].text != "import" {
		return nil, fmt.Errorf("python import line %q must be an import statement (from X import get_secret)", importLine)
	}
	binds := false
	for _, t := range toks {
		if t.kind == tName && t.text == callName {
			binds = true
		}
	}
	if !binds {
		return nil, fmt.Errorf("python import line %q must bind %s (for example: from app.vault import fetch as %s)", importLine, callName, callName)
	}
	return &Rewriter{importLine: line}, nil
}

// ImportLine returns the line the rewriter adds.
func (r *Rewriter) ImportLine() string { return r.importLine }

// ModulePath returns the file a `from a.b import get_secret` line loads
// (`a/b.py`), so --emit-helper knows where to write the module, or "" for
// other forms.
func (r *Rewriter) ModulePath() string {
	f := strings.Fields(r.importLine)
	if len(f) < 4 || f[0] != "from" || f[2] != "import" || strings.HasPrefix(f[1], ".") {
		return ""
	}
	return strings.ReplaceAll(f[1], ".", "/") + ".py"
}

// file is one rewrite in progress.
type file struct {
	src    []byte
	toks   []token
	lineOf []int // token index → index of the first token of its logical line
	rewrite.Plan
	calls  bool // a get_secret call was inserted
	needOS bool // an os.environ[...] was inserted where `os` may be unbound
}

// Rewrite implements rewrite.Rewriter.
func (r *Rewriter) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	f := &file{src: src, toks: toks, lineOf: logicalLines(toks)}

	// Group the key secrets by the string token that holds them.
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
		case toks[ti].kind != tString:
			f.Left.Leave(s, "not inside a string literal or comment")
		case s.Start < toks[ti].cstart || s.End > toks[ti].cend:
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
		f.rewriteString(ti, byToken[ti])
	}

	if f.calls && !f.imports(callName, r.importLine) {
		f.insertImport(r.importLine)
	}
	if f.needOS && !f.imports("os", "import os") {
		f.insertImport("import os")
	}
	return f.Apply(src, func(out []byte) error {
		_, err := tokenize(out)
		return err
	})
}

// tokenAt returns the index of the token that contains [start,end), or -1.
func (f *file) tokenAt(start, end int) int {
	i := sort.Search(len(f.toks), func(i int) bool { return f.toks[i].end > start })
	if i < len(f.toks) && f.toks[i].start <= start && end <= f.toks[i].end {
		return i
	}
	return -1
}

// logicalLines maps each token to the first token of its logical line.
func logicalLines(toks []token) []int {
	out := make([]int, len(toks))
	first := -1
	for i, t := range toks {
		if first < 0 && t.kind != tNL && t.kind != tComment && t.kind != tNewline {
			first = i
		}
		out[i] = first
		if t.kind == tNewline {
			first = -1
		}
	}
	return out
}

// prevSig and nextSig step over comments and non-logical newlines.
func (f *file) prevSig(i int) int {
	for i--; i >= 0; i-- {
		if k := f.toks[i].kind; k != tComment && k != tNL {
			return i
		}
	}
	return -1
}

func (f *file) nextSig(i int) int {
	for i++; i < len(f.toks); i++ {
		if k := f.toks[i].kind; k != tComment && k != tNL {
			return i
		}
	}
	return -1
}

func (f *file) isOp(i int, op string) bool {
	return i >= 0 && f.toks[i].kind == tOp && f.toks[i].text == op
}

func (f *file) isName(i int, names ...string) bool {
	if i < 0 || f.toks[i].kind != tName {
		return false
	}
	for _, n := range names {
		if f.toks[i].text == n {
			return true
		}
	}
	return false
}

// statementOfStrings reports whether token ti belongs to a logical line
// made only of string literals: a docstring or a bare string statement,
// which documents rather than computes.
func (f *file) statementOfStrings(ti int) bool {
	for i := f.lineOf[ti]; i < len(f.toks) && f.toks[i].kind != tNewline; i++ {
		if k := f.toks[i].kind; k != tString && k != tComment && k != tNL {
			return false
		}
	}
	return true
}

// rewriteString replaces one string literal holding key secrets.
func (f *file) rewriteString(ti int, secrets []rewrite.Secret) {
	t := &f.toks[ti]
	sort.Slice(secrets, func(i, j int) bool { return secrets[i].Start < secrets[j].Start })
	// Drop duplicates and overlaps (two rules on one span).
	kept := secrets[:0]
	for _, s := range secrets {
		if n := len(kept); n > 0 && s.Start < kept[n-1].End {
			continue
		}
		kept = append(kept, s)
	}
	secrets = kept

	if f.statementOfStrings(ti) {
		for _, s := range secrets {
			f.Add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: rewrite.Redaction(s.Name)})
		}
		return
	}
	if first := f.lineOf[ti]; f.isName(first, "case") {
		for _, s := range secrets {
			f.Left.Leave(s, "inside a match-case pattern, where a call is not allowed")
		}
		return
	}
	for _, s := range secrets {
		for _, fld := range t.fields {
			if s.Start < fld[1] && fld[0] < s.End {
				for _, s := range secrets {
					f.Left.Leave(s, "inside an f-string replacement field")
				}
				return
			}
		}
		if oddBackslashesBefore(f.src, t.cstart, s.Start) {
			for _, s := range secrets {
				f.Left.Leave(s, "follows a backslash escape")
			}
			return
		}
	}
	prev, next := f.prevSig(ti), f.nextSig(ti)
	concat := prev >= 0 && f.toks[prev].kind == tString || next >= 0 && f.toks[next].kind == tString
	whole := len(secrets) == 1 && secrets[0].Start == t.cstart && secrets[0].End == t.cend

	var text string
	switch {
	case t.isBytes():
		if concat {
			for _, s := range secrets {
				f.Left.Leave(s, "inside a bytes literal that is implicitly concatenated with another")
			}
			return
		}
		if whole {
			text = fmt.Sprintf(`%s("%s").encode()`, callName, secrets[0].Name)
			break
		}
		var ok bool
		if text, ok = f.bytesConcat(t, secrets); !ok {
			for _, s := range secrets {
				f.Left.Leave(s, "cannot split this bytes literal around the secret")
			}
			return
		}
	case whole && !concat:
		text = fmt.Sprintf(`%s("%s")`, callName, secrets[0].Name)
	default:
		text = f.fstring(t, secrets)
	}
	if f.Add(secrets[0], rewrite.Edit{Start: t.start, End: t.end, Text: text}) {
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

// fstring rebuilds a str literal as an f-string with a get_secret field in
// place of each secret. The call quotes with the other quote character, so
// the result is valid on every Python 3 (nested same quotes need 3.12).
func (f *file) fstring(t *token, secrets []rewrite.Secret) string {
	var b strings.Builder
	for _, c := range t.prefix {
		if c != 'u' && c != 'U' {
			b.WriteRune(c)
		}
	}
	if !t.isF() {
		b.WriteByte('f')
	}
	b.WriteString(t.quote)
	q := "'"
	if t.quote[0] == '\'' {
		q = `"`
	}
	pos := t.cstart
	literal := func(end int) {
		part := string(f.src[pos:end])
		if !t.isF() {
			part = doubleBraces(part, t.isRaw())
		}
		b.WriteString(part)
	}
	for _, s := range secrets {
		literal(s.Start)
		fmt.Fprintf(&b, "{%s(%s%s%s)}", callName, q, s.Name, q)
		pos = s.End
	}
	literal(t.cend)
	b.WriteString(t.quote)
	return b.String()
}

// doubleBraces escapes braces for an f-string, leaving `\N{NAME}` escapes
// of non-raw strings alone.
func doubleBraces(s string, raw bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !raw && c == '\\' && i+1 < len(s) {
			if s[i+1] == 'N' && i+2 < len(s) && s[i+2] == '{' {
				if end := strings.IndexByte(s[i:], '}'); end >= 0 {
					b.WriteString(s[i : i+end+1])
					i += end
					continue
				}
			}
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if c == '{' || c == '}' {
			b.WriteByte(c)
		}
		b.WriteByte(c)
	}
	return b.String()
}

// bytesConcat rebuilds a bytes literal as a parenthesised concatenation.
func (f *file) bytesConcat(t *token, secrets []rewrite.Secret) (string, bool) {
	var parts []string
	pos := t.cstart
	piece := func(end int) bool {
		if end == pos {
			return true
		}
		p := string(f.src[pos:end])
		if strings.HasSuffix(p, "\\") && oddBackslashesBefore(f.src, pos, end) {
			return false
		}
		if len(t.quote) == 3 && strings.HasSuffix(p, t.quote[:1]) {
			return false
		}
		parts = append(parts, t.prefix+t.quote+p+t.quote)
		return true
	}
	for _, s := range secrets {
		if !piece(s.Start) {
			return "", false
		}
		parts = append(parts, fmt.Sprintf(`%s("%s").encode()`, callName, s.Name))
		pos = s.End
	}
	if !piece(t.cend) {
		return "", false
	}
	return "(" + strings.Join(parts, " + ") + ")", true
}

// weakDefault removes the fallback of an environment lookup so a missing
// setting fails at start-up instead of running with a guessable value.
//
//	os.getenv("X", "dev")            → os.environ["X"]
//	os.getenv("X", default="dev")    → os.environ["X"]
//	os.environ.get("X", "dev")       → os.environ["X"]
//	os.environ.setdefault("X", "d")  → os.environ["X"]
//	os.getenv("X") or "dev"          → os.environ["X"]
//	getenv("X", "dev")               → os.environ["X"] (adds `import os`)
func (f *file) weakDefault(ti int, s rewrite.Secret) {
	p := f.prevSig(ti)
	var open, end int // the call's `(` token index, and the byte end of the edit
	switch {
	case f.isOp(p, ",") || f.isOp(p, "=") && f.isName(f.prevSig(p), "default") && f.isOp(f.prevSig(f.prevSig(p)), ","):
		comma := p
		if f.isOp(p, "=") {
			comma = f.prevSig(f.prevSig(p))
		}
		open = f.openingParen(comma)
		closeIdx := f.nextSig(ti)
		if f.isOp(closeIdx, ",") {
			closeIdx = f.nextSig(closeIdx)
		}
		if open < 0 || !f.isOp(closeIdx, ")") {
			f.Left.Leave(s, "weak default is not the last argument of an environment lookup; remove the fallback by hand")
			return
		}
		end = f.toks[closeIdx].end
		f.envLookup(s, open, comma, end)
	case f.isName(p, "or") && f.isOp(f.prevSig(p), ")"):
		closeIdx := f.prevSig(p)
		open = f.matchingOpen(closeIdx)
		if open < 0 {
			f.Left.Leave(s, "weak default is not an environment lookup fallback; remove it by hand")
			return
		}
		f.envLookup(s, open, closeIdx, f.toks[ti].end)
	default:
		f.Left.Leave(s, "weak default is not an os.getenv / os.environ.get fallback; remove it by hand")
	}
}

// envLookup rewrites the call whose `(` is token open, with its first
// argument running to token argEnd, into an os.environ subscript; the edit
// ends at byte end.
func (f *file) envLookup(s rewrite.Secret, open, argEnd, end int) {
	arg := strings.TrimSpace(string(f.src[f.toks[open].end:f.toks[argEnd].start]))
	if arg == "" || f.topLevelComma(open, argEnd) {
		f.Left.Leave(s, "weak default is not in a one-name environment lookup; remove it by hand")
		return
	}
	fn := f.prevSig(open)
	dot := f.prevSig(fn)
	switch {
	case f.isName(fn, "getenv") && f.isOp(dot, "."):
		f.Add(s, rewrite.Edit{Start: f.toks[fn].start, End: end, Text: "environ[" + arg + "]"})
	case f.isName(fn, "getenv"):
		if f.Add(s, rewrite.Edit{Start: f.toks[fn].start, End: end, Text: "os.environ[" + arg + "]"}) {
			f.needOS = true
		}
	case f.isName(fn, "get", "setdefault") && f.isOp(dot, ".") && f.isName(f.prevSig(dot), "environ"):
		f.Add(s, rewrite.Edit{Start: f.toks[dot].start, End: end, Text: "[" + arg + "]"})
	default:
		f.Left.Leave(s, "weak default is not an os.getenv / os.environ.get fallback; remove it by hand")
	}
}

// openingParen walks back from a top-level comma to its call's `(`, or -1
// when the comma separates more than two arguments.
func (f *file) openingParen(comma int) int {
	depth := 0
	for i := f.prevSig(comma); i >= 0; i = f.prevSig(i) {
		t := f.toks[i]
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case ")", "]", "}":
			depth++
		case "(", "[", "{":
			if depth == 0 {
				if t.text == "(" {
					return i
				}
				return -1
			}
			depth--
		case ",":
			if depth == 0 {
				return -1
			}
		}
	}
	return -1
}

func (f *file) matchingOpen(closeIdx int) int {
	depth := 0
	for i := closeIdx; i >= 0; i = f.prevSig(i) {
		t := f.toks[i]
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case ")", "]", "}":
			depth++
		case "(", "[", "{":
			depth--
			if depth == 0 {
				if t.text == "(" {
					return i
				}
				return -1
			}
		}
	}
	return -1
}

func (f *file) topLevelComma(open, end int) bool {
	depth := 0
	for i := open + 1; i < end; i++ {
		t := f.toks[i]
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// imports reports whether the module already binds name through an
// import (or a def), or holds line verbatim.
func (f *file) imports(name, line string) bool {
	for _, l := range strings.Split(string(f.src), "\n") {
		if strings.TrimSpace(strings.TrimRight(l, "\r")) == line {
			return true
		}
	}
	for i := 0; i < len(f.toks); i++ {
		if f.lineOf[i] != i {
			continue
		}
		switch {
		case f.isName(i, "def") && f.isName(f.nextSig(i), name):
			return true
		case f.isName(i, "from") || f.isName(i, "import"):
			j := i
			for f.isName(i, "from") && j < len(f.toks) && f.toks[j].kind != tNewline && !f.isName(j, "import") {
				j++
			}
			for k := j + 1; k < len(f.toks) && f.toks[k].kind != tNewline; k++ {
				if !f.isName(k, name) || f.isOp(f.prevSig(k), ".") {
					continue
				}
				if f.isName(f.prevSig(k), "as") || !f.isName(f.nextSig(k), "as") {
					return true
				}
			}
		}
	}
	return false
}

// insertImport adds line after the module docstring and any
// `from __future__` imports, or before the first statement.
func (f *file) insertImport(line string) {
	nl := rewrite.LineEnding(f.src)
	i := f.nextSig(-1)
	pos := -1
	if i >= 0 && f.toks[i].kind == tString && f.statementOfStrings(i) {
		pos, i = f.afterLine(i)
	}
	for i >= 0 && f.isName(i, "from") && f.isName(f.nextSig(i), "__future__") {
		pos, i = f.afterLine(i)
	}
	text := line + nl
	switch {
	case pos >= 0:
		if pos == len(f.src) && (pos == 0 || f.src[pos-1] != '\n' && f.src[pos-1] != '\r') {
			text = nl + line + nl
		}
	case i >= 0:
		pos = lineStartOf(f.src, f.toks[i].start)
	default:
		pos = len(f.src)
		if pos > 0 && f.src[pos-1] != '\n' && f.src[pos-1] != '\r' {
			text = nl + line + nl
		}
	}
	f.Edits = append(f.Edits, rewrite.Edit{Start: pos, End: pos, Text: text})
}

// afterLine returns the byte offset after the logical line holding token
// i, and the first significant token after it (-1 at EOF).
func (f *file) afterLine(i int) (int, int) {
	for i < len(f.toks) && f.toks[i].kind != tNewline {
		i++
	}
	if i >= len(f.toks) {
		return len(f.src), -1
	}
	return f.toks[i].end, f.nextSig(i)
}

func lineStartOf(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' && src[off-1] != '\r' {
		off--
	}
	return off
}
