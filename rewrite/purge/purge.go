// Package purge prepares a git history clean-up from the findings of a
// history scan: the replace-text file that both `git filter-repo
// --replace-text` and BFG Repo-Cleaner's `--replace-text` read, a second
// file for `git filter-repo --replace-message`, the list of blobs neither
// tool's text replacement reaches, the exact commands to run next, and —
// after the rewrite — the findings that survived it.
//
// # One file, two parsers
//
// Both tools read "EXPR==>REPLACEMENT" lines, but not identically, and the
// file must mean the same thing to both:
//
//   - filter-repo splits a line at its LAST "==>", BFG at its FIRST. A
//     literal that contains "==>" would be cut differently, so such a value
//     is written as an escaped `regex:` line (the escape turns "==>" into
//     `\=\=\>`). Replacements never contain "==>".
//   - Neither has comments or quoting: a line starting with "#" is a
//     literal, leading and trailing spaces belong to the literal, and a
//     value starting with "regex:", "glob:" or "literal:" needs a
//     "literal:" prefix. So the file holds no comments, and values are
//     written with surrounding whitespace trimmed (whitespace is invisible
//     in review, and the core value is what must go wherever it occurs).
//   - filter-repo applies every literal line first, then every regex line;
//     BFG applies lines in file order. Writing all literal lines first
//     (longest first, so a secret that contains another is replaced whole)
//     and regex lines after makes the order the same for both; regexes are
//     built from the text as it looks after the literal lines have run.
//   - Regexes must compile in Python's `re` on bytes (filter-repo) and in
//     java.util.regex (BFG): only escapes both read the same way are used
//     (a backslash before ASCII punctuation, \t \n \r \xHH, [\s\S]), and
//     regex replacements hold neither `\` nor `$`.
//   - BFG reads a line with Java's `.`, which stops at U+0085, U+2028 and
//     U+2029: values holding those, CR, LF or bytes that are not UTF-8 are
//     written as regexes too.
//
// # Multi-line secrets
//
// A private key cannot be a literal line. It is written as a regex that
// matches the whole block (its exact text, escaped, with each line end
// written `\r?\n` so a CRLF checkout of the same key matches too; no `.`
// is used, so no (?s) flag is needed). filter-repo matches regexes against
// whole blobs and replaces the block with one marker. BFG, however, hands
// its replacers one line at a time, so a multi-line regex never matches
// there; for BFG each base64 line of the block also gets its own regex line
// (bounded by lookarounds so it cannot match inside a longer run). After
// filter-repo has replaced the block those lines match nothing; under BFG
// they replace the key body line by line and leave the BEGIN/END armour.
//
// # Short and weak values
//
// Replacing a value everywhere is only safe when it cannot occur by
// accident. A short or low-entropy value ("dev", a six-character netrc
// password) or a weak default (`os.getenv("JWT_SECRET", "changeme")`) is
// replaced only where it stands in the text it was found in: a regex with
// a lookbehind and lookahead on the rest of the match's line. A short value
// found with no surrounding text is left out and reported, never replaced
// everywhere.
package purge

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/scanner"
)

// Size limits of the two tools' text replacement, from their sources:
// filter-repo skips blobs with a NUL in the first 8 KiB; BFG skips text
// filtering for blobs of 1 MiB and more (BlobTextModifier.DefaultSizeThreshold,
// compared with <) and for binary ones (a NUL in the first 8000 bytes).
const (
	FilterRepoBinarySniff = 8 << 10
	BFGBinarySniff        = 8000
	BFGSizeThreshold      = 1 << 20
)

// Values shorter than this, or with little entropy, are never replaced
// everywhere (see the package comment).
const (
	minGlobalLen     = 8
	alwaysGlobalLen  = 12
	minGlobalEntropy = 3.0
	// contextMax bounds the lookbehind and lookahead taken from a match:
	// enough to pin the value, short enough that the same line with other
	// indentation still matches.
	contextMax = 64
	// minBlockLine is the shortest key-body line given its own BFG line;
	// shorter tails carry a few bytes of key material at most.
	minBlockLine = 8
	// needleMax caps the bytes of a value searched for in blobs.
	needleMax = 64
)

// Kind says how a line removes its value.
type Kind int

const (
	// Literal is the value itself, replaced wherever it occurs.
	Literal Kind = iota
	// Pattern is a single-line value that cannot be a literal line,
	// written as an escaped regex.
	Pattern
	// Block is a multi-line value (a private key) as one regex.
	Block
	// Context is a short or weak value, replaced only inside the text it
	// was found in.
	Context
	// BlockLine is one line of a multi-line value, for BFG, which
	// replaces text line by line.
	BlockLine
)

