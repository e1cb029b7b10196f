// Package scanner is the detection engine and the sources that feed it
// (files on disk, stdin; git history lives in scanner/history). The
// detector sees fragments — a path and bytes — and knows nothing of git.
package scanner

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
	"github.com/leakfix/leakfix/scanner/archive"
)

// Fragment is one unit of content to scan: a file, a blob, a commit message.
type Fragment struct {
	Path   string // slash-separated, relative to the scanned root
	Data   []byte
	Commit string // only for allowlists that name commits
	// Verdicts, if set, keeps path-filter verdicts across fragments of
	// one path (pathverdicts.go).
	Verdicts *PathVerdicts
}

// Options tune a Detector.
type Options struct {
	// Ignore holds fingerprints (from .leakfixignore) never to report.
	Ignore map[string]bool
	// Known, when set, reports other findings never to report (gitleaks'
	// file:rule:line fingerprints from .gitleaksignore).
	Known func(*Finding) bool
	// NoBase64 turns off decoding of base64 blobs.
	NoBase64 bool
	// MaxArchiveDepth is how many levels of nested archives are opened:
	// 0 means archive.DefaultLimits.MaxDepth, negative opens none.
	MaxArchiveDepth int
	// MaxDecodeDepth is how many decoding layers may stack: 0 means
	// DefaultMaxDecodeDepth, negative decodes nothing.
	MaxDecodeDepth int
	// ArchiveLimits, if set, replace archive.DefaultLimits (but for
	// MaxDepth, which MaxArchiveDepth sets).
	ArchiveLimits *archive.Limits
	// Stages, when set, accumulates time by stage and by rule (stages.go).
	Stages *Stages
}

// Detector runs a compiled rule pack over fragments. It is safe for
// concurrent use: all per-scan state lives on the stack.
type Detector struct {
	cfg     *rules.Config
	rules   []*rules.Rule
	ac      *ahocorasick.Matcher
	kwRules [][]int // keyword index → rule indexes
	noKw    []int   // rules without keywords: run on every fragment
	// pathOnly rules have a path and no regex: the file itself is the
	// finding (a Rails master.key, an id_rsa), as in gitleaks.
	pathOnly []int
	opts     Options
	hash     *hasher
	// maxDecode and archives are the resolved decode and archive depths.
	maxDecode int
	archives  archive.Limits
	kwStart   *[256]bool // first bytes of keywords, both cases (decoded.go)
	pathRev   []reversedPath

	// acReady is closed once ac is set when it is built in the background;
	// read ac through keywordAC (prebuilt.go).
	acReady chan struct{}
}

// The window policy (how much text around a keyword hit a regex sees)
// lives in window.go; decoding layers in decode.go.

// New compiles the keyword automaton for cfg.
func New(cfg *rules.Config, opts Options) *Detector {
	d := &Detector{cfg: cfg, rules: cfg.Rules, opts: opts, hash: newHasher(), pathRev: make([]reversedPath, len(cfg.Rules))}
	d.maxDecode, d.archives = resolveDepths(opts)
	opts.Stages.bind(cfg.Rules)
	var keywords []string
	for i, r := range cfg.Rules {
		if r.Regex == "" {
			d.pathOnly = append(d.pathOnly, i)
			continue
		}
		if len(r.Keywords) == 0 {
			d.noKw = append(d.noKw, i)
			continue
		}
		for _, k := range r.Keywords {
			keywords = append(keywords, k)
			d.kwRules = append(d.kwRules, []int{i})
		}
	}
	d.setKeywordAC(keywords) // prebuilt.go
	d.kwStart = keywordStarts(keywords)
	return d
}

// Config returns the pack the detector runs.
func (d *Detector) Config() *rules.Config { return d.cfg }

// Fingerprint exposes the detector's memoised fingerprint function.
func (d *Detector) Fingerprint(ruleID, file, secret string) string {
	return d.hash.Fingerprint(ruleID, file, secret)
}

// candidate is a regex match that has not yet been judged.
type candidate struct {
	rule                   *rules.Rule
	start, end             int // match
	secretStart, secretEnd int
}

