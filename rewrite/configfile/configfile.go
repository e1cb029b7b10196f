// Package configfile rewrites secrets in configuration files into
// references in each format's own convention, so the file stays valid and
// the value comes from the environment (which a deployment fills from the
// vault: a Container Apps secretRef, an ECS task secret, a Kubernetes
// ExternalSecret).
//
// The environment variable is the vault name in upper snake case
// (`azure-openai-gpt-4-turbo-key` → `AZURE_OPENAI_GPT_4_TURBO_KEY`), the
// same name the generated lookup modules fall back to. Conventions:
//
//   - .env: `KEY=${NAME}`. Docker Compose, python-dotenv (interpolation on)
//     and dotenv-expand substitute it. Single-quoted values, which dotenv
//     never expands, become double-quoted.
//   - YAML: `key: "${NAME}"`, as Docker Compose, Spring and envsubst'd
//     manifests expect. A plain scalar is turned into a double-quoted one
//     so the braces cannot be read as a flow mapping. The file is parsed
//     before and after, so a rewrite never leaves invalid YAML.
//   - JSON: the string's secret part becomes `${NAME}`; the file stays
//     valid JSON (checked before and after).
//   - INI / .cfg and Java .properties: `key = ${NAME}` (Spring resolves it;
//     for configparser use ExtendedInterpolation or os.path.expandvars).
//   - TOML: inside the string, `${NAME}`; the file stays valid TOML.
//   - Dockerfile (ENV, ARG, RUN…): `${NAME}`, which the builder substitutes
//     from build arguments; set it at run time instead (docker run -e, the
//     orchestrator's secret reference) so the value never enters a layer.
//   - Terraform .tfvars cannot reference anything, so the assignment is
//     commented out with a note naming the vault entry; Terraform then
//     takes the variable from TF_VAR_<key> or asks for it.
//
// A secret inside the larger value (a password in a URL) is replaced in
// place: the vault holds exactly the scanned value under its one name.
// Secrets in comments become `<redacted: name>`. Weak defaults lose their
// fallback: `${JWT_SECRET:-dev}` becomes `${JWT_SECRET:?JWT_SECRET is not
// set}` in YAML (a hard failure in Docker Compose) and `${JWT_SECRET}`
// elsewhere (python-dotenv and Dockerfiles do not all understand `:?`, and
// a modifier they do not understand would become the value itself); a
// plain weak value becomes a reference to the variable named after its key.
package configfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"

	"github.com/leakfix/leakfix/internal/lazyre"
	"github.com/leakfix/leakfix/rewrite"
)

// Format is a configuration file format.
type Format int

const (
	Unknown Format = iota
	DotEnv
	YAML
	JSON
	INI
	Properties
	TOML
	TFVars
	Dockerfile
)

var formatNames = map[Format]string{
	DotEnv: ".env", YAML: "YAML", JSON: "JSON", INI: "INI", Properties: "properties",
	TOML: "TOML", TFVars: "tfvars", Dockerfile: "Dockerfile",
}

func (f Format) String() string {
	if n, ok := formatNames[f]; ok {
		return n
	}
	return "unknown"
}

// Patterns are the file-name patterns (matched case-insensitively against
// the base name) this package rewrites.
func Patterns() []string {
	return []string{
		".env", ".env.*", "*.env", "*.yaml", "*.yml", "*.json", "*.ini", "*.cfg",
		"*.properties", "*.toml", "*.tfvars", "dockerfile", "dockerfile.*", "*.dockerfile", "containerfile",
	}
}

// FormatOf names the format of a file from its name.
func FormatOf(path string) Format {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	switch {
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == ".env":
		return DotEnv
	case ext == ".yaml" || ext == ".yml":
		return YAML
	case strings.HasSuffix(base, ".tfvars.json"):
		return Unknown // JSON variables cannot be commented out or referenced
	case ext == ".json":
		return JSON
	case ext == ".ini" || ext == ".cfg":
		return INI
	case ext == ".properties":
		return Properties
	case ext == ".toml":
		return TOML
	case ext == ".tfvars":
		return TFVars
	case base == "dockerfile" || base == "containerfile" || strings.HasPrefix(base, "dockerfile.") || ext == ".dockerfile":
		return Dockerfile
	}
	return Unknown
}

