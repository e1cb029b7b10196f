package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/history"
	"github.com/spf13/cobra"
)

const historyExamples = `  leakfix history                              every commit on every ref of the repository here
  leakfix history ~/src/service.git            a bare repository
  leakfix history --branch main                only what main can reach
  leakfix history --range v1.2.0..HEAD         what changed since a release
  leakfix history --since 2024-01-01 --format json --output history.json
  leakfix history --format sarif --output history.sarif   (category leakfix/history)`

// historyFlags are history's own flags on top of the report flags.
type historyFlags struct {
	reportFlags
	branches   stringList
	since      string
	rangeSpec  string
	reader     string
	noBase64   bool
	noLineSkip bool
	maxSize    int64
	shard      shardFlag
	logOpts    string
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
func (s *stringList) Type() string       { return "stringList" }

func historyCommand(e *env) *cobra.Command {
	hf := new(historyFlags)
	c := newCommand(e, "history [REPO]", "scan every commit on every ref of a git repository, messages included",
		"REPO defaults to the repository here; bare or not.", historyExamples, hf.run)
	fs := c.Flags()
	hf.register(fs, "leakfix/history")
	fs.Var(&hf.branches, "branch", "scan only commits reachable from `REF` (branch, tag, commit; repeatable) instead of every ref")
	fs.StringVar(&hf.since, "since", "", "skip commits whose committer date is before `DATE` (YYYY-MM-DD or RFC 3339)")
	fs.StringVar(&hf.rangeSpec, "range", "", "scan only commits in `A..B` (reachable from B, not from A)")
	fs.StringVar(&hf.reader, "reader", history.ReaderAuto, "how blobs are read: auto (git if installed), git (git cat-file, fastest) or go-git (no git needed)")
	fs.BoolVar(&hf.noBase64, "no-base64", false, "do not decode and scan base64 blobs")
	fs.BoolVar(&hf.noLineSkip, "no-line-skip", false, "rescan lines already scanned in an earlier version of the same file (slower; for measurement)")
	fs.Int64Var(&hf.maxSize, "max-file-size", 0, "skip blobs larger than `BYTES` (default 10 MiB)")
	fs.Var(&hf.shard, "shard", shardUsage)
	registerMaxMegabytes(fs, &hf.maxSize)
	fs.StringVar(&hf.logOpts, "log-opts", "", "gitleaks' git log options, `OPTS`: the subset --all, --since=DATE, --after=DATE, A..B and ref names")
	return c
}

func (hf *historyFlags) run(ctx context.Context, e *env, pos []string) error {
	if err := hf.validate(); err != nil {
		return err
	}
	if err := hf.applyLogOpts(hf.logOpts); err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError("history takes one repository, got %d", len(pos))
	}
	repo := "."
	if len(pos) == 1 {
		repo = pos[0]
	}
	if err := checkRepoArg("history", repo); err != nil {
		return err
	}
	var since time.Time
	var err error
	if hf.since != "" {
		if since, err = parseDate(hf.since); err != nil {
			return usageError("--since: %v", err)
		}
	}
	if hf.rangeSpec != "" && len(hf.branches) > 0 {
		return usageError("--range and --branch cannot be combined")
	}
	switch hf.reader {
	case history.ReaderAuto, history.ReaderGit, history.ReaderGoGit:
	default:
		return usageError("--reader %q: want auto, git or go-git", hf.reader)
	}
	cfg, det, err := newDetector(e, &hf.reportFlags, repo, hf.noBase64)
	if err != nil {
		return err
	}
	opts := history.Options{
		Branches:    hf.branches,
		Range:       hf.rangeSpec,
		Since:       since,
		Reader:      hf.reader,
		NoLineSkip:  hf.noLineSkip,
		MaxBlobSize: hf.maxSize,
		Shard:       hf.shard.s,
	}
	var bar *progressLine
	warn := warner(e, hf.quiet)
	opts.Warn = func(msg string) { bar.clear(); warn(msg) }
	if e.stderrIsTTY && !hf.quiet {
		bar = &progressLine{e: e}
		opts.Progress = bar.show
	}
	findings, stats, scanErr := history.Scan(ctx, repo, det, opts)
	bar.clear()
	if ctx.Err() != nil {
		return ctx.Err() // interrupted: no report
	}
	if scanErr != nil && !errors.Is(scanErr, history.ErrIncomplete) {
		return &exitError{code: 2, err: scanErr}
	}
	if hf.verbose {
		fmt.Fprintf(e.stderr, "leakfix: %d commits from %d tips; %d distinct blobs (%d path/blob pairs), %.1f MB read, "+
			"%.1f MB scanned (%.1f MB of unchanged lines skipped), %d binary, %d too large; reader %s; walk %s, scan %s\n",
			stats.Commits, stats.Tips, stats.Blobs, stats.Pairs, float64(stats.Bytes)/1e6,
			float64(stats.ScannedBytes)/1e6, float64(stats.SkippedBytes)/1e6, stats.Binary, stats.TooLarge,
			stats.Reader, stats.WalkTime.Round(time.Millisecond), stats.ScanTime.Round(time.Millisecond))
		printStages(e, hf.stages)
	}
	return finish(e, &hf.reportFlags, cfg, findings, scanErr)
}

