package main

import (
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/scanner"
)

// vcsInfo describes the git repository holding root for SARIF's
// versionControlProvenance, or nil outside one. The remote URL loses any
// credentials it carries (https://user:token@host/...): a report is
// uploaded and shared, the token would leak through it.
func vcsInfo(ctx context.Context, root string) *report.VCS {
	if root == "" || !findWorkTreeOf(root) {
		return nil
	}
	git := func(args ...string) string {
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	v := &report.VCS{
		RevisionID: git("rev-parse", "--verify", "-q", "HEAD"),
		Branch:     git("symbolic-ref", "-q", "--short", "HEAD"),
	}
	v.RepositoryURI = publicRemoteURL(git("remote", "get-url", "origin"))
	if v.RepositoryURI == "" {
		if top := git("rev-parse", "--show-toplevel"); top != "" {
			v.RepositoryURI = (&url.URL{Scheme: "file", Path: filepath.ToSlash(top)}).String()
		}
	}
	if v.RepositoryURI == "" {
		return nil
	}
	return v
}

var scpRemote = regexp.MustCompile(`^([\w.-]+)@([\w.-]+):(.+)$`)

// publicRemoteURL turns a git remote into a URI without credentials:
// user:password@ is dropped, scp-like git@host:path becomes ssh://host/path.
func publicRemoteURL(remote string) string {
	if remote == "" {
		return ""
	}
	if m := scpRemote.FindStringSubmatch(remote); m != nil && !strings.Contains(remote, "://") {
		return "ssh://" + m[2] + "/" + strings.TrimPrefix(m[3], "/")
	}
	u, err := url.Parse(remote)
	if err != nil || u.Scheme == "" {
		return ""
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// reportSummary is the line printed on stderr when the report went to a
// file, so a CI log still says what was found: counts by severity, never
// a value or a path.
func reportSummary(path, format string, findings []scanner.Finding) string {
	if len(findings) == 0 {
		return "wrote " + path + " (" + format + "): no secrets found"
	}
	bySev := map[string]int{}
	files := map[string]bool{}
	for _, f := range findings {
		bySev[f.Severity]++
		files[f.File] = true
	}
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low"} {
		if n := bySev[s]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+s)
		}
	}
	return "wrote " + path + " (" + format + "): " + strconv.Itoa(len(findings)) + " finding(s) in " +
		strconv.Itoa(len(files)) + " file(s): " + strings.Join(parts, ", ")
}