// Rewriter rewrites configuration files; the format comes from the name.
type Rewriter struct{}

// New returns a Rewriter.
func New() *Rewriter { return &Rewriter{} }

type file struct {
	format Format
	src    []byte
	edits  []rewrite.Edit
	left   rewrite.Unfixed
}

// Rewrite implements rewrite.Rewriter.
func (r *Rewriter) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	f := &file{format: FormatOf(path), src: src}
	if f.format == Unknown {
		return nil, fmt.Errorf("%s: not a configuration format leakfix rewrites", filepath.Base(path))
	}
	if err := f.validate(src); err != nil {
		return nil, err
	}
	var jsonStrings [][2]int
	var tomlSpans []span
	switch f.format {
	case JSON:
		jsonStrings = jsonStringSpans(src)
	case TOML:
		tomlSpans = tomlLex(src)
	}
	sorted := append([]rewrite.Secret(nil), secrets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	for _, s := range sorted {
		if s.Start < 0 || s.End > len(src) || s.Start >= s.End || string(src[s.Start:s.End]) != s.Value {
			return nil, fmt.Errorf("secret at line %d is not where the scan found it (file changed since the scan?)", s.Line)
		}
		if s.WeakDefault && f.format != TFVars && f.composeDefault(s, f.format == YAML) {
			continue
		}
		switch f.format {
		case DotEnv:
			f.dotenv(s)
		case Dockerfile:
			f.dockerfile(s)
		case YAML:
			f.yaml(s)
		case JSON:
			f.json(s, jsonStrings)
		case INI, Properties:
			f.keyValue(s)
		case TOML:
			f.toml(s, tomlSpans)
		case TFVars:
			f.tfvars(s)
		}
	}
	out, err := rewrite.ApplyEdits(src, f.edits)
	if err != nil {
		return nil, err
	}
	if err := f.validate(out); err != nil {
		return nil, fmt.Errorf("internal error: rewritten %s would not parse (%v); left untouched", f.format, err)
	}
	return out, f.left.Err()
}

// validate checks the formats Go can parse exactly.
func (f *file) validate(src []byte) error {
	switch f.format {
	case JSON:
		if !json.Valid(src) {
			var v any
			err := json.Unmarshal(src, &v)
			line := 0
			if se, ok := err.(*json.SyntaxError); ok {
				line = rewrite.LineOf(src, int(se.Offset))
			}
			return &rewrite.ParseError{Line: line, Msg: fmt.Sprintf("invalid JSON: %v", err)}
		}
	case YAML:
		dec := yaml.NewDecoder(bytes.NewReader(src))
		for {
			var v yaml.Node
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return &rewrite.ParseError{Line: yamlErrLine(err), Msg: "invalid YAML: " + yamlErrMsg(err)}
			}
		}
	case TOML:
		var v map[string]any
		if _, err := toml.Decode(string(src), &v); err != nil {
			line := 0
			if pe, ok := err.(toml.ParseError); ok {
				line = pe.Position.Line
			}
			return &rewrite.ParseError{Line: line, Msg: "invalid TOML"}
		}
	}
	return nil
}

// yaml.v3 errors read "yaml: line N: message"; the message may quote
// the offending text (a secret), so only a generic description is kept.
var yamlLineRe = lazyre.New(`line (\d+):`)

func yamlErrLine(err error) int {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n := 0
	fmt.Sscan(m[1], &n)
	return n
}

func yamlErrMsg(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if strings.ContainsAny(msg, "'\"`") {
		return "syntax error"
	}
	return msg
}

func (f *file) add(s rewrite.Secret, e rewrite.Edit) bool {
	for _, o := range f.edits {
		if e.Start < o.End && o.Start < e.End {
			f.left.Leave(s, "overlaps another rewrite on the same line")
			return false
		}
	}
	f.edits = append(f.edits, e)
	return true
}

// envVar is the variable a secret's reference names: the vault name's,
// or for a weak default, the key it was the value of.
func envVar(s rewrite.Secret, key string) string {
	if s.WeakDefault {
		if key == "" {
			key = s.Identifier
		}
		return rewrite.EnvName(key)
	}
	return rewrite.EnvName(s.Name)
}

