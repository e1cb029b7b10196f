package purge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/history"
)

// ScanFunc scans every commit of repo. It has history.Scan's signature, so
// history.Scan is the default; a command passes its own to draw a progress
// line around the scan, which is terminal UI and stays out of this package.
type ScanFunc func(ctx context.Context, repo string, det *scanner.Detector, opts history.Options) ([]scanner.Finding, history.Stats, error)

// Options are what a purge run needs. Everything it says goes to Out (the
// summary, the next steps, survivors) or to Warn (operational messages):
// never to os.Stderr, so the command can pass both through its redactor.
type Options struct {
	// Detector and Config scan the history and name the secrets (Config
	// and Names feed naming.Assign, so replacements carry vault names).
	Detector *scanner.Detector
	Config   *rules.Config
	Names    naming.Overrides
	// From is a JSON report (leakfix history --format json): purge only
	// its findings; for Verify, the findings to look for.
	From string
	// Output and MessageOutput are --output and --message-output; empty
	// picks the place PlaceFiles describes.
	Output, MessageOutput string
	// History tunes the scan (Reader, MaxBlobSize). Its Warn defaults to
	// Warn.
	History history.Options
	// Scan defaults to history.Scan.
	Scan ScanFunc
	// ToolVersion is stamped in the findings file.
	ToolVersion string
	Out         io.Writer
	Warn        func(string)
}

func (o *Options) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
	}
}

// Repo is a repository to purge, opened once so that a path that is not a
// repository fails before any scan.
type Repo struct {
	// Path is the repository as the user named it; messages repeat it.
	Path string
	// Root is the absolute work tree root, or the git directory when Bare.
	Root string
	Bare bool
}

// Open finds the root of the repository at path (a work tree, a directory
// below one, or a bare repository).
func Open(path string) (*Repo, error) {
	r, err := OpenRepository(path)
	if err != nil {
		return nil, err
	}
	var root string
	bare := false
	wt, err := r.Worktree()
	switch {
	case err == nil:
		root = wt.Filesystem.Root()
	case errors.Is(err, git.ErrIsBareRepository):
		st, ok := r.Storer.(*filesystem.Storage)
		if !ok {
			return nil, fmt.Errorf("open repository %s: unexpected storage", path)
		}
		root, bare = st.Filesystem().Root(), true
	default:
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", path, err)
	}
	return &Repo{Path: path, Root: abs, Bare: bare}, nil
}

// Name is the repository's name: its directory without ".git". The files
// and the mirror clone are named after it.
func (r *Repo) Name() string {
	name := strings.TrimSuffix(filepath.Base(r.Root), ".git")
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "repo"
	}
	return name
}

// SurvivedError is Verify's verdict when findings of the report are still
// in the history: a result, not a failure to run, so a command can give
// it its own exit status.
type SurvivedError struct {
	Count  int
	Report string
	Repo   string
}

func (e *SurvivedError) Error() string {
	return fmt.Sprintf("%d finding(s) of %s survived the rewrite in %s", e.Count, e.Report, e.Repo)
}

// scanResult is what a scan gave: findings, coverage, and ErrIncomplete
// when some objects could not be read.
type scanResult struct {
	findings []scanner.Finding
	stats    history.Stats
	scanErr  error
}

// Run scans the history (or reads From), plans the replace-text lines,
// writes the files (mode 0600) and prints what it wrote and the commands
// to run next. An incomplete scan still writes what it could and returns
// an error wrapping history.ErrIncomplete. A cancelled ctx returns
// ctx.Err() itself.
func (r *Repo) Run(ctx context.Context, opts Options) error {
	res, err := r.collect(ctx, &opts)
	if err != nil {
		return err
	}
	findings, stats, scanErr := res.findings, res.stats, res.scanErr
	if len(findings) == 0 {
		fmt.Fprintf(opts.Out, "no secrets in the history of %s: nothing to purge\n", r.Path)
		return scanErr
	}
	if err := naming.Assign(findings, opts.Config, opts.Names); err != nil {
		return err
	}
	plan := Build(findings)
	unreachable, err := FindUnreachable(ctx, r.Path, plan, findings, BlobOptions{Warn: opts.Warn})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}

	files, err := PlaceFiles(r, opts.Output, opts.MessageOutput, opts.Warn)
	if err != nil {
		return err
	}
	if err := files.Write(plan, findings, unreachable, opts.ToolVersion); err != nil {
		return err
	}
	src, local := Source(r.Root, opts.Warn)
	steps := Steps{
		Source:       src,
		Local:        local,
		Mirror:       filepath.Join(filepath.Dir(r.Root), r.Name()+"-purge.git"),
		TextFile:     files.Text,
		VerifyReport: files.Findings,
		Plan:         plan,
		Unreachable:  unreachable,
	}
	if len(plan.Message) > 0 {
		steps.MessageFile = files.Message
	}
	if hasBinary(unreachable) {
		steps.StripIDsFile = files.StripIDs
	}
	writeSummary(opts.Out, r.Path, findings, stats, plan, unreachable, files)
	if err := WriteSteps(opts.Out, steps); err != nil {
		return err
	}
	secretFiles := []string{files.Text}
	if len(plan.Text) == 0 {
		secretFiles = nil
	}
	if len(plan.Message) > 0 {
		secretFiles = append(secretFiles, files.Message)
	}
	if len(secretFiles) > 0 {
		verb, it := "holds", "it"
		if len(secretFiles) > 1 {
			verb, it = "hold", "them"
		}
		opts.warn(fmt.Sprintf("WARNING: %s %s live secrets in clear text (mode 0600): keep %s out of every repository, share %s with no one, and delete %s once the rewrite is pushed",
			strings.Join(secretFiles, " and "), verb, it, it, it))
	}
	if len(plan.Omitted) > 0 {
		opts.warn(fmt.Sprintf("%d finding(s) could not be put in the replace-text file (listed above): remove them by hand", len(plan.Omitted)))
	}
	if scanErr != nil {
		return fmt.Errorf("%w; the files cover only the objects that could be read", scanErr)
	}
	return nil
}