// Detect scans one fragment. Errors are per-rule regex timeouts; findings
// from other rules are still returned with them.
func (d *Detector) Detect(frag Fragment) ([]Finding, error) {
	if d.OpensArchive(frag.Data) {
		if st := d.opts.Stages; st != nil {
			defer lap(&st.archive, time.Now())
		}
		return d.detectArchive(frag)
	}
	return d.detect(frag, 0, nil)
}

// DetectLines is Detect limited to keyword hits inside the given byte
// ranges (sorted, non-overlapping): history scanning uses it to skip lines
// already scanned in an earlier version of the same file.
func (d *Detector) DetectLines(frag Fragment, ranges [][2]int) ([]Finding, error) {
	return d.detect(frag, 0, ranges)
}

func (d *Detector) detect(frag Fragment, depth int, only [][2]int) ([]Finding, error) {
	data := frag.Data
	// Decoded text (depth > 0) has its outer fragment's path, judged already.
	if len(data) == 0 || depth == 0 && frag.Verdicts.allowedPath(d, frag.Path) {
		return nil, nil
	}
	// Path filters are judged once per fragment (per path with Verdicts),
	// not once per keyword hit.
	pathOK := frag.Verdicts.rules(d, frag.Path) // 0 unknown, 1 applies, -1 not
	var rev reversePath
	applies := func(ri int) bool {
		if pathOK[ri] == 0 {
			pathOK[ri] = -1
			if re := d.rules[ri].PathRegexp(); re == nil || d.pathMatches(ri, re, frag.Path, &rev) { // pathmatch.go
				pathOK[ri] = 1
			}
		}
		return pathOK[ri] == 1
	}

	// windows[i] is rule i's list of [start,end) spans to run its regex on.
	windows := map[int][][2]int{}
	addWindow := func(ri, pos int) {
		r := d.rules[ri]
		ws := windows[ri]
		if n := len(ws); n > 0 && pos < ws[n-1][1] {
			return // already inside the previous window
		}
		w, ok := ruleWindow(r, data, pos)
		if !ok {
			return
		}
		// Merge overlapping windows, but only up to maxMerged bytes: Go's
		// regexp uses its backtracker, several times faster than its NFA,
		// only on inputs of a few hundred bytes. Past the cap a new window
		// starts, overlapping the last; duplicate matches are dropped below.
		if n := len(ws); n > 0 && w[0] < ws[n-1][1] && (r.SpansLines() || max(ws[n-1][1], w[1])-ws[n-1][0] <= maxMerged) {
			ws[n-1][1] = max(ws[n-1][1], w[1])
		} else {
			ws = append(ws, w)
		}
		windows[ri] = ws
	}
	// Stage times are taken for the outer text only; decoded text's
	// rescans count in the decode stage (and their rules in byRule).
	st := d.opts.Stages
	var t0 time.Time
	if st != nil && depth == 0 {
		t0 = time.Now()
	}
	oi := 0
	d.keywordAC().FindAll(data, func(pattern, start, end int) bool {
		if only != nil {
			for oi < len(only) && only[oi][1] <= start {
				oi++
			}
			if oi >= len(only) {
				return false
			}
			if start < only[oi][0] {
				return true
			}
		}
		for _, ri := range d.kwRules[pattern] {
			if applies(ri) {
				addWindow(ri, start)
			}
		}
		return true
	})
	for _, ri := range d.noKw {
		if applies(ri) {
			windows[ri] = [][2]int{{0, len(data)}}
		}
	}

	if st != nil && depth == 0 {
		t0 = lap(&st.prefilter, t0)
	}
	var cands []candidate
	var errs []error
	for _, ri := range d.pathOnly {
		if applies(ri) {
			// The whole file, minus surrounding whitespace, is the secret.
			s := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
			e := len(bytes.TrimRight(data, " \t\r\n"))
			if e > s {
				cands = append(cands, candidate{rule: d.rules[ri], start: s, end: e, secretStart: s, secretEnd: e})
			}
		}
	}
	for ri, ws := range windows {
		r := d.rules[ri]
		if r.Pattern() == nil {
			continue // only an unvalidated pack can hold a broken regex
		}
		var rt time.Time
		if st != nil {
			rt = time.Now()
		}
		gate, lits := r.Gate(), r.Literals()
		for _, w := range ws {
			if gate != nil && !gate.Admits(data[w[0]:w[1]]) {
				continue
			}
			if lits != nil && !lits.Admits(data[w[0]:w[1]]) {
				continue
			}
			locs, err := r.Pattern().FindAllSubmatchIndex(data[w[0]:w[1]], -1)
			if err != nil {
				errs = append(errs, newTimeoutError(r.ID, frag, w, err)) // timeout.go
			}
			for _, loc := range locs {
				c, ok := secretSpan(r, loc)
				if !ok {
					continue
				}
				c.start += w[0]
				c.end += w[0]
				c.secretStart += w[0]
				c.secretEnd += w[0]
				if n := len(cands); n > 0 && cands[n-1].rule == r && cands[n-1].secretStart == c.secretStart && cands[n-1].secretEnd == c.secretEnd {
					continue // found again in an overlapping window
				}
				cands = append(cands, c)
			}
		}
		if st != nil {
			lap(&st.byRule[ri], rt)
		}
	}
	if st != nil && depth == 0 {
		t0 = lap(&st.regex, t0)
	}

	var lines *lineIndex
	var out []Finding
	for _, c := range resolveOverlaps(d.judge(frag, cands)) {
		if lines == nil {
			lines = newLineIndex(data)
		}
		f := d.finding(frag, c, lines)
		if d.ignored(&f) {
			continue
		}
		out = append(out, f)
	}
	if st != nil && depth == 0 {
		t0 = lap(&st.judge, t0)
	}
	if depth < d.maxDecode {
		if lines == nil {
			lines = newLineIndex(data)
		}
		decoded := d.detectDecoded(frag, depth, lines, out)
		kept := out[:0]
		for _, f := range out {
			if f.RuleID != "" {
				kept = append(kept, f)
			}
		}
		out = append(kept, decoded...)
		if len(out) > 1 {
			sort.SliceStable(out, func(i, j int) bool { return out[i].SecretStart < out[j].SecretStart })
		}
		if st != nil && depth == 0 {
			lap(&st.decode, t0)
		}
	}
	return out, errors.Join(errs...)
}

