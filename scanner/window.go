package scanner

import (
	"bytes"

	"github.com/leakfix/leakfix/rules"
)

// The window policy: how much text around a keyword hit a rule's regex
// sees. It lives here, once, and both the tree scan (Detector.detect) and
// history's line skipping (scanner/history) read it, so a rule whose regex
// spans lines — whether the pack says `multiline = true` or a gitleaks
// config's regex merely can cross newlines — gets the same wide window in
// both.
//
// Go's RE2 engine costs microseconds per byte on patterns without a
// literal prefix, so the bytes fed to regexes, not the bytes read, set the
// speed: a rule that cannot match a newline sees only the hit's line, one
// that can sees ContextLines lines before and after too, and only rules
// that span lines (private keys, JSON blocks) see SpanWindow bytes. Very
// long lines (minified code) are cut to a span around the hit.
const (
	// ContextLines is how many lines before and after a keyword hit a
	// cross-line rule sees.
	ContextLines = 2
	// SpanWindow is how far past a keyword hit's line start a rule that
	// spans lines sees.
	SpanWindow = 32 << 10

	contextLines    = ContextLines
	multilineWindow = SpanWindow
	maxMerged       = 768
	maxBefore       = 256
	maxAfter        = 1024
)

// TagNearKeyword marks a rule whose keyword is the name in a quoted
// NAME OP "VALUE" form (db_password = "…", setProperty("pwd", "…")) or
// the operator itself (== "): its regex runs only when the keyword is
// followed by the rest of a name, an operator and a quote
// (nameThenOperator), and sees only the span from a little before the
// keyword to a little after. Go's regexp has no
// first-byte skipping, so a pattern without a literal prefix costs its
// whole program at every byte it is given; most hits of a word like
// "pass" are prose (passed, bypass), and this check turns them away for
// the price of a few byte compares.
const TagNearKeyword = "near-keyword"

// TagNearKeywordBare is TagNearKeyword for unquoted config lines
// (DB_PASS ?= value, ldap.pwd=value): the value need not be quoted, and the
// regex sees the keyword's line from its start, for rules anchored there.
const TagNearKeywordBare = "near-keyword-bare"

const (
	nearBefore = 48  // an identifier's prefix before the keyword (ldap_bind_ in ldap_bind_pwd)
	nearAfter  = 320 // name suffix, operator and value
)

// ruleWindow is the [start,end) span of data that rule r's regex sees for a
// keyword hit at pos; ok is false when the rule's form cannot be there.
func ruleWindow(r *rules.Rule, data []byte, pos int) (w [2]int, ok bool) {
	// Every search is bounded by the caps: on a line of megabytes an
	// unbounded search for the line's ends per keyword hit is quadratic.
	switch {
	case r.HasTag(TagNearKeyword) && !r.SpansLines() && !r.CrossLine():
		end := endWithin(data, pos, nearAfter)
		if !nameThenOperator(data[pos:end], true) {
			return w, false
		}
		return [2]int{startWithin(data, pos, nearBefore), end}, true
	case r.HasTag(TagNearKeywordBare) && !r.SpansLines() && !r.CrossLine():
		end := endWithin(data, pos, nearAfter)
		if !nameThenOperator(data[pos:end], false) {
			return w, false
		}
		return [2]int{startWithin(data, pos, maxBefore), end}, true
	case r.HasTag(TagNameOperator) && !r.SpansLines() && !r.CrossLine():
		end := endWithin(data, pos, maxAfter)
		if !nameOperatorFollows(data[pos:end]) { // nameop.go
			return w, false
		}
		return [2]int{startWithin(data, pos, maxBefore), end}, true
	case r.SpansLines():
		return [2]int{lineStart(data, pos), lineEnd(data, min(len(data), pos+multilineWindow))}, true
	case r.CrossLine():
		lo, hi := max(0, pos-maxBefore-maxAfter), min(len(data), pos+2*maxAfter)
		return [2]int{lo + linesBefore(data[lo:hi], pos-lo, contextLines), lo + linesAfter(data[lo:hi], pos-lo, contextLines)}, true
	default:
		return [2]int{startWithin(data, pos, maxBefore), endWithin(data, pos, maxAfter)}, true
	}
}

// startWithin is the start of pos's line, or back bytes before pos on a
// longer line; endWithin is its end, or ahead bytes after pos.
func startWithin(data []byte, pos, back int) int {
	lo := max(0, pos-back)
	return lo + lineStart(data[lo:], pos-lo)
}

func endWithin(data []byte, pos, ahead int) int {
	return lineEnd(data[:min(len(data), pos+ahead)], pos)
}

// nameThenOperator reports whether the keyword at the start of b is (part
// of) a name followed by an operator and a quoted value: the rest of the
// identifier, a closing quote, blanks, a C array's [] or a type (string,
// str, char, const char *, ": String"), an operator (= := ::= ?= += .= ||=
// ??= == != === !== => : ( ,), blanks, a string prefix (r b u f @ or a
// JSON escape) and a quote. The operator may itself be the keyword (== ").
// Prose (passed to, bypass the), calls (logger.password(ctx)) and base64
// runs fail within a few bytes. Unless quoted, any value after the
// operator will do.
func nameThenOperator(b []byte, quoted bool) bool {
	i := 0
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	for i < len(b) && (b[i] == '"' || b[i] == '\'' || b[i] == '`' || b[i] == '\\') {
		i++
	}
	for {
		i = skipBlanks(b, i)
		if i+1 < len(b) && b[i] == '[' {
			j := bytes.IndexByte(b[i:], ']')
			if j < 0 || j > 8 {
				return false
			}
			i += j + 1
			continue
		}
		if w := typeWord(b[i:]); w > 0 {
			i += w
			continue
		}
		if i < len(b) && b[i] == ':' && typeWord(b[skipBlanks(b, i+1):]) > 0 {
			i = skipBlanks(b, i+1)
			continue
		}
		break
	}
	n := operatorLen(b[i:])
	if n == 0 {
		return false
	}
	i = skipBlanks(b, i+n)
	if !quoted {
		return i < len(b) && b[i] != '\r'
	}
	for k := 0; k < 2 && i < len(b) && bytes.IndexByte([]byte("rbufRBUF@\\"), b[i]) >= 0; k++ {
		i++
	}
	return i < len(b) && (b[i] == '"' || b[i] == '\'' || b[i] == '`')
}

var operators = []string{"::=", "===", "!==", "||=", "??=", ":=", "?=", "+=", ".=", "==", "!=", "=>", "=", ":", "(", ","}

func operatorLen(b []byte) int {
	for _, op := range operators {
		if bytes.HasPrefix(b, []byte(op)) {
			return len(op)
		}
	}
	return 0
}

func skipBlanks(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func isNameByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// typeWord is the length of a declared type between a name and its
// operator (var pw string = …, char *pw, val pw: String = …), or 0.
func typeWord(b []byte) int {
	for _, w := range []string{"string", "String", "str", "char", "const", "*"} {
		if bytes.HasPrefix(b, []byte(w)) && (w == "*" || len(b) == len(w) || !isNameByte(b[len(w)])) {
			return len(w)
		}
	}
	return 0
}

// SpanningKeywords returns the keywords of the rules whose window spans
// lines (SpanWindow bytes): a history scan that skips unchanged lines must
// still rescan from such a keyword when a changed line lies inside its
// window (a private key rotated under an unchanged BEGIN line).
func (d *Detector) SpanningKeywords() []string {
	var kws []string
	for _, r := range d.rules {
		if r.Regex != "" && r.SpansLines() {
			kws = append(kws, r.Keywords...)
		}
	}
	return kws
}
