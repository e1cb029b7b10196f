package scanner

import (
	"bytes"
	"encoding/base64"
)

// isBase64Byte marks the standard base64 alphabet. URL-safe '-' and '_' are
// left out on purpose: with them every snake_case identifier would become a
// candidate blob, and Kubernetes, Docker and most configs use the standard
// alphabet.
var isBase64Byte = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['/'] = true, true
	return t
}()

// detectBase64 finds base64 tokens (Kubernetes Secret `data:` values,
// docker `auth` fields, blobs in configs), decodes those that decode to
// text, and scans the text. Findings point at the encoded token; the name
// it was assigned to is prepended to the decoded text so that rules which
// need context (`AZURE_OPENAI_KEY: <base64>`) still see it.
func (d *Detector) detectBase64(frag Fragment, depth int, lines *lineIndex, existing []Finding) []Finding {
	data := frag.Data
	var out []Finding
	// Skip-scan: a run of at least minBase64Len must cover the byte
	// minBase64Len-1 ahead, so when that byte is not base64 the whole
	// stretch is skipped; most source text is covered in 16-byte strides.
	// Invariant: data[i-1] is not a base64 byte (or i == 0).
	for i := 0; i+minBase64Len <= len(data); {
		probe := i + minBase64Len - 1
		if !isBase64Byte[data[probe]] {
			i = probe + 1
			continue
		}
		start := probe
		for start > i && isBase64Byte[data[start-1]] {
			start--
		}
		end := probe + 1
		for end < len(data) && isBase64Byte[data[end]] {
			end++
		}
		i = end
		for i < len(data) && data[i] == '=' && i-end < 2 {
			i++
		}
		if end-start < minBase64Len || (end-start)%4 == 1 {
			continue
		}
		tokEnd := i
		// A specific rule's raw finding on the token stands; a generic one
		// ("high-entropy value") gives way to what the decoded text is.
		overlapped, onlyGeneric := d.overlapping(existing, start, tokEnd)
		if len(overlapped) > 0 && !onlyGeneric {
			continue
		}
		decoded := make([]byte, base64.RawStdEncoding.DecodedLen(end-start))
		n, err := base64.RawStdEncoding.Decode(decoded, data[start:end])
		if err != nil || n < 8 || !mostlyText(decoded[:n]) {
			continue
		}
		decoded = decoded[:n]
		// The name the blob is assigned to is context some rules need
		// (`AZURE_OPENAI_KEY: <base64 of 32 hex>`), so it goes in front of
		// the decoded text before the keyword check.
		id := Identifier(string(data[lineStart(data, start):start]))
		sub := decoded
		if id != "" {
			sub = append([]byte(id+": "), decoded...)
		}
		if !d.ac.Contains(sub) {
			continue
		}
		found, _ := d.detect(Fragment{Path: frag.Path, Data: sub, Commit: frag.Commit}, depth+1, nil)
		if len(found) > 0 {
			for _, k := range overlapped {
				existing[k].RuleID = "" // superseded; dropped by the caller
			}
		}
		sl, sc := lines.position(start)
		el, ec := lines.position(tokEnd - 1)
		for _, f := range found {
			f.StartLine, f.StartColumn, f.EndLine, f.EndColumn = sl, sc, el, ec
			f.Match = string(data[start:tokEnd])
			f.Encoding = "base64"
			f.Line = string(lines.lineAt(start))
			f.SecretStart, f.SecretEnd = start, tokEnd
			if id != "" {
				f.Identifier = id
			}
			if d.ignored(&f) {
				continue
			}
			out = append(out, f)
		}
	}
	return out
}

// overlapping returns the indexes of findings whose secret overlaps
// [start,end) and whether all of them come from generic rules.
func (d *Detector) overlapping(fs []Finding, start, end int) (idx []int, onlyGeneric bool) {
	onlyGeneric = true
	for i := range fs {
		if fs[i].RuleID != "" && fs[i].SecretStart < end && start < fs[i].SecretEnd {
			idx = append(idx, i)
			if r := d.cfg.Rule(fs[i].RuleID); r == nil || !r.IsGeneric() {
				onlyGeneric = false
			}
		}
	}
	return idx, onlyGeneric
}

// mostlyText accepts decoded bytes that are at least 95% printable ASCII or
// whitespace: decoded identifiers and hashes are noise, decoded secrets are
// text.
func mostlyText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	bad := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c > 0x7e {
			bad++
		}
	}
	return bad*20 <= len(b)
}