func (k Kind) String() string {
	switch k {
	case Literal:
		return "literal"
	case Pattern:
		return "regex"
	case Block:
		return "block"
	case Context:
		return "context"
	case BlockLine:
		return "block-line"
	}
	return "unknown"
}

// Line is one line of a replace-text file.
type Line struct {
	Kind Kind
	// Expr is what goes before "==>", prefix included.
	Expr string
	// Replacement is what goes after it: `***REMOVED:name***`.
	Replacement string
	// Name is the vault name of the value the line removes.
	Name string
	// raw is the text the line removes (for literals, the literal); it
	// orders lines and feeds the blob search.
	raw string
}

// String is the line as written to the file, without the newline.
func (l Line) String() string { return l.Expr + "==>" + l.Replacement }

// Omission is a finding no line could cover; it never holds the value.
type Omission struct {
	Name      string
	RuleID    string
	File      string
	Commit    string
	InMessage bool
	Reason    string
}

// Plan is everything purge writes and prints.
type Plan struct {
	// Text goes to the --replace-text file (blob contents).
	Text []Line
	// Message goes to the --replace-message file (commit and tag
	// messages; filter-repo only: BFG does not rewrite messages).
	Message []Line
	// Omitted lists findings left out, with the reason.
	Omitted []Omission
	// Names are the vault names of every value covered, sorted.
	Names []string
	// MessageNames are the names of values found in commit messages.
	MessageNames []string
	// NonASCII is set when a line holds non-ASCII text: BFG then needs
	// -Dfile.encoding=UTF-8 to read the file as filter-repo does.
	NonASCII bool
	// Archived lists the secrets inside archives: no line can reach
	// them, their archives' blobs are stripped (archives.go).
	Archived []Archived
	// needles are values (or a unique part of them) to look for in blobs
	// the tools skip.
	needles []string
}

// Marker returns the replacement for a value with vault name name.
func Marker(name string) string { return "***REMOVED:" + name + "***" }

