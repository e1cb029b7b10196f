package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rewrite/purge"
	"github.com/leakfix/leakfix/rules"
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
	root, bare, err := purgeRepoRoot(repo)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg, det, err := newDetector(e, &pf.rf, repo, pf.noBase64)
	if err != nil {
		return err
	}
	if pf.verify {
		return purgeVerify(ctx, e, pf, repo, cfg, det, overrides)
	}

	res, err := purgeFindings(ctx, e, pf, repo, det)
	if err != nil {
		return err
	}
	findings, stats, scanErr := res.findings, res.stats, res.scanErr
	if len(findings) == 0 {
		fmt.Fprintf(e.stdout, "no secrets in the history of %s: nothing to purge\n", repo)
		if scanErr != nil {
			return &exitError{code: 2, err: scanErr}
		}
		return nil
	}
	if err := naming.Assign(findings, cfg, overrides); err != nil {
		return usageError("%v", err)
	}
	plan := purge.Build(findings)
	warn := warner(e, pf.rf.quiet)
	unreachable, err := purge.FindUnreachable(ctx, repo, plan, findings, purge.BlobOptions{Warn: warn})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &exitError{code: 2, err: err}
	}

	paths, err := purgePaths(e, pf, root, bare)
	if err != nil {
		return err
	}
	if err := writePurgeFiles(paths, plan, findings, unreachable); err != nil {
		return &exitError{code: 2, err: err}
	}
	src, local := purgeSource(root, warn)
	steps := purge.Steps{
		Source:       src,
		Local:        local,
		Mirror:       filepath.Join(filepath.Dir(root), purgeName(root)+"-purge.git"),
		TextFile:     paths.text,
		VerifyReport: paths.findings,
		Plan:         plan,
		Unreachable:  unreachable,
	}
	if len(plan.Message) > 0 {
		steps.MessageFile = paths.message
	}
	if hasBinary(unreachable) {
		steps.StripIDsFile = paths.stripIDs
	}
	printPurgeSummary(e.stdout, repo, findings, stats, plan, unreachable, paths)
	if err := purge.WriteSteps(e.stdout, steps); err != nil {
		return &exitError{code: 2, err: err}
	}
	secretFiles := []string{paths.text}
	if len(plan.Text) == 0 {
		secretFiles = nil
	}
	if len(plan.Message) > 0 {
		secretFiles = append(secretFiles, paths.message)
	}
	if len(secretFiles) > 0 {
		verb, it := "holds", "it"
		if len(secretFiles) > 1 {
			verb, it = "hold", "them"
		}
		warn(fmt.Sprintf("WARNING: %s %s live secrets in clear text (mode 0600): keep %s out of every repository, share %s with no one, and delete %s once the rewrite is pushed",
			strings.Join(secretFiles, " and "), verb, it, it, it))
	}
	if len(plan.Omitted) > 0 {
		warn(fmt.Sprintf("%d finding(s) could not be put in the replace-text file (listed above): remove them by hand", len(plan.Omitted)))
	}
	if scanErr != nil {
		return &exitError{code: 2, err: fmt.Errorf("%w; the files cover only the objects that could be read", scanErr)}
	}
	return nil
}

// purgeResult is what a scan gave: findings, coverage, and ErrIncomplete
// when some objects could not be read.
type purgeResult struct {
	findings []scanner.Finding
	stats    history.Stats
	scanErr  error
}

// purgeFindings scans the history, or reads --from (scanning again for
// the values of a redacted report).
func purgeFindings(ctx context.Context, e *env, pf *purgeFlags, repo string, det *scanner.Detector) (purgeResult, error) {
	if pf.from == "" {
		return purgeScan(ctx, e, pf, repo, det)
	}
	listed, err := report.ReadJSON(pf.from)
	if err != nil {
		return purgeResult{}, usageError("--from: %v", err)
	}
	var raw []scanner.Finding
	want := map[string]bool{}
	for _, f := range listed {
		if f.Secret == "" || f.Secret == scanner.RedactedText {
			if f.Fingerprint == "" {
				return purgeResult{}, usageError("--from %s: a finding has neither a value nor a fingerprint", pf.from)
			}
			want[f.Fingerprint] = true
		} else {
			raw = append(raw, f)
		}
	}
	if len(want) == 0 {
		return purgeResult{findings: raw}, nil
	}
	res, err := purgeScan(ctx, e, pf, repo, det)
	if err != nil {
		return purgeResult{}, err
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
		warner(e, pf.rf.quiet)(fmt.Sprintf("%d finding(s) of %s were not found in the history again (another rule pack, a rewritten history, or a report of uncommitted files?): they are not in the replace-text file",
			missing, pf.from))
	}
	res.findings = kept
	return res, nil
}

