package scanner

import (
	"bytes"
	"sort"

	"github.com/leakfix/leakfix/scanner/decode"
)

// DefaultMaxDecodeDepth is how many encodings may stack by default. Three
// covers what configs and logs really hold (a percent-encoded URL inside a
// base64 value inside escaped JSON) and keeps the worst case small: each
// layer only rescans decoded text that holds a rule keyword.
const DefaultMaxDecodeDepth = 3

// minTokenLen is the shortest base64 or hex run decoded: eight bytes of
// text or more, the shortest secret worth a rule.
const minTokenLen = 16

// detectDecoded scans what encodings in frag hide: base64 and hex tokens,
// and lines with percent-encoding or backslash escapes. Each decoded text
// is scanned by the full detector one layer deeper, so layers stack.
// Findings point at the encoded span in frag and carry the decode chain;
// one equal to a finding already made on the same line is dropped.
func (d *Detector) detectDecoded(frag Fragment, depth int, lines *lineIndex, existing []Finding) []Finding {
	data := frag.Data
	var out []Finding
	token := func(layer string, t decode.Token) {
		// A specific rule's raw finding on the token stands; a generic one
		// ("high-entropy value") gives way to what the decoded text is.
		overlapped, onlyGeneric := d.overlapping(existing, t.Start, t.End)
		if len(overlapped) > 0 && !onlyGeneric {
			return
		}
		// The name the blob is assigned to is context some rules need
		// (`AZURE_OPENAI_KEY: <base64 of 32 hex>`), so it goes in front of
		// the decoded text before the keyword check.
		id := Identifier(string(data[nearLineStart(data, t.Start):t.Start]))
		sub := t.Text
		if id != "" {
			sub = append([]byte(id+": "), t.Text...)
		}
		if !d.keywordAC().Contains(sub) {
			return
		}
		found, _ := d.detect(Fragment{Path: frag.Path, Data: sub, Commit: frag.Commit, Verdicts: frag.Verdicts}, depth+1, nil)
		if len(found) > 0 {
			for _, k := range overlapped {
				existing[k].RuleID = "" // superseded; dropped by the caller
			}
		}
		for _, f := range found {
			f.Encoding = chain(layer, f.Encoding)
			place(&f, data, lines, t.Start, t.End)
			if id != "" {
				f.Identifier = id
			}
			out = append(out, f)
		}
	}
	decode.Tokens(data, minTokenLen, !d.opts.NoBase64, token)
	out = append(out, d.detectInline(frag, depth, lines, '%', decode.LayerPercent, decode.PercentText, decode.Percent)...)
	out = append(out, d.detectInline(frag, depth, lines, '\\', decode.LayerEscape, decode.EscapesText, decode.Escapes)...)
	return d.dedupeDecoded(existing, out)
}

// detectInline decodes every line of frag that holds the layer's escapes
// and a rule keyword once decoded, scans those lines together as one
// fragment, and maps the findings back through the decoded bytes' origins.
// text decodes a line into a reused buffer for the keyword check; dec
// decodes it again with offsets for the lines that pass.
func (d *Detector) detectInline(frag Fragment, depth int, lines *lineIndex, marker byte, layer string,
	text func(line, buf []byte) ([]byte, bool), dec func([]byte) (decode.Inline, bool)) []Finding {
	data := frag.Data
	var syn, scratch []byte
	// segs map syn back to data line by line: the decoder's own offset
	// tables are kept, not copied into one table of every byte.
	var segs []inlineSeg
	// Jump from marker to marker ('%' or '\\'): most lines have none.
	for from := 0; from < len(data); {
		i := bytes.IndexByte(data[from:], marker)
		if i < 0 {
			break
		}
		ls, le := lineStart(data, from+i), lineEnd(data, from+i)
		from = le + 1
		if marker == '\\' && !d.escapesWorthDecoding(data[ls:le]) {
			continue // one-letter escapes hide no keyword and no token start
		}
		var ok bool
		if scratch, ok = text(data[ls:le], scratch); !ok || !d.keywordAC().Contains(scratch) {
			continue
		}
		if in, ok := dec(data[ls:le]); ok {
			segs = append(segs, inlineSeg{syn: len(syn), n: len(in.Text), ls: ls, le: le, offs: in.Offs})
			syn = append(syn, in.Text...)
			syn = append(syn, '\n')
		}
	}
	if len(syn) == 0 {
		return nil
	}
	found, _ := d.detect(Fragment{Path: frag.Path, Data: syn, Commit: frag.Commit, Verdicts: frag.Verdicts}, depth+1, nil)
	out := found[:0]
	for _, f := range found {
		os, oe := inlineOrigin(segs, f.SecretStart), inlineOrigin(segs, f.SecretEnd)
		if oe <= os {
			continue
		}
		// The layer encoded this span only if its stored bytes differ from
		// the decoded ones; a token after "%3A" or "\n" is stored plain.
		if !bytes.Equal(data[os:oe], syn[f.SecretStart:f.SecretEnd]) {
			f.Encoding = chain(layer, f.Encoding)
		}
		place(&f, data, lines, os, oe)
		out = append(out, f)
	}
	return out
}