func ref(name string) string { return "${" + name + "}" }

func (f *file) redact(s rewrite.Secret) {
	f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: rewrite.Redaction(s.Name)})
}

// composeDefault turns `${X:-weak}` / `${X-weak}` into `${X:?X is not set}`
// (hard) or `${X}`.
var composeDefaultRe = lazyre.New(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)$`)

func (f *file) composeDefault(s rewrite.Secret, hard bool) bool {
	m := composeDefaultRe.FindSubmatchIndex(f.src[max(0, s.Start-256):s.Start])
	if m == nil || s.End >= len(f.src) || f.src[s.End] != '}' {
		return false
	}
	base := max(0, s.Start-256)
	name := string(f.src[base+m[2] : base+m[3]])
	text := ""
	if hard {
		text = ":?" + name + " is not set"
	}
	f.add(s, rewrite.Edit{Start: base + m[4], End: s.End, Text: text})
	return true
}

// closingQuote finds the quote closing the one at open (which may be on a
// later line); with escapes, a backslash escapes the next byte.
func closingQuote(src []byte, open int, escapes bool) int {
	q := src[open]
	for i := open + 1; i < len(src); i++ {
		switch {
		case escapes && src[i] == '\\':
			i++
		case src[i] == q:
			return i
		}
	}
	return -1
}

// requote rewrites a single-quoted value (which dotenv and shells never
// expand) as a double-quoted one holding the reference, when the rest of
// the value needs no escaping in double quotes.
func (f *file) requote(s rewrite.Secret, open, close int, name string) {
	pre, post := string(f.src[open+1:s.Start]), string(f.src[s.End:close])
	if strings.ContainsAny(pre+post, "\"\\$`\n") {
		f.left.Leave(s, "inside a single-quoted value that cannot be re-quoted safely")
		return
	}
	f.add(s, rewrite.Edit{Start: open, End: close + 1, Text: `"` + pre + ref(name) + post + `"`})
}

// dotenv: KEY=value, export KEY=value, quoted values, # comments.
func (f *file) dotenv(s rewrite.Secret) {
	src := f.src
	ls, le := rewrite.LineBounds(src, s.Start)
	line := src[ls:le]
	ind := rewrite.IndentOf(line)
	if ind < len(line) && line[ind] == '#' {
		f.redact(s)
		return
	}
	eq := bytes.IndexByte(line, '=')
	if eq < 0 || s.Start <= ls+eq {
		f.left.Leave(s, "not in the value of a KEY=value line")
		return
	}
	key := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(line[:eq])), "export "))
	name := envVar(s, key)
	vs := ls + eq + 1
	for vs < le && (src[vs] == ' ' || src[vs] == '\t') {
		vs++
	}
	if vs < le && (src[vs] == '"' || src[vs] == '\'' || src[vs] == '`') {
		ce := closingQuote(src, vs, src[vs] == '"')
		switch {
		case ce < 0:
			f.left.Leave(s, "in an unterminated quoted value")
		case s.Start <= vs || s.Start <= ce && s.End > ce:
			f.left.Leave(s, "overlaps the quotes of a value")
		case s.End <= ce && src[vs] == '"':
			f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(name)})
		case s.End <= ce:
			f.requote(s, vs, ce, name)
		case bytes.IndexByte(src[ce:s.Start], '#') >= 0:
			f.redact(s)
		default:
			f.left.Leave(s, "after the closing quote of a value")
		}
		return
	}
	if c := inlineComment(line[vs-ls:]); c >= 0 && s.Start >= vs+c {
		f.redact(s)
		return
	}
	f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(name)})
}