// purgeScan is a history scan of every ref, as `leakfix history` runs it.
func purgeScan(ctx context.Context, e *env, pf *purgeFlags, repo string, det *scanner.Detector) (purgeResult, error) {
	opts := history.Options{Reader: pf.reader, MaxBlobSize: pf.maxSize}
	var bar *progressLine
	warn := warner(e, pf.rf.quiet)
	opts.Warn = func(msg string) { bar.clear(); warn(msg) }
	if e.stderrIsTTY && !pf.rf.quiet {
		bar = &progressLine{e: e}
		opts.Progress = bar.show
	}
	findings, stats, scanErr := history.Scan(ctx, repo, det, opts)
	bar.clear()
	if ctx.Err() != nil {
		return purgeResult{}, ctx.Err()
	}
	if scanErr != nil && !errors.Is(scanErr, history.ErrIncomplete) {
		return purgeResult{}, &exitError{code: 2, err: scanErr}
	}
	return purgeResult{findings: findings, stats: stats, scanErr: scanErr}, nil
}

// purgeVerify is `purge --verify`: every finding of the report that a new
// scan still finds is a survivor.
func purgeVerify(ctx context.Context, e *env, pf *purgeFlags, repo string, cfg *rules.Config, det *scanner.Detector, overrides naming.Overrides) error {
	before, err := report.ReadJSON(pf.from)
	if err != nil {
		return usageError("--from: %v", err)
	}
	if len(before) == 0 {
		return usageError("--from %s holds no findings: nothing to verify", pf.from)
	}
	res, err := purgeScan(ctx, e, pf, repo, det)
	if err != nil {
		return err
	}
	after, stats, scanErr := res.findings, res.stats, res.scanErr
	if err := naming.Assign(after, cfg, overrides); err != nil {
		return usageError("%v", err)
	}
	survivors := purge.Survivors(before, after)
	for _, f := range survivors {
		where := "in " + f.File
		if f.InMessage {
			where = "in the message"
		}
		fmt.Fprintf(e.stdout, "survivor: %s (%s) %s of commit %s\n", f.RuleID, f.SecretName, where, f.Commit)
	}
	warn := warner(e, pf.rf.quiet)
	if others := len(after) - len(survivors); others > 0 {
		warn(fmt.Sprintf("%d other finding(s) not in %s: `leakfix history %s` lists them", others, pf.from, repo))
	}
	if len(survivors) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d finding(s) of %s survived the rewrite in %s", len(survivors), pf.from, repo)}
	}
	if scanErr != nil {
		return &exitError{code: 2, err: fmt.Errorf("%w; nothing survived in the objects that could be read", scanErr)}
	}
	fmt.Fprintf(e.stdout, "verified: none of the %d finding(s) of %s is left in %s (%d commits, %d blobs scanned)\n",
		len(before), pf.from, repo, stats.Commits, stats.Blobs)
	return nil
}

// purgeRepoRoot returns the work tree root of repo, or its git directory
// when it is bare.
func purgeRepoRoot(repo string) (root string, bare bool, err error) {
	r, err := purge.OpenRepository(repo)
	if err != nil {
		return "", false, err
	}
	wt, err := r.Worktree()
	switch {
	case err == nil:
		root = wt.Filesystem.Root()
	case errors.Is(err, git.ErrIsBareRepository):
		st, ok := r.Storer.(*filesystem.Storage)
		if !ok {
			return "", false, fmt.Errorf("open repository %s: unexpected storage", repo)
		}
		root, bare = st.Filesystem().Root(), true
	default:
		return "", false, fmt.Errorf("open repository %s: %w", repo, err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", false, fmt.Errorf("repository %s: %w", repo, err)
	}
	return abs, bare, nil
}

// purgeName is the repository's name: its directory without ".git".
func purgeName(root string) string {
	name := strings.TrimSuffix(filepath.Base(root), ".git")
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "repo"
	}
	return name
}

// purgeFileSet are the files purge writes.
type purgeFileSet struct {
	text, message, stripIDs, findings string
	// derived paths were chosen by purge, so stale ones from an earlier
	// run may be removed.
	messageDerived bool
}

