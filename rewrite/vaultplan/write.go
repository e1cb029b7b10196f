package vaultplan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/leakfix/leakfix/internal/atomicfile"
	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/report"
)

// WriteOptions tune Write.
type WriteOptions struct {
	// ProjectRoot is the directory whose .gitignore must keep the values
	// out of git; the plan directory must be inside it. Empty means the
	// git work tree holding the plan directory or, outside any work tree,
	// the current directory when the plan directory is inside it (a
	// project that is not a repository yet). A plan directory outside
	// both is guarded by its own .gitignore only: no .gitignore is
	// written into some unrelated parent such as /tmp.
	ProjectRoot string
	// OnlyUnderDir writes nothing outside the plan directory: the plan's
	// own .gitignore (git honours one in any directory) is then the only
	// guard, and no project .gitignore is created or appended to. The
	// staging directory beside dir is renamed into place or removed.
	OnlyUnderDir bool
}

// WriteResult says what Write did outside the plan directory.
type WriteResult struct {
	Dir string // absolute plan directory
	// Gitignore is the project's .gitignore that covers the values ("" when
	// there is no project); GitignoreAdded is true when Write created it
	// or appended IgnorePattern to it.
	Gitignore      string
	GitignoreAdded bool
}

// Write creates the plan directory dir: plan.json, import.sh, snippets/,
// a .gitignore, and the values directory (0700, one 0600 file per secret).
//
// Nothing appears half-written: everything is built in a staging
// directory beside dir, the project's .gitignore is updated before any
// value becomes visible at its final path, and only then is the staging
// directory renamed into place. An earlier plan in dir is replaced whole;
// a directory that holds anything else is refused, because replacing it
// would delete the user's files.
func Write(dir string, p *Plan, values Values, wo WriteOptions) (*WriteResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plan directory %s: %w", dir, err)
	}
	replace, err := checkTarget(abs)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("plan directory %s: %w", dir, err)
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(abs)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("plan directory %s is not writable: %w", dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(staging)
		}
	}()
	if err := fill(staging, p, values); err != nil {
		return nil, fmt.Errorf("write plan into %s: %w", dir, err)
	}

	res := &WriteResult{Dir: abs}
	root := wo.ProjectRoot
	if root == "" {
		root = projectRootOf(parent)
	}
	if root != "" && !wo.OnlyUnderDir {
		res.Gitignore, res.GitignoreAdded, err = ensureIgnored(root, filepath.Join(abs, ValuesDir))
		if err != nil {
			return nil, err
		}
	}

	if err := swapInto(staging, abs, replace); err != nil {
		return nil, err
	}
	ok = true
	return res, nil
}

// checkTarget reports whether dir holds an earlier plan to replace, and
// refuses anything else that is not an empty directory.
func checkTarget(dir string) (replace bool, err error) {
	st, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("plan directory %s: %w", dir, err)
	}
	if st.Mode()&os.ModeSymlink != 0 {
		// Replacing it would swap the link for a directory and leave the
		// earlier plan's values behind in its target.
		return false, fmt.Errorf("plan directory %s is a symbolic link; pass the directory it points to", dir)
	}
	if !st.IsDir() {
		return false, fmt.Errorf("plan directory %s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("plan directory %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return true, nil
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); err != nil {
		return false, fmt.Errorf("plan directory %s exists and holds files that are not a leakfix plan; choose another --out", dir)
	}
	return true, nil
}

// fill writes the plan's files into the (empty, private) staging dir.
func fill(dir string, p *Plan, values Values) error {
	// The directory's own .gitignore comes first, so the values are
	// ignored even inside the staging directory.
	if err := writeFile(filepath.Join(dir, ".gitignore"), 0o644,
		[]byte("# Written by leakfix plan: secret values never go into git.\n"+IgnorePattern+"\n")); err != nil {
		return err
	}
	vdir := filepath.Join(dir, ValuesDir)
	if err := os.Mkdir(vdir, 0o700); err != nil {
		return err
	}
	st := storeFor(p.opts)
	for _, s := range p.Secrets {
		if s.Action != ActionImport {
			continue
		}
		v, ok := values[s.Name]
		if !ok {
			return fmt.Errorf("no value for %s", s.Name)
		}
		if err := writeFile(filepath.Join(vdir, st.valuesFile(s.Name)), 0o600, st.encodeValue(v)); err != nil {
			return err
		}
		// Stores with a REST path get the value as a JSON string too.
		if r, ok := st.(interface{ restValue(string) []byte }); ok {
			if err := writeFile(filepath.Join(vdir, st.valuesFile(s.Name)+".json"), 0o600, r.restValue(v)); err != nil {
				return err
			}
		}
	}
	pj, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, PlanFile), 0o644, append(pj, '\n')); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, ScriptFile), 0o755, []byte(Script(p))); err != nil {
		return err
	}
	sdir := filepath.Join(dir, SnippetsDir)
	if err := os.Mkdir(sdir, 0o755); err != nil {
		return err
	}
	for name, content := range Snippets(p) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(sdir, name)), 0o755); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(sdir, name), 0o644, []byte(content)); err != nil {
			return err
		}
	}
	// MkdirTemp made the directory 0700; the plan itself is not secret.
	return os.Chmod(dir, 0o755)
}

