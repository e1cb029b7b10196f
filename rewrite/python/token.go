package python

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakfix/leakfix/rewrite"
)

// kind is a token class. The tokenizer follows Python's own
// (Lib/tokenize.py, and 3.12's nested f-strings) closely enough to find
// every string literal, comment and logical line, and to refuse the
// errors a tokenizer can see: unterminated strings, unbalanced brackets,
// stray characters.
type kind int

const (
	tName kind = iota
	tNumber
	tString
	tOp
	tComment
	tNewline // end of a logical line (zero-width at EOF without a newline)
	tNL      // newline inside brackets, or after a blank/comment-only line
)

// token is one lexeme; strings carry their parts.
type token struct {
	kind       kind
	start, end int
	text       string // names and operators only
	// Strings: the prefix as written (`rb`, `f`, ``), the quote (`'`,
	// `"`, `'''`, `"""`), the content span between the quotes, and, for
	// f-strings, the top-level replacement fields as [`{`, after `}`).
	prefix       string
	quote        string
	cstart, cend int
	fields       [][2]int
}

func (t *token) isF() bool   { return strings.ContainsAny(t.prefix, "fFtT") }
func (t *token) isRaw() bool { return strings.ContainsAny(t.prefix, "rR") }
func (t *token) isBytes() bool {
	return strings.ContainsAny(t.prefix, "bB")
}

// validPrefixes are Python's string prefixes, lowercased (t-strings are
// Python 3.14's template strings).
var validPrefixes = map[string]bool{
	"r": true, "u": true, "f": true, "b": true, "t": true,
	"br": true, "rb": true, "fr": true, "rf": true, "tr": true, "rt": true,
}

// operators, longest first so the longest match wins.
var operators = []string{
	"**=", "//=", ">>=", "<<=", "...", "!=", "->", ":=", "==", "<=", ">=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
	"+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "=", ".", ",", ":", ";",
}

type lexer struct {
	src      []byte
	toks     []token
	brackets []int // offsets of open brackets
	sigLine  bool  // a significant token since the last NEWLINE
}

