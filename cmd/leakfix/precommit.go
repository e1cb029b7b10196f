package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/scanner"
)

// isFileList reports whether --staged was given file names (pre-commit's
// pass_filenames) rather than at most one repository directory.
func isFileList(paths []string) bool {
	if len(paths) > 1 {
		return true
	}
	if len(paths) == 1 && paths[0] != "-" {
		st, err := os.Stat(paths[0])
		return err == nil && !st.IsDir()
	}
	return false
}

// scanStagedFiles is `scan --staged FILE...`, as pre-commit runs a hook:
// from the repository root, with the files it selected. In a commit those
// are the staged files, and only the lines the commit adds are checked (a
// secret already committed does not block unrelated work). Under
// `pre-commit run --all-files` or `--files`, pre-commit passes files the
// commit does not change: those are scanned whole, so a committed token
// fails the run instead of passing unnoticed.
func scanStagedFiles(ctx context.Context, e *env, sf *scanFlags, det *scanner.Detector, files []string) ([]scanner.Finding, error) {
	changed, err := stagedNames(ctx)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	findings, stagedErr := scanStaged(ctx, e, sf, det, []string{"."})
	if stagedErr != nil && !scanner.Incomplete(stagedErr) {
		return nil, stagedErr
	}
	var whole []string
	prefix := repoPrefix(".") // git names paths from the root; f is from here
	for _, f := range files {
		if _, ok := changed[prefix+filepath.ToSlash(filepath.Clean(f))]; ok {
			continue
		}
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			whole = append(whole, f)
		}
	}
	if len(whole) == 0 {
		return findings, stagedErr
	}
	src := &scanner.FileSource{Roots: whole, NoIgnore: true, MaxFileSize: sf.maxFileSize, Warn: warner(e, sf.quiet), RepoRelative: true}
	more, stats, err := src.Scan(ctx, det)
	if err != nil && !scanner.Incomplete(err) {
		return nil, &exitError{code: 2, err: err}
	}
	if sf.verbose {
		fmt.Fprintf(e.stderr, "leakfix: %d file(s) the commit does not change scanned whole (%d bytes)\n", stats.Files, stats.Bytes)
	}
	findings = append(findings, more...)
	scanner.SortFindings(findings)
	return findings, errors.Join(stagedErr, err) // incomplete: reported, exit 2
}

// stagedNames lists the paths the index changes against HEAD (all of them
// before the first commit), honouring GIT_INDEX_FILE as git sets it.
func stagedNames(ctx context.Context) (map[string]struct{}, error) {
	args := []string{"diff", "--cached", "--name-only", "-z", "--no-renames"}
	if err := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "-q", "HEAD").Run(); err != nil {
		args = []string{"ls-files", "-z", "--cached"}
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	names := map[string]struct{}{}
	for _, n := range strings.Split(string(out), "\x00") {
		if n != "" {
			names[n] = struct{}{}
		}
	}
	return names, nil
}