// Render returns the file body for lines: one line each, no comments.
func Render(lines []Line) []byte {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Build works out the lines for findings (named by naming.Assign).
// Findings in commit messages go to the message file, the rest to the
// replace-text file.
func Build(findings []scanner.Finding) *Plan {
	p := &Plan{}
	findings, p.Archived = splitArchived(findings)
	var inFiles, inMessages []scanner.Finding
	for _, f := range findings {
		if f.InMessage {
			inMessages = append(inMessages, f)
		} else {
			inFiles = append(inFiles, f)
		}
	}
	var needles []string
	p.Text, needles = p.lines(inFiles, true)
	p.Message, _ = p.lines(inMessages, false)
	p.needles = dedupeStrings(needles)
	names := map[string]bool{}
	msgNames := map[string]bool{}
	for _, l := range p.Text {
		names[l.Name] = true
	}
	for _, l := range p.Message {
		names[l.Name] = true
		msgNames[l.Name] = true
	}
	for _, a := range p.Archived {
		names[a.Name] = true
	}
	p.Names = sortedKeys(names)
	p.MessageNames = sortedKeys(msgNames)
	for _, ls := range [][]Line{p.Text, p.Message} {
		for _, l := range ls {
			if !isASCII(l.Expr) {
				p.NonASCII = true
			}
		}
	}
	return p
}

// group is every finding of one value.
type group struct {
	value    string // the text to remove (the secret, or an encoded token)
	name     string
	findings []scanner.Finding
	// weakCount counts findings that are weak defaults: a value only ever
	// seen as one is a fallback word, replaced in place, not everywhere.
	weakCount int
}

func (g *group) weak() bool { return g.weakCount == len(g.findings) }

// lines builds the lines for one file; bfg adds the per-line forms of
// multi-line values that BFG needs.
func (p *Plan) lines(findings []scanner.Finding, bfg bool) ([]Line, []string) {
	var groups []*group
	byValue := map[string]*group{}
	for _, f := range findings {
		value := f.Secret
		if f.Encoding != "" {
			// The file holds the encoded token, not the decoded value.
			value = f.Match
		}
		value = strings.Trim(value, " \t\r\n\v\f")
		if f.Secret == scanner.RedactedText {
			p.omit(f, "the report holds no value, only REDACTED")
			continue
		}
		if value == "" {
			p.omit(f, "the value is blank: there is nothing to replace")
			continue
		}
		g := byValue[value]
		if g == nil {
			g = &group{value: value}
			byValue[value] = g
			groups = append(groups, g)
		}
		if g.name == "" {
			g.name = replacementName(f)
		}
		g.findings = append(g.findings, f)
		if f.IsWeakDefault() && f.Encoding == "" {
			g.weakCount++
		}
	}

	// Literal lines first: every regex is built from the text as it looks
	// after them.
	var literals, deferred []*group
	for _, g := range groups {
		if !isMultiline(g.value) && !g.weak() && globalSafe(g.value) && literalSafe(g.value) {
			literals = append(literals, g)
		} else {
			deferred = append(deferred, g)
		}
	}
	var lits []Line
	var needles []string
	for _, g := range literals {
		expr := g.value
		if hasTypePrefix(expr) {
			expr = "literal:" + expr
		}
		lits = append(lits, Line{Kind: Literal, Expr: expr, Replacement: Marker(g.name), Name: g.name, raw: g.value})
		needles = append(needles, needle(g.value))
	}
	sortLines(lits)

	var regexes, blockLines []Line
	for _, g := range deferred {
		marker := Marker(g.name)
		switch {
		case isMultiline(g.value):
			if len(g.value) < minGlobalLen {
				p.omitGroup(g, "a multi-line value this short cannot be told apart from other text; remove it by hand")
				continue
			}
			after := applyLiterals(g.value, lits)
			re, _ := quoteRegex(after, true)
			regexes = append(regexes, Line{Kind: Block, Expr: "regex:" + re, Replacement: marker, Name: g.name, raw: g.value})
			if bfg {
				blockLines = append(blockLines, keyBodyLines(after, g.name)...)
			}
			needles = append(needles, longestLine(g.value))
		case g.weak() || !globalSafe(g.value):
			ctx := contextLines(g, lits)
			if len(ctx) == 0 {
				p.omitGroup(g, "too short or too common to replace everywhere, and found with no surrounding text to pin it; remove it by hand")
				continue
			}
			regexes = append(regexes, ctx...)
		default: // long enough, but not writable as a literal line
			re, _ := quoteRegex(applyLiterals(g.value, lits), false)
			regexes = append(regexes, Line{Kind: Pattern, Expr: "regex:" + re, Replacement: marker, Name: g.name, raw: g.value})
			needles = append(needles, needle(g.value))
		}
	}
	sortLines(regexes)
	sortLines(blockLines)
	out := append(append(lits, dedupeLines(regexes)...), dedupeLines(blockLines)...)
	return dedupeLines(out), needles
}

// contextLines pins a short or weak value to the text around it in each
// finding's match, on the same line (BFG sees one line at a time).
func contextLines(g *group, lits []Line) []Line {
	var out []Line
	for _, f := range g.findings {
		i := strings.Index(f.Match, g.value)
		if i < 0 {
			continue
		}
		before := lastLine(f.Match[:i])
		after := firstLine(f.Match[i+len(g.value):])
		before = tailFixed(before, contextMax)
		after = headFixed(after, contextMax)
		if before == "" && after == "" {
			continue
		}
		var re strings.Builder
		re.WriteString("regex:")
		if before != "" {
			q, _ := quoteRegex(applyLiterals(before, lits), false)
			re.WriteString("(?<=" + q + ")")
		}
		q, _ := quoteRegex(applyLiterals(g.value, lits), false)
		re.WriteString(q)
		if after != "" {
			q, _ := quoteRegex(applyLiterals(after, lits), false)
			re.WriteString("(?=" + q + ")")
		}
		out = append(out, Line{Kind: Context, Expr: re.String(), Replacement: Marker(g.name), Name: g.name, raw: g.value})
	}
	return out
}

// keyBodyLines gives BFG one line per base64 line of a key body, bounded
// so it cannot match inside a longer base64 run.
func keyBodyLines(block, name string) []Line {
	var out []Line
	for _, ln := range strings.Split(block, "\n") {
		ln = strings.Trim(ln, " \t\r")
		if len(ln) < minBlockLine || !isBase64Line(ln) {
			continue
		}
		q, _ := quoteRegex(ln, false)
		expr := `regex:(?<![A-Za-z0-9+/=])` + q + `(?![A-Za-z0-9+/=])`
		out = append(out, Line{Kind: BlockLine, Expr: expr, Replacement: Marker(name), Name: name, raw: ln})
	}
	return out
}

func (p *Plan) omit(f scanner.Finding, reason string) {
	p.Omitted = append(p.Omitted, Omission{Name: f.SecretName, RuleID: f.RuleID, File: f.File,
		Commit: f.Commit, InMessage: f.InMessage, Reason: reason})
}

func (p *Plan) omitGroup(g *group, reason string) {
	for _, f := range g.findings {
		p.omit(f, reason)
	}
}

// replacementName is the vault name, or a name made from the rule id, in
// the characters every replacement may hold.
func replacementName(f scanner.Finding) string {
	if naming.Valid(f.SecretName) {
		return f.SecretName
	}
	if n := naming.Sanitize(f.SecretName); n != "" {
		return n
	}
	if n := naming.Sanitize(f.RuleID); n != "" {
		return n
	}
	return "secret"
}

// globalSafe reports whether a value is unlikely to occur by accident:
// long, or fairly long with letters, digits and some entropy.
func globalSafe(v string) bool {
	if len(v) >= alwaysGlobalLen {
		return true
	}
	if len(v) < minGlobalLen {
		return false
	}
	var letter, digit bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		letter = letter || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		digit = digit || c >= '0' && c <= '9'
	}
	return letter && digit && entropy(v) >= minGlobalEntropy
}

