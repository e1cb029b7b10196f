// Package report writes findings as text for people, JSON for programs and
// SARIF 2.1.0 for GitHub code scanning. Every writer redacts secrets unless
// told otherwise: redaction happens here, once, on the way out.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/leakfix/leakfix/internal/atomicfile"
	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/redact"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// Formats the writers support.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
)

// Options control how findings are written.
type Options struct {
	Format      string
	ShowSecrets bool          // write raw secrets (only with --show-secrets)
	Color       bool          // ANSI colour in text
	Category    string        // SARIF automationDetails.id
	ToolVersion string        // SARIF tool.driver.version
	Rules       *rules.Config // rule metadata for SARIF; may be nil
	// Redactor, when set, is the process's redaction point: it knows
	// secrets other runs of prepare never saw (a baseline's) and can look
	// for unreported ones in free text. Nil: the findings' own secrets.
	Redactor *redact.Redactor
	// Incomplete says some input was not fully scanned (unreadable, a
	// regex timeout): the text report then never says plainly "no
	// secrets found".
	Incomplete bool
	// RedactPercent, from 1 to 99, shows the first (100-N)% of each secret
	// followed by "..." (gitleaks' --redact=N); 0 or 100 hides it all.
	RedactPercent int
	// Template is the text/template file for FormatTemplate.
	Template string
	// VCS, when set, is written as SARIF's versionControlProvenance.
	VCS *VCS
}

// VCS names the repository and revision a scan ran on.
type VCS struct {
	RepositoryURI string // remote URL without credentials, or a file:// URL
	RevisionID    string // full commit id of HEAD
	Branch        string
}

// Write renders findings in opts.Format.
func Write(w io.Writer, findings []scanner.Finding, opts Options) error {
	out := prepare(findings, opts.ShowSecrets, opts.Redactor)
	if !opts.ShowSecrets {
		partialRedact(out, findings, opts.RedactPercent)
	}
	switch opts.Format {
	case "", FormatText:
		return writeText(w, out, opts)
	case FormatJSON:
		return WriteJSON(w, out)
	case FormatSARIF:
		return writeSARIF(w, out, opts)
	case FormatGitleaksJSON, FormatCSV, FormatJUnit, FormatTemplate:
		return writeGitleaks(w, out, opts)
	}
	return fmt.Errorf("unknown format %q (want %s)", opts.Format, strings.Join(Formats, ", "))
}

// prepare returns redacted copies unless secrets are to be shown. Every
// secret in the set is removed from every free-text field, because one
// finding's commit summary or line can hold another finding's secret; red
// (the process's redaction point) also removes secrets whose findings are
// not in the set.
func prepare(findings []scanner.Finding, show bool, red *redact.Redactor) []scanner.Finding {
	out := make([]scanner.Finding, len(findings))
	copy(out, findings)
	if show {
		return out
	}
	if red == nil {
		red = redact.New(nil)
	}
	for _, f := range findings {
		red.Add(f.Secret)
	}
	for i := range out {
		out[i] = out[i].Redacted()
		out[i].Match = red.String(out[i].Match)
		out[i].Line = red.String(out[i].Line)
		out[i].Message = red.String(out[i].Message)
	}
	return out
}

// WriteJSON writes findings as DESIGN.md's JSON array. Callers outside this
// package must pass already-redacted findings.
func WriteJSON(w io.Writer, findings []scanner.Finding) error {
	if findings == nil {
		findings = []scanner.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(findings)
}

// ReadJSON reads a JSON report back (for --from, baselines).
func ReadJSON(path string) ([]scanner.Finding, error) {
	data, err := regfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var fs []scanner.Finding
	if err := json.Unmarshal(data, &fs); err != nil {
		return nil, fmt.Errorf("%s is not a leakfix JSON report: %w", path, err)
	}
	return fs, nil
}

// WriteFileAtomic writes a file through a temporary file in the same
// directory and a rename, so a failed or interrupted run never leaves a
// half-written report behind. perm applies to the final file.
//
// A symlink is followed, so the file it points to is replaced, not the
// link. A target that exists and is not a regular file (/dev/null, a FIFO,
// /dev/stdout) is written in place: renaming over it would replace a
// device node with a regular file.
func WriteFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("write %s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return atomicfile.Write(path, atomicfile.Options{Perm: perm}, write)
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func writeText(w io.Writer, findings []scanner.Finding, opts Options) error {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	sevColor := map[string]string{"critical": ansiRed + ansiBold, "high": ansiRed, "medium": ansiYellow, "low": ansiDim}
	bySeverity := map[string]int{}
	files := map[string]bool{}
	for _, f := range byConfidence(findings) {
		bySeverity[f.Severity]++
		files[f.File] = true
		// Names, summaries and lines come from the data: a crafted one must
		// not drive the terminal or break the file:line:col shape.
		loc := fmt.Sprintf("%s:%d:%d", redact.Name(f.File), f.StartLine, f.StartColumn)
		if f.InMessage {
			loc = "commit message"
		}
		if _, err := fmt.Fprintf(w, "%s  %s  %s  %s\n", paint(ansiBold, loc),
			paint(sevColor[f.Severity], f.Severity), paint(ansiCyan, f.RuleID), f.Description); err != nil {
			return err
		}
		if f.Commit != "" {
			summary := f.Message
			if len(summary) > 72 {
				cut := 72
				for cut > 0 && !utf8.RuneStart(summary[cut]) {
					cut-- // never split a character
				}
				summary = summary[:cut] + "…"
			}
			fmt.Fprintf(w, "    commit %s  %s  %s  %s\n", shortSHA(f.Commit), redact.Name(f.Author), f.Date, redact.Name(summary))
		}
		if line := strings.TrimSpace(f.Line); line != "" && len(line) <= 240 {
			fmt.Fprintf(w, "    %s\n", paint(ansiDim, redact.Name(line)))
		} else if f.Match != "" && !strings.Contains(f.Match, "\n") {
			fmt.Fprintf(w, "    %s\n", paint(ansiDim, redact.Name(f.Match)))
		}
		extra := []string{"provider " + f.Provider}
		if f.SecretName != "" {
			extra = append(extra, "vault name "+f.SecretName)
		}
		if f.Encoding != "" {
			extra = append(extra, "decoded from "+f.Encoding)
		}
		extra = append(extra, "fingerprint "+f.Fingerprint)
		fmt.Fprintf(w, "    %s\n\n", paint(ansiDim, strings.Join(extra, " · ")))
	}
	if len(findings) == 0 {
		msg := "no secrets found"
		if opts.Incomplete {
			msg = "no secrets found in what was scanned; the scan was incomplete (see stderr)"
		}
		_, err := fmt.Fprintln(w, msg)
		return err
	}
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low"} {
		if n := bySeverity[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	_, err := fmt.Fprintf(w, "%d finding(s) in %d file(s): %s\n", len(findings), len(files), strings.Join(parts, ", "))
	return err
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// usedRules returns the ids of rules that have findings, sorted.
func usedRules(findings []scanner.Finding) []string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range findings {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	sort.Strings(ids)
	return ids
}