// ignored reports a finding the ignore files name.
func (d *Detector) ignored(f *Finding) bool {
	return d.opts.Ignore[f.Fingerprint] || d.opts.Known != nil && d.opts.Known(f)
}

// secretSpan picks the secret out of a match: secretGroup if set, else the
// first non-empty group, else the whole match (gitleaks' rule).
func secretSpan(r *rules.Rule, loc []int) (candidate, bool) {
	c := candidate{rule: r, start: loc[0], end: loc[1], secretStart: loc[0], secretEnd: loc[1]}
	groups := len(loc)/2 - 1
	switch {
	case r.SecretGroup > 0 && r.SecretGroup <= groups:
		c.secretStart, c.secretEnd = loc[2*r.SecretGroup], loc[2*r.SecretGroup+1]
		if c.secretStart < 0 {
			return c, false
		}
	case groups > 0:
		for g := 1; g <= groups; g++ {
			if loc[2*g] >= 0 && loc[2*g+1] > loc[2*g] {
				c.secretStart, c.secretEnd = loc[2*g], loc[2*g+1]
				break
			}
		}
	}
	return c, c.secretEnd > c.secretStart
}

// judge drops candidates that entropy, placeholders, inline allow comments
// or allowlists rule out.
func (d *Detector) judge(frag Fragment, cands []candidate) []candidate {
	data := frag.Data
	kept := cands[:0]
	fc := fragmentContext{path: frag.Path, data: data} // confidence.go
	for _, c := range cands {
		r := c.rule
		secret := string(data[c.secretStart:c.secretEnd])
		if r.Entropy > 0 && ShannonEntropy(secret) < r.Entropy {
			continue
		}
		if r.HasTag(rules.TagWeakDefault) {
			if isStructuralPlaceholder(secret) {
				continue
			}
		} else if IsPlaceholder(secret) {
			continue
		}
		ls, le := nearLineStart(data, c.start), nearLineEnd(data, c.start)
		line := data[ls:le]
		if hasInlineAllow(line) {
			continue
		}
		cand := rules.Candidate{Path: frag.Path, Commit: frag.Commit, Secret: secret,
			Match: string(data[c.start:c.end]), Line: string(line)}
		if d.allowed(r, cand) {
			continue
		}
		if fc.dropped(r, c.secretStart, c.secretEnd) {
			continue
		}
		kept = append(kept, c)
	}
	return kept
}

