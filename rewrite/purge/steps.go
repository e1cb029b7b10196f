package purge

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Steps are what the next-steps text needs to know.
type Steps struct {
	// Source is what to clone and push back to: the origin URL (without
	// credentials) or the repository's path.
	Source string
	// Local is set when Source is a path on this machine: git filter-repo
	// only rewrites what looks like a fresh clone, and a local clone is
	// only packed like one with --no-local.
	Local bool
	// Mirror is the directory the mirror clone goes to.
	Mirror string
	// The files purge wrote (MessageFile and StripIDsFile may be empty).
	TextFile, MessageFile, StripIDsFile string
	// VerifyReport is the report `purge --verify` checks against.
	VerifyReport string
	Plan         *Plan
	Unreachable  []Unreachable
}

// WriteSteps prints the commands to run next for git filter-repo and for
// BFG, in order: mirror clone, rewrite, expire reflogs and gc, verify,
// force-push; then what no rewrite can do (rotate, re-clone).
func WriteSteps(w io.Writer, s Steps) error {
	var b strings.Builder
	q := ShellQuote
	src, mirror := q(s.Source), q(s.Mirror)
	noLocal := ""
	if s.Local {
		noLocal = " --no-local"
	}
	threshold := bfgThreshold(s.Unreachable)
	msgCount := 0
	if s.Plan != nil {
		msgCount = len(s.Plan.MessageNames)
	}
	hasText := s.Plan != nil && len(s.Plan.Text) > 0

	b.WriteString("Next steps: rewrite a fresh mirror clone, never your working copy, then push it over the old history.\n\n")

	b.WriteString("With git filter-repo:\n")
	fmt.Fprintf(&b, "  git clone --mirror%s %s %s\n", noLocal, src, mirror)
	fmt.Fprintf(&b, "  cd %s\n", mirror)
	// --replace-refs delete-no-add: no refs/replace/<old-id> refs, which a
	// mirror push would otherwise publish.
	rewrite := "  git filter-repo --replace-refs delete-no-add"
	if hasText {
		rewrite += " --replace-text " + q(s.TextFile)
	}
	if s.MessageFile != "" {
		rewrite += " --replace-message " + q(s.MessageFile)
	}
	if s.StripIDsFile != "" {
		rewrite += " --strip-blobs-with-ids " + q(s.StripIDsFile)
	}
	b.WriteString(rewrite + "\n")
	b.WriteString("  git reflog expire --expire=now --all && git gc --prune=now --aggressive\n")
	fmt.Fprintf(&b, "  leakfix purge --verify . --from %s\n", q(s.VerifyReport))
	fmt.Fprintf(&b, "  git push --force --mirror %s\n", src)
	b.WriteString("  (filter-repo removes the origin remote so that nothing is pushed by accident, hence the explicit target)\n")
	if s.Plan != nil && len(s.Plan.Archived) > 0 {
		writeArchiveNote(&b, s.Plan.ArchivePaths())
	}
	b.WriteString("\n")

	b.WriteString("With BFG Repo-Cleaner:\n")
	if !hasText && s.StripIDsFile == "" {
		b.WriteString("  nothing to do for BFG: the secrets are only in commit messages, which BFG does not rewrite.\n")
		writeAfterwards(&b, s)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  git clone --mirror %s %s\n", src, mirror)
	java := "  java"
	if s.Plan != nil && s.Plan.NonASCII {
		java += " -Dfile.encoding=UTF-8"
	}
	bfg := java + " -jar bfg.jar"
	if hasText {
		bfg += " --replace-text " + q(s.TextFile)
	}
	if threshold != "" {
		bfg += " --filter-content-size-threshold " + threshold
	}
	if s.StripIDsFile != "" {
		bfg += " --strip-blobs-with-ids " + q(s.StripIDsFile)
	}
	b.WriteString(bfg + " " + mirror + "\n")
	fmt.Fprintf(&b, "  cd %s\n", mirror)
	b.WriteString("  git reflog expire --expire=now --all && git gc --prune=now --aggressive\n")
	fmt.Fprintf(&b, "  leakfix purge --verify . --from %s\n", q(s.VerifyReport))
	fmt.Fprintf(&b, "  git push --force --mirror %s\n", src)
	b.WriteString("  BFG leaves the files of the latest commit (HEAD) alone: remove the secrets from them first\n")
	b.WriteString("  (leakfix fix, commit, push) or add --no-blob-protection.\n")
	b.WriteString("  BFG replaces text line by line: a private key keeps its BEGIN/END lines, its body becomes markers.\n")
	if msgCount > 0 {
		fmt.Fprintf(&b, "  BFG does not rewrite commit messages: %d secret(s) found in messages stay unless you also run\n", msgCount)
		fmt.Fprintf(&b, "  git filter-repo --force --replace-message %s   (in the mirror, after BFG)\n", q(s.MessageFile))
	}
	if threshold != "" {
		b.WriteString("  (--filter-content-size-threshold: BFG skips the text of blobs of 1 MiB and more; see the blobs listed above)\n")
	}

	writeAfterwards(&b, s)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAfterwards is what no rewrite does: rotation, re-cloning, and
// deleting the files that hold the values.
func writeAfterwards(b *strings.Builder, s Steps) {
	q := ShellQuote
	b.WriteString("\nThen, whichever tool you used:\n")
	names := []string(nil)
	if s.Plan != nil {
		names = s.Plan.Names
	}
	fmt.Fprintf(b, "  ROTATE every one of these %d secret(s) anyway: they were exposed the moment they were pushed,\n", len(names))
	b.WriteString("  and clones, forks, CI logs and caches keep the old history (revoke the old value at the provider,\n")
	b.WriteString("  store the new one in the vault, restart what uses it):\n")
	for _, n := range names {
		fmt.Fprintf(b, "    %s\n", n)
	}
	b.WriteString("  Everyone with a clone must clone again: pushing from an old clone brings the secrets back.\n")
	b.WriteString("  Hosted forges keep pull-request refs and cached views of old commits until their support removes them.\n")
	var files []string
	if s.Plan != nil && len(s.Plan.Text) > 0 {
		files = append(files, q(s.TextFile))
	}
	if s.MessageFile != "" {
		files = append(files, q(s.MessageFile))
	}
	switch len(files) {
	case 1:
		fmt.Fprintf(b, "  Delete %s when you are done: it holds the secrets in clear text.\n", files[0])
	case 2:
		fmt.Fprintf(b, "  Delete %s when you are done: they hold the secrets in clear text.\n", strings.Join(files, " and "))
	}
}

// bfgThreshold is the --filter-content-size-threshold that lets BFG
// filter every large text blob listed, or "" when none is.
func bfgThreshold(us []Unreachable) string {
	var largest int64
	for _, u := range us {
		if u.Large && !u.Binary && u.Size > largest {
			largest = u.Size
		}
	}
	if largest == 0 {
		return ""
	}
	// BFG filters blobs smaller than the threshold; it wants a unit.
	mib := largest/(1<<20) + 1
	return fmt.Sprintf("%dM", mib)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)

// ShellQuote quotes s for a POSIX shell when it needs quoting.
func ShellQuote(s string) string {
	if s != "" && shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
