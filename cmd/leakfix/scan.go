package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	shard       shardFlag
}

func scanCommand(e *env) *cobra.Command {
	sf := new(scanFlags)
	c := newCommand(e, "scan [PATH...]", "scan files, a directory, stdin (-) or the staged index for secrets",
		"PATH defaults to .; - reads stdin.", scanExamples, sf.run)
	sf.register(c.Flags(), "leakfix/tree")
	registerScanFlags(c.Flags(), sf)
	return c
}

func (sf *scanFlags) run(ctx context.Context, e *env, paths []string) error {
	if err := sf.validate(); err != nil {
		return err
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if sf.shard.s.N > 1 && (sf.staged || paths[0] == "-") {
		return usageError("--shard splits tree scans; --staged and stdin are one scan each")
	}
	if !sf.staged {
		if err := checkPaths(paths); err != nil { // paths.go
			return err
		}
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
		findings, scanErr = scanStaged(ctx, e, sf, det, paths)
		if scanErr != nil && !scanner.Incomplete(scanErr) {
			return scanErr
		}
	case len(paths) == 1 && paths[0] == "-":
		start := time.Now()
		var st scanner.StreamStats
		findings, st, scanErr = scanner.ScanStream(ctx, e.stdin, "stdin", det)
		if scanErr != nil && !errors.Is(scanErr, rules.ErrMatchTimeout) && !errors.Is(scanErr, scanner.ErrArchiveLimit) && !scanner.Incomplete(scanErr) {
			return &exitError{code: 2, err: scanErr}
		}
		if sf.verbose {
			fmt.Fprintf(e.stderr, "leakfix: stdin: %d bytes in %d segment(s) in %s\n", st.Bytes, st.Segments, time.Since(start).Round(time.Millisecond))
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
			Shard:       sf.shard.s,
			// Paths from the repository root, so its allowlists,
			// ignore files and baselines apply to any sub-directory.
			RepoRelative: true,
		}
		var stats scanner.Stats
		start := time.Now()
		findings, stats, scanErr = src.Scan(ctx, det)
		if scanErr != nil && !scanner.Incomplete(scanErr) {
			return scanErr
		}
		if sf.verbose {
			fmt.Fprintf(e.stderr, "leakfix: scanned %d files, %d bytes (%d binary, %d too large skipped) in %s\n",
				stats.Files, stats.Bytes, stats.Binary, stats.TooLarge, time.Since(start).Round(time.Millisecond))
			printStages(e, sf.stages)
		}
	}
	return finish(e, &sf.reportFlags, cfg, findings, scanErr)
}

func registerScanFlags(fs *pflag.FlagSet, sf *scanFlags) {
	fs.BoolVar(&sf.noIgnore, "no-ignore", false, "scan files that .gitignore excludes")
	fs.Int64Var(&sf.maxFileSize, "max-file-size", scanner.DefaultMaxScanSize, "skip files larger than `BYTES` (files past 8 MiB and stdin are streamed in bounded memory; --staged defaults to 10 MiB)")
	registerMaxMegabytes(fs, &sf.maxFileSize)
	fs.BoolVar(&sf.noBase64, "no-base64", false, "do not decode and scan base64 blobs")
	fs.Var(&sf.shard, "shard", shardUsage)
	fs.BoolVar(&sf.staged, "staged", false, "scan what is staged for the next commit (the index, not the work tree): for pre-commit hooks")
}

// newDetector loads the rule pack and .leakfixignore for root.
func newDetector(e *env, rf *reportFlags, root string, noBase64 bool) (*rules.Config, *scanner.Detector, error) {
	cfg, err := loadConfig(e, rf, root)
	if err != nil {
		return nil, nil, err
	}
	ignore, err := loadIgnoreFiles(root, cfg, rf.ignorePath)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	e.red.SetFinder(packFinder(cfg, noBase64)) // redact.go
	rf.ignored = ignore
	rf.root = root
	if rf.verbose {
		rf.stages = scanner.NewStages()
	}
	return cfg, scanner.New(cfg, rf.depths.apply(scanner.Options{Ignore: ignore.Fingerprints(), Known: ignore.Known, NoBase64: noBase64, Stages: rf.stages})), nil
}

// finish names, filters and writes findings, and turns the outcome into
// the exit status: 2 if the scan was incomplete, else 1 if anything was
// found, else 0.
func finish(e *env, rf *reportFlags, cfg *rules.Config, findings []scanner.Finding, scanErr error) error {
	findings = atLeastConfidence(findings, rf.minConfidence)
	if err := naming.Assign(findings, cfg, nil); err != nil {
		return &exitError{code: 2, err: err}
	}
	if rf.writeBaseline != "" {
		return writeBaselineFile(e, rf, findings, scanErr)
	}
	found := len(findings)
	recordSecrets(e, findings) // redact.go: baselined ones too
	findings, err := applyBaseline(e, rf, cfg, findings)
	if err != nil {
		return err
	}
	if rf.verbose && rf.baseline != "" {
		fmt.Fprintf(e.stderr, "leakfix: baseline %s: %d known finding(s) not reported\n", rf.baseline, found-len(findings))
	}
	rf.incomplete = scanErr != nil // the text report must not read as clean
	if err := writeReport(e, rf, cfg, findings); err != nil {
		return &exitError{code: 2, err: err}
	}
	if scanErr != nil {
		return &exitError{code: 2, err: scanErr}
	}
	if len(findings) > 0 {
		return rf.findingsExit()
	}
	return nil
}
