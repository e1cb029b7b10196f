package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/BurntSushi/toml"

	"github.com/leakfix/leakfix/internal/regfile"
	"github.com/leakfix/leakfix/redact"
	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/lookup"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rewrite/runroot"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
)

const fixExamples = `  leakfix fix                                   show the diff for the current directory (values redacted)
  leakfix fix services/ --write                 rewrite the files in place
  leakfix fix --write --target aws-secrets-manager
  leakfix fix --names names.toml --python-import "from app.vault import get_secret"
  leakfix fix --show-secrets > fix.patch && git apply fix.patch

A --names file maps a derived name, a fingerprint or a rule id to the vault
name to use instead:
  "azure-openai-gpt-4-turbo-key" = "azure-openai-gpt4-turbo-key"

With --write, each rewritten file's service also gets the lookup helper it
now calls, where that service runs from: leakfix_secrets.py in the Python
run folder (the folder a Dockerfile copies onto its WORKDIR, a src/ layout
folder, or the project folder), leakfix-secrets.cjs beside package.json,
<module>/internal/leakfixsecrets for Go modules and leakfix_secrets.go in the
package of Go code outside a module. Existing helpers are never overwritten.
What was moved is recorded (0600, never in the work tree) in
<git dir>/leakfix/moved.json, or under $LEAKFIX_STATE_DIR (default: the user
cache) outside git, so "leakfix plan" still has every value after the fix.

Exit status: 0 when every secret found was rewritten (or none was found),
2 when a file could not be parsed or written, or a secret was left in place
(each named on stderr). Secrets inside archives or stored encoded are named
on stderr ("left in place: ...") but are not rewritten and do not count.`

// fixFlags are fix's flags.
type fixFlags struct {
	rf          reportFlags
	write       bool
	names       string
	pyImport    string
	jsImport    string
	goImport    string
	goCall      string
	emitHelper  bool
	noHelper    bool
	noRecord    bool
	target      string
	noIgnore    bool
	maxFileSize int64
}

