package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/leakfix/leakfix/rewrite/configfile"
	"github.com/leakfix/leakfix/rewrite/consumer"
	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/lookup"
	"github.com/leakfix/leakfix/rewrite/moved"
	"github.com/leakfix/leakfix/rewrite/placement"
	"github.com/leakfix/leakfix/rewrite/runroot"
)

// fixRegistry builds fix's rewriters: by default each file imports the
// helper of its own service (rewrite/placement); an explicit
// --python-import, --js-import or --go-import names the user's own module
// instead, and no helper is generated for that language.
func fixRegistry(ff *fixFlags, root string, target lookup.Target) (*fix.Registry, *runroot.Locator, placement.Which, error) {
	which := placement.Which{Python: ff.pyImport == "", JS: ff.jsImport == "", Go: ff.goImport == ""}
	pyImport := ff.pyImport
	if pyImport == "" {
		pyImport = runroot.PythonImport
	}
	loc, err := runroot.New(root)
	if err != nil {
		return nil, nil, which, &exitError{code: 2, err: err}
	}
	// The JS helper path only matters when --js-import is set (then it is
	// unused); placement.JS picks each file's helper otherwise.
	reg, err := fix.DefaultRegistry(fix.Options{PythonImport: pyImport, JSImport: ff.jsImport, JSHelper: filepath.Join(loc.Top, runroot.JSFile)})
	if err != nil {
		return nil, nil, which, usageError("%v", err)
	}
	// Config files go to their consumer's rules (GitHub Actions,
	// Dockerfile, Kubernetes, .NET) before the generic ${VAR} rewrite.
	cons := consumer.New()
	// Manifests read the Secret that plan's per-service ExternalSecret
	// (snippets/services/<identity>.external-secret.yaml) creates.
	cons.K8sSecret = func(p string) string { return runroot.Identity(loc.ServiceName(p), "app") }
	// A Secret manifest becomes an ExternalSecret reading through the
	// SecretStore plan's external-secret.yaml defines (default --app).
	cons.SecretStore = "app-" + string(target)
	if target == lookup.HashiCorpVault {
		cons.Field = "value"
	}
	reg.Register(fix.KindConfig, cons, configfile.Patterns()...)
	if which.JS {
		reg.Register(fix.KindJS, placement.JS{Loc: loc}, "*.js", "*.mjs", "*.cjs", "*.ts", "*.mts", "*.cts")
	}
	if which.Go {
		goRW, err := placement.NewGo(loc, ff.goCall)
		if err != nil {
			return nil, nil, which, usageError("--go-call: %v", err)
		}
		reg.Register(fix.KindGo, goRW, "*.go")
	} else {
		goRW, err := goanalyzer.NewRewriter(goanalyzer.Options{ImportPath: ff.goImport, Call: ff.goCall})
		if err != nil {
			return nil, nil, which, usageError("--go-import/--go-call: %v", err)
		}
		reg.Register(fix.KindGo, goRW, "*.go")
	}
	return reg, loc, which, nil
}

// placeHelpers lists the helper files to write. A helper must be on disk
// before the files importing it are rewritten: the returned changes come
// first, and a helper that fails to write marks its dependents so they
// are left untouched (see markDependents).
func placeHelpers(loc *runroot.Locator, which placement.Which, target lookup.Target, helperRoot string, rootIsDir bool, changes []*fix.Change) ([]*fix.Change, helperDeps) {
	rel := func(p string) string {
		r, err := filepath.Rel(helperRoot, p)
		if err != nil || !rootIsDir || strings.HasPrefix(r, "..") {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(r)
	}
	hs := placement.Helpers(loc, target, which, changes, rel)
	var out []*fix.Change
	deps := helperDeps{}
	for _, h := range hs {
		out = append(out, h.Change)
		deps[h.Change] = h.Needed
	}
	return out, deps
}

// relTo returns fix's file naming for paths: relative to helperRoot when
// the fixed root is a folder, else absolute.
func relTo(helperRoot string, rootIsDir bool) func(string) string {
	return func(p string) string {
		r, err := filepath.Rel(helperRoot, p)
		if err != nil || !rootIsDir || strings.HasPrefix(r, "..") {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(r)
	}
}

// helperDeps maps each helper change to the files that import it.
type helperDeps map[*fix.Change][]*fix.Change

// markDependents leaves the files that import helper untouched after the
// helper could not be written, so no import of a missing module remains.
func (d helperDeps) markDependents(helper *fix.Change, err error) (problems []string, rewrote, files int) {
	for _, c := range d[helper] {
		if c.Err != nil {
			continue
		}
		rewrote += c.Rewrote()
		if c.Changed() {
			files++
		}
		c.Err = fmt.Errorf("left untouched: the helper it would import, %s, could not be written (%v)", helper.File, err)
		problems = append(problems, fmt.Sprintf("%s: %v", c.File, c.Err))
	}
	return problems, rewrote, files
}

// recordMoved records every secret the written changes moved, with the
// service that reads it, in the record moved.Path names.
func recordMoved(loc *runroot.Locator, changes []*fix.Change) (string, error) {
	entries := placement.Moved(loc, changes)
	if len(entries) == 0 {
		return "", nil
	}
	return moved.Add(loc.Top, entries)
}

// terraformChanges: see placement.Terraform.
func terraformChanges(changes []*fix.Change, rel func(string) string) ([]*fix.Change, []string) {
	return placement.Terraform(changes, rel)
}

// noHelperNotes says, with --no-helper, which helper files the rewritten
// code imports and the user must provide, and drops them.
func noHelperNotes(e *env, ff *fixFlags, helpers []*fix.Change) []*fix.Change {
	if !ff.rf.quiet {
		for _, h := range helpers {
			fmt.Fprintf(e.stderr, "leakfix: --no-helper: the rewritten code imports %s; provide it\n", h.File)
		}
	}
	return nil
}
