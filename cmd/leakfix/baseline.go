package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/scanner"
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

func runBaseline(ctx context.Context, e *env, args []string) error {
	var bf baselineFlags
	fs := newFlagSet(e, "baseline", "baseline import DETECT_SECRETS_BASELINE [flags]", baselineExamples)
	fs.StringVar(&bf.output, "output", "leakfix-baseline.json", "write the leakfix baseline to `FILE` (atomically)")
	fs.StringVar(&bf.root, "root", "", "the `DIR` the detect-secrets file names are relative to (default: the directory holding the detect-secrets baseline)")
	fs.BoolVar(&bf.matchLines, "match-lines", false, "also accept a leakfix finding on an entry's line when no secret's SHA-1 matches (for detect-secrets plugins that hash only part of a secret)")
	fs.StringVar(&bf.rf.config, "config", "", "rule pack `FILE` (default: as for scan, discovered at --root)")
	fs.BoolVar(&bf.rf.quiet, "quiet", false, "print nothing but errors")
	fs.BoolVar(&bf.rf.verbose, "verbose", false, "say more on stderr (never a secret)")
	pos, err := parseArgs(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError("baseline needs a subcommand: import DETECT_SECRETS_BASELINE")
	}
	if pos[0] != "import" {
		return usageError("unknown baseline subcommand %q (want import)", pos[0])
	}
	if len(pos) != 2 {
		return usageError("baseline import needs exactly one detect-secrets baseline file")
	}
	ds, err := readDetectSecretsBaseline(pos[1])
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
	res, err := importDetectSecrets(ctx, det, root, ds, bf.matchLines)
	if err != nil {
		return err
	}
	if err := naming.Assign(res.findings, cfg, nil); err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := writeBaselineJSON(bf.output, res.findings); err != nil {
		return &exitError{code: 2, err: err}
	}
	res.print(e, &bf, pos[1])
	for _, w := range res.warnings {
		warner(e, bf.rf.quiet)(w)
	}
	return nil
}

// detectSecretsBaseline is the part of detect-secrets' .secrets.baseline
// the import reads: file name → the secrets found there, each known only by
// the SHA-1 of its value.
type detectSecretsBaseline struct {
	Version string                          `json:"version"`
	Results map[string][]detectSecretsEntry `json:"results"`
}

type detectSecretsEntry struct {
	Type         string `json:"type"`
	Filename     string `json:"filename"`
	HashedSecret string `json:"hashed_secret"`
	IsVerified   bool   `json:"is_verified"`
	LineNumber   int    `json:"line_number"`
	IsSecret     *bool  `json:"is_secret,omitempty"`
}

func readDetectSecretsBaseline(path string) (*detectSecretsBaseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read detect-secrets baseline: %w", err)
	}
	var ds detectSecretsBaseline
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("%s is not a detect-secrets baseline: %w", path, err)
	}
	if ds.Results == nil {
		return nil, fmt.Errorf("%s is not a detect-secrets baseline: it has no \"results\" object", path)
	}
	return &ds, nil
}

// importResult is what an import found.
type importResult struct {
	entries   int
	matched   int
	unmatched []unmatchedEntry
	findings  []scanner.Finding // the leakfix baseline
	extra     int               // leakfix findings in those files detect-secrets did not list
	warnings  []string
}

type unmatchedEntry struct {
	file, typ string
	line      int
	reason    string
}

// privateKeyType is detect-secrets' name for its private-key plugin, which
// hashes the "BEGIN ... PRIVATE KEY" marker it matched rather than the key,
// so its entries can only be matched by line.
const privateKeyType = "Private Key"

// importDetectSecrets scans each file the detect-secrets baseline names
// and keeps the leakfix findings whose secret hashes (SHA-1, as
// detect-secrets does) to an entry of that file. Only files are scanned,
// never the whole root, so the baseline holds what detect-secrets knew
// about and nothing more.
func importDetectSecrets(ctx context.Context, det *scanner.Detector, root string, ds *detectSecretsBaseline, matchLines bool) (*importResult, error) {
	res := &importResult{}
	files := make([]string, 0, len(ds.Results))
	for name := range ds.Results {
		files = append(files, name)
	}
	sort.Strings(files)
	kept := map[string]bool{} // fingerprints already in the baseline
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entries := ds.Results[name]
		res.entries += len(entries)
		miss := func(en detectSecretsEntry, reason string) {
			res.unmatched = append(res.unmatched, unmatchedEntry{file: name, typ: en.Type, line: en.LineNumber, reason: reason})
		}
		rel := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			for _, en := range entries {
				miss(en, "file name is outside the root")
			}
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			reason := "cannot read the file"
			if errors.Is(err, os.ErrNotExist) {
				reason = "the file no longer exists"
			}
			for _, en := range entries {
				miss(en, reason)
			}
			continue
		}
		found, err := det.Detect(scanner.Fragment{Path: rel, Data: data})
		if err != nil {
			// Regex timeouts: the findings that did come are still good.
			res.warnings = append(res.warnings, fmt.Sprintf("%s: %v", rel, err))
		}
		used := make([]bool, len(found))
		hashes := make([]string, len(found))
		for i, f := range found {
			sum := sha1.Sum([]byte(f.Secret))
			hashes[i] = hex.EncodeToString(sum[:])
		}
		for _, en := range entries {
			want := strings.ToLower(strings.TrimSpace(en.HashedSecret))
			hit := false
			for i := range found {
				if hashes[i] == want {
					used[i], hit = true, true
				}
			}
			if !hit && (matchLines || en.Type == privateKeyType) && en.LineNumber > 0 {
				for i, f := range found {
					if f.StartLine <= en.LineNumber && en.LineNumber <= max(f.EndLine, f.StartLine) {
						used[i], hit = true, true
					}
				}
			}
			switch {
			case hit:
				res.matched++
			case len(found) == 0:
				miss(en, "leakfix finds no secret in this file")
			case matchLines:
				miss(en, "no leakfix finding has this secret or is on this line")
			default:
				miss(en, "no leakfix finding has this secret (try --match-lines)")
			}
		}
		for i, f := range found {
			switch {
			case !used[i]:
				res.extra++
			case !kept[f.Fingerprint]:
				kept[f.Fingerprint] = true
				res.findings = append(res.findings, f)
			}
		}
	}
	scanner.SortFindings(res.findings)
	return res, nil
}

// print summarises the import without a value or a hash of one: file
// names, lines and detect-secrets' plugin names only.
func (res *importResult) print(e *env, bf *baselineFlags, from string) {
	if bf.rf.quiet {
		return
	}
	fmt.Fprintf(e.stdout, "%s: %d detect-secrets entries, %d matched a leakfix finding; wrote %d finding(s) to %s\n",
		from, res.entries, res.matched, len(res.findings), bf.output)
	if len(res.unmatched) > 0 {
		fmt.Fprintf(e.stdout, "%d entries not imported (leakfix will report these secrets if it finds them later):\n", len(res.unmatched))
		for _, u := range res.unmatched {
			fmt.Fprintf(e.stdout, "  %s:%d  %s: %s\n", u.file, u.line, u.typ, u.reason)
		}
	}
	if res.extra > 0 {
		fmt.Fprintf(e.stdout, "%d leakfix finding(s) in these files were not in the detect-secrets baseline: leakfix scan --baseline %s will report them\n",
			res.extra, bf.output)
	}
}