// inlineComment finds ` #` in an unquoted value, or -1.
func inlineComment(v []byte) int {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// quoteAt scans a shell-like line from ls to off and returns the quote
// open at off (0 if none) and where it opened.
func quoteAt(src []byte, ls, off int) (byte, int) {
	var q byte
	open := -1
	for i := ls; i < off; i++ {
		c := src[i]
		switch {
		case q == 0 && c == '\\' || q == '"' && c == '\\':
			i++
		case q == 0 && (c == '"' || c == '\''):
			q, open = c, i
		case q != 0 && c == q:
			q, open = 0, -1
		}
	}
	return q, open
}

// dockerfile: instructions with shell-like quoting; `#` comments at the
// start of a line.
func (f *file) dockerfile(s rewrite.Secret) {
	src := f.src
	ls, le := rewrite.LineBounds(src, s.Start)
	line := src[ls:le]
	ind := rewrite.IndentOf(line)
	if ind < len(line) && line[ind] == '#' {
		f.redact(s)
		return
	}
	key := ""
	if i := bytes.LastIndexAny(src[ls:s.Start], "= \t"); i >= 0 {
		fields := strings.Fields(string(src[ls : ls+i]))
		if len(fields) > 0 {
			key = strings.Trim(fields[len(fields)-1], `"'=`)
		}
	}
	name := envVar(s, key)
	q, open := quoteAt(src, ls, s.Start)
	switch q {
	case 0, '"':
		f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(name)})
	default:
		ce := closingQuote(src, open, false)
		if ce < 0 || ce < s.End {
			f.left.Leave(s, "in an unterminated quoted value")
			return
		}
		f.requote(s, open, ce, name)
	}
}

// keyValue: INI / .cfg and Java properties.
func (f *file) keyValue(s rewrite.Secret) {
	src := f.src
	ls, le := rewrite.LineBounds(src, s.Start)
	line := src[ls:le]
	ind := rewrite.IndentOf(line)
	if ind < len(line) && (line[ind] == '#' || line[ind] == ';' && f.format == INI || line[ind] == '!' && f.format == Properties) {
		f.redact(s)
		return
	}
	sep := bytes.IndexAny(line, "=:")
	if sep < 0 && f.format == Properties {
		sep = bytes.IndexAny(line[ind:], " \t")
		if sep >= 0 {
			sep += ind
		}
	}
	if sep < 0 && f.format == INI && ind > 0 {
		// An indented line continues the previous value.
		f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(envVar(s, ""))})
		return
	}
	if sep < 0 || s.Start <= ls+sep {
		f.left.Leave(s, "not in the value of a key = value line")
		return
	}
	key := strings.TrimSpace(string(line[ind:sep]))
	f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(envVar(s, key))})
}

// yaml: block mappings and sequences, quoted and plain scalars, block
// scalars; flow collections are left alone.
func (f *file) yaml(s rewrite.Secret) {
	src := f.src
	ls, le := rewrite.LineBounds(src, s.Start)
	line := src[ls:le]
	ind := rewrite.IndentOf(line)
	if ind < len(line) && line[ind] == '#' {
		f.redact(s)
		return
	}
	if f.inBlockScalar(ls, ind) {
		f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(envVar(s, ""))})
		return
	}
	// Find where the value starts: after "- " markers and "key: ".
	vs := ls + ind
	for vs+1 < le && src[vs] == '-' && (src[vs+1] == ' ' || src[vs+1] == '\t') {
		vs += 2
		for vs < le && (src[vs] == ' ' || src[vs] == '\t') {
			vs++
		}
	}
	key := ""
	if k := yamlKeyEnd(src[vs:le]); k >= 0 {
		key = strings.Trim(strings.TrimSpace(string(src[vs:vs+k])), `"'`)
		vs += k + 1
		for vs < le && (src[vs] == ' ' || src[vs] == '\t') {
			vs++
		}
	} else if vs == ls+ind {
		f.left.Leave(s, "in a multi-line plain scalar; quote the value first")
		return
	}
	if s.Start < vs {
		f.left.Leave(s, "in a YAML key")
		return
	}
	name := envVar(s, key)
	switch {
	case vs < le && (src[vs] == '"' || src[vs] == '\''):
		ce := closingQuote(src, vs, src[vs] == '"')
		if src[vs] == '\'' {
			ce = yamlSingleClose(src, vs)
		}
		switch {
		case ce < 0:
			f.left.Leave(s, "in an unterminated quoted scalar")
		case s.Start <= vs || s.Start <= ce && s.End > ce:
			f.left.Leave(s, "overlaps the quotes of a scalar")
		case s.End <= ce:
			f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(name)})
		case bytes.Contains(src[ce:s.Start], []byte("#")):
			f.redact(s)
		default:
			f.left.Leave(s, "after a quoted scalar")
		}
	case vs < le && (src[vs] == '{' || src[vs] == '['):
		f.left.Leave(s, "inside a YAML flow collection")
	case vs < le && (src[vs] == '|' || src[vs] == '>' || src[vs] == '&' || src[vs] == '*' || src[vs] == '!'):
		f.left.Leave(s, "after a YAML block indicator, anchor or tag")
	default:
		end := le
		if c := inlineComment(src[vs:le]); c >= 0 {
			if s.Start >= vs+c {
				f.redact(s)
				return
			}
			end = vs + c
		}
		for end > vs && (src[end-1] == ' ' || src[end-1] == '\t') {
			end--
		}
		if s.End > end {
			f.left.Leave(s, "runs past the end of a plain scalar")
			return
		}
		esc := func(b []byte) string {
			return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(string(b))
		}
		text := `"` + esc(src[vs:s.Start]) + ref(name) + esc(src[s.End:end]) + `"`
		f.add(s, rewrite.Edit{Start: vs, End: end, Text: text})
	}
}

