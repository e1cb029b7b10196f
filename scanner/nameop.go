package scanner

// TagNameOperator marks a rule whose every match is NAME OP VALUE with the
// keyword inside NAME (generic-api-key): a keyword hit opens the usual
// window only when the rest of an identifier, at most one quote and blanks
// lead to an assignment operator. Unlike TagNearKeyword the window is not
// narrowed and nothing about the value is checked, so the check is only
// what the regex itself requires after its keyword; it turns away the
// prose and call sites (keyPress(, tokens are) where "key" or "token"
// wakes the rule on most lines of code.
const TagNameOperator = "name-operator"

// nameOperatorFollows reports whether b (starting at a keyword hit) is a
// name, an optional quote, blanks and one of the bytes an assignment
// operator starts with (= := ::= => ?= ??= ||= += .= :). The name is
// skipped greedily, so .= right after it shows as its =.
func nameOperatorFollows(b []byte) bool {
	i := 0
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	if i < len(b) && (b[i] == '"' || b[i] == '\'' || b[i] == '`') {
		i++
	}
	i = skipBlanks(b, i)
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case '=', ':', '?', '|', '+', '.':
		return true
	}
	return false
}