// purgePaths picks where the files go: --output, else next to the
// repository, else (when that directory is itself in a git work tree, where
// a stray file could be committed) the user's config directory.
func purgePaths(e *env, pf *purgeFlags, root string, bare bool) (purgeFileSet, error) {
	var stem string
	if pf.output != "" {
		out, err := filepath.Abs(pf.output)
		if err != nil {
			return purgeFileSet{}, usageError("--output: %v", err)
		}
		if !bare && isInside(out, root) {
			warner(e, pf.rf.quiet)(fmt.Sprintf("%s is inside the work tree of %s: never commit it (add *.leakfix-* to .gitignore)", out, root))
		}
		stem = strings.TrimSuffix(strings.TrimSuffix(out, filepath.Ext(out)), "-replace")
		set := purgeFileSet{text: out, message: stem + "-messages.txt", stripIDs: stem + "-strip-blob-ids.txt",
			findings: stem + "-findings.json", messageDerived: true}
		return withMessageOutput(set, pf)
	}
	dir := filepath.Dir(root)
	name := purgeName(root)
	if inWorkTree(dir) {
		conf, err := os.UserConfigDir()
		if err != nil {
			return purgeFileSet{}, usageError("%s is inside a git work tree and there is no user config directory (%v): give --output", dir, err)
		}
		sum := sha256.Sum256([]byte(root))
		dir = filepath.Join(conf, "leakfix", "purge")
		name += "-" + hex.EncodeToString(sum[:4])
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return purgeFileSet{}, &exitError{code: 2, err: fmt.Errorf("create %s: %w", dir, err)}
		}
	}
	stem = filepath.Join(dir, name+".leakfix")
	set := purgeFileSet{text: stem + "-replace.txt", message: stem + "-messages.txt", stripIDs: stem + "-strip-blob-ids.txt",
		findings: stem + "-findings.json", messageDerived: true}
	return withMessageOutput(set, pf)
}

func withMessageOutput(set purgeFileSet, pf *purgeFlags) (purgeFileSet, error) {
	if pf.messageOutput != "" {
		abs, err := filepath.Abs(pf.messageOutput)
		if err != nil {
			return set, usageError("--message-output: %v", err)
		}
		set.message, set.messageDerived = abs, false
	}
	if set.message == set.text {
		return set, usageError("--message-output and --output name the same file")
	}
	return set, nil
}

// inWorkTree reports whether dir is inside a git work tree (or a git
// directory).
func inWorkTree(dir string) bool {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		if filepath.Base(d) == ".git" {
			return true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return false
		}
		d = parent
	}
}