// yamlKeyEnd returns the offset of the `:` ending a mapping key at the
// start of b (a colon followed by a space or the end), outside quotes.
func yamlKeyEnd(b []byte) int {
	var q byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case i == 0 && (c == '"' || c == '\''):
			q = c
		case c == '#' && i > 0 && (b[i-1] == ' ' || b[i-1] == '\t'):
			return -1
		case c == ':' && (i+1 == len(b) || b[i+1] == ' ' || b[i+1] == '\t'):
			return i
		case c == ' ' && i+1 < len(b) && b[i+1] == '#':
			return -1
		}
	}
	return -1
}

// yamlSingleClose finds the end of a single-quoted scalar (a doubled
// quote stands for one quote).
func yamlSingleClose(src []byte, open int) int {
	for i := open + 1; i < len(src); i++ {
		if src[i] == '\'' {
			if i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return i
		}
	}
	return -1
}

// inBlockScalar reports whether the line at ls (indented ind) is content
// of a `|` or `>` block scalar opened by a less indented line above.
func (f *file) inBlockScalar(ls, ind int) bool {
	src := f.src
	for pos := ls; pos > 0; {
		ps := bytes.LastIndexByte(src[:pos-1], '\n') + 1
		line := bytes.TrimRight(src[ps:pos-1], "\r")
		pos = ps
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		pi := rewrite.IndentOf(line)
		if pi >= ind {
			continue
		}
		t := bytes.TrimSpace(line)
		if c := inlineComment(t); c >= 0 {
			t = bytes.TrimSpace(t[:c])
		}
		if i := bytes.LastIndexAny(t, " \t-:"); i >= 0 {
			t = t[i+1:]
		}
		return len(t) > 0 && (t[0] == '|' || t[0] == '>') && len(t) <= 3
	}
	return false
}

// jsonStringSpans lists the content spans of every JSON string.
func jsonStringSpans(src []byte) [][2]int {
	var spans [][2]int
	for i := 0; i < len(src); i++ {
		if src[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(src) && src[j] != '"' {
			if src[j] == '\\' {
				j++
			}
			j++
		}
		spans = append(spans, [2]int{i + 1, j})
		i = j
	}
	return spans
}

func (f *file) json(s rewrite.Secret, spans [][2]int) {
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] >= s.End })
	if i == len(spans) || spans[i][0] > s.Start {
		f.left.Leave(s, "not inside a JSON string")
		return
	}
	// A JSON object key is followed by ':'.
	if rest := bytes.TrimLeft(f.src[spans[i][1]+1:], " \t\r\n"); len(rest) > 0 && rest[0] == ':' {
		f.left.Leave(s, "in a JSON object key")
		return
	}
	key := ""
	if i > 0 {
		between := bytes.TrimSpace(f.src[spans[i-1][1]+1 : spans[i][0]-1])
		if bytes.Equal(between, []byte(":")) {
			key = string(f.src[spans[i-1][0]:spans[i-1][1]])
		}
	}
	f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(envVar(s, key))})
}

// span is a TOML string (content offsets) or comment.
type span struct {
	start, end int
	comment    bool
}

