package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/baseline"
	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/pflag"
)

// reportFlags are the flags every command that writes findings shares.
type reportFlags struct {
	format      string
	output      string
	config      string
	baseline    string
	showSecrets bool
	noColor     bool
	quiet       bool
	verbose     bool
	category    string
	// writeBaseline records every current finding in a baseline file
	// instead of writing a report (baseline.go).
	writeBaseline string
	// incomplete is set when some input was not fully scanned.
	incomplete bool
	// minConfidence drops findings below it (confidence.go).
	minConfidence string
	// ignored is what the ignore files hold, read by newDetector.
	ignored *baseline.Set
	// root is the scanned directory, for SARIF's versionControlProvenance.
	root string
	// gitleaks users' flags (gitleaks_flags.go).
	exitCode   int
	redact     redactFlag
	template   string
	ignorePath string
	depths     depthFlags // --max-archive-depth, --max-decode-depth (depth.go)
	diag       diagFlags  // --diagnostics, --diagnostics-dir (diagnostics.go)
	// stages times the detector under --verbose (stages.go).
	stages *scanner.Stages
}

func (rf *reportFlags) register(fs *pflag.FlagSet, defaultCategory string) {
	fs.StringVarP(&rf.format, "format", "f", "text", "report `FORMAT`: "+strings.Join(report.Formats, ", "))
	fs.StringVarP(&rf.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	fs.StringVarP(&rf.config, "config", "c", "", "rule pack `FILE` (default: .leakfix.toml, then .gitleaks.toml/gitleaks.toml at the repository root, then the embedded pack)")
	fs.StringVar(&rf.baseline, "baseline", "", "report only findings whose fingerprints are not in this earlier JSON report `FILE`")
	fs.BoolVar(&rf.showSecrets, "show-secrets", false, "print raw secret values in the report (never the default)")
	fs.BoolVar(&rf.noColor, "no-color", false, "no ANSI colour in text output (NO_COLOR is honoured too)")
	fs.BoolVarP(&rf.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.BoolVarP(&rf.verbose, "verbose", "v", false, "say more on stderr (never a secret)")
	fs.StringVar(&rf.category, "category", defaultCategory, "SARIF category (automationDetails.id, written with a trailing slash), so tree and history scans upload as separate analyses")
	registerMinConfidence(fs, rf)
	fs.StringVar(&rf.writeBaseline, "write-baseline", "", "record every current finding in baseline `FILE` (JSON, redacted) instead of writing a report, and exit 0; later runs pass it to --baseline")
	rf.registerGitleaks(fs)
	rf.depths.register(fs)
	rf.diag.register(fs)
}

func (rf *reportFlags) validate() error {
	if err := rf.validateGitleaks(); err != nil {
		return err
	}
	if rf.minConfidence != "" {
		if err := validMinConfidence(rf.minConfidence); err != nil {
			return err
		}
	}
	if rf.writeBaseline != "" && rf.output != "" {
		return usageError("--write-baseline writes the baseline instead of a report; drop --output (or run twice)")
	}
	return nil
}

// loadConfig picks the rule pack: --config, else a config file at the
// repository root (leakfix's own first, then gitleaks'), else the default.
func loadConfig(e *env, rf *reportFlags, root string) (*rules.Config, error) {
	path := rf.config
	if path == "" {
		path = discoverConfig(root)
	}
	var cfg *rules.Config
	var err error
	if path != "" {
		cfg, err = rules.LoadFile(path)
	} else {
		cfg, err = rules.Default()
	}
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	for _, w := range cfg.Warnings {
		warner(e, rf.quiet)(w)
	}
	if rf.verbose {
		fmt.Fprintf(e.stderr, "leakfix: rule pack %s: %d rules (%d on regexp2)\n", cfg.Source, len(cfg.Rules), rulesOnRegexp2(cfg))
	}
	return cfg, nil
}

// rulesOnRegexp2 counts the rules a pack runs on the backtracking engine
// (patterns RE2 rejects, as some gitleaks configs have).
func rulesOnRegexp2(cfg *rules.Config) int {
	n := 0
	for _, r := range cfg.Rules {
		if p := r.Pattern(); p != nil && p.Engine() == rules.EngineRegexp2 {
			n++
		}
	}
	return n
}

// ConfigNames are the files discovered at the repository root, in order.
var configNames = []string{".leakfix.toml", ".gitleaks.toml", "gitleaks.toml"}

func discoverConfig(root string) string {
	dir := repoRootOf(root)
	for _, n := range configNames {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// repoRootOf returns the git work tree containing path, or path's
// directory when it is in none.
func repoRootOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		dir = parent
	}
}

// ignoreFiles are read at the repository root, leakfix's own and gitleaks'.
var ignoreFiles = []string{".leakfixignore", ".gitleaksignore"}

// loadIgnoreFiles reads .leakfixignore and .gitleaksignore: one fingerprint
// per line (leakfix's, or gitleaks' file:rule:line and
// commit:file:rule:line), # comments.
func loadIgnoreFiles(root string, cfg *rules.Config, extra string) (*baseline.Set, error) {
	set := baseline.NewSet()
	var paths []string
	for _, name := range ignoreFiles {
		paths = append(paths, filepath.Join(repoRootOf(root), name))
	}
	if extra != "" {
		st, err := os.Stat(extra)
		if err != nil {
			return nil, fmt.Errorf("--gitleaks-ignore-path: %w", err)
		}
		if st.IsDir() {
			extra = filepath.Join(extra, ".gitleaksignore")
		}
		paths = append(paths, extra)
	}
	for _, p := range paths {
		s, err := baseline.ReadIgnoreFile(p, cfg.Resolve)
		if err != nil {
			return nil, err
		}
		set.Merge(s)
	}
	return set, nil
}

// applyBaseline drops findings the ignore files or an earlier report
// (leakfix's or gitleaks' JSON) hold.
func applyBaseline(e *env, rf *reportFlags, cfg *rules.Config, findings []scanner.Finding) ([]scanner.Finding, error) {
	findings = rf.ignored.Filter(findings) // commit-scoped entries need the commit history adds
	if rf.baseline == "" {
		return findings, nil
	}
	known, format, err := baseline.ReadReport(rf.baseline, cfg.Resolve)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--baseline: %w", err)}
	}
	if rf.verbose {
		fmt.Fprintf(e.stderr, "leakfix: baseline %s: %s, %d entries\n", rf.baseline, format, known.Len())
	}
	return known.Filter(findings), nil
}

// writeReport writes the report to --output atomically, or to stdout.
func writeReport(e *env, rf *reportFlags, cfg *rules.Config, findings []scanner.Finding) error {
	opts := report.Options{
		Format:      rf.format,
		ShowSecrets: rf.showSecrets,
		Category:    rf.category,
		ToolVersion: version,
		Rules:       cfg,
		Redactor:    e.red,
		Incomplete:  rf.incomplete,

		RedactPercent: int(rf.redact),
		Template:      rf.template,
	}
	if rf.format == report.FormatSARIF {
		opts.VCS = vcsInfo(context.Background(), rf.root)
	}
	// SARIF goes through WriteSARIF to learn whether the file fits GitHub's
	// limits; the warnings wait until the file is in place.
	var warnings []string
	write := func(w io.Writer) error {
		if rf.format != report.FormatSARIF {
			return report.Write(w, findings, opts)
		}
		sum, err := report.WriteSARIF(w, findings, opts)
		warnings = sum.Warnings()
		return err
	}
	var err error
	if rf.output == "" {
		opts.Color = rf.format == report.FormatText && e.stdoutIsTTY && !rf.noColor && e.getenv("NO_COLOR") == ""
		err = write(e.stdout)
	} else {
		// A report with secrets in it is as sensitive as the values file.
		perm := os.FileMode(0o644)
		if rf.showSecrets {
			perm = 0o600
		}
		err = report.WriteFileAtomic(rf.output, perm, write)
	}
	if err != nil {
		return err
	}
	warn := warner(e, rf.quiet)
	for _, w := range warnings {
		warn(w)
	}
	warnLossyNames(e, rf, findings) // redact.go
	if rf.output != "" {
		warn(reportSummary(rf.output, rf.format, findings))
	}
	return nil
}

// warner prints operational messages on stderr unless --quiet.
func warner(e *env, quiet bool) func(string) {
	return func(msg string) {
		if !quiet {
			fmt.Fprintf(e.stderr, "leakfix: %s\n", msg)
		}
	}
}
