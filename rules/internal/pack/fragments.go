package pack

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Fragments are regex pieces that many family files share, named once.
// A family file writes {{name}} inside a regex line and the
// generator expands it, so the embedded pack (and `rules list`, and every
// error message) holds the full regex.
var Fragments = map[string]string{
	// assign: the rest of an identifier after the provider and key words,
	// then an assignment in the usual languages and config formats (=, :=,
	// ?=, :, =>, a Go `x string =`, a k8s `- name: X` / `value:` pair) and
	// an optional opening quote.
	"assign": `[\w.-]{0,25}?["'` + "`" + `]?(?:[ \t]*:[ \t]*[A-Za-z_][\w.\[\]]{0,20}[ \t]*=|[ \t]+string[ \t]*=|[ \t]*\r?\n[ \t]*-?[ \t]*value[ \t]*:|[ \t]{0,5}(?::=|=>|\?=|=|:|,))[ \t]{0,5}["'` + "`" + `]?`,
	// assign_op: the assignment after a variable name in the seed
	// families' rules (=, :=, =>, a `name: Type =` annotation, or the
	// closing quote and comma of a key in a call or a list).
	"assign_op": `(?:["'\]]?[ \t]*(?::[ \t]*[A-Za-z_][\w\[\]|.]*[ \t]*)?(?::=|=>|=|:)|["'][ \t]*,)[ \t]*`,
	// azure_ai_names: the names Azure AI / Cognitive Services keys go by.
	"azure_ai_names": `(?i:cognitive|cog[_-]?svc|computer[_-]?vision|translator|text[_-]?analytics|form[_-]?recogni[sz]er|doc(?:ument)?[_-]?intelligence|content[_-]?safety|azure[_-]?ai[_-]|ocp-apim)`,
	// end: what may follow a context-anchored secret (a quote, space,
	// punctuation, the end of the line), so a longer word is not cut.
	"end": `(?:[^\w-]|$)`,
	// uuid: a lower- or upper-case hex UUID.
	"uuid": `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`,
	// b64url: one base64url character, for JWT-style tokens.
	"b64url": `[A-Za-z0-9_-]`,
}

var fragmentRef = regexp.MustCompile(`\{\{([a-z0-9_]+)\}\}`)

// expandFragments replaces {{name}} in the regex lines of one family file.
// Other lines (examples, negatives) are left alone: they are test data.
func expandFragments(file string, src []byte) ([]byte, error) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	var errs []string
	for i, l := range lines {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("regex")) || !bytes.Contains(l, []byte("{{")) {
			continue
		}
		lines[i] = fragmentRef.ReplaceAllFunc(l, func(m []byte) []byte {
			name := string(m[2 : len(m)-2])
			f, ok := Fragments[name]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s:%d: unknown regex fragment {{%s}} (known: %s)", file, i+1, name, strings.Join(fragmentNames(), ", ")))
				return m
			}
			return []byte(f)
		})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return bytes.Join(lines, nil), nil
}

func fragmentNames() []string {
	var names []string
	for n := range Fragments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