// isInside reports whether path is root or below it.
func isInside(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writePurgeFiles writes every file 0600 and atomically, and removes
// stale derived files an earlier run left that this run does not write.
func writePurgeFiles(paths purgeFileSet, plan *purge.Plan, findings []scanner.Finding, unreachable []purge.Unreachable) error {
	write := func(path string, body []byte) error {
		return report.WriteFileAtomic(path, 0o600, func(w io.Writer) error {
			_, err := w.Write(body)
			return err
		})
	}
	err := report.WriteFileAtomic(paths.findings, 0o600, func(w io.Writer) error {
		return report.Write(w, findings, report.Options{Format: report.FormatJSON, ToolVersion: version})
	})
	if err != nil {
		return err
	}
	var ids strings.Builder
	for _, u := range unreachable {
		if u.Binary {
			ids.WriteString(u.ID + "\n")
		}
	}
	if ids.Len() > 0 {
		if err := write(paths.stripIDs, []byte(ids.String())); err != nil {
			return err
		}
	} else if err := removeStale(paths.stripIDs); err != nil {
		return err
	}
	if len(plan.Message) > 0 {
		if err := write(paths.message, purge.Render(plan.Message)); err != nil {
			return err
		}
	} else if paths.messageDerived {
		if err := removeStale(paths.message); err != nil {
			return err
		}
	}
	if len(plan.Text) > 0 {
		return write(paths.text, purge.Render(plan.Text))
	}
	return removeStale(paths.text)
}

func removeStale(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}

// purgeSource is what the mirror clone is made from: origin's URL without
// credentials, or the repository itself.
func purgeSource(root string, warn func(string)) (string, bool) {
	r, err := purge.OpenRepository(root)
	if err == nil {
		if rem, err := r.Remote("origin"); err == nil && len(rem.Config().URLs) > 0 {
			raw := rem.Config().URLs[0]
			clean, hadCreds := stripURLCredentials(raw)
			if hadCreds {
				warn("origin's URL holds credentials; they are left out of the commands below (git will ask for them)")
			}
			if !strings.Contains(clean, ":") {
				// A path (git resolves a relative one from the repository).
				if !filepath.IsAbs(clean) {
					clean = filepath.Join(root, clean)
				}
				return filepath.Clean(clean), true
			}
			return clean, strings.HasPrefix(clean, "file://")
		}
	}
	return root, true
}

// stripURLCredentials removes a password (and, over HTTP, where a token
// often sits in the user name, the whole user part) from a remote URL.
func stripURLCredentials(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.User == nil {
		return raw, false
	}
	_, hasPassword := u.User.Password()
	switch u.Scheme {
	case "http", "https", "ftp", "ftps":
		u.User = nil
		return u.String(), true
	}
	if hasPassword {
		u.User = url.User(u.User.Username())
		return u.String(), true
	}
	return raw, false
}

func hasBinary(us []purge.Unreachable) bool {
	for _, u := range us {
		if u.Binary {
			return true
		}
	}
	return false
}

// printPurgeSummary says what was found and written; never a value.
func printPurgeSummary(w io.Writer, repo string, findings []scanner.Finding, stats history.Stats, plan *purge.Plan, unreachable []purge.Unreachable, paths purgeFileSet) {
	commits := map[string]bool{}
	for _, f := range findings {
		commits[f.Commit] = true
	}
	fmt.Fprintf(w, "%d secret(s) (%d finding(s) in %d commit(s)) in the history of %s\n", len(plan.Names), len(findings), len(commits), repo)
	if stats.Commits > 0 {
		fmt.Fprintf(w, "scanned %d commits on every ref, %d distinct blobs\n", stats.Commits, stats.Blobs)
	}
	fmt.Fprintln(w, "\nWrote (mode 0600):")
	if len(plan.Text) > 0 {
		fmt.Fprintf(w, "  %s\n      %s for --replace-text (git filter-repo and BFG)\n", paths.text, describeLines(plan.Text))
	}
	if len(plan.Message) > 0 {
		fmt.Fprintf(w, "  %s\n      %s for --replace-message (git filter-repo; secrets in commit messages)\n", paths.message, describeLines(plan.Message))
	}
	if hasBinary(unreachable) {
		fmt.Fprintf(w, "  %s\n      ids of binary blobs that hold secrets, for --strip-blobs-with-ids\n", paths.stripIDs)
	}
	fmt.Fprintf(w, "  %s\n      the findings, redacted: what purge --verify checks against\n", paths.findings)
	if len(unreachable) > 0 {
		fmt.Fprintf(w, "\nBlobs that replace-text cannot clean (%d):\n", len(unreachable))
		for _, u := range unreachable {
			why := "1 MiB or more: BFG skips its text unless --filter-content-size-threshold is raised (git filter-repo cleans it)"
			if u.Binary {
				why = "binary (a NUL in the first 8 KiB): git filter-repo and BFG skip its text, so it is stripped (the file disappears from those commits)"
			}
			if u.Archive {
				why = "an archive with a secret inside its entries: no text replacement reaches them, so it is stripped (the file disappears from those commits)"
			}
			fmt.Fprintf(w, "  %s  %s  %s\n      %s\n", u.ID, humanSize(u.Size), strings.Join(u.Paths, ", "), why)
		}
	}
	if len(plan.Omitted) > 0 {
		fmt.Fprintf(w, "\nLeft out of the files (%d) — remove these by hand:\n", len(plan.Omitted))
		for _, o := range plan.Omitted {
			where := o.File
			if o.InMessage {
				where = "commit message"
			}
			fmt.Fprintf(w, "  %s (%s) %s at %s: %s\n", o.RuleID, o.Name, where, o.Commit, o.Reason)
		}
	}
	fmt.Fprintln(w)
}

func describeLines(ls []purge.Line) string {
	lit, re := 0, 0
	for _, l := range ls {
		if l.Kind == purge.Literal {
			lit++
		} else {
			re++
		}
	}
	return fmt.Sprintf("%d line(s): %d literal, %d regex", len(ls), lit, re)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
