package scanner

import (
	"bytes"
	"strings"
	"unsafe"

	"github.com/leakfix/leakfix/internal/lazyre"
	"github.com/leakfix/leakfix/rules"
)

// The confidence model. A rule's own `confidence` is its format's strength
// (a checksummed, prefixed token is high; a password-named assignment is
// medium; a high-entropy value under a key-ish name is low). The finding's
// confidence starts there and moves by what the context says:
//
//   - path class: a test, documentation or example file lowers it a level,
//     a file of test data (testdata/, fixtures/, *_test_data.go) makes it
//     low;
//   - surrounding words: an identifier or line that says example, fake,
//     dummy, mock, sample, expected… lowers it a level;
//   - entropy and length: a generic value that is long and near-random
//     raises a low to medium; a short low-entropy one stays low;
//   - a checksum: rules tagged "checksum" (their regex or validator
//     proves the token's own check digits) never drop below high.
//
// Context never invents evidence: nothing rises above the rule's base
// except a generic rule's low, by entropy. A generic finding is dropped
// outright only when the context makes it a fixture beyond doubt (a
// fixture-named identifier in a test or docs file) or when the value is
// the literal half of a code expression ("--password=" + pw).

// PathClass says what kind of file a path names, for the confidence model.
type PathClass int

// Path classes, from most to least likely to hold a live secret.
const (
	PathSource  PathClass = iota // code, config, anything else
	PathExample                  // examples/, samples/, *.example, *.dist
	PathDocs                     // docs/, *.md, *.rst, README
	PathTest                     // test code: *_test.go, tests/, *.spec.ts
	PathFixture                  // test data by name: testdata/, fixtures/, *_test_data.go
)

func (c PathClass) String() string {
	return [...]string{"source", "example", "docs", "test", "fixture"}[c]
}

var (
	fixturePathRe = lazyre.New(`(?i)(?:^|/)(?:testdata|test[-_]data|test[-_]?vectors?|fixtures?|__fixtures__|mocks?|__mocks__|golden)/|[_-]test[-_]?data\.[a-z]+$|(?:^|/)test[-_]?vectors?[^/]*$`)
	testPathRe    = lazyre.New(`(?i)(?:^|/)(?:[\w-]*[_-])?(?:tests?|testing|__tests__|specs?|e2e)/|_test\.[a-z]+$|(?:^|/)test_[^/]*\.py$|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:Tests?|IT)\.(?:java|kt|cs|scala|groovy)$|_spec\.rb$`)
	docsPathRe    = lazyre.New(`(?i)(?:^|/)(?:docs?|documentation|website|site|man)/|\.(?:md|markdown|mdx|rst|adoc|asciidoc|textile|rdoc)$|(?:^|/)(?:README|CHANGELOG|CHANGES|HISTORY)(?:\.[a-z]+)?$`)
	examplePathRe = lazyre.New(`(?i)(?:^|/)(?:examples?|samples?|demos?|tutorials?|quickstarts?)/|(?:^|/)example_test\.go$|\.(?:example|sample|template|tmpl|dist)(?:\.[a-z]+)?$`)
)

// ClassifyPath returns the class of a slash-separated path.
func ClassifyPath(path string) PathClass {
	switch {
	case fixturePathRe.MatchString(path):
		return PathFixture
	case testPathRe.MatchString(path):
		return PathTest
	case docsPathRe.MatchString(path):
		return PathDocs
	case examplePathRe.MatchString(path):
		return PathExample
	}
	return PathSource
}

// fixtureWords in an identifier or on a line say the value is made up.
var fixtureWords = lazyre.New(`(?i)(?:^|[^a-z])(?:example|examples|sample|dummy|fake|mock|mocked|stub|fixture|expected|want|golden|placeholder|test|testing)(?:[^a-z]|$)|(?:Example|Sample|Dummy|Fake|Mock|Stub|Fixture|Expected|Want|Golden|Test)(?:[A-Z0-9_]|$)`)

// camelFixture catches fixture words as camelCase parts (testSignerKey,
// expectedKeyHex) that the word-boundary pattern above cannot see.
var camelFixture = lazyre.New(`^(?:test|expected|want|fake|mock|dummy|sample|example|golden|stub)[A-Z_0-9]`)

func hasFixtureWord(s string) bool {
	return s != "" && (fixtureWords.MatchString(s) || camelFixture.MatchString(s))
}