// collect scans the history, or reads From (scanning again for the values
// of a redacted report, matched by fingerprint).
func (r *Repo) collect(ctx context.Context, opts *Options) (scanResult, error) {
	if opts.From == "" {
		return r.scan(ctx, opts)
	}
	listed, err := report.ReadJSON(opts.From)
	if err != nil {
		return scanResult{}, fmt.Errorf("--from: %v", err)
	}
	var raw []scanner.Finding
	want := map[string]bool{}
	for _, f := range listed {
		if f.Secret == "" || f.Secret == scanner.RedactedText {
			if f.Fingerprint == "" {
				return scanResult{}, fmt.Errorf("--from %s: a finding has neither a value nor a fingerprint", opts.From)
			}
			want[f.Fingerprint] = true
		} else {
			raw = append(raw, f)
		}
	}
	if len(want) == 0 {
		return scanResult{findings: raw}, nil
	}
	res, err := r.scan(ctx, opts)
	if err != nil {
		return scanResult{}, err
	}
	matched := map[string]bool{}
	kept := raw
	for _, f := range res.findings {
		if want[f.Fingerprint] {
			matched[f.Fingerprint] = true
			kept = append(kept, f)
		}
	}
	if missing := len(want) - len(matched); missing > 0 {
		opts.warn(fmt.Sprintf("%d finding(s) of %s were not found in the history again (another rule pack, a rewritten history, or a report of uncommitted files?): they are not in the replace-text file",
			missing, opts.From))
	}
	res.findings = kept
	return res, nil
}

// scan is a history scan of every ref, as `leakfix history` runs it. An
// incomplete scan is not an error here: its findings are still used.
func (r *Repo) scan(ctx context.Context, opts *Options) (scanResult, error) {
	scan := opts.Scan
	if scan == nil {
		scan = history.Scan
	}
	ho := opts.History
	if ho.Warn == nil {
		ho.Warn = opts.Warn
	}
	findings, stats, scanErr := scan(ctx, r.Path, opts.Detector, ho)
	if ctx.Err() != nil {
		return scanResult{}, ctx.Err()
	}
	if scanErr != nil && !errors.Is(scanErr, history.ErrIncomplete) {
		return scanResult{}, scanErr
	}
	return scanResult{findings: findings, stats: stats, scanErr: scanErr}, nil
}

// Verify is `purge --verify`: it scans the history again and prints every
// finding of the From report that is still there (rule, name, commit,
// path; never the value). Survivors give a *SurvivedError; an incomplete
// scan with none gives an error wrapping history.ErrIncomplete.
func (r *Repo) Verify(ctx context.Context, opts Options) error {
	before, err := report.ReadJSON(opts.From)
	if err != nil {
		return fmt.Errorf("--from: %v", err)
	}
	if len(before) == 0 {
		return fmt.Errorf("--from %s holds no findings: nothing to verify", opts.From)
	}
	res, err := r.scan(ctx, &opts)
	if err != nil {
		return err
	}
	after, stats, scanErr := res.findings, res.stats, res.scanErr
	if err := naming.Assign(after, opts.Config, opts.Names); err != nil {
		return err
	}
	survivors := Survivors(before, after)
	for _, f := range survivors {
		where := "in " + f.File
		if f.InMessage {
			where = "in the message"
		}
		fmt.Fprintf(opts.Out, "survivor: %s (%s) %s of commit %s\n", f.RuleID, f.SecretName, where, f.Commit)
	}
	if others := len(after) - len(survivors); others > 0 {
		opts.warn(fmt.Sprintf("%d other finding(s) not in %s: `leakfix history %s` lists them", others, opts.From, r.Path))
	}
	if len(survivors) > 0 {
		return &SurvivedError{Count: len(survivors), Report: opts.From, Repo: r.Path}
	}
	if scanErr != nil {
		return fmt.Errorf("%w; nothing survived in the objects that could be read", scanErr)
	}
	fmt.Fprintf(opts.Out, "verified: none of the %d finding(s) of %s is left in %s (%d commits, %d blobs scanned)\n",
		len(before), opts.From, r.Path, stats.Commits, stats.Blobs)
	return nil
}
