package purge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/scanner"
)

// Files are the paths purge writes. The replace-text and message files
// hold live secrets, so where they go is decided here, once, and never
// inside the repository unless the user asked for it.
type Files struct {
	// Text is for --replace-text (git filter-repo and BFG).
	Text string
	// Message is for git filter-repo --replace-message.
	Message string
	// StripIDs lists binary blobs for --strip-blobs-with-ids.
	StripIDs string
	// Findings is the redacted report purge --verify checks against.
	Findings string
	// MessageDerived is set when purge chose Message (not
	// --message-output), so a stale one from an earlier run may be removed.
	MessageDerived bool
}

// PlaceFiles picks where the files go: output (the replace-text file; the
// others beside it), else next to the repository, else — when that
// directory is itself in a git work tree, where a stray file could be
// committed — the user's config directory. messageOutput, when set, names
// the message file. warn hears about an output inside the work tree.
func PlaceFiles(r *Repo, output, messageOutput string, warn func(string)) (Files, error) {
	if output != "" {
		out, err := filepath.Abs(output)
		if err != nil {
			return Files{}, fmt.Errorf("--output: %v", err)
		}
		if !r.Bare && isInside(out, r.Root) && warn != nil {
			warn(fmt.Sprintf("%s is inside the work tree of %s: never commit it (add *.leakfix-* to .gitignore)", out, r.Root))
		}
		stem := strings.TrimSuffix(strings.TrimSuffix(out, filepath.Ext(out)), "-replace")
		set := Files{Text: out, Message: stem + "-messages.txt", StripIDs: stem + "-strip-blob-ids.txt",
			Findings: stem + "-findings.json", MessageDerived: true}
		return withMessageOutput(set, messageOutput)
	}
	dir := filepath.Dir(r.Root)
	name := r.Name()
	if inWorkTree(dir) {
		conf, err := os.UserConfigDir()
		if err != nil {
			return Files{}, fmt.Errorf("%s is inside a git work tree and there is no user config directory (%v): give --output", dir, err)
		}
		sum := sha256.Sum256([]byte(r.Root))
		dir = filepath.Join(conf, "leakfix", "purge")
		name += "-" + hex.EncodeToString(sum[:4])
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Files{}, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	stem := filepath.Join(dir, name+".leakfix")
	set := Files{Text: stem + "-replace.txt", Message: stem + "-messages.txt", StripIDs: stem + "-strip-blob-ids.txt",
		Findings: stem + "-findings.json", MessageDerived: true}
	return withMessageOutput(set, messageOutput)
}

func withMessageOutput(set Files, messageOutput string) (Files, error) {
	if messageOutput != "" {
		abs, err := filepath.Abs(messageOutput)
		if err != nil {
			return set, fmt.Errorf("--message-output: %v", err)
		}
		set.Message, set.MessageDerived = abs, false
	}
	if set.Message == set.Text {
		return set, errors.New("--message-output and --output name the same file")
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

// Write writes every file 0600 and atomically, and removes stale derived
// files an earlier run left that this run does not write (an old
// replace-text file would otherwise be mistaken for this run's).
func (fs Files) Write(plan *Plan, findings []scanner.Finding, unreachable []Unreachable, toolVersion string) error {
	write := func(path string, body []byte) error {
		return report.WriteFileAtomic(path, 0o600, func(w io.Writer) error {
			_, err := w.Write(body)
			return err
		})
	}
	err := report.WriteFileAtomic(fs.Findings, 0o600, func(w io.Writer) error {
		return report.Write(w, findings, report.Options{Format: report.FormatJSON, ToolVersion: toolVersion})
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
		if err := write(fs.StripIDs, []byte(ids.String())); err != nil {
			return err
		}
	} else if err := removeStale(fs.StripIDs); err != nil {
		return err
	}
	if len(plan.Message) > 0 {
		if err := write(fs.Message, Render(plan.Message)); err != nil {
			return err
		}
	} else if fs.MessageDerived {
		if err := removeStale(fs.Message); err != nil {
			return err
		}
	}
	if len(plan.Text) > 0 {
		return write(fs.Text, Render(plan.Text))
	}
	return removeStale(fs.Text)
}

func removeStale(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}
