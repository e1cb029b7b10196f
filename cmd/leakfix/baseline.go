package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/leakfix/leakfix/baseline"
	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
)

// A baseline is a JSON report like any other: `--baseline` drops findings
// whose fingerprints it holds, so it survives lines moving. Values in it are
// always redacted; fingerprints are all it needs.

// writeBaselineFile is what --write-baseline does instead of writing a
// report: it records every current finding and exits 0, because a baseline
// is how a team says "these are known" — the findings are the point, not a
// failure. An incomplete scan still exits 2: the baseline would miss what
// could not be read.
func writeBaselineFile(e *env, rf *reportFlags, findings []scanner.Finding, scanErr error) error {
	if err := writeBaselineJSON(rf.writeBaseline, findings); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--write-baseline: %w", err)}
	}
	warner(e, rf.quiet)(fmt.Sprintf("wrote baseline %s: %d finding(s) recorded by fingerprint, values redacted; pass it to --baseline to report only new findings",
		rf.writeBaseline, len(findings)))
	if scanErr != nil {
		return &exitError{code: 2, err: fmt.Errorf("%w; the baseline covers only what was read", scanErr)}
	}
	return nil
}

// writeBaselineJSON writes findings, redacted, atomically.
func writeBaselineJSON(path string, findings []scanner.Finding) error {
	return report.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		return report.Write(w, findings, report.Options{Format: report.FormatJSON})
	})
}

const baselineExamples = `  leakfix scan --write-baseline leakfix-baseline.json     record what is there today (exits 0)
  leakfix scan --baseline leakfix-baseline.json           from then on, report only new findings
  leakfix baseline import .secrets.baseline               convert a detect-secrets baseline (writes leakfix-baseline.json)
  leakfix baseline import .secrets.baseline --output ci/leakfix-baseline.json --root .`

// baselineFlags are the flags of `leakfix baseline import`.
type baselineFlags struct {
	rf         reportFlags // only config, quiet and verbose apply
	output     string
	root       string
	matchLines bool
}

func baselineCommand(e *env) *cobra.Command {
	bf := new(baselineFlags)
	c := newCommand(e, "baseline import DETECT_SECRETS_BASELINE", "convert a detect-secrets baseline into a leakfix baseline", "", baselineExamples, bf.run)
	c.ValidArgsFunction = subcommandArgs("import") // completion.go
	fs := c.Flags()
	fs.StringVarP(&bf.output, "output", "o", "leakfix-baseline.json", "write the leakfix baseline to `FILE` (atomically)")
	fs.StringVar(&bf.root, "root", "", "the `DIR` the detect-secrets file names are relative to (default: the directory holding the detect-secrets baseline)")
	fs.BoolVar(&bf.matchLines, "match-lines", false, "also accept a leakfix finding on an entry's line when no secret's SHA-1 matches (for detect-secrets plugins that hash only part of a secret)")
	fs.StringVarP(&bf.rf.config, "config", "c", "", "rule pack `FILE` (default: as for scan, discovered at --root)")
	fs.BoolVarP(&bf.rf.quiet, "quiet", "q", false, "print nothing but errors")
	fs.BoolVarP(&bf.rf.verbose, "verbose", "v", false, "say more on stderr (never a secret)")
	return c
}

func (bf *baselineFlags) run(ctx context.Context, e *env, pos []string) error {
	if len(pos) == 0 {
		return usageError("baseline needs a subcommand: import DETECT_SECRETS_BASELINE")
	}
	if pos[0] != "import" {
		return usageError("unknown baseline subcommand %q (want import)", pos[0])
	}
	if len(pos) != 2 {
		return usageError("baseline import needs exactly one detect-secrets baseline file")
	}
	ds, err := baseline.ReadDetectSecrets(pos[1])
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	root := bf.root
	if root == "" {
		root = filepath.Dir(pos[1])
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return usageError("--root %s: not a directory", root)
	}
	cfg, det, err := newDetector(e, &bf.rf, root, false)
	if err != nil {
		return err
	}
	res, err := baseline.ImportDetectSecrets(ctx, det, root, repoPrefix(root), ds, bf.matchLines)
	if err != nil {
		return err
	}
	if err := naming.Assign(res.Findings, cfg, nil); err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := writeBaselineJSON(bf.output, res.Findings); err != nil {
		return &exitError{code: 2, err: err}
	}
	printImport(e, bf, pos[1], res)
	for _, w := range res.Warnings {
		warner(e, bf.rf.quiet)(w)
	}
	return nil
}

// print summarises the import without a value or a hash of one: file
// names, lines and detect-secrets' plugin names only.
func printImport(e *env, bf *baselineFlags, from string, res *baseline.ImportResult) {
	if bf.rf.quiet {
		return
	}
	fmt.Fprintf(e.stdout, "%s: %d detect-secrets entries, %d matched a leakfix finding; wrote %d finding(s) to %s\n",
		from, res.Entries, res.Matched, len(res.Findings), bf.output)
	if len(res.Unmatched) > 0 {
		fmt.Fprintf(e.stdout, "%d entries not imported (leakfix will report these secrets if it finds them later):\n", len(res.Unmatched))
		for _, u := range res.Unmatched {
			fmt.Fprintf(e.stdout, "  %s:%d  %s: %s\n", u.File, u.Line, u.Type, u.Reason)
		}
	}
	if res.Extra > 0 {
		fmt.Fprintf(e.stdout, "%d leakfix finding(s) in these files were not in the detect-secrets baseline: leakfix scan --baseline %s will report them\n",
			res.Extra, bf.output)
	}
}
