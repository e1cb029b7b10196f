package scanner

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner/ahocorasick"
)

// The keyword automaton for the embedded pack's 1,085 keywords is built
// by `go generate ./rules` and embedded (rules.DefaultAutomaton): building
// it cost ~2 ms of every start-up, loading it costs microseconds. It is
// used only when the detector's keywords are exactly the ones it was built
// for (their SHA-256 leads the saved form); any other pack, or a stale
// saved form, is built as before.

// setKeywordAC gives d the automaton for keywords: at once when it is the
// saved one or the last one made, else built on another goroutine while
// the caller goes on (a pre-commit run spends that time in `git diff` and
// `git cat-file`); keywordAC waits for it.
func (d *Detector) setKeywordAC(keywords []string) {
	sum := keywordsSum(keywords)
	last.Lock()
	if last.m == nil || last.sum != sum {
		if m := prebuilt(sum); m != nil {
			last.m, last.sum = m, sum
		}
	}
	if last.m != nil && last.sum == sum {
		d.ac = last.m
		last.Unlock()
		return
	}
	last.Unlock()
	ready := make(chan struct{})
	d.acReady = ready
	go func() {
		d.ac = keywordMatcher(keywords)
		close(ready)
	}()
}

// keywordAC returns the detector's keyword automaton.
func (d *Detector) keywordAC() *ahocorasick.Matcher {
	if d.acReady != nil {
		<-d.acReady
	}
	return d.ac
}

// keywordMatcher returns the automaton for keywords, prebuilt if it can.
// The last one is kept: a process makes a second detector for the same
// pack (the redaction point's, cmd/leakfix/redact.go) as soon as there is
// a finding to report, and a Matcher is immutable.
func keywordMatcher(keywords []string) *ahocorasick.Matcher {
	sum := keywordsSum(keywords)
	last.Lock()
	defer last.Unlock()
	if last.m == nil || last.sum != sum {
		m := prebuilt(sum)
		if m == nil {
			m = ahocorasick.New(keywords)
		}
		last.m, last.sum = m, sum
	}
	return last.m
}

var last struct {
	sync.Mutex
	sum [sha256.Size]byte
	m   *ahocorasick.Matcher
}

// prebuilt loads the saved automaton if it was built for the keywords
// whose sum is given.
func prebuilt(sum [sha256.Size]byte) *ahocorasick.Matcher {
	data := rules.DefaultAutomaton()
	if len(data) < len(sum) || !bytes.Equal(data[:len(sum)], sum[:]) {
		return nil
	}
	m, err := ahocorasick.Load(data[len(sum):])
	if err != nil {
		return nil // stale format: TestPrebuiltAutomatonIsGenerated fails
	}
	return m
}

// keywordsSum identifies a keyword list, order included (the automaton
// reports keyword indexes).
func keywordsSum(keywords []string) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, k := range keywords {
		binary.LittleEndian.PutUint64(n[:], uint64(len(k)))
		h.Write(n[:])
		h.Write([]byte(k))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// detectorKeywords lists cfg's keywords in the order New gives them to
// the automaton.
func detectorKeywords(cfg *rules.Config) []string {
	var keywords []string
	for _, r := range cfg.Rules {
		if r.Regex != "" {
			keywords = append(keywords, r.Keywords...)
		}
	}
	return keywords
}

// PrebuiltAutomaton returns the saved form of the keyword automaton New
// builds for cfg, for `go generate ./rules`.
func PrebuiltAutomaton(cfg *rules.Config) ([]byte, error) {
	kws := detectorKeywords(cfg)
	sum := keywordsSum(kws)
	return ahocorasick.New(kws).AppendBinary(sum[:])
}