func fixCommand(e *env) *cobra.Command {
	ff := new(fixFlags)
	c := newCommand(e, "fix [PATH]", "rewrite hardcoded secrets into vault lookups (a diff; --write applies it)",
		"PATH defaults to .", fixExamples, ff.run)
	fs := c.Flags()
	fs.BoolVar(&ff.write, "write", false, "rewrite the files (atomically) instead of printing a unified diff")
	fs.StringVar(&ff.names, "names", "", "TOML `FILE` of vault-name overrides (derived name, fingerprint or rule id = name)")
	fs.StringVar(&ff.pyImport, "python-import", "", "import `LINE` added to rewritten Python files (default: "+runroot.PythonImport+", written beside each service)")
	fs.StringVar(&ff.jsImport, "js-import", "", "import or require `LINE` added to rewritten JavaScript/TypeScript files (default: the service's "+runroot.JSFile+", by relative path, in the file's module style)")
	fs.StringVar(&ff.goImport, "go-import", "", "import `PATH` of the Go helper package (default: <module>/"+runroot.GoHelperDir+", or a file in the same package outside a module)")
	fs.StringVar(&ff.goCall, "go-call", goanalyzer.DefaultCall, "Go call that replaces a secret (`qualifier.Func`)")
	fs.BoolVar(&ff.emitHelper, "emit-helper", false, "accepted for compatibility: --write now writes the lookup helpers by default")
	fs.BoolVar(&ff.noHelper, "no-helper", false, "do not write the lookup helpers the rewritten code imports (you provide them)")
	fs.BoolVar(&ff.noRecord, "no-record", false, "do not record the moved values (in the git dir, or the user cache outside git) for plan")
	fs.StringVar(&ff.target, "target", string(lookup.AzureKeyVault), "`TARGET` vault the emitted lookup modules read: azure-keyvault, aws-secrets-manager, hashicorp-vault or gcp-secret-manager")
	fs.StringVarP(&ff.rf.config, "config", "c", "", "rule pack `FILE` (default: .leakfix.toml, then .gitleaks.toml/gitleaks.toml at the repository root, then the embedded pack)")
	fs.BoolVar(&ff.rf.showSecrets, "show-secrets", false, "print the diff with the real values (an exact patch for git apply) instead of REDACTED")
	fs.BoolVarP(&ff.rf.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.BoolVarP(&ff.rf.verbose, "verbose", "v", false, "say more on stderr (never a secret)")
	fs.BoolVar(&ff.noIgnore, "no-ignore", false, "also fix files that .gitignore excludes")
	fs.Int64Var(&ff.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "skip files larger than `BYTES`")
	return c
}

func (ff *fixFlags) run(ctx context.Context, e *env, pos []string) error {
	if len(pos) > 1 {
		return usageError("fix takes one PATH (a directory or a file), got %d", len(pos))
	}
	root := "."
	if len(pos) == 1 {
		root = pos[0]
	}
	target, err := lookup.ParseTarget(ff.target)
	if err != nil {
		return usageError("--target: %v", err)
	}
	overrides, err := loadNames(ff.names)
	if err != nil {
		return usageError("--names: %v", err)
	}
	checked, err := scanner.CheckRoot(root)
	if err != nil {
		return usageError("%v", err)
	}
	helperRoot := root
	if !checked.IsDir {
		helperRoot = filepath.Dir(root)
	}
	if helperRoot, err = filepath.Abs(helperRoot); err != nil {
		return &exitError{code: 2, err: err}
	}
	reg, loc, which, err := fixRegistry(ff, root, target)
	if err != nil {
		return err
	}

	// Scan with the normal detector first: fix rewrites exactly what
	// `leakfix scan` reports, under the names scan reports.
	cfg, det, err := newDetector(e, &ff.rf, root, false)
	if err != nil {
		return err
	}
	warn := warner(e, ff.rf.quiet)
	src := &scanner.FileSource{Roots: []string{root}, NoIgnore: ff.noIgnore, MaxFileSize: ff.maxFileSize, Warn: warn}
	findings, _, scanErr := src.Scan(ctx, det)
	if scanErr != nil && !scanner.Incomplete(scanErr) {
		return &exitError{code: 2, err: scanErr}
	}
	findings = dropValuesFiles(findings)
	if err := naming.Assign(findings, cfg, overrides); err != nil {
		return usageError("%v", err)
	}
	findings = leaveHidden(e, ff.rf.quiet, findings)
	changes, err := fix.Plan(ctx, root, reg, findings)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var helpers []*fix.Change
	var deps helperDeps
	var problems []string
	helpers, deps = placeHelpers(loc, which, target, helperRoot, checked.IsDir, changes)
	if ff.noHelper {
		helpers = noHelperNotes(e, ff, helpers)
	}
	tf, tfProblems := terraformChanges(changes, relTo(helperRoot, checked.IsDir))
	helpers, problems = append(helpers, tf...), append(problems, tfProblems...)

	rewritten, files, fileProblems := fix.Summary(changes)
	problems = append(fileProblems, problems...)
	if ff.write {
		for _, p := range cleanStaleTemps(changes) { // signals.go
			if !ff.rf.quiet {
				fmt.Fprintf(e.stderr, "leakfix: removed %s, left by an interrupted run\n", p)
			}
		}
		for _, c := range append(helpers, changes...) {
			if !c.Changed() {
				continue
			}
			if ctx.Err() != nil {
				break // interrupted: stop between files, never inside one
			}
			beforeFixWrite(c.File)
			if err := fix.Write(c); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", c.File, err))
				if !c.New {
					rewritten -= c.Rewrote()
					files--
				} else {
					ps, n, f := deps.markDependents(c, err)
					problems, rewritten, files = append(problems, ps...), rewritten-n, files-f
				}
				continue
			}
			if !ff.rf.quiet {
				verb := "rewrote"
				if c.New {
					verb = "wrote"
				}
				fmt.Fprintf(e.stderr, "leakfix: %s %s\n", verb, redact.Name(c.File))
			}
		}
		if !ff.noRecord {
			if p, err := recordMoved(loc, changes); err != nil {
				problems = append(problems, fmt.Sprintf("record moved values: %v", err))
			} else if p != "" && ff.rf.verbose {
				fmt.Fprintf(e.stderr, "leakfix: recorded the moved values in %s (0600)\n", p)
			}
		}
	} else if err := writeDiff(e, append(changes, helpers...), ff.rf.showSecrets); err != nil { // redact.go
		return &exitError{code: 2, err: fmt.Errorf("write diff: %w", err)}
	}

	for _, p := range problems {
		fmt.Fprintf(e.stderr, "leakfix: %s\n", p)
	}
	if !ff.rf.quiet {
		switch {
		case len(findings) == 0:
			fmt.Fprintln(e.stderr, "leakfix: no secrets found; nothing to fix")
		case ff.write:
			fmt.Fprintf(e.stderr, "leakfix: %d secret(s) rewritten in %d file(s), %d vault name(s)\n", rewritten, files, countNames(findings))
		default:
			note := ""
			if !ff.rf.showSecrets && files > 0 {
				note = "; values show as REDACTED (--show-secrets for an exact patch)"
			}
			fmt.Fprintf(e.stderr, "leakfix: %d secret(s) in %d file(s) would be rewritten, %d vault name(s); run with --write to apply%s\n",
				rewritten, files, countNames(findings), note)
		}
		if ff.rf.verbose {
			for _, n := range vaultNames(findings) {
				fmt.Fprintf(e.stderr, "leakfix: vault name %s\n", n)
			}
		}
	}
	if scanErr != nil {
		return &exitError{code: 2, err: fmt.Errorf("%w; only the files that were read were fixed", scanErr)}
	}
	if len(problems) > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d problem(s): the files named above were left untouched or still hold secrets", len(problems))}
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// vaultNames lists the distinct names of the secrets that go to the
// vault (weak defaults do not).
func vaultNames(findings []scanner.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range findings {
		if f.IsWeakDefault() || f.SecretName == "" || seen[f.SecretName] {
			continue
		}
		seen[f.SecretName] = true
		out = append(out, f.SecretName)
	}
	sort.Strings(out)
	return out
}

func countNames(findings []scanner.Finding) int { return len(vaultNames(findings)) }

// loadNames reads a --names file: a TOML table (top level, or [names])
// from a derived name, a fingerprint or a rule id to the vault name to use.
func loadNames(file string) (naming.Overrides, error) {
	if file == "" {
		return nil, nil
	}
	var raw map[string]any
	data, err := regfile.ReadFile(file) // a FIFO is refused, not waited on
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, unwrapPathErr(err))
	}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", file, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", file, unwrapPathErr(err))
	}
	table := raw
	if t, ok := raw["names"].(map[string]any); ok && len(raw) == 1 {
		table = t
	}
	out := naming.Overrides{}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := table[k].(string)
		if !ok {
			return nil, fmt.Errorf("%s: %q: want a string, the vault name to use", file, k)
		}
		if !naming.Valid(v) {
			return nil, fmt.Errorf("%s: %q = %q is not a valid vault name (1-127 of a-z, 0-9 and -, starting with a letter)", file, k, v)
		}
		out[k] = v
	}
	return out, nil
}
