package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
)

const mergeExamples = `  leakfix merge --output all.sarif shard-*.sarif      one SARIF, one run per tool and category
  leakfix merge --format json --output all.json shard-*.json
  # N machines, one scan: each runs
  leakfix history --shard 3/8 --format sarif --output shard-3.sarif .`

// mergeCommand is `leakfix merge REPORT...`: the reports of shards (or of
// several repositories) as one, each finding once (by fingerprint).
func mergeCommand(e *env) *cobra.Command {
	mf := new(mergeFlags)
	c := newCommand(e, "merge REPORT...", "merge JSON or SARIF reports (of --shard runs) into one, each finding once",
		"REPORTs are JSON or SARIF reports of leakfix scan/history, e.g. one per --shard.", mergeExamples, mf.run)
	c.Flags().StringVarP(&mf.format, "format", "f", "", "format of the reports and of the result: json or sarif (default: what the first report is)")
	c.Flags().StringVarP(&mf.output, "output", "o", "", "write the merged report to `FILE` (atomically) instead of stdout")
	return c
}

// mergeFlags are merge's flags.
type mergeFlags struct{ format, output string }

func (mf *mergeFlags) run(ctx context.Context, e *env, paths []string) error {
	if len(paths) == 0 {
		return usageError("merge needs at least one report")
	}
	inputs := make([]io.Reader, 0, len(paths))
	for _, p := range paths {
		data, err := regfile.ReadFile(p)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("merge: %w", err)}
		}
		if mf.format == "" {
			mf.format = report.FormatJSON
			if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
				mf.format = report.FormatSARIF
			}
		}
		inputs = append(inputs, bytes.NewReader(data))
	}
	write := func(w io.Writer) error {
		switch mf.format {
		case report.FormatJSON:
			fs, err := report.MergeJSON(inputs)
			if err != nil {
				return err
			}
			return report.WriteJSON(w, fs)
		case report.FormatSARIF:
			doc, err := report.MergeSARIF(inputs)
			if err != nil {
				return err
			}
			return report.WriteMergedSARIF(w, doc)
		}
		return usageError("--format %q: merge reads json or sarif", mf.format)
	}
	var err error
	if mf.output == "" {
		err = write(e.stdout)
	} else {
		// Merged reports may hold --show-secrets values: owner-only.
		err = report.WriteFileAtomic(mf.output, 0o600, write)
	}
	if err != nil {
		if _, ok := err.(*exitError); ok {
			return err
		}
		return &exitError{code: 2, err: fmt.Errorf("merge: %w", err)}
	}
	return nil
}

// shardFlag is --shard K/N.
type shardFlag struct{ s scanner.Shard }

func (f *shardFlag) String() string { return f.s.String() }
func (f *shardFlag) Type() string   { return "K/N" }
func (f *shardFlag) Set(v string) error {
	s, err := scanner.ParseShard(v)
	if err != nil {
		return err
	}
	f.s = s
	return nil
}

const shardUsage = "scan only part `K/N` of the paths (a deterministic split by path hash; N runs cover everything once, `leakfix merge` joins their reports)"
