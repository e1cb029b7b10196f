package scanner

import "strings"

// Identifier finds the variable or key a secret is assigned to, given the
// text of its line up to the secret: `openai_key = "` → openai_key,
// `os.getenv("JWT_SECRET", "` → JWT_SECRET, `"password": "` → password,
// `Password=` (in a connection string) → Password, `<Pass>` → Pass.
// Naming uses it to derive the vault name; an empty result is fine.
func Identifier(prefix string) string {
	s := strings.TrimRight(prefix, " \t")
	// Drop an opening quote and string prefixes (r", b', f", `).
	s = strings.TrimRight(s, "\"'`")
	for len(s) > 0 && strings.ContainsRune("rbufRBUF", rune(s[len(s)-1])) && len(s) > 1 && !isIdentByte(s[len(s)-2]) {
		s = s[:len(s)-1]
	}
	// Words that open a value inside a literal: "Bearer ", "Basic ".
	for _, w := range []string{"Bearer", "bearer", "Basic", "basic", "Token", "token"} {
		if rest, ok := strings.CutSuffix(s, w); ok && rest != "" && strings.ContainsRune("\"'` ", rune(rest[len(rest)-1])) {
			s = strings.TrimRight(rest, " \"'`")
			break
		}
	}
	s = strings.TrimRight(s, " \t")
	if strings.HasSuffix(s, ">") {
		// XML element: <Pass> or <password encoding="x">.
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			tag := strings.Fields(strings.Trim(s[i+1:], "<>/"))
			if len(tag) > 0 {
				return tag[0]
			}
		}
		return ""
	}
	op := false
	// "(" is not an operator here: in `print("` the function names no
	// purpose of the secret.
	for _, o := range []string{":=", "=>", "?=", "||", "??", "=", ":", ",", "-p", " "} {
		if strings.HasSuffix(s, o) {
			s = strings.TrimSuffix(s, o)
			op = true
			break
		}
	}
	if !op {
		return ""
	}
	s = strings.TrimRight(s, " \t)]")
	s = strings.TrimRight(s, "\"'`")
	end := len(s)
	start := end
	for start > 0 && isIdentByte(s[start-1]) {
		start--
	}
	id := strings.Trim(s[start:end], ".-")
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		return ""
	}
	return id
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
