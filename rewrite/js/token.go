package js

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakfix/leakfix/rewrite"
)

// kind is a token class. The tokenizer knows JavaScript and TypeScript
// lexical grammar well enough to find every string, template literal,
// regular expression and comment, and to refuse what it cannot read:
// unterminated strings, templates, comments and regexes, unbalanced
// brackets. It does not know JSX.
type kind int

const (
	tIdent kind = iota
	tNumber
	tString
	tTemplate
	tRegex
	tPunct
	tComment
)

type token struct {
	kind       kind
	start, end int
	text       string // identifiers and punctuators
	// nlBefore is set when a line break precedes the token (since the
	// previous token): ASI and "is this a directive" need it.
	nlBefore bool
	// Templates: the `${…}` substitutions, as [`$`, after `}`).
	fields [][2]int
}

// regexAfterWord lists the keywords after which `/` starts a regex.
var regexAfterWord = map[string]bool{
	"return": true, "typeof": true, "instanceof": true, "in": true, "of": true, "new": true,
	"delete": true, "void": true, "throw": true, "case": true, "do": true, "else": true,
	"yield": true, "await": true,
}

var punctuators = []string{
	">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
	"=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=",
	"%=", "&=", "|=", "^=", "**", "<<", ">>",
	"{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^",
	"!", "~", "?", ":", "=", ".", "@", "#",
}

type lexer struct {
	src []byte
}

// tokenize splits src into tokens or reports why it cannot.
func tokenize(src []byte) ([]token, error) {
	lx := &lexer{src: src}
	var toks []token
	pos := 0
	if len(src) > 1 && src[0] == '#' && src[1] == '!' {
		end := lineEnd(src, 0)
		toks = append(toks, token{kind: tComment, start: 0, end: end})
		pos = end
	}
	end, err := lx.lex(pos, false, &toks)
	if err != nil {
		return nil, err
	}
	if end != len(src) {
		return nil, lx.errAt(end, "unmatched '}'")
	}
	return toks, nil
}

func (lx *lexer) errAt(off int, format string, args ...any) error {
	return &rewrite.ParseError{Line: rewrite.LineOf(lx.src, off), Msg: fmt.Sprintf(format, args...)}
}

func lineEnd(src []byte, pos int) int {
	for pos < len(src) && src[pos] != '\n' && src[pos] != '\r' {
		pos++
	}
	return pos
}

// lex appends tokens from pos. In a template substitution (nested) it
// stops at the `}` that closes it and returns that offset.
func (lx *lexer) lex(pos int, nested bool, out *[]token) (int, error) {
	src := lx.src
	var stack []int
	nl := false
	emit := func(t token) {
		t.nlBefore = nl
		nl = false
		*out = append(*out, t)
	}
	base := len(*out)
	prevSig := func() *token {
		for i := len(*out) - 1; i >= base; i-- {
			if (*out)[i].kind != tComment {
				return &(*out)[i]
			}
		}
		return nil
	}
	for pos < len(src) {
		c := src[pos]
		switch {
		case c == '\n' || c == '\r':
			nl = true
			pos++
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			pos++
		case c >= utf8.RuneSelf && isSpaceRune(src, pos):
			r, n := utf8.DecodeRune(src[pos:])
			if r == '\u2028' || r == '\u2029' {
				nl = true
			}
			pos += n
		case c == '/' && pos+1 < len(src) && src[pos+1] == '/':
			end := lineEnd(src, pos)
			emit(token{kind: tComment, start: pos, end: end})
			pos = end
		case c == '/' && pos+1 < len(src) && src[pos+1] == '*':
			end := strings.Index(string(src[pos+2:]), "*/")
			if end < 0 {
				return 0, lx.errAt(pos, "unterminated comment")
			}
			if strings.ContainsAny(string(src[pos:pos+2+end]), "\n\r") {
				nl = true
			}
			emit(token{kind: tComment, start: pos, end: pos + 2 + end + 2})
			pos += 2 + end + 2
		case c == '\'' || c == '"':
			end, err := lx.scanString(pos)
			if err != nil {
				return 0, err
			}
			emit(token{kind: tString, start: pos, end: end})
			pos = end
		case c == '`':
			t, err := lx.scanTemplate(pos)
			if err != nil {
				return 0, err
			}
			emit(t)
			pos = t.end
		case c == '/' && regexAllowed(prevSig()):
			end, err := lx.scanRegex(pos)
			if err != nil {
				return 0, err
			}
			emit(token{kind: tRegex, start: pos, end: end})
			pos = end
		case c >= '0' && c <= '9' || c == '.' && pos+1 < len(src) && src[pos+1] >= '0' && src[pos+1] <= '9':
			end := pos + 1
			for end < len(src) {
				d := src[end]
				if (d == '+' || d == '-') && (src[end-1] == 'e' || src[end-1] == 'E') && !isHex(src[pos:end]) {
					end++
					continue
				}
				if isIdentByte(d) || d == '.' {
					end++
					continue
				}
				break
			}
			emit(token{kind: tNumber, start: pos, end: end})
			pos = end
		case isIdentStart(src, pos):
			end := pos
			for end < len(src) && isIdentContinue(src, end) {
				if src[end] == '\\' {
					end += 2
					continue
				}
				_, n := utf8.DecodeRune(src[end:])
				end += n
			}
			emit(token{kind: tIdent, start: pos, end: end, text: string(src[pos:end])})
			pos = end
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, pos)
			emit(token{kind: tPunct, start: pos, end: pos + 1, text: string(c)})
			pos++
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 {
				if c == '}' && nested {
					return pos, nil
				}
				return 0, lx.errAt(pos, "unmatched %q", c)
			}
			open := stack[len(stack)-1]
			if closer(src[open]) != c {
				return 0, lx.errAt(pos, "closing %q does not match %q opened on line %d", c, src[open], rewrite.LineOf(src, open))
			}
			stack = stack[:len(stack)-1]
			emit(token{kind: tPunct, start: pos, end: pos + 1, text: string(c)})
			pos++
		default:
			p := ""
			for _, cand := range punctuators {
				if strings.HasPrefix(string(src[pos:min(len(src), pos+4)]), cand) {
					p = cand
					break
				}
			}
			if p == "" {
				r, _ := utf8.DecodeRune(src[pos:])
				if r == utf8.RuneError {
					return 0, lx.errAt(pos, "invalid UTF-8")
				}
				return 0, lx.errAt(pos, "invalid character %q", r)
			}
			emit(token{kind: tPunct, start: pos, end: pos + len(p), text: p})
			pos += len(p)
		}
	}
	if len(stack) > 0 {
		open := stack[len(stack)-1]
		return 0, lx.errAt(open, "%q was never closed", src[open])
	}
	if nested {
		return 0, lx.errAt(pos, "unterminated template literal substitution")
	}
	return pos, nil
}