// tomlLex finds TOML strings and comments (the file is already known to
// be valid TOML).
func tomlLex(src []byte) []span {
	var out []span
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '#':
			e := i
			for e < len(src) && src[e] != '\n' {
				e++
			}
			out = append(out, span{i, e, true})
			i = e
		case c == '"' || c == '\'':
			q := string(c)
			if bytes.HasPrefix(src[i:], []byte(q+q+q)) {
				q = q + q + q
			}
			j := i + len(q)
			for j < len(src) && !bytes.HasPrefix(src[j:], []byte(q)) {
				if c == '"' && src[j] == '\\' {
					j++
				}
				j++
			}
			// A multi-line string may end with up to two extra quotes.
			for len(q) == 3 && j+3 < len(src) && src[j+3] == c {
				j++
			}
			out = append(out, span{i + len(q), j, false})
			i = j + len(q) - 1
		}
	}
	return out
}

func (f *file) toml(s rewrite.Secret, spans []span) {
	for _, sp := range spans {
		if sp.start <= s.Start && s.End <= sp.end {
			if sp.comment {
				f.redact(s)
				return
			}
			key := ""
			ls, _ := rewrite.LineBounds(f.src, sp.start)
			if eq := bytes.IndexByte(f.src[ls:sp.start], '='); eq >= 0 {
				key = strings.Trim(strings.TrimSpace(string(f.src[ls:ls+eq])), `"'`)
				if i := strings.LastIndexByte(key, '.'); i >= 0 {
					key = key[i+1:]
				}
			}
			f.add(s, rewrite.Edit{Start: s.Start, End: s.End, Text: ref(envVar(s, key))})
			return
		}
	}
	f.left.Leave(s, "not inside a TOML string or comment")
}

// tfvarsAssign is one `key = "value"` line, optionally with a trailing
// comma and comment.
var tfvarsAssign = lazyre.New(`^([ \t]*)([A-Za-z_][A-Za-z0-9_-]*|"[^"]+")[ \t]*=[ \t]*"(?:[^"\\]|\\.)*"[ \t]*,?[ \t]*(?:(?:#|//).*)?$`)

// tfvars comments out the assignment: tfvars files hold only literal
// values, so there is no reference to put in its place.
func (f *file) tfvars(s rewrite.Secret) {
	src := f.src
	ls, le := rewrite.LineBounds(src, s.Start)
	line := src[ls:le]
	ind := rewrite.IndentOf(line)
	if ind < len(line) && (line[ind] == '#' || bytes.HasPrefix(line[ind:], []byte("//"))) {
		f.redact(s)
		return
	}
	if c := hclComment(line); c >= 0 && s.Start >= ls+c {
		f.redact(s)
		return
	}
	m := tfvarsAssign.FindSubmatch(line)
	if m == nil || s.End > le {
		f.left.Leave(s, "not a one-line `key = \"value\"` assignment")
		return
	}
	key := strings.Trim(string(m[2]), `"`)
	label := s.Name
	if s.WeakDefault {
		label = ""
	}
	note := fmt.Sprintf(`%s# %s = %s; supply it with TF_VAR_%s (leakfix fix)`, m[1], key, rewrite.Redaction(label), key)
	if depthBefore(src, ls) > 0 {
		note = fmt.Sprintf(`%s# %s = %s (leakfix fix)`, m[1], key, rewrite.Redaction(label))
	}
	f.add(s, rewrite.Edit{Start: ls, End: le, Text: note})
}

// hclComment returns where a `#` or `//` comment starts in line, outside
// double-quoted strings, or -1.
func hclComment(line []byte) int {
	in := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '#' || c == '/' && i+1 < len(line) && line[i+1] == '/'):
			return i
		}
	}
	return -1
}

// depthBefore counts unclosed { and [ before off, outside strings and
// comments: 0 means a top-level variable.
func depthBefore(src []byte, off int) int {
	depth := 0
	for i := 0; i < off; i++ {
		switch src[i] {
		case '"':
			for i++; i < off && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '#':
			for i < off && src[i] != '\n' {
				i++
			}
		case '/':
			if i+1 < off && src[i+1] == '/' {
				for i < off && src[i] != '\n' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return depth
}
