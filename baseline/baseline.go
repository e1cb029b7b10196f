// Package baseline holds what tells a scan which findings are already
// known and must not be reported again: ignore files (.leakfixignore,
// .gitleaksignore) and earlier reports passed as --baseline (leakfix's JSON
// or gitleaks' JSON). Entries name findings in two ways:
//
//   - a leakfix fingerprint (32 hex digits): rule, file and a slow hash of
//     the secret, stable when lines move;
//   - a gitleaks fingerprint, `file:rule:line` (any commit) or
//     `commit:file:rule:line` (that commit only), where rule may be a
//     gitleaks id that the pack resolves to one of its own (rules.Config.Resolve).
//
// Paths are slash-separated and relative to the repository root.
package baseline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/scanner"
)

// Set is a collection of known findings.
type Set struct {
	fingerprints map[string]bool
	// locations maps file:rule:line to the commits it is known in; an
	// empty commit means every commit (and the work tree).
	locations map[string][]string
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{fingerprints: map[string]bool{}, locations: map[string][]string{}}
}

// Len counts the entries.
func (s *Set) Len() int {
	n := len(s.fingerprints)
	for _, c := range s.locations {
		n += len(c)
	}
	return n
}

// Fingerprints returns the leakfix fingerprints, which the detector checks
// itself (scanner.Options.Ignore).
func (s *Set) Fingerprints() map[string]bool { return s.fingerprints }

// Merge adds every entry of o.
func (s *Set) Merge(o *Set) {
	for k := range o.fingerprints {
		s.fingerprints[k] = true
	}
	for k, cs := range o.locations {
		s.locations[k] = append(s.locations[k], cs...)
	}
}

// Known reports whether f is in the set.
func (s *Set) Known(f *scanner.Finding) bool {
	if s == nil {
		return false
	}
	if s.fingerprints[f.Fingerprint] {
		return true
	}
	for _, c := range s.locations[location(f.File, f.RuleID, f.StartLine)] {
		if c == "" || f.Commit != "" && strings.HasPrefix(f.Commit, c) {
			return true
		}
	}
	return false
}

func location(file, rule string, line int) string {
	return file + ":" + rule + ":" + strconv.Itoa(line)
}

// Resolver maps a rule id, perhaps another scanner's, to the pack's own.
type Resolver func(id string) string

func identity(id string) string { return id }

// Add records one entry: a leakfix fingerprint or a gitleaks one.
func (s *Set) Add(entry string, resolve Resolver) error {
	if resolve == nil {
		resolve = identity
	}
	if isHex(entry) && !strings.Contains(entry, ":") {
		s.fingerprints[entry] = true
		return nil
	}
	commit, file, rule, line, err := parseLocation(entry)
	if err != nil {
		return err
	}
	k := location(file, resolve(rule), line)
	s.locations[k] = append(s.locations[k], commit)
	return nil
}

// parseLocation splits a gitleaks fingerprint. File names may hold colons,
// so the rule and line are taken from the end and a commit only from the
// start, when it is 7 to 40 hex digits and more than three parts remain.
func parseLocation(entry string) (commit, file, rule string, line int, err error) {
	parts := strings.Split(entry, ":")
	if len(parts) < 3 {
		return "", "", "", 0, fmt.Errorf("%q is neither a leakfix fingerprint (32 hex digits) nor a gitleaks one (file:rule:line or commit:file:rule:line)", entry)
	}
	n := len(parts)
	line, err = strconv.Atoi(parts[n-1])
	if err != nil || line < 1 || parts[n-2] == "" {
		return "", "", "", 0, fmt.Errorf("%q: a gitleaks fingerprint ends in :rule:line (a positive line number)", entry)
	}
	rule = parts[n-2]
	head := parts[:n-2]
	if len(head) > 1 && len(head[0]) >= 7 && len(head[0]) <= 40 && isHex(head[0]) {
		commit, head = head[0], head[1:]
	}
	file = strings.Join(head, ":")
	if file == "" {
		return "", "", "", 0, fmt.Errorf("%q: no file in the fingerprint", entry)
	}
	return commit, file, rule, line, nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ReadIgnoreFile reads an ignore file: one entry per line, `#` starts a
// comment. A missing file is an empty set. A malformed line is an error
// naming the file and line: a typo must not silently ignore nothing.
func ReadIgnoreFile(path string, resolve Resolver) (*Set, error) {
	s := NewSet()
	data, err := regfile.ReadFile(path) // a FIFO is refused, not waited on
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ignore file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := s.Add(line, resolve); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return s, nil
}

// Format names a report format ReadReport recognised.
type Format string

// Report formats accepted as baselines.
const (
	FormatLeakfix  Format = "leakfix-json"
	FormatGitleaks Format = "gitleaks-json"
)

// ReadReport reads an earlier report: leakfix's JSON (entries with
// rule_id and fingerprint) or gitleaks' JSON (entries with RuleID, File,
// StartLine and Commit or Fingerprint). Anything else is an error: a
// baseline that is silently not understood would report nothing as known
// and still look like it worked.
func ReadReport(path string, resolve Resolver) (*Set, Format, error) {
	data, err := regfile.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read baseline: %w", err)
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, "", fmt.Errorf("%s is not a JSON report (want a leakfix or gitleaks JSON array of findings): %w", path, err)
	}
	s := NewSet()
	if len(entries) == 0 {
		return s, FormatLeakfix, nil
	}
	switch {
	case entries[0]["RuleID"] != nil:
		for i, e := range entries {
			if err := s.addGitleaks(e, resolve); err != nil {
				return nil, "", fmt.Errorf("%s: finding %d: %w", path, i+1, err)
			}
		}
		return s, FormatGitleaks, nil
	case entries[0]["rule_id"] != nil:
		for i, e := range entries {
			var fp string
			if err := json.Unmarshal(e["fingerprint"], &fp); err != nil || fp == "" {
				return nil, "", fmt.Errorf("%s: finding %d has no fingerprint", path, i+1)
			}
			s.fingerprints[fp] = true
		}
		return s, FormatLeakfix, nil
	}
	return nil, "", fmt.Errorf("%s is not a leakfix or gitleaks JSON report: its first finding has neither rule_id nor RuleID", path)
}

// gitleaksFinding is the part of a gitleaks JSON finding a baseline needs.
type gitleaksFinding struct {
	RuleID      string
	File        string
	StartLine   int
	Commit      string
	Fingerprint string
}

func (s *Set) addGitleaks(raw map[string]json.RawMessage, resolve Resolver) error {
	b, _ := json.Marshal(raw)
	var g gitleaksFinding
	if err := json.Unmarshal(b, &g); err != nil {
		return fmt.Errorf("not a gitleaks finding: %w", err)
	}
	if g.Fingerprint != "" {
		return s.Add(g.Fingerprint, resolve)
	}
	if g.RuleID == "" || g.File == "" || g.StartLine < 1 {
		return errors.New("a gitleaks finding needs RuleID, File and StartLine (or Fingerprint)")
	}
	entry := location(g.File, g.RuleID, g.StartLine)
	if g.Commit != "" {
		entry = g.Commit + ":" + entry
	}
	return s.Add(entry, resolve)
}

// Filter drops the findings the set knows, in place.
func (s *Set) Filter(findings []scanner.Finding) []scanner.Finding {
	if s == nil || s.Len() == 0 {
		return findings
	}
	kept := findings[:0]
	for i := range findings {
		if !s.Known(&findings[i]) {
			kept = append(kept, findings[i])
		}
	}
	return kept
}