func (d *Detector) allowed(r *rules.Rule, c rules.Candidate) bool {
	for _, a := range r.Allowlists {
		if a.Allows(c) {
			return true
		}
	}
	for _, a := range d.cfg.Allowlists {
		if a.AppliesTo(r.ID) && a.Allows(c) {
			return true
		}
	}
	return false
}

// globallyAllowedPath skips a whole fragment when a global allowlist that
// judges only paths covers it (lock files, images, vendored code).
func (d *Detector) globallyAllowedPath(path string) bool {
	for _, a := range d.cfg.Allowlists {
		if len(a.TargetRules) == 0 && len(a.Paths) > 0 && len(a.Regexes) == 0 &&
			len(a.StopWords) == 0 && len(a.Commits) == 0 && a.Allows(rules.Candidate{Path: path}) {
			return true
		}
	}
	return false
}

var inlineAllowMarkers = [][]byte{[]byte("leakfix:allow"), []byte("gitleaks:allow"), []byte("pragma: allowlist secret")}

func hasInlineAllow(line []byte) bool {
	for _, m := range inlineAllowMarkers {
		if bytes.Contains(line, m) {
			return true
		}
	}
	return false
}

// resolveOverlaps keeps, among candidates whose secrets overlap, the one a
// reader would name: specific rules beat generic ones, higher confidence
// beats lower, and the earlier rule in the pack breaks ties.
func resolveOverlaps(cands []candidate) []candidate {
	if len(cands) < 2 {
		return cands
	}
	better := func(a, b candidate) bool {
		ag, bg := a.rule.IsGeneric(), b.rule.IsGeneric()
		if ag != bg {
			return !ag
		}
		ac, bc := rules.ConfidenceRank(a.rule.Confidence), rules.ConfidenceRank(b.rule.Confidence)
		if ac != bc {
			return ac > bc
		}
		// A longer secret (a whole connection string) beats a part of it.
		if al, bl := a.secretEnd-a.secretStart, b.secretEnd-b.secretStart; al != bl {
			return al > bl
		}
		return a.rule.Order < b.rule.Order
	}
	sort.SliceStable(cands, func(i, j int) bool { return better(cands[i], cands[j]) })
	var kept []candidate
	for _, c := range cands {
		clash := false
		for _, k := range kept {
			if c.secretStart < k.secretEnd && k.secretStart < c.secretEnd {
				clash = true
				break
			}
		}
		if !clash {
			kept = append(kept, c)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].secretStart != kept[j].secretStart {
			return kept[i].secretStart < kept[j].secretStart
		}
		return kept[i].rule.Order < kept[j].rule.Order
	})
	return kept
}