// parseDate accepts the date forms people type: a day, or RFC 3339.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want YYYY-MM-DD or RFC 3339 (2024-01-02T15:04:05Z)", s)
}

// progressLine redraws one status line on a terminal's stderr. It never
// shows a path or a secret: counts, sizes and rates only.
type progressLine struct {
	e          *env
	drawn      bool
	scanStart  time.Duration // elapsed time when blob reading began
	scanBegins bool
}

func (p *progressLine) show(pr history.Progress) {
	if pr.Done {
		return
	}
	secs := pr.Elapsed.Seconds()
	var line string
	if pr.Phase == "commits" {
		line = fmt.Sprintf("walking history: %d commits", pr.Commits)
	} else {
		if !p.scanBegins {
			p.scanBegins, p.scanStart = true, pr.Elapsed
		}
		secs -= p.scanStart.Seconds()
		mb := float64(pr.Bytes) / 1e6
		rate := 0.0
		if secs > 0 {
			rate = mb / secs
		}
		line = fmt.Sprintf("%d commits, blobs %d/%d, %.1f MB, %.1f MB/s", pr.Commits, pr.Blobs, pr.BlobsTotal, mb, rate)
		if pr.Blobs > 0 && pr.BlobsTotal > pr.Blobs {
			eta := time.Duration(secs * float64(time.Second) * float64(pr.BlobsTotal-pr.Blobs) / float64(pr.Blobs))
			line += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
		}
	}
	fmt.Fprintf(p.e.stderr, "\r\033[Kleakfix: %s", line)
	p.drawn = true
}

// clear erases the status line so the report and warnings start clean.
func (p *progressLine) clear() {
	if p != nil && p.drawn {
		fmt.Fprint(p.e.stderr, "\r\033[K")
		p.drawn = false
	}
}

// scanStaged is `leakfix scan --staged [REPO]`: the index of the repository
// at REPO (default: here), as a pre-commit hook needs it.
func scanStaged(ctx context.Context, e *env, sf *scanFlags, det *scanner.Detector, paths []string) ([]scanner.Finding, error) {
	if isFileList(paths) {
		return scanStagedFiles(ctx, e, sf, det, paths)
	}
	if len(paths) > 1 || (len(paths) == 1 && paths[0] == "-") {
		return nil, usageError("--staged takes at most one repository path")
	}
	repo := paths[0]
	maxBlob := sf.maxFileSize
	if maxBlob == scanner.DefaultMaxScanSize {
		maxBlob = scanner.DefaultMaxFileSize // staged blobs are held whole: keep their own default
	}
	if err := checkRepoArg("scan --staged", repo); err != nil {
		return nil, err
	}
	findings, stats, err := history.ScanStaged(ctx, repo, det, history.StagedOptions{
		IndexFile:   e.getenv("GIT_INDEX_FILE"),
		MaxBlobSize: maxBlob,
		Warn:        warner(e, sf.quiet),
	})
	if err != nil && !scanner.Incomplete(err) {
		return nil, &exitError{code: 2, err: err}
	}
	if sf.verbose {
		fmt.Fprintf(e.stderr, "leakfix: %d staged files differ from HEAD, %d scanned (%d bytes)\n",
			stats.Changed, stats.Scanned, stats.Bytes)
	}
	return findings, err
}