// inlineSeg is one decoded line inside detectInline's synthetic text:
// syn[syn:syn+n] is the line's decoded text, followed by a newline.
type inlineSeg struct {
	syn, n int
	ls, le int   // the line in data
	offs   []int // offs[i]: offset in the line of decoded byte i
}

// inlineOrigin maps an offset in the synthetic text to data: a decoded
// byte to where its escape starts, a line's trailing newline (and the end
// of the text) to the line's end.
func inlineOrigin(segs []inlineSeg, pos int) int {
	k := sort.Search(len(segs), func(i int) bool { return segs[i].syn > pos }) - 1
	s := segs[k]
	if rel := pos - s.syn; rel < s.n {
		return s.ls + s.offs[rel]
	}
	return s.le
}

// chain prepends an outer layer to a finding's decode chain.
func chain(outer, inner string) string {
	if inner == "" {
		return outer
	}
	return outer + " > " + inner
}

// place moves a finding made on decoded text to the span [start,end) of
// the text as stored.
func place(f *Finding, data []byte, lines *lineIndex, start, end int) {
	f.StartLine, f.StartColumn = lines.position(start)
	f.EndLine, f.EndColumn = lines.position(end - 1)
	f.Line = string(lines.lineAt(start))
	f.SecretStart, f.SecretEnd = start, end
	if f.Encoding != "" {
		f.Match = string(data[start:end])
	}
}

// dedupeDecoded drops decoded findings that repeat one already made:
// same rule and same secret on the same line, or same rule (or a generic
// one) over the same stored bytes (a private key with escaped newlines is
// found both as stored and decoded). It also drops those whose line
// carries an inline allow marker, which the decoded text may not hold.
// Decoding must not flood the report.
func (d *Detector) dedupeDecoded(existing, decoded []Finding) []Finding {
	type key struct {
		rule, secret string
		line         int
	}
	seen := map[key]bool{}
	for _, f := range existing {
		if f.RuleID != "" {
			seen[key{f.RuleID, f.Secret, f.StartLine}] = true
		}
	}
	out := decoded[:0]
	for _, f := range decoded {
		k := key{f.RuleID, f.Secret, f.StartLine}
		if seen[k] || hasInlineAllow([]byte(f.Line)) || d.repeats(f, existing) || d.repeats(f, out) {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// repeats reports a finding in fs over the same bytes as f by the same
// rule, or by any rule when f's is generic.
func (d *Detector) repeats(f Finding, fs []Finding) bool {
	generic := false
	if r := d.cfg.Rule(f.RuleID); r != nil {
		generic = r.IsGeneric()
	}
	for _, e := range fs {
		if e.RuleID != "" && (e.RuleID == f.RuleID || generic) && e.SecretStart < f.SecretEnd && f.SecretStart < e.SecretEnd {
			return true
		}
	}
	return false
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

// escapesWorthDecoding reports a line whose backslash escapes can hide
// something: a \uXXXX or \xXX escape of printable ASCII (which can spell
// a keyword itself), or a rule keyword right after a one-letter escape
// ("\nghp_..."), whose letter is then all that stands between the token
// and its rule's leading boundary. One pass over the backslashes answers
// both; the automaton runs only when a keyword may follow an escape.
func (d *Detector) escapesWorthDecoding(line []byte) bool {
	maybe := false
	for i := bytes.IndexByte(line, '\\'); i >= 0; {
		if i+1 < len(line) {
			switch c := line[i+1]; {
			case c == 'u' || c == 'x':
				if decode.IsCodeEscape(line, i) {
					return true
				}
			case !maybe && i+2 < len(line) && decode.IsLetterEscape(c) && d.kwStart[line[i+2]]:
				maybe = true
			}
		}
		j := bytes.IndexByte(line[i+1:], '\\')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if !maybe {
		return false
	}
	hit := false
	d.keywordAC().FindAll(line, func(_, start, _ int) bool {
		if start >= 2 && line[start-2] == '\\' && decode.IsLetterEscape(line[start-1]) {
			hit = true
			return false
		}
		return true
	})
	return hit
}

// keywordStarts marks the bytes a keyword can start with, in either ASCII
// case (the automaton folds case).
func keywordStarts(keywords []string) *[256]bool {
	var t [256]bool
	for _, k := range keywords {
		if k == "" {
			continue
		}
		c := k[0]
		t[c] = true
		if 'a' <= c && c <= 'z' {
			t[c-'a'+'A'] = true
		} else if 'A' <= c && c <= 'Z' {
			t[c-'A'+'a'] = true
		}
	}
	return &t
}
