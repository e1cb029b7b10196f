package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

const scanExamples = `  leakfix scan                          scan the current directory (honours .gitignore in a git work tree)
  leakfix scan src/ config/prod.env     scan some paths
  leakfix scan --format sarif --output leakfix.sarif
  cat app.log | leakfix scan -          scan stdin
  leakfix scan --no-ignore --max-file-size 50000000 .
  leakfix scan --write-baseline leakfix-baseline.json    record today's findings (exits 0)
  leakfix scan --baseline leakfix-baseline.json          then report only new ones`

// scanFlags are scan's own flags on top of the report flags.
type scanFlags struct {
	reportFlags
	noIgnore    bool
	maxFileSize int64
	noBase64    bool
	staged      bool
}

func runScan(ctx context.Context, e *env, args []string) error {
	var sf scanFlags
	fs := newFlagSet(e, "scan", "scan [PATH...] [flags]   (PATH defaults to .; - reads stdin)", scanExamples)
	sf.register(fs, "leakfix/tree")
	registerScanFlags(fs, &sf)
	paths, err := parseArgs(e, fs, args)
	if err != nil {
		return err
	}
	if err := sf.validate(); err != nil {
		return err
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	root := paths[0]
	if root == "-" {
		root = "."
	}
	cfg, det, err := newDetector(e, &sf.reportFlags, root, sf.noBase64)
	if err != nil {
		return err
	}

	var findings []scanner.Finding
	var scanErr error
	switch {
	case sf.staged:
		findings, scanErr = scanStaged(ctx, e, &sf, det, paths)
		if scanErr != nil && !errors.Is(scanErr, scanner.ErrArchiveLimit) {
			return scanErr
		}
	case len(paths) == 1 && paths[0] == "-":
		findings, scanErr = scanner.ScanReader(e.stdin, "stdin", det)
		if scanErr != nil && !errors.Is(scanErr, rules.ErrMatchTimeout) && !errors.Is(scanErr, scanner.ErrArchiveLimit) {
			return &exitError{code: 2, err: scanErr}
		}
	default:
		for _, p := range paths {
			if p == "-" {
				return usageError("stdin (-) cannot be mixed with paths")
			}
		}
		src := &scanner.FileSource{
			Roots:       paths,
			NoIgnore:    sf.noIgnore,
			MaxFileSize: sf.maxFileSize,
			Warn:        warner(e, sf.quiet),
		}
		var stats scanner.Stats
		findings, stats, scanErr = src.Scan(ctx, det)
		if scanErr != nil && !errors.Is(scanErr, scanner.ErrUnreadable) {
			return scanErr
		}
		if sf.verbose {
			fmt.Fprintf(e.stderr, "leakfix: scanned %d files, %d bytes (%d binary, %d too large skipped)\n",
				stats.Files, stats.Bytes, stats.Binary, stats.TooLarge)
		}
	}
	return finish(e, &sf.reportFlags, cfg, findings, scanErr)
}

func registerScanFlags(fs *flag.FlagSet, sf *scanFlags) {
	fs.BoolVar(&sf.noIgnore, "no-ignore", false, "scan files that .gitignore excludes")
	fs.Int64Var(&sf.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "skip files larger than `BYTES`")
	fs.BoolVar(&sf.noBase64, "no-base64", false, "do not decode and scan base64 blobs")
	fs.BoolVar(&sf.staged, "staged", false, "scan what is staged for the next commit (the index, not the work tree): for pre-commit hooks")
}

// newDetector loads the rule pack and .leakfixignore for root.
func newDetector(e *env, rf *reportFlags, root string, noBase64 bool) (*rules.Config, *scanner.Detector, error) {
	cfg, err := loadConfig(e, rf, root)
	if err != nil {
		return nil, nil, err
	}
	ignore, err := loadIgnoreFile(root)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	return cfg, scanner.New(cfg, rf.depths.apply(scanner.Options{Ignore: ignore, NoBase64: noBase64})), nil
}

// finish names, filters and writes findings, and turns the outcome into
// the exit status: 2 if the scan was incomplete, else 1 if anything was
// found, else 0.
func finish(e *env, rf *reportFlags, cfg *rules.Config, findings []scanner.Finding, scanErr error) error {
	if err := naming.Assign(findings, cfg, nil); err != nil {
		return &exitError{code: 2, err: err}
	}
	if rf.writeBaseline != "" {
		return writeBaselineFile(e, rf, findings, scanErr)
	}
	found := len(findings)
	findings, err := applyBaseline(findings, rf.baseline)
	if err != nil {
		return err
	}
	if rf.verbose && rf.baseline != "" {
		fmt.Fprintf(e.stderr, "leakfix: baseline %s: %d known finding(s) not reported\n", rf.baseline, found-len(findings))
	}
	if err := writeReport(e, rf, cfg, findings); err != nil {
		return &exitError{code: 2, err: err}
	}
	if scanErr != nil {
		return &exitError{code: 2, err: scanErr}
	}
	if len(findings) > 0 {
		return errFindings
	}
	return nil
}
