// Package moved records what `leakfix fix --write` moved out of the tree,
// so `leakfix plan` run afterwards still has every value (the tree no
// longer holds them) and knows which service reads which name.
//
// The record holds raw values until `plan`'s import.sh has stored them,
// so it never lives in the work tree (where scan, a commit or a purge
// would meet it): inside a git repository it is <git dir>/leakfix/moved.json;
// elsewhere it is $LEAKFIX_STATE_DIR (default: the user cache folder,
// leakfix/moved) / <hash of the folder>.json. Files are 0600 in 0700
// folders. Records are merged across runs (a second fix adds to the
// first).
package moved

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/internal/atomicfile"
	"github.com/leakfix/leakfix/scanner"
)

// EnvStateDir overrides where records of folders outside git go.
const EnvStateDir = "LEAKFIX_STATE_DIR"

// Entry is one rewritten occurrence of a secret.
type Entry struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	RuleID     string `json:"rule_id"`
	Provider   string `json:"provider,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	File       string `json:"file"` // slash path relative to the repository root
	Line       int    `json:"line"`
	// Service is the run root of the file (slash path relative to the
	// repository root): the identity the plan grants this name to.
	Service string `json:"service"`
	// WeakDefault entries are fallbacks that were removed, not vaulted.
	WeakDefault bool `json:"weak_default,omitempty"`
}

// Record is the file's content.
type Record struct {
	Version int     `json:"version"`
	Note    string  `json:"note"`
	Entries []Entry `json:"entries"`
}

// Path returns where the record of the repository (or folder) root
// lives.
func Path(root string) string {
	dotgit := filepath.Join(root, ".git")
	if st, err := os.Stat(dotgit); err == nil {
		if st.IsDir() {
			return filepath.Join(dotgit, "leakfix", "moved.json")
		}
		// A worktree or submodule: .git is a file naming the git dir.
		if data, err := os.ReadFile(dotgit); err == nil {
			if dir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
				dir = strings.TrimSpace(dir)
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(root, dir)
				}
				return filepath.Join(dir, "leakfix", "moved.json")
			}
		}
	}
	base := os.Getenv(EnvStateDir)
	if base == "" {
		if c, err := os.UserCacheDir(); err == nil {
			base = filepath.Join(c, "leakfix", "moved")
		} else {
			base = filepath.Join(os.TempDir(), "leakfix-moved")
		}
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(base, hex.EncodeToString(sum[:8])+".json")
}

// Load reads the record under root; a missing record is an empty one.
func Load(root string) (*Record, error) {
	data, err := os.ReadFile(Path(root))
	if errors.Is(err, os.ErrNotExist) {
		return &Record{Version: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", Path(root), err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read %s: %w", Path(root), err)
	}
	return &r, nil
}

// Add merges entries into the record of root and writes it (0600,
// atomically). It returns the record's path.
func Add(root string, entries []Entry) (string, error) {
	r, err := Load(root)
	if err != nil {
		return "", err
	}
	key := func(e Entry) string { return e.Name + "\x00" + e.File + "\x00" + fmt.Sprint(e.Line) }
	seen := map[string]int{}
	for i, e := range r.Entries {
		seen[key(e)] = i
	}
	for _, e := range entries {
		if i, ok := seen[key(e)]; ok {
			r.Entries[i] = e
			continue
		}
		seen[key(e)] = len(r.Entries)
		r.Entries = append(r.Entries, e)
	}
	sort.SliceStable(r.Entries, func(i, j int) bool {
		a, b := r.Entries[i], r.Entries[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	r.Version = 1
	r.Note = "written by leakfix fix: the values moved out of the code, read by leakfix plan; delete it once import.sh has stored them"
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	p := Path(root)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if err := atomicfile.WriteFile(p, append(data, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, nil
}

// Names maps each recorded value to the name fix gave it: the name the
// rewritten code now asks for, which a later scan (seeing only the
// values fix left behind) might derive differently.
func (r *Record) Names() map[string]string {
	out := map[string]string{}
	for _, e := range r.Entries {
		if e.Value != "" && e.Name != "" {
			out[e.Value] = e.Name
		}
	}
	return out
}

// Findings turns the entries into findings for the plan, with file paths
// made relative to base (the folder plan scanned), skipping places in
// have ("file:line", as the scan found them: the value is still there).
func (r *Record) Findings(root, base string, have map[string]bool) []scanner.Finding {
	var out []scanner.Finding
	for _, e := range r.Entries {
		if e.Name == "" || e.Value == "" {
			continue
		}
		rel, err := filepath.Rel(base, filepath.Join(root, filepath.FromSlash(e.File)))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue // outside the folder being planned
		}
		file := filepath.ToSlash(rel)
		if have[fmt.Sprintf("%s:%d", file, e.Line)] {
			continue
		}
		f := scanner.Finding{
			RuleID: e.RuleID, File: file, StartLine: e.Line, EndLine: e.Line,
			Secret: e.Value, SecretName: e.Name, Provider: e.Provider, Identifier: e.Identifier,
			Description: "moved by leakfix fix (recorded in " + Path(root) + ")",
		}
		if e.WeakDefault {
			f.Tags = []string{"weak-default"}
		}
		out = append(out, f)
	}
	return out
}

// Within returns the record's entries for files under base (root is the
// folder the record belongs to).
func (r *Record) Within(root, base string) *Record {
	out := &Record{Version: r.Version, Note: r.Note}
	for _, e := range r.Entries {
		rel, err := filepath.Rel(base, filepath.Join(root, filepath.FromSlash(e.File)))
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}

// Services maps each service to the vault names its code reads.
func (r *Record) Services() map[string][]string {
	sets := map[string]map[string]bool{}
	for _, e := range r.Entries {
		if e.WeakDefault || e.Name == "" {
			continue
		}
		if sets[e.Service] == nil {
			sets[e.Service] = map[string]bool{}
		}
		sets[e.Service][e.Name] = true
	}
	out := map[string][]string{}
	for s, names := range sets {
		for n := range names {
			out[s] = append(out[s], n)
		}
		sort.Strings(out[s])
	}
	return out
}
