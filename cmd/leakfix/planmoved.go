package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/rewrite/moved"
	"github.com/leakfix/leakfix/rewrite/runroot"
	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
)

// addMoved adds what `fix --write` recorded as moved (see moved.Path)
// for every name the scan no longer finds, so plan after fix delivers
// every value (a plan --from a report takes the report as it is). It also
// returns which service reads which name, for the plan's per-service
// grants.
func addMoved(e *env, pf *planFlags, paths []string, findings []scanner.Finding) ([]scanner.Finding, map[string][]string, error) {
	root := "."
	switch {
	case pf.from != "" && pf.root != "":
		root = pf.root
	case pf.from == "" && len(paths) == 1:
		root = paths[0]
	}
	loc, err := runroot.New(root)
	if err != nil {
		return findings, nil, err
	}
	rec, err := moved.Load(loc.Top)
	if err != nil {
		return findings, nil, err
	}
	base, err := filepath.Abs(root)
	if err != nil {
		return findings, nil, err
	}
	if st, err := os.Stat(base); err == nil && !st.IsDir() {
		base = filepath.Dir(base)
	}
	// Only what fix moved out of the folder being planned.
	rec = rec.Within(loc.Top, base)
	have := map[string]bool{}
	recorded := rec.Names()
	for i := range findings {
		f := &findings[i]
		have[fmt.Sprintf("%s:%d", f.File, f.StartLine)] = true
		// A value fix moved elsewhere keeps the name the rewritten code
		// asks for.
		if n, ok := recorded[f.Secret]; ok && pf.from == "" && !f.IsWeakDefault() {
			f.SecretName = n
		}
	}
	var extra []scanner.Finding
	if pf.from == "" {
		extra = rec.Findings(loc.Top, base, have)
	}
	if len(extra) > 0 && !pf.rf.quiet {
		fmt.Fprintf(e.stderr, "leakfix: %d moved occurrence(s) the tree no longer holds come from %s (written by leakfix fix)\n", len(extra), moved.Path(loc.Top))
	}
	services := map[string][]string{}
	if pf.from == "" {
		services = rec.Services()
	}
	// Findings still in the tree belong to their file's service too.
	for _, f := range findings {
		if f.IsWeakDefault() || f.SecretName == "" || f.Commit != "" {
			continue
		}
		svc := loc.ServiceName(filepath.Join(base, filepath.FromSlash(f.File)))
		services[svc] = appendUnique(services[svc], f.SecretName)
	}
	return append(findings, extra...), services, nil
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// printServiceGrants says which identity may read which names.
func printServiceGrants(e *env, out string, p *vaultplan.Plan) {
	if len(p.Services) == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "services: each gets its own identity, granted only the names its code reads (%s):\n", filepath.Join(out, vaultplan.SnippetsDir, "services"))
	for _, g := range p.Services {
		fmt.Fprintf(e.stdout, "  %-30s %s\n", g.Identity, strings.Join(g.Names, ", "))
	}
}
