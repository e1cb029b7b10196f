package scanner

import (
	"math"
	"strings"
)

// structuralMarks are shapes no real credential has: elisions, template
// and shell substitutions, masks. They rule out a value for every rule,
// weak defaults included.
var structuralMarks = []string{
	"...", "…", "xxxx", "****", "<", ">", "{", "}", "$(", "${", "%(",
	// What `leakfix purge` (***REMOVED:name***) and BFG (***REMOVED***)
	// leave behind: a rewritten history must scan clean.
	"***removed",
}

// placeholderWords are what documentation and templates write in place of
// a real secret. They rule out credentials, but not weak defaults:
// `os.getenv("JWT_SECRET", "changeme")` is exactly the weakness to report.
var placeholderWords = []string{
	"your_", "your-", "yourkey", "yoursecret", "yourtoken", "yourpassword",
	"example", "placeholder", "changeme", "change_me", "change-me", "dummy", "redacted",
	"replace_me", "replace-me", "replaceme", "insert_", "insert-", "todo", "fixme", "sample",
	"notreal", "not_real", "not-real", "fake_", "fake-", "_fake", "-fake", "put_", "enter_", "enter-",
	"secret_here", "secret-here", "key_here", "key-here", "token_here", "token-here",
}

// IsPlaceholder reports whether a would-be secret is a documentation value
// rather than a credential: `sk-ant-...`, `YOUR_API_KEY`, `{NEW_KEY}`,
// `$(openssl rand -base64 32)`, `${VAR}`, `{{ .Data.data.x }}`, `xxxx`,
// AWS's documented example keys, masked `****` values, and values made of
// one repeated character or a run like 0123456789.
func IsPlaceholder(secret string) bool {
	return isStructuralPlaceholder(secret) || hasPlaceholderWord(secret)
}

// hasPlaceholderWord also covers one-character-repeat and keyboard-run
// values: filler for a credential, but exactly the weakness a weak default
// like "dev" or "123456" is.
func hasPlaceholderWord(secret string) bool {
	low := strings.ToLower(strings.TrimSpace(secret))
	if distinctBytes(low) <= 3 || isSequential(low) {
		return true
	}
	for _, w := range placeholderWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// isStructuralPlaceholder is the part of IsPlaceholder that also applies
// to weak defaults.
func isStructuralPlaceholder(secret string) bool {
	s := strings.TrimSpace(secret)
	if s == "" {
		return true
	}
	low := strings.ToLower(s)
	for _, w := range structuralMarks {
		if strings.Contains(low, w) {
			return true
		}
	}
	if low[0] == '$' || low[0] == '%' || strings.HasPrefix(low, "@") && !strings.Contains(low[1:], "@") {
		// $VAR, %VAR%, @Value-style references.
		if isIdentifierLike(strings.Trim(low, "$%@{}()")) {
			return true
		}
	}
	return false
}

func isIdentifierLike(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// isSequential catches keyboard-run values (0123456789, abcdefgh, 12345678).
func isSequential(s string) bool {
	if len(s) < 6 {
		return false
	}
	for _, run := range []string{"0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "1234567890"} {
		if strings.Contains(run, s) || strings.Contains(run+run, s) {
			return true
		}
	}
	return false
}

// ShannonEntropy is the entropy of s in bits per byte.
func ShannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}