func (d *Detector) finding(frag Fragment, c candidate, lines *lineIndex) Finding {
	r := c.rule
	data := frag.Data
	secret := string(data[c.secretStart:c.secretEnd])
	sl, sc := lines.position(c.secretStart)
	el, ec := lines.position(max(c.secretStart, c.secretEnd-1))
	lineText := lines.lineAt(c.secretStart)
	f := Finding{
		RuleID:      r.ID,
		Description: r.Description,
		File:        frag.Path,
		StartLine:   sl,
		StartColumn: sc,
		EndLine:     el,
		EndColumn:   ec,
		Commit:      frag.Commit,
		Match:       string(data[c.start:c.end]),
		Secret:      secret,
		Entropy:     roundEntropy(ShannonEntropy(secret)),
		Provider:    r.Provider,
		Severity:    r.Severity,
		Confidence:  r.Confidence,
		Tags:        append([]string(nil), r.Tags...),
		Line:        string(lineText),
		SecretStart: c.secretStart,
		SecretEnd:   c.secretEnd,
	}
	if f.Provider == "" {
		f.Provider = providerFromID(r.ID)
	}
	// A checksum or structure check (rules/validate.go) outweighs the rule's
	// own confidence.
	checked := ""
	if in, ok := r.Inspect(secret); ok {
		checked = in.Confidence
		if in.Provider != "" {
			f.Provider = in.Provider
		}
	}
	f.Identifier = Identifier(string(data[nearLineStart(data, c.secretStart):c.secretStart]))
	f.Confidence = assessConfidence(r, checked, frag.Path, f.Identifier, f.Line, secret)
	f.Fingerprint = d.hash.Fingerprint(r.ID, frag.Path, secret)
	return f
}

func roundEntropy(e float64) float64 { return float64(int(e*1000+0.5)) / 1000 }

// providerFromID guesses a provider for rules (gitleaks') that name none:
// the id up to its last dash-separated type word.
func providerFromID(id string) string {
	parts := strings.Split(id, "-")
	for len(parts) > 1 {
		switch parts[len(parts)-1] {
		case "key", "token", "secret", "id", "api", "access", "pat", "password", "webhook", "url", "client":
			parts = parts[:len(parts)-1]
			continue
		}
		break
	}
	return strings.Join(parts, "-")
}

// lineIndex maps byte offsets to 1-based lines and code-point columns. It
// counts newlines lazily from a cursor (bytes.Count is vectorised), because
// most fragments have no finding and the rest have a few, so a full index of
// every line start would cost more than it saves.
type lineIndex struct {
	data     []byte
	cursor   int // byte offset up to which newlines are counted
	lineAtCu int // 1-based line number at cursor
	colAtCu  int // 1-based column at cursor; 0 when not known
}

func newLineIndex(data []byte) *lineIndex {
	return &lineIndex{data: data, lineAtCu: 1}
}

// position returns the 1-based line and column of byte offset off.
func (l *lineIndex) position(off int) (int, int) {
	if off < l.cursor {
		l.cursor, l.lineAtCu, l.colAtCu = 0, 1, 0
	}
	nl := bytes.Count(l.data[l.cursor:off], []byte{'\n'})
	var col int
	if nl == 0 && l.colAtCu > 0 {
		// Same line as the cursor: count on from it (a minified line of
		// megabytes holds many findings).
		col = l.colAtCu + utf8.RuneCount(l.data[l.cursor:off])
	} else {
		col = utf8.RuneCount(l.data[lineStart(l.data, off):off]) + 1
	}
	l.lineAtCu += nl
	l.cursor, l.colAtCu = off, col
	return l.lineAtCu, col
}

// lineAt returns the text of the line holding off, without its newline.
func (l *lineIndex) lineAt(off int) []byte {
	return bytes.TrimSuffix(l.data[nearLineStart(l.data, off):nearLineEnd(l.data, off)], []byte("\r"))
}

func lineStart(data []byte, pos int) int {
	return bytes.LastIndexByte(data[:pos], '\n') + 1
}

func lineEnd(data []byte, pos int) int {
	if pos >= len(data) {
		return len(data)
	}
	if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
		return pos + i
	}
	return len(data)
}

func linesBefore(data []byte, pos, n int) int {
	s := lineStart(data, pos)
	for ; n > 0 && s > 0; n-- {
		s = lineStart(data, s-1)
	}
	return s
}

func linesAfter(data []byte, pos, n int) int {
	e := lineEnd(data, pos)
	for ; n > 0 && e < len(data); n-- {
		e = lineEnd(data, e+1)
	}
	return e
}
