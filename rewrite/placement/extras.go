package placement

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/leakfix/leakfix/rewrite/consumer"
	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rewrite/moved"
	"github.com/leakfix/leakfix/rewrite/runroot"
)

// Moved lists every secret the written changes moved, with the service
// (run root) that reads it, for the moved-values record.
func Moved(loc *runroot.Locator, changes []*fix.Change) []moved.Entry {
	var entries []moved.Entry
	for _, c := range changes {
		if c.Err != nil || !c.Changed() || c.New {
			continue
		}
		left := map[string]bool{}
		for _, l := range c.Left {
			left[fmt.Sprintf("%s:%d", l.Name, l.Line)] = true
		}
		file := c.File
		if abs, err := filepath.Abs(c.Path); err == nil {
			if r, err := filepath.Rel(loc.Top, abs); err == nil && !strings.HasPrefix(r, "..") {
				file = filepath.ToSlash(r)
			}
		}
		svc := loc.ServiceName(c.Path)
		for _, s := range c.Secrets {
			if left[fmt.Sprintf("%s:%d", s.Name, s.Line)] || s.Value == "" {
				continue
			}
			entries = append(entries, moved.Entry{
				Name: s.Name, Value: s.Value, RuleID: s.RuleID, Provider: s.Provider, Identifier: s.Identifier,
				File: file, Line: s.Line, Service: svc, WeakDefault: s.WeakDefault,
			})
		}
	}
	return entries
}

var tfvarsKey = regexp.MustCompile(`^("?)([A-Za-z_][A-Za-z0-9_-]*)("?)\s*=`)

// Terraform marks sensitive the Terraform variables whose values
// the changes moved out of top-level .tfvars assignments (they now come
// from TF_VAR_<name>), so Terraform keeps them out of its output. Files
// already being changed are left to that change.
func Terraform(changes []*fix.Change, rel func(string) string) ([]*fix.Change, []string) {
	taken := map[string]bool{}
	byDir := map[string][]string{}
	var dirs []string
	for _, c := range changes {
		taken[c.Path] = true
		if !c.Changed() || c.New || !strings.HasSuffix(strings.ToLower(c.Path), ".tfvars") {
			continue
		}
		lines := strings.Split(string(c.Before), "\n")
		for _, s := range c.Secrets {
			if s.Line < 1 || s.Line > len(lines) {
				continue
			}
			if m := tfvarsKey.FindStringSubmatch(lines[s.Line-1]); m != nil && m[1] == m[3] {
				dir := filepath.Dir(c.Path)
				if _, ok := byDir[dir]; !ok {
					dirs = append(dirs, dir)
				}
				byDir[dir] = append(byDir[dir], m[2])
			}
		}
	}
	var out []*fix.Change
	var problems []string
	for _, dir := range dirs {
		edits, err := consumer.TerraformSensitive(dir, byDir[dir])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: cannot mark the moved variables sensitive: %v", rel(dir), err))
			continue
		}
		for _, ed := range edits {
			if taken[ed.Path] {
				continue
			}
			out = append(out, &fix.Change{Path: ed.Path, File: rel(ed.Path), Kind: fix.KindConfig, Mode: ed.Mode, Before: ed.Before, After: ed.After})
		}
	}
	return out, problems
}
