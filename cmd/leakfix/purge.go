package main

import (
	"context"
	"errors"

	"github.com/leakfix/leakfix/rewrite/purge"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/history"
	"github.com/spf13/cobra"
)

const purgeExamples = `  leakfix purge                                 scan every commit on every ref here; write the replace-text
                                                file next to the repository (../NAME.leakfix-replace.txt)
  leakfix purge ~/src/service --output /secure/service-replace.txt
  leakfix history --format json --output history.json     (review it, drop false positives)
  leakfix purge --from history.json             purge only what the report lists
  leakfix purge --verify ../service-purge.git --from ../service.leakfix-findings.json
                                                after the rewrite: exit 1 if anything survived

Files (all mode 0600; by default next to the repository, or under the user
config directory when that place is itself inside a git work tree; never
inside the repository unless --output puts them there):
  NAME.leakfix-replace.txt         for git filter-repo --replace-text and BFG --replace-text
  NAME.leakfix-messages.txt        for git filter-repo --replace-message (secrets in commit messages)
  NAME.leakfix-strip-blob-ids.txt  binary blobs that hold secrets, for --strip-blobs-with-ids
  NAME.leakfix-findings.json       the findings, redacted: what purge --verify checks against
The replace-text files hold the secrets in clear text: delete them once the
rewritten history is pushed.

--from takes a JSON report (leakfix history --format json). A normal report
is redacted, so purge scans the history again and keeps the findings whose
fingerprints the report lists; a report written with --show-secrets is used
as it is.

--verify scans every commit again and lists each finding of the --from
report that is still there (rule, commit, path; never the value). Exit
status: 0 nothing survived, 1 survivors, 2 error.`

// purgeFlags are purge's flags.
type purgeFlags struct {
	rf            reportFlags // config, quiet and verbose apply
	from          string
	output        string
	messageOutput string
	names         string
	verify        bool
	noBase64      bool
	maxSize       int64
	reader        string
}

func purgeCommand(e *env) *cobra.Command {
	pf := new(purgeFlags)
	c := newCommand(e, "purge [REPO]", "write the git filter-repo / BFG replace-text file for a history clean-up; --verify checks it worked",
		"REPO defaults to the repository here; bare or not.", purgeExamples, pf.run)
	fs := c.Flags()
	fs.StringVar(&pf.from, "from", "", "purge the findings of this JSON report `FILE` (a redacted report: values are read again from the history, matched by fingerprint)")
	fs.StringVarP(&pf.output, "output", "o", "", "write the replace-text file to `FILE` (default ../NAME.leakfix-replace.txt); the other files go beside it")
	fs.StringVar(&pf.messageOutput, "message-output", "", "write the --replace-message file to `FILE` (default: beside the replace-text file)")
	fs.StringVar(&pf.names, "names", "", "TOML `FILE` of vault-name overrides, the same file given to leakfix fix (names appear in the replacements)")
	fs.BoolVar(&pf.verify, "verify", false, "after the rewrite: scan the history again and report every finding of --from that survived (exit 1 if any)")
	fs.StringVarP(&pf.rf.config, "config", "c", "", "rule pack `FILE` (default: as for history)")
	fs.BoolVarP(&pf.rf.quiet, "quiet", "q", false, "print nothing on stderr but errors (the live-secrets warning included)")
	fs.BoolVarP(&pf.rf.verbose, "verbose", "v", false, "say more on stderr (never a secret)")
	fs.BoolVar(&pf.noBase64, "no-base64", false, "do not decode and scan base64 blobs")
	fs.Int64Var(&pf.maxSize, "max-file-size", 0, "skip blobs larger than `BYTES` in the scan (default 10 MiB)")
	fs.StringVar(&pf.reader, "reader", history.ReaderAuto, "how blobs are read (`MODE`): auto, git or go-git, as for history")
	return c
}

func (pf *purgeFlags) run(ctx context.Context, e *env, pos []string) error {
	if len(pos) > 1 {
		return usageError("purge takes one repository, got %d", len(pos))
	}
	repo := "."
	if len(pos) == 1 {
		repo = pos[0]
	}
	switch pf.reader {
	case history.ReaderAuto, history.ReaderGit, history.ReaderGoGit:
	default:
		return usageError("--reader %q: want auto, git or go-git", pf.reader)
	}
	if pf.verify {
		if pf.from == "" {
			return usageError("--verify needs --from REPORT: the findings to look for (purge writes NAME.leakfix-findings.json)")
		}
		if pf.output != "" || pf.messageOutput != "" {
			return usageError("--verify writes no files; drop --output and --message-output")
		}
	}
	overrides, err := loadNames(pf.names)
	if err != nil {
		return usageError("--names: %v", err)
	}
	r, err := purge.Open(repo)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg, det, err := newDetector(e, &pf.rf, repo, pf.noBase64)
	if err != nil {
		return err
	}
	warn := warner(e, pf.rf.quiet)
	opts := purge.Options{
		Detector:      det,
		Config:        cfg,
		Names:         overrides,
		From:          pf.from,
		Output:        pf.output,
		MessageOutput: pf.messageOutput,
		History:       history.Options{Reader: pf.reader, MaxBlobSize: pf.maxSize},
		Scan:          progressScan(e, pf.rf.quiet),
		ToolVersion:   version,
		Out:           e.stdout,
		Warn:          warn,
	}
	if pf.verify {
		err = r.Verify(ctx, opts)
	} else {
		err = r.Run(ctx, opts)
	}
	var survived *purge.SurvivedError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	case errors.As(err, &survived):
		return &exitError{code: 1, err: err}
	}
	return &exitError{code: 2, err: err}
}

// progressScan is history.Scan with the progress line of `leakfix history`
// on a terminal's stderr, cleared before every warning and at the end.
func progressScan(e *env, quiet bool) purge.ScanFunc {
	return func(ctx context.Context, repo string, det *scanner.Detector, opts history.Options) ([]scanner.Finding, history.Stats, error) {
		var bar *progressLine
		warn := opts.Warn
		opts.Warn = func(msg string) { bar.clear(); warn(msg) }
		if e.stderrIsTTY && !quiet {
			bar = &progressLine{e: e}
			opts.Progress = bar.show
		}
		findings, stats, err := history.Scan(ctx, repo, det, opts)
		bar.clear()
		return findings, stats, err
	}
}