// lower and raise move a confidence one level.
func lower(c string) string {
	switch c {
	case "high":
		return "medium"
	default:
		return "low"
	}
}

func raise(c string) string {
	switch c {
	case "low":
		return "medium"
	default:
		return "high"
	}
}

// assessConfidence is the finding's confidence: the rule's, moved by
// context as the model above says. checked is the verdict of the rule's
// checksum or structure validator (rules/validate.go), when it has one: a
// valid checksum is proof whatever the path, a broken one is not the
// provider's token wherever it stands, and a structural check (a JWT that
// decodes) replaces the rule's own confidence before context moves it.
func assessConfidence(r *rules.Rule, checked, path, identifier, line, secret string) string {
	c := r.Confidence
	if checked != "" {
		c = checked
		if c == "high" || c == "low" {
			return c
		}
	}
	if rules.ConfidenceRank(c) == 0 {
		c = "medium" // gitleaks rules carry none
	}
	if r.HasTag("checksum") {
		return "high"
	}
	if r.IsGeneric() && c == "low" && len(secret) >= 24 && ShannonEntropy(secret) >= 4.3 {
		c = raise(c)
	}
	switch ClassifyPath(path) {
	case PathSource:
	case PathFixture:
		return "low" // test data by name: fixtures unless a checksum says otherwise
	default:
		c = lower(c)
	}
	if hasFixtureWord(identifier) || hasFixtureWord(lineWithout(line, secret)) {
		c = lower(c)
	}
	return c
}

// lineWithout is the line with the secret cut out, so a value that
// happens to spell "test" does not count as a surrounding word.
func lineWithout(line, secret string) string {
	if secret == "" {
		return line
	}
	return strings.ReplaceAll(line, secret, " ")
}

// fragmentContext judges the context of the candidates of one
// fragment: the path's class is found once, and line starts are found from
// the previous candidate's, so a long line with many candidates is not
// searched back from each one (candidates come in position order per rule).
type fragmentContext struct {
	path      string
	data      []byte
	class     PathClass
	classKnow bool
	pos, ls   int // the last lineStart query and its answer
}

// dropped reports whether a generic finding is, beyond doubt,
// not a credential: a fixture-named identifier in a test, docs or example
// file, or the literal half of a code expression.
func (fc *fragmentContext) dropped(r *rules.Rule, secretStart, secretEnd int) bool {
	if !r.IsGeneric() {
		return false
	}
	if isCodeExpression(fc.data, secretStart, secretEnd) {
		return true
	}
	if !fc.classKnow {
		fc.class, fc.classKnow = ClassifyPath(fc.path), true
	}
	if fc.class == PathSource {
		return false
	}
	prefix := fc.data[fc.lineStart(secretStart):secretStart]
	// The identifier is only matched, never kept, so the line need not be
	// copied into a string (a minified line can be megabytes long).
	ident := Identifier(unsafe.String(unsafe.SliceData(prefix), len(prefix)))
	return hasFixtureWord(ident)
}

// lineStart is lineStart(fc.data, pos), searching back only as far as the
// previous query when pos is past it.
func (fc *fragmentContext) lineStart(pos int) int {
	if pos >= fc.pos && fc.pos > 0 {
		if i := bytes.LastIndexByte(fc.data[fc.pos:pos], '\n'); i >= 0 {
			fc.ls = fc.pos + i + 1
		}
	} else {
		fc.ls = lineStart(fc.data, pos)
	}
	fc.pos = pos
	return fc.ls
}

// isCodeExpression: the value is a string literal concatenated or
// formatted into something else — "--token=" + tok, 'key=' . $k,
// "secret=%s" % s — so the literal is a prefix, not the secret.
func isCodeExpression(data []byte, s, e int) bool {
	if s == 0 || e >= len(data) {
		return false
	}
	q := data[s-1]
	if q != '"' && q != '\'' && q != '`' || data[e] != q {
		return false
	}
	rest := data[e+1 : min(len(data), e+8)]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i >= len(rest) {
		return false
	}
	switch rest[i] {
	case '+', '%':
		return true
	case '.':
		// PHP and Lua concatenation ('x' . $y, "x" .. y), not a method call.
		return i+1 < len(rest) && (rest[i+1] == ' ' || rest[i+1] == '.' || rest[i+1] == '$')
	}
	return false
}