func isSpaceRune(src []byte, pos int) bool {
	r, _ := utf8.DecodeRune(src[pos:])
	return r == '\u00a0' || r == '\ufeff' || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Zs, r)
}

func isHex(b []byte) bool { return len(b) > 1 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') }

func closer(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdentStart(src []byte, pos int) bool {
	c := src[pos]
	if c == '\\' {
		return pos+1 < len(src) && src[pos+1] == 'u'
	}
	if c < utf8.RuneSelf {
		return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRune(src[pos:])
	return unicode.IsLetter(r)
}

func isIdentContinue(src []byte, pos int) bool {
	c := src[pos]
	if c == '\\' {
		return pos+1 < len(src) && src[pos+1] == 'u'
	}
	if c < utf8.RuneSelf {
		return isIdentByte(c)
	}
	r, _ := utf8.DecodeRune(src[pos:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		unicode.Is(unicode.Pc, r) || r == '\u200c' || r == '\u200d'
}

// regexAllowed decides the `/` ambiguity from the previous token: after
// an operand (a name, literal, `)`, `]` or `}`) it divides.
func regexAllowed(prev *token) bool {
	if prev == nil {
		return true
	}
	switch prev.kind {
	case tIdent:
		return regexAfterWord[prev.text]
	case tNumber, tString, tTemplate, tRegex:
		return false
	case tPunct:
		switch prev.text {
		case ")", "]", "}", "++", "--":
			return false
		}
	}
	return true
}

func (lx *lexer) scanString(pos int) (int, error) {
	src := lx.src
	q := src[pos]
	for i := pos + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
			if i < len(src) && src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
		case '\n', '\r':
			return 0, lx.errAt(pos, "unterminated string literal")
		case q:
			return i + 1, nil
		}
	}
	return 0, lx.errAt(pos, "unterminated string literal")
}

func (lx *lexer) scanTemplate(pos int) (token, error) {
	src := lx.src
	t := token{kind: tTemplate, start: pos}
	for i := pos + 1; i < len(src); i++ {
		switch {
		case src[i] == '\\':
			i++
		case src[i] == '`':
			t.end = i + 1
			return t, nil
		case src[i] == '$' && i+1 < len(src) && src[i+1] == '{':
			var inner []token
			end, err := lx.lex(i+2, true, &inner)
			if err != nil {
				return t, err
			}
			t.fields = append(t.fields, [2]int{i, end + 1})
			i = end
		}
	}
	return t, lx.errAt(pos, "unterminated template literal")
}

func (lx *lexer) scanRegex(pos int) (int, error) {
	src := lx.src
	class := false
	for i := pos + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '\n', '\r':
			return 0, lx.errAt(pos, "unterminated regular expression")
		case '[':
			class = true
		case ']':
			class = false
		case '/':
			if !class {
				end := i + 1
				for end < len(src) && isIdentByte(src[end]) {
					end++
				}
				return end, nil
			}
		}
	}
	return 0, lx.errAt(pos, "unterminated regular expression")
}