// tokenize splits src into tokens or reports why it is not Python.
func tokenize(src []byte) ([]token, error) {
	lx := &lexer{src: src}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

func (lx *lexer) errAt(off int, format string, args ...any) error {
	return &rewrite.ParseError{Line: rewrite.LineOf(lx.src, off), Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) emit(t token) {
	if t.kind != tComment && t.kind != tNL && t.kind != tNewline {
		lx.sigLine = true
	}
	lx.toks = append(lx.toks, t)
}

func (lx *lexer) run() error {
	src := lx.src
	pos := 0
	for pos < len(src) {
		c := src[pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			pos++
		case c == '\n' || c == '\r':
			end := pos + 1
			if c == '\r' && end < len(src) && src[end] == '\n' {
				end++
			}
			k := tNL
			if len(lx.brackets) == 0 && lx.sigLine {
				k = tNewline
				lx.sigLine = false
			}
			lx.toks = append(lx.toks, token{kind: k, start: pos, end: end})
			pos = end
		case c == '#':
			end := pos
			for end < len(src) && src[end] != '\n' && src[end] != '\r' {
				end++
			}
			lx.emit(token{kind: tComment, start: pos, end: end})
			pos = end
		case c == '\\':
			n := pos + 1
			switch {
			case n+1 < len(src) && src[n] == '\r' && src[n+1] == '\n':
				pos = n + 2
			case n < len(src) && (src[n] == '\n' || src[n] == '\r'):
				pos = n + 1
			case n >= len(src):
				return lx.errAt(pos, "unexpected end of file after line continuation")
			default:
				return lx.errAt(pos, "unexpected character after line continuation character")
			}
		case c == '\'' || c == '"':
			t, err := lx.scanString(pos, "")
			if err != nil {
				return err
			}
			lx.emit(t)
			pos = t.end
		case c >= '0' && c <= '9' || c == '.' && pos+1 < len(src) && src[pos+1] >= '0' && src[pos+1] <= '9':
			end := pos + 1
			for end < len(src) {
				d := src[end]
				if d == 'e' || d == 'E' {
					if end+1 < len(src) && (src[end+1] == '+' || src[end+1] == '-') && !isHexNumber(src[pos:end]) {
						end += 2
						continue
					}
				}
				if isIdentByte(d) || d == '.' {
					end++
					continue
				}
				break
			}
			lx.emit(token{kind: tNumber, start: pos, end: end})
			pos = end
		case isIdentStart(src, pos):
			end := pos
			for end < len(src) && isIdentContinue(src, end) {
				_, n := utf8.DecodeRune(src[end:])
				end += n
			}
			word := string(src[pos:end])
			if end < len(src) && (src[end] == '\'' || src[end] == '"') && validPrefixes[strings.ToLower(word)] {
				t, err := lx.scanString(end, word)
				if err != nil {
					return err
				}
				t.start = pos
				lx.emit(t)
				pos = t.end
				continue
			}
			lx.emit(token{kind: tName, start: pos, end: end, text: word})
			pos = end
		case c == '(' || c == '[' || c == '{':
			lx.brackets = append(lx.brackets, pos)
			lx.emit(token{kind: tOp, start: pos, end: pos + 1, text: string(c)})
			pos++
		case c == ')' || c == ']' || c == '}':
			if len(lx.brackets) == 0 {
				return lx.errAt(pos, "unmatched %q", c)
			}
			open := lx.brackets[len(lx.brackets)-1]
			if closer(src[open]) != c {
				return lx.errAt(pos, "closing %q does not match %q opened on line %d", c, src[open], rewrite.LineOf(src, open))
			}
			lx.brackets = lx.brackets[:len(lx.brackets)-1]
			lx.emit(token{kind: tOp, start: pos, end: pos + 1, text: string(c)})
			pos++
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(string(src[pos:min(len(src), pos+3)]), o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRune(src[pos:])
				if r == utf8.RuneError {
					return lx.errAt(pos, "invalid UTF-8")
				}
				return lx.errAt(pos, "invalid character %q", r)
			}
			lx.emit(token{kind: tOp, start: pos, end: pos + len(op), text: op})
			pos += len(op)
		}
	}
	if len(lx.brackets) > 0 {
		open := lx.brackets[len(lx.brackets)-1]
		return lx.errAt(open, "%q was never closed", src[open])
	}
	if lx.sigLine {
		lx.toks = append(lx.toks, token{kind: tNewline, start: len(src), end: len(src)})
	}
	return nil
}

func isHexNumber(b []byte) bool {
	return len(b) > 1 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')
}

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
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdentStart(src []byte, pos int) bool {
	c := src[pos]
	if c < utf8.RuneSelf {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRune(src[pos:])
	return unicode.IsLetter(r) || r == '_'
}

func isIdentContinue(src []byte, pos int) bool {
	c := src[pos]
	if c < utf8.RuneSelf {
		return isIdentByte(c)
	}
	r, _ := utf8.DecodeRune(src[pos:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r)
}

// scanString reads a string literal whose opening quote is at pos.
func (lx *lexer) scanString(pos int, prefix string) (token, error) {
	src := lx.src
	q := src[pos]
	quote := string(q)
	if pos+2 < len(src) && src[pos+1] == q && src[pos+2] == q {
		quote = strings.Repeat(string(q), 3)
	}
	t := token{kind: tString, start: pos, prefix: prefix, quote: quote, cstart: pos + len(quote)}
	raw := t.isRaw()
	isF := t.isF()
	triple := len(quote) == 3
	i := t.cstart
	for {
		if i >= len(src) {
			if triple {
				return t, lx.errAt(pos, "unterminated triple-quoted string literal")
			}
			return t, lx.errAt(pos, "unterminated string literal")
		}
		c := src[i]
		switch {
		case c == '\\':
			if isF && i+1 < len(src) && src[i+1] == '{' {
				i++ // the brace still opens a field
				continue
			}
			if isF && !raw && i+2 < len(src) && src[i+1] == 'N' && src[i+2] == '{' {
				end := i + 3
				for end < len(src) && src[end] != '}' && src[end] != '\n' && src[end] != q {
					end++
				}
				if end >= len(src) || src[end] != '}' {
					return t, lx.errAt(i, "malformed \\N character escape")
				}
				i = end + 1
				continue
			}
			i += 2
			if i-1 < len(src) && src[i-1] == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
		case !triple && (c == '\n' || c == '\r'):
			return t, lx.errAt(pos, "unterminated string literal")
		case c == q:
			if !triple {
				t.cend, t.end = i, i+1
				return t, nil
			}
			if i+2 < len(src) && src[i+1] == q && src[i+2] == q {
				t.cend, t.end = i, i+3
				return t, nil
			}
			i++
		case isF && c == '{':
			if i+1 < len(src) && src[i+1] == '{' {
				i += 2
				continue
			}
			end, err := lx.scanField(i, quote)
			if err != nil {
				return t, err
			}
			t.fields = append(t.fields, [2]int{i, end})
			i = end
		case isF && c == '}':
			if i+1 < len(src) && src[i+1] == '}' {
				i += 2
				continue
			}
			return t, lx.errAt(i, "f-string: single '}' is not allowed")
		default:
			i++
		}
	}
}

// scanField reads an f-string replacement field starting at its `{` and
// returns the offset after its `}`. Strings nested in the expression may
// use any quote (Python 3.12).
func (lx *lexer) scanField(open int, quote string) (int, error) {
	src := lx.src
	depth := 0
	j := open + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == '\'' || c == '"':
			if strings.HasPrefix(string(src[j:]), quote) && depth == 0 && len(quote) == 1 && !startsNested(src, j) {
				return 0, lx.errAt(open, "f-string: expecting '}'")
			}
			t, err := lx.scanString(j, "")
			if err != nil {
				return 0, err
			}
			j = t.end
		case isIdentStart(src, j):
			end := j
			for end < len(src) && isIdentContinue(src, end) {
				_, n := utf8.DecodeRune(src[end:])
				end += n
			}
			if end < len(src) && (src[end] == '\'' || src[end] == '"') && validPrefixes[strings.ToLower(string(src[j:end]))] {
				t, err := lx.scanString(end, string(src[j:end]))
				if err != nil {
					return 0, err
				}
				j = t.end
				continue
			}
			j = end
		case c == '#':
			for j < len(src) && src[j] != '\n' {
				j++
			}
		case c == '(' || c == '[' || c == '{':
			depth++
			j++
		case c == ')' || c == ']':
			depth--
			if depth < 0 {
				return 0, lx.errAt(j, "f-string: unmatched %q", c)
			}
			j++
		case c == '}':
			if depth == 0 {
				return j + 1, nil
			}
			depth--
			j++
		case c == '!' && depth == 0 && !(j+1 < len(src) && src[j+1] == '='):
			j++ // conversion: !r, !s, !a
		case c == ':' && depth == 0:
			end, err := lx.scanSpec(j+1, quote)
			if err != nil {
				return 0, err
			}
			return end + 1, nil
		default:
			j++
		}
	}
	return 0, lx.errAt(open, "f-string: expecting '}'")
}

// startsNested reports whether a quote at j inside a single-quoted
// f-string's field opens a nested string (3.12) rather than ending the
// outer one: it does when a matching quote follows on the same line.
func startsNested(src []byte, j int) bool {
	q := src[j]
	for k := j + 1; k < len(src) && src[k] != '\n' && src[k] != '\r'; k++ {
		if src[k] == '\\' {
			k++
			continue
		}
		if src[k] == q {
			return true
		}
	}
	return false
}

// scanSpec reads a format spec up to (not past) the field's closing `}`.
func (lx *lexer) scanSpec(k int, quote string) (int, error) {
	src := lx.src
	for k < len(src) {
		c := src[k]
		switch {
		case c == '{':
			end, err := lx.scanField(k, quote)
			if err != nil {
				return 0, err
			}
			k = end
		case c == '}':
			return k, nil
		case c == '\\':
			k += 2
		case len(quote) == 1 && (c == '\n' || c == '\r' || c == quote[0]):
			return 0, lx.errAt(k, "f-string: expecting '}'")
		case len(quote) == 3 && strings.HasPrefix(string(src[k:]), quote):
			return 0, lx.errAt(k, "f-string: expecting '}'")
		default:
			k++
		}
	}
	return 0, lx.errAt(k, "f-string: expecting '}'")
}