// literalSafe reports whether both tools read v, written as a literal
// line, as exactly v.
func literalSafe(v string) bool {
	if v == "" || !utf8.ValidString(v) || strings.Contains(v, "==>") {
		return false
	}
	for _, r := range v {
		if r == '\n' || r == '\r' || javaLineEnd(r) {
			return false
		}
	}
	return true
}

// javaLineEnd: java.util.regex's `.` stops at these (besides CR and LF),
// and BFG parses each line with `.`.
func javaLineEnd(r rune) bool { return r == 0x85 || r == 0x2028 || r == 0x2029 }

func hasTypePrefix(v string) bool {
	return strings.HasPrefix(v, "regex:") || strings.HasPrefix(v, "glob:") || strings.HasPrefix(v, "literal:")
}

func isMultiline(v string) bool { return strings.ContainsAny(v, "\r\n") }

// quoteRegex escapes s for both Python's re (bytes) and java.util.regex.
// flexibleEOL writes each line end as \r?\n. fixed reports whether the
// result has a fixed width in both engines (a lookbehind needs one in
// Python).
func quoteRegex(s string, flexibleEOL bool) (out string, fixed bool) {
	var b strings.Builder
	fixed = true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case flexibleEOL && c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteString(`\r?\n`)
			fixed = false
			i += 2
			continue
		case flexibleEOL && c == '\n':
			b.WriteString(`\r?\n`)
			fixed = false
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigit(c >> 4))
			b.WriteByte(hexDigit(c & 0xf))
		case c == ' ' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			b.WriteByte(c)
		case c < utf8.RuneSelf:
			// ASCII punctuation: a backslash makes it literal in both
			// engines (and breaks up any "==>").
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				// Not UTF-8: one byte to Python, one ISO-8859-1 char to BFG.
				b.WriteString(`[\s\S]`)
			case javaLineEnd(r):
				// Cannot appear raw (BFG's line parser); no escape means
				// the same to both, so match the 2 or 3 bytes (Python) or
				// the one char (Java) by width.
				b.WriteString(`[\s\S]{1,3}`)
				fixed = false
			default:
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		i++
	}
	return b.String(), fixed
}

func hexDigit(n byte) byte { return "0123456789abcdef"[n] }

// applyLiterals returns s as it looks after the literal lines have run.
func applyLiterals(s string, lits []Line) string {
	for _, l := range lits {
		s = strings.ReplaceAll(s, l.raw, l.Replacement)
	}
	return s
}

// sortLines orders lines longest value first, so that a value containing
// another is replaced whole.
func sortLines(ls []Line) {
	sort.SliceStable(ls, func(i, j int) bool {
		if len(ls[i].raw) != len(ls[j].raw) {
			return len(ls[i].raw) > len(ls[j].raw)
		}
		return ls[i].Expr < ls[j].Expr
	})
}

func dedupeLines(ls []Line) []Line {
	seen := map[string]bool{}
	out := ls[:0:0]
	for _, l := range ls {
		if !seen[l.Expr] {
			seen[l.Expr] = true
			out = append(out, l)
		}
	}
	return out
}

func dedupeStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lastLine is the part of s after its last line break; firstLine the part
// before its first.
func lastLine(s string) string {
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// tailFixed is the end of s, at most max bytes, cut so that it has a
// fixed width in both regex engines (a lookbehind needs one).
func tailFixed(s string, max int) string {
	if len(s) > max {
		s = s[len(s)-max:]
		for len(s) > 0 && !utf8.RuneStart(s[0]) {
			s = s[1:]
		}
	}
	for i := len(s); i > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if javaLineEnd(r) {
			return s[i:]
		}
		i -= size
	}
	return s
}

// headFixed is the start of s, at most max bytes, up to the first
// character without a one-to-one escape.
func headFixed(s string, max int) string {
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	for i, r := range s {
		if javaLineEnd(r) {
			return s[:i]
		}
	}
	return s
}

// needle is the part of a value searched for in skipped blobs.
func needle(v string) string {
	if len(v) > needleMax {
		return v[:needleMax]
	}
	return v
}

// longestLine is the longest line of a block: a unique part of it.
func longestLine(block string) string {
	best := ""
	for _, ln := range strings.Split(block, "\n") {
		ln = strings.Trim(ln, " \t\r")
		if len(ln) > len(best) {
			best = ln
		}
	}
	return needle(best)
}

func isBase64Line(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
