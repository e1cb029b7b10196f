package scanner

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/leakfix/leakfix/rules"
)

// Stages accumulates where a scan's time goes, for --verbose: reading
// files, the keyword prefilter, the rules' regexes, judging candidates
// (entropy, context, fingerprints), decoding layers, archives — and the
// regex time of each rule, so a user whose own rule is slow can find it.
// Times are summed over the workers (CPU-like, not wall). Only measured
// when Options.Stages is set: two clock reads per stage of a fragment and
// per rule that opened windows in it.
type Stages struct {
	read, prefilter, regex, judge, decode, archive atomic.Int64
	rules                                          []*rules.Rule
	byRule                                         []atomic.Int64
}

// NewStages returns an empty profile to pass in Options.Stages.
func NewStages() *Stages { return &Stages{} }

// bind sizes the per-rule times for the detector's pack.
func (s *Stages) bind(rs []*rules.Rule) {
	if s != nil && s.byRule == nil {
		s.rules, s.byRule = rs, make([]atomic.Int64, len(rs))
	}
}

// lap adds the time since t0 to a stage and returns now.
func lap(stage *atomic.Int64, t0 time.Time) time.Time {
	now := time.Now()
	stage.Add(int64(now.Sub(t0)))
	return now
}

// StageTime is one line of the profile.
type StageTime struct {
	Name string
	Time time.Duration
}

// Totals returns the stages in pipeline order. Archive time covers
// inflating and the entries' own scans, whose stages are counted above
// it as well; decode time likewise covers the rescans of decoded text.
func (s *Stages) Totals() []StageTime {
	return []StageTime{
		{"read", time.Duration(s.read.Load())},
		{"keyword prefilter", time.Duration(s.prefilter.Load())},
		{"regex", time.Duration(s.regex.Load())},
		{"judge+fingerprint", time.Duration(s.judge.Load())},
		{"decode layers", time.Duration(s.decode.Load())},
		{"archives", time.Duration(s.archive.Load())},
	}
}

// Costliest returns the n rules with the most regex time, most first.
func (s *Stages) Costliest(n int) []StageTime {
	var out []StageTime
	for i := range s.byRule {
		if t := time.Duration(s.byRule[i].Load()); t > 0 {
			out = append(out, StageTime{s.rules[i].ID, t})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Time > out[b].Time })
	return out[:min(n, len(out))]
}