// writeFile creates path (which must not exist) with exactly perm
// (whatever the umask), synced, through internal/atomicfile, so a crash
// cannot leave a truncated values file behind.
func writeFile(path string, perm os.FileMode, data []byte) error {
	return atomicfile.Write(path, atomicfile.Options{Perm: perm, NoClobber: true}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// swapInto renames staging to dir, moving an earlier plan aside first and
// deleting it only once the new plan is in place.
func swapInto(staging, dir string, replace bool) error {
	if !replace {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("move plan into %s: %w", dir, err)
		}
		return nil
	}
	// os.Rename will not replace a directory, so reserve a unique name
	// and free it again just before moving the old plan there.
	old, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
		return fmt.Errorf("replace plan in %s: %w", dir, err)
	}
	if err := os.Remove(old); err != nil {
		return fmt.Errorf("replace plan in %s: %w", dir, err)
	}
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("replace plan in %s: %w", dir, err)
	}
	if err := os.Rename(staging, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("replace plan in %s: %w (the earlier plan is in %s)", dir, err, old)
		}
		return fmt.Errorf("replace plan in %s: %w", dir, err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("plan written to %s, but removing the earlier one at %s failed: %w", dir, old, err)
	}
	return nil
}

// projectRootOf is the git work tree holding dir; outside any, the
// current directory if it holds dir; else "".
func projectRootOf(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	if rel, err := filepath.Rel(wd, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return wd
	}
	return ""
}

// ensureIgnored makes root/.gitignore ignore path (the values directory),
// creating or appending to it. It changes nothing when the .gitignore
// files between root and path already ignore it, so running plan twice,
// or in a repository that ignores *.leakfix-values* already, adds nothing.
func ensureIgnored(root, path string) (string, bool, error) {
	gi := filepath.Join(root, ".gitignore")
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false, fmt.Errorf("plan directory %s is outside the project %s", filepath.Dir(path), root)
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	ignored, err := isIgnored(root, parts)
	if err != nil {
		return "", false, err
	}
	if ignored {
		return gi, false, nil
	}
	old, err := regfile.ReadFile(gi) // a FIFO here is an error, not a hang
	perm := os.FileMode(0o644)
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = nil
	case err != nil:
		return "", false, fmt.Errorf("read %s: %w", gi, err)
	default:
		if st, serr := os.Stat(gi); serr == nil {
			perm = st.Mode().Perm()
		}
	}
	var add bytes.Buffer
	add.Write(old)
	if len(old) > 0 && old[len(old)-1] != '\n' {
		add.WriteByte('\n')
	}
	add.WriteString("# leakfix plan: secret values for import.sh; never commit them\n" + IgnorePattern + "\n")
	err = report.WriteFileAtomic(gi, perm, func(w io.Writer) error {
		_, err := w.Write(add.Bytes())
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("add %s to %s: %w", IgnorePattern, gi, err)
	}
	return gi, true, nil
}

// isIgnored applies the .gitignore files from root down to the parent of
// the plan directory (the plan's own .gitignore does not count: the
// project's must ignore the values even if someone deletes that one). A
// path is ignored when it or any directory above it matches.
func isIgnored(root string, parts []string) (bool, error) {
	var ps []gitignore.Pattern
	for i := 0; i < len(parts)-1; i++ {
		domain := append([]string(nil), parts[:i]...)
		// regfile: a FIFO named .gitignore is refused, not waited on.
		data, err := regfile.ReadFile(filepath.Join(root, filepath.Join(domain...), ".gitignore"))
		if err != nil {
			// Missing, unreadable, not a regular file, or a missing
			// directory on the way (the plan is not written yet): nothing
			// to read there.
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ps = append(ps, gitignore.ParsePattern(line, domain))
		}
		if err := sc.Err(); err != nil {
			return false, fmt.Errorf("read .gitignore: %w", err)
		}
	}
	m := gitignore.NewMatcher(ps)
	for i := 1; i <= len(parts); i++ {
		if m.Match(parts[:i], true) {
			return true, nil
		}
	}
	return false, nil
}
