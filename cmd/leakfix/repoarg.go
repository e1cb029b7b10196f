package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// scpLike is git's user@host:path remote form.
var scpLike = regexp.MustCompile(`^[\w.-]+@[\w.-]+:`)

// checkRepoArg refuses what history and --staged cannot scan before git
// gets to walk up from it into an enclosing repository: a URL (leakfix
// never fetches) and a path that does not exist.
func checkRepoArg(cmd, repo string) error {
	if strings.Contains(repo, "://") || scpLike.MatchString(repo) {
		return usageError("%s %s: a URL; leakfix scans local repositories only (git clone --mirror %s, then %s the clone)", cmd, repo, repo, cmd)
	}
	st, err := os.Stat(repo)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usageError("%s %s: no such directory", cmd, repo)
	case err != nil:
		return usageError("%s %s: %v", cmd, repo, err)
	case !st.IsDir():
		return usageError("%s %s: not a directory (want a git repository)", cmd, repo)
	}
	return nil
}

// findWorkTreeOf reports whether path is inside a git work tree.
func findWorkTreeOf(path string) bool {
	_, err := os.Stat(filepath.Join(repoRootOf(path), ".git"))
	return err == nil
}
