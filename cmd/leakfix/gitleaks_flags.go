package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leakfix/leakfix/report"
	"github.com/spf13/pflag"
)

// Flags gitleaks users type. Each is either an alias bound to the same
// variable as leakfix's own flag (--report-format is --format,
// --report-path is --output) or a flag of its own with gitleaks' meaning.

func (rf *reportFlags) registerGitleaks(fs *pflag.FlagSet) {
	fs.StringVar(&rf.format, "report-format", rf.format, "alias of --format (gitleaks); json is leakfix's JSON, gitleaks-json has gitleaks' field names")
	fs.StringVar(&rf.output, "report-path", rf.output, "write the report to `FILE`: alias of --output (gitleaks)")
	fs.StringVar(&rf.baseline, "baseline-path", rf.baseline, "earlier report `FILE`: alias of --baseline (gitleaks); a gitleaks JSON report works as a baseline")
	fs.StringVar(&rf.template, "report-template", "", "Go text/template `FILE` for --format template, run over the findings with gitleaks' field names")
	fs.StringVar(&rf.ignorePath, "gitleaks-ignore-path", "", "another .gitleaksignore `FILE` (or a directory holding one) to read besides the repository root's (gitleaks)")
	fs.IntVar(&rf.exitCode, "exit-code", 1, "exit status `N` when secrets are found (gitleaks' --exit-code; 0 never fails a build)")
	rf.redact = 100
	// --redact alone means 100; --redact=N takes a percentage (pflag's
	// optional value: the = is needed, as in gitleaks).
	fs.Var(&rf.redact, "redact", "redact secrets (the default, 100%); --redact=N shows the first 100-N% of each secret, as gitleaks does")
	fs.Lookup("redact").NoOptDefVal = "100"
}

func (rf *reportFlags) validateGitleaks() error {
	ok := false
	for _, f := range report.Formats {
		ok = ok || rf.format == f
	}
	if !ok {
		return usageError("--format %q: want one of %s", rf.format, strings.Join(report.Formats, ", "))
	}
	if rf.format == report.FormatTemplate && rf.template == "" {
		return usageError("--format template needs --report-template FILE")
	}
	if rf.template != "" && rf.format != report.FormatTemplate {
		return usageError("--report-template is only used with --format template")
	}
	if rf.exitCode < 0 || rf.exitCode > 125 {
		return usageError("--exit-code %d: want 0 to 125", rf.exitCode)
	}
	if rf.exitCode == 2 {
		return usageError("--exit-code 2 is leakfix's status for errors; pick another")
	}
	return nil
}

// findingsExit is the error for "secrets found": exit 1, or --exit-code.
func (rf *reportFlags) findingsExit() error {
	if rf.exitCode == 1 {
		return errFindings
	}
	return &exitError{code: rf.exitCode}
}

// redactFlag is gitleaks' --redact[=N]: a bool flag that also takes a
// percentage. Leakfix redacts fully by default, so --redact alone changes
// nothing; --show-secrets is the only way to see whole secrets.
type redactFlag int

func (r *redactFlag) String() string { return strconv.Itoa(int(*r)) }
func (r *redactFlag) Type() string   { return "N" }
func (r *redactFlag) Set(v string) error {
	switch v {
	case "true":
		*r = 100
		return nil
	case "false":
		return fmt.Errorf("secrets are always redacted; use --show-secrets to see them")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return fmt.Errorf("want a percentage from 1 to 100 (0 would show secrets: use --show-secrets)")
	}
	*r = redactFlag(n)
	return nil
}

// megabytesFlag is gitleaks' --max-target-megabytes: it sets the same
// byte limit as --max-file-size.
type megabytesFlag struct{ bytes *int64 }

func (m megabytesFlag) String() string {
	if m.bytes == nil || *m.bytes == 0 {
		return ""
	}
	return strconv.FormatInt(*m.bytes>>20, 10)
}

func (m megabytesFlag) Type() string { return "N" }

func (m megabytesFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > 1<<20 {
		return fmt.Errorf("want a whole number of megabytes from 1")
	}
	*m.bytes = n << 20
	return nil
}

func registerMaxMegabytes(fs *pflag.FlagSet, bytes *int64) {
	fs.Var(megabytesFlag{bytes}, "max-target-megabytes", "skip files larger than `N` MiB (gitleaks' name for --max-file-size)")
}

// logOpts is the subset of gitleaks' --log-opts (git log options) that
// history honours: ref names and A..B ranges select commits, --since= and
// --after= a start date, --all is the default. Anything else is refused by
// name rather than silently scanning something else.
type logOpts struct {
	branches  []string
	rangeSpec string
	since     string
}

func parseLogOpts(s string) (logOpts, error) {
	var lo logOpts
	fields := strings.Fields(s)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case f == "--all" || f == "--":
		case strings.HasPrefix(f, "--since=") || strings.HasPrefix(f, "--after="):
			lo.since = f[strings.IndexByte(f, '=')+1:]
		case (f == "--since" || f == "--after") && i+1 < len(fields):
			i++
			lo.since = fields[i]
		case strings.HasPrefix(f, "-"):
			return lo, fmt.Errorf("--log-opts: %q is not supported (supported: --all, --since=DATE, --after=DATE, A..B, REF...)", f)
		case strings.Contains(f, ".."):
			if lo.rangeSpec != "" {
				return lo, fmt.Errorf("--log-opts: one A..B range at most")
			}
			lo.rangeSpec = f
		default:
			lo.branches = append(lo.branches, f)
		}
	}
	if lo.rangeSpec != "" && len(lo.branches) > 0 {
		return lo, fmt.Errorf("--log-opts: a range and ref names cannot be combined")
	}
	if lo.since != "" {
		if _, err := parseDate(lo.since); err != nil {
			return lo, fmt.Errorf("--log-opts: --since: %w", err)
		}
	}
	return lo, nil
}

// applyLogOpts folds --log-opts into history's own flags; combining both
// for the same setting is an error.
func (hf *historyFlags) applyLogOpts(s string) error {
	if s == "" {
		return nil
	}
	lo, err := parseLogOpts(s)
	if err != nil {
		return usageError("%v", err)
	}
	if (lo.rangeSpec != "" && hf.rangeSpec != "") || (len(lo.branches) > 0 && len(hf.branches) > 0) || (lo.since != "" && hf.since != "") {
		return usageError("--log-opts repeats what --range, --branch or --since already say")
	}
	if lo.rangeSpec != "" {
		hf.rangeSpec = lo.rangeSpec
	}
	hf.branches = append(hf.branches, lo.branches...)
	if lo.since != "" {
		hf.since = lo.since
	}
	return nil
}
