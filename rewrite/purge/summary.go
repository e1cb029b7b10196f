package purge

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/history"
)

func hasBinary(us []Unreachable) bool {
	for _, u := range us {
		if u.Binary {
			return true
		}
	}
	return false
}

// writeSummary says what was found and written; never a value.
func writeSummary(w io.Writer, repo string, findings []scanner.Finding, stats history.Stats, plan *Plan, unreachable []Unreachable, files Files) {
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
		fmt.Fprintf(w, "  %s\n      %s for --replace-text (git filter-repo and BFG)\n", files.Text, describeLines(plan.Text))
	}
	if len(plan.Message) > 0 {
		fmt.Fprintf(w, "  %s\n      %s for --replace-message (git filter-repo; secrets in commit messages)\n", files.Message, describeLines(plan.Message))
	}
	if hasBinary(unreachable) {
		fmt.Fprintf(w, "  %s\n      ids of binary blobs that hold secrets, for --strip-blobs-with-ids\n", files.StripIDs)
	}
	fmt.Fprintf(w, "  %s\n      the findings, redacted: what purge --verify checks against\n", files.Findings)
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

func describeLines(ls []Line) string {
	lit, re := 0, 0
	for _, l := range ls {
		if l.Kind == Literal {
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
