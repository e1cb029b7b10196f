// Package naming derives vault secret names from findings: one name per
// distinct secret value, `{provider}-{purpose}-{type}` in kebab-case, valid
// in Azure Key Vault, AWS Secrets Manager, HashiCorp Vault and GCP Secret
// Manager alike (the strictest, Key Vault, allows 1–127 of [0-9a-zA-Z-]).
package naming

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// MaxLen keeps names inside Azure Key Vault's 127-character limit, with
// room for a collision suffix.
const MaxLen = 120

// genericWords carry no purpose: `openai_key_gpt_4` is about gpt-4, not
// about being a key.
var genericWords = map[string]bool{
	"key": true, "keys": true, "api": true, "apikey": true, "secret": true, "secrets": true,
	"token": true, "tokens": true, "password": true, "passwd": true, "pwd": true, "pass": true,
	"access": true, "accesskey": true, "credential": true, "credentials": true, "cred": true, "creds": true,
	"auth": true, "value": true, "str": true, "string": true, "const": true, "var": true, "env": true,
	"default": true, "my": true, "the": true, "config": true, "cfg": true, "settings": true, "setting": true,
	"self": true, "this": true, "os": true, "environ": true, "getenv": true, "get": true, "process": true,
	"uri": true, "url": true, "dsn": true, "conn": true, "connection": true, "subscription": true,
	"private": true, "client": true, "id": true, "sk": true, "pk": true,
	"authorization": true, "bearer": true, "header": true, "headers": true, "basic": true,
}

// Overrides maps a derived name, a fingerprint or a rule id to the name a
// user wants instead (`leakfix fix --names FILE`).
type Overrides map[string]string

// Assign sets SecretName on every finding. Findings with the same secret
// value share one name; different values that would get the same name get
// -2, -3… in order of first appearance (file, line), so names are stable
// for the same tree.
func Assign(findings []scanner.Finding, cfg *rules.Config, overrides Overrides) error {
	type group struct {
		secret  string
		members []int
		first   int
		name    string
	}
	bySecret := map[string]*group{}
	var groups []*group
	order := make([]int, len(findings))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := &findings[order[a]], &findings[order[b]]
		if fa.File != fb.File {
			return fa.File < fb.File
		}
		return fa.StartLine < fb.StartLine
	})
	for _, i := range order {
		s := findings[i].Secret
		g, ok := bySecret[s]
		if !ok {
			g = &group{secret: s, first: i}
			bySecret[s] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, i)
	}
	used := map[string]string{} // name → secret that owns it
	for _, g := range groups {
		name, purposeLen := "", -1
		for _, i := range g.members {
			f := &findings[i]
			cand, n := derive(f, ruleOf(cfg, f.RuleID))
			if n > purposeLen {
				name, purposeLen = cand, n
			}
		}
		overridden := false
		for _, i := range g.members {
			f := &findings[i]
			for _, key := range []string{f.Fingerprint, name, f.RuleID} {
				if o, ok := overrides[key]; ok && key != "" {
					if !Valid(o) {
						return fmt.Errorf("name override %q for %s is not a valid vault name (1–127 of a-z, 0-9 and -, starting with a letter)", o, key)
					}
					name, overridden = o, true
					break
				}
			}
		}
		base := name
		for n := 2; ; n++ {
			owner, taken := used[name]
			if !taken || owner == g.secret {
				break
			}
			if overridden {
				return fmt.Errorf("name override %q would name two different secrets; give each its own name", base)
			}
			name = fmt.Sprintf("%s-%d", base, n)
		}
		used[name] = g.secret
		g.name = name
		for _, i := range g.members {
			findings[i].SecretName = name
		}
	}
	return nil
}

func ruleOf(cfg *rules.Config, id string) *rules.Rule {
	if cfg == nil {
		return nil
	}
	return cfg.Rule(id)
}

// derive builds one finding's name and reports how many purpose words it
// used: the most specific identifier names a shared secret.
func derive(f *scanner.Finding, r *rules.Rule) (string, int) {
	provider := f.Provider
	if provider == "generic" || provider == "unknown" {
		provider = ""
	}
	drop := map[string]bool{}
	for _, w := range Words(provider) {
		drop[w] = true
	}
	template := ""
	if r != nil {
		template = r.Name
	}
	if template != "" {
		for _, w := range Words(template) {
			if w != "purpose" {
				drop[w] = true
			}
		}
	}
	var purpose []string
	words := Words(f.Identifier)
	for i := 0; i < len(words); i++ {
		w := words[i]
		// camelCase splits brand names (OpenAI → open, ai): a pair that
		// spells a provider word goes as a whole.
		if i+1 < len(words) && drop[w+words[i+1]] {
			i++
			continue
		}
		if !genericWords[w] && !drop[w] && !abbreviates(w, drop) {
			purpose = append(purpose, w)
		}
	}
	p := strings.Join(purpose, "-")
	var name string
	if template != "" {
		name = strings.ReplaceAll(template, "{purpose}", p)
	} else {
		name = strings.Join([]string{provider, p, typeWord(f.Identifier, f.RuleID)}, "-")
	}
	name = Sanitize(name)
	if name == "" {
		name = "secret"
	}
	return name, len(purpose)
}

// abbreviates reports whether w is a short form of a provider word
// (`mongo` for mongodb, `pg` is too short to judge): it names no purpose.
func abbreviates(w string, provider map[string]bool) bool {
	if len(w) < 4 {
		return false
	}
	for p := range provider {
		if strings.HasPrefix(p, w) || strings.HasPrefix(w, p) && len(p) >= 4 {
			return true
		}
	}
	return false
}

// typeWord says what kind of secret a finding is, for rules without a
// name template: the identifier's own last type word (`..._secret`) when it
// has one, else the rule id's.
func typeWord(identifier, ruleID string) string {
	for _, src := range []string{identifier, ruleID} {
		w := Words(src)
		for i := len(w) - 1; i >= 0; i-- {
			switch w[i] {
			case "key", "token", "secret", "password":
				return w[i]
			case "string", "uri", "url", "dsn":
				return "connection-string"
			}
		}
	}
	return "secret"
}

// Words splits an identifier into lowercase words at non-alphanumerics,
// camelCase humps and letter/digit boundaries kept as in the source
// (`gpt_4_turbo`, `GPT4Turbo` → gpt, 4, turbo).
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && len(cur) > 0 && (unicode.IsLower(cur[len(cur)-1]) ||
			i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(cur[len(cur)-1])):
			flush()
			cur = append(cur, r)
		case unicode.IsDigit(r) && len(cur) > 0 && unicode.IsLetter(cur[len(cur)-1]) && unicode.IsUpper(cur[len(cur)-1]),
			unicode.IsUpper(r) && len(cur) > 0 && unicode.IsDigit(cur[len(cur)-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// Sanitize lowercases, keeps [a-z0-9-], collapses dashes, trims, makes it
// start with a letter and caps the length.
func Sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if out != "" && (out[0] < 'a' || out[0] > 'z') {
		out = "secret-" + out
	}
	if len(out) > MaxLen {
		out = strings.TrimRight(out[:MaxLen], "-")
	}
	return out
}

// Valid reports whether name is acceptable to all four vaults.
func Valid(name string) bool {
	if name == "" || len(name) > 127 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return !strings.HasSuffix(name, "-")
}
