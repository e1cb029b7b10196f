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

// repoPrefix is dir's path inside its git work tree with a trailing slash
// ("sub/dir/"), or "" at the root or outside a work tree: what scan puts
// before paths under dir.
func repoPrefix(dir string) string {
	if !findWorkTreeOf(dir) {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(repoRootOf(dir), abs)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}
