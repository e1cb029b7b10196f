package scanner

import "github.com/leakfix/leakfix/rules"

// The window policy: how much text around a keyword hit a rule's regex
// sees. It lives here, once, and both the tree scan (Detector.detect) and
// history's line skipping (scanner/history) read it, so a rule whose regex
// spans lines — whether the pack says `multiline = true` or a gitleaks
// config's regex merely can cross newlines — gets the same wide window in
// both.
//
// Go's RE2 engine costs microseconds per byte on patterns without a
// literal prefix, so the bytes fed to regexes, not the bytes read, set the
// speed: a rule that cannot match a newline sees only the hit's line, one
// that can sees ContextLines lines before and after too, and only rules
// that span lines (private keys, JSON blocks) see SpanWindow bytes. Very
// long lines (minified code) are cut to a span around the hit.
const (
	// ContextLines is how many lines before and after a keyword hit a
	// cross-line rule sees.
	ContextLines = 2
	// SpanWindow is how far past a keyword hit's line start a rule that
	// spans lines sees.
	SpanWindow = 32 << 10

	contextLines    = ContextLines
	multilineWindow = SpanWindow
	maxMerged       = 768
	maxBefore       = 256
	maxAfter        = 1024
)

// ruleWindow is the [start,end) span of data that rule r's regex sees for a
// keyword hit at pos.
func ruleWindow(r *rules.Rule, data []byte, pos int) [2]int {
	switch {
	case r.SpansLines():
		return [2]int{lineStart(data, pos), lineEnd(data, min(len(data), pos+multilineWindow))}
	case r.CrossLine():
		w := [2]int{linesBefore(data, pos, contextLines), linesAfter(data, pos, contextLines)}
		w[0] = max(w[0], pos-maxBefore-maxAfter)
		w[1] = min(w[1], pos+2*maxAfter)
		return w
	default:
		return [2]int{max(lineStart(data, pos), pos-maxBefore), min(lineEnd(data, pos), pos+maxAfter)}
	}
}

// SpanningKeywords returns the keywords of the rules whose window spans
// lines (SpanWindow bytes): a history scan that skips unchanged lines must
// still rescan from such a keyword when a changed line lies inside its
// window (a private key rotated under an unchanged BEGIN line).
func (d *Detector) SpanningKeywords() []string {
	var kws []string
	for _, r := range d.rules {
		if r.Regex != "" && r.SpansLines() {
			kws = append(kws, r.Keywords...)
		}
	}
	return kws
}
