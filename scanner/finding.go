package scanner

import "strings"

// Finding is one detected secret. It is the one type that flows from
// detection through reports to remediation. It holds the raw secret in
// memory, because `fix`, `plan` and `purge` need it; every output path must
// go through Redacted (or an explicit --show-secrets) before writing it.
type Finding struct {
	RuleID      string   `json:"rule_id"`
	Description string   `json:"description"`
	File        string   `json:"file"` // slash-separated, relative to the scanned root
	StartLine   int      `json:"start_line"`
	EndLine     int      `json:"end_line"`
	StartColumn int      `json:"start_column"` // 1-based, in Unicode code points
	EndColumn   int      `json:"end_column"`   // 1-based, inclusive
	Commit      string   `json:"commit"`
	Author      string   `json:"author"`
	Email       string   `json:"email,omitempty"`
	Date        string   `json:"date"`
	Message     string   `json:"message,omitempty"` // commit summary (first line)
	Match       string   `json:"match"`
	Secret      string   `json:"secret"`
	Entropy     float64  `json:"entropy"`
	Fingerprint string   `json:"fingerprint"`
	Provider    string   `json:"provider"`
	Severity    string   `json:"severity"`
	Confidence  string   `json:"confidence"`
	SecretName  string   `json:"secret_name"`
	Tags        []string `json:"tags,omitempty"`

	// Identifier is the variable or key the secret was assigned to
	// (`openai_key_gpt_4_turbo`), when one could be seen; naming uses it.
	Identifier string `json:"identifier,omitempty"`
	// Encoding is the decode chain, outermost layer first ("base64",
	// "base64 > percent"), when the secret was found behind encodings;
	// the location then points at the encoded text, and Match holds the
	// encoded form as it appears in the file.
	Encoding string `json:"encoding,omitempty"`
	// Container is the file on disk (or path in the commit) when the
	// secret is inside an archive; File then names the entry the
	// gitleaks way, "dist.zip!lib/app.jar!application.properties", and
	// the lines and columns are the entry's.
	Container string `json:"container,omitempty"`
	// InMessage is set when the secret was found in a commit message
	// rather than in a file.
	InMessage bool `json:"in_message,omitempty"`
	// Line is the full text of the first line of the match. It is kept
	// for rewriting and never serialised.
	Line string `json:"-"`
	// SecretStart and SecretEnd are byte offsets of the secret (or of the
	// encoded token) within the scanned content; rewriters use them.
	SecretStart int `json:"-"`
	SecretEnd   int `json:"-"`
}

// IsWeakDefault reports whether the finding is a fallback literal for a
// secret setting rather than a credential.
func (f *Finding) IsWeakDefault() bool {
	for _, t := range f.Tags {
		if t == "weak-default" {
			return true
		}
	}
	return false
}

// RedactedText is what replaces a secret in every output unless the user
// asked to see secrets.
const RedactedText = "REDACTED"

// Redacted returns a copy safe to write anywhere: the secret and every copy
// of it inside Match and Line are replaced.
func (f Finding) Redacted() Finding {
	if f.Secret != "" {
		f.Match = strings.ReplaceAll(f.Match, f.Secret, RedactedText)
		f.Line = strings.ReplaceAll(f.Line, f.Secret, RedactedText)
		f.Message = strings.ReplaceAll(f.Message, f.Secret, RedactedText)
	}
	if f.Encoding != "" {
		// Match holds the encoded token, which decodes to the secret: it
		// must not survive in the line either.
		if f.Match != "" && f.Match != RedactedText {
			f.Line = strings.ReplaceAll(f.Line, f.Match, RedactedText)
		}
		f.Match = RedactedText
	}
	if strings.Contains(f.Match, "\n") || len(f.Match) > 200 {
		// Multi-line matches are private keys or blobs: no part is safe.
		f.Match = RedactedText
	}
	f.Secret = RedactedText
	return f
}
