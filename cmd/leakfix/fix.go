package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/BurntSushi/toml"

	"github.com/leakfix/leakfix/rewrite/fix"
	"github.com/leakfix/leakfix/rewrite/goanalyzer"
	"github.com/leakfix/leakfix/rewrite/lookup"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rewrite/python"
	"github.com/leakfix/leakfix/scanner"
)

const fixExamples = `  leakfix fix                                   show the diff for the current directory (values redacted)
  leakfix fix services/ --write                 rewrite the files in place
  leakfix fix --write --emit-helper --target aws-secrets-manager
  leakfix fix --names names.toml --python-import "from app.vault import get_secret"
  leakfix fix --show-secrets > fix.patch && git apply fix.patch

A --names file maps a derived name, a fingerprint or a rule id to the vault
name to use instead:
  "azure-openai-gpt-4-turbo-key" = "azure-openai-gpt4-turbo-key"

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
	target      string
	noIgnore    bool
	maxFileSize int64
}

func runFix(ctx context.Context, e *env, args []string) error {
	var ff fixFlags
	fs := newFlagSet(e, "fix", "fix [PATH] [flags]   (PATH defaults to .)", fixExamples)
	fs.BoolVar(&ff.write, "write", false, "rewrite the files (atomically) instead of printing a unified diff")
	fs.StringVar(&ff.names, "names", "", "TOML `FILE` of vault-name overrides (derived name, fingerprint or rule id = name)")
	fs.StringVar(&ff.pyImport, "python-import", python.DefaultImport, "import `LINE` added to rewritten Python files")
	fs.StringVar(&ff.jsImport, "js-import", "", "import or require `LINE` added to rewritten JavaScript/TypeScript files (default: the emitted lib/secrets.cjs, by relative path, in the file's module style)")
	fs.StringVar(&ff.goImport, "go-import", "", "import `PATH` of the Go helper package (default: <module>/internal/secrets)")
	fs.StringVar(&ff.goCall, "go-call", goanalyzer.DefaultCall, "Go call that replaces a secret (`qualifier.Func`)")
	fs.BoolVar(&ff.emitHelper, "emit-helper", false, "also write the lookup modules the rewritten calls need (Python, JavaScript, Go)")
	fs.StringVar(&ff.target, "target", string(lookup.AzureKeyVault), "`TARGET` vault the emitted lookup modules read: azure-keyvault, aws-secrets-manager, hashicorp-vault or gcp-secret-manager")
	fs.StringVar(&ff.rf.config, "config", "", "rule pack `FILE` (default: .leakfix.toml, then .gitleaks.toml/gitleaks.toml at the repository root, then the embedded pack)")
	fs.BoolVar(&ff.rf.showSecrets, "show-secrets", false, "print the diff with the real values (an exact patch for git apply) instead of REDACTED")
	fs.BoolVar(&ff.rf.quiet, "quiet", false, "print nothing on stderr but errors")
	fs.BoolVar(&ff.rf.verbose, "verbose", false, "say more on stderr (never a secret)")
	fs.BoolVar(&ff.noIgnore, "no-ignore", false, "also fix files that .gitignore excludes")
	fs.Int64Var(&ff.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "skip files larger than `BYTES`")
	pos, err := parseArgs(e, fs, args)
	if err != nil {
		return err
	}
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
	st, err := os.Stat(root)
	if err != nil {
		return usageError("fix %s: %v", root, unwrapPathErr(err))
	}
	helperRoot := root
	if !st.IsDir() {
		helperRoot = filepath.Dir(root)
	}
	if helperRoot, err = filepath.Abs(helperRoot); err != nil {
		return &exitError{code: 2, err: err}
	}
	reg, err := fix.DefaultRegistry(fix.Options{
		PythonImport: ff.pyImport,
		JSImport:     ff.jsImport,
		JSHelper:     filepath.Join(helperRoot, "lib", "secrets.cjs"),
	})
	if err != nil {
		return usageError("%v", err)
	}
	goRW, err := goanalyzer.NewRewriter(goanalyzer.Options{ImportPath: ff.goImport, Call: ff.goCall})
	if err != nil {
		return usageError("--go-import/--go-call: %v", err)
	}
	reg.Register(fix.KindGo, goRW, "*.go")

	// Scan with the normal detector first: fix rewrites exactly what
	// `leakfix scan` reports, under the names scan reports.
	cfg, det, err := newDetector(e, &ff.rf, root, false)
	if err != nil {
		return err
	}
	warn := warner(e, ff.rf.quiet)
	src := &scanner.FileSource{Roots: []string{root}, NoIgnore: ff.noIgnore, MaxFileSize: ff.maxFileSize, Warn: warn}
	findings, _, scanErr := src.Scan(ctx, det)
	if scanErr != nil && !errors.Is(scanErr, scanner.ErrUnreadable) {
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
	var problems []string
	if ff.emitHelper {
		helpers, problems = lookupModules(&ff, target, helperRoot, st.IsDir(), changes)
	}

	rewritten, files, fileProblems := fix.Summary(changes)
	problems = append(fileProblems, problems...)
	if ff.write {
		for _, c := range append(changes, helpers...) {
			if !c.Changed() {
				continue
			}
			if err := fix.Write(c); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", c.File, err))
				if !c.New {
					rewritten -= c.Rewrote()
					files--
				}
				continue
			}
			if !ff.rf.quiet {
				verb := "rewrote"
				if c.New {
					verb = "wrote"
				}
				fmt.Fprintf(e.stderr, "leakfix: %s %s\n", verb, c.File)
			}
		}
	} else if err := fix.WriteDiff(e.stdout, append(changes, helpers...), ff.rf.showSecrets); err != nil {
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
	if _, err := toml.DecodeFile(file, &raw); err != nil {
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

// lookupModules builds the lookup modules the rewritten calls need: one
// per language whose files now call a vault lookup. Existing modules are
// left alone (they may have been edited); problems are returned as
// messages.
func lookupModules(ff *fixFlags, target lookup.Target, helperRoot string, rootIsDir bool, changes []*fix.Change) ([]*fix.Change, []string) {
	calls := map[string]bool{}
	var goDirs []string
	for _, c := range changes {
		if c.Err != nil || !c.Changed() {
			continue
		}
		vaulted := false
		for _, s := range c.Secrets {
			vaulted = vaulted || !s.WeakDefault
		}
		if !vaulted {
			continue
		}
		calls[c.Kind] = true
		if c.Kind == fix.KindGo {
			goDirs = append(goDirs, filepath.Dir(c.Path))
		}
	}
	rel := func(p string) string {
		r, err := filepath.Rel(helperRoot, p)
		if err != nil || !rootIsDir {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(r)
	}
	var out []*fix.Change
	var problems []string
	add := func(p string, data []byte, err error) {
		if err != nil {
			problems = append(problems, fmt.Sprintf("--emit-helper: %v", err))
			return
		}
		if cur, err := os.ReadFile(p); err == nil {
			if !bytes.Equal(cur, data) {
				problems = append(problems, fmt.Sprintf("--emit-helper: %s exists and differs from the generated module; left alone", rel(p)))
			}
			return
		}
		out = append(out, &fix.Change{Path: p, File: rel(p), New: true, After: data, Mode: 0o644})
	}
	if calls[fix.KindPython] {
		rw, err := python.New(ff.pyImport)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("--emit-helper: %v", err))
		case rw.ModulePath() == "":
			problems = append(problems, fmt.Sprintf("--emit-helper: cannot tell which file %q imports; write the Python module by hand", ff.pyImport))
		default:
			data, err := lookup.Python(target)
			add(filepath.Join(helperRoot, filepath.FromSlash(rw.ModulePath())), data, err)
		}
	}
	if calls[fix.KindJS] {
		mod, dts, err := lookup.JS(target)
		add(filepath.Join(helperRoot, "lib", "secrets.cjs"), mod, err)
		add(filepath.Join(helperRoot, "lib", "secrets.d.cts"), dts, err)
	}
	switch {
	case calls[fix.KindGo] && ff.goImport != "":
		problems = append(problems, fmt.Sprintf("--emit-helper: the Go package %s is your own (--go-import); it is not generated", ff.goImport))
	case calls[fix.KindGo]:
		seen := map[string]bool{}
		for _, dir := range goDirs {
			importPath, helperDir, err := goanalyzer.HelperLocation(dir)
			if err != nil {
				problems = append(problems, fmt.Sprintf("--emit-helper: %v; write the Go helper package by hand", err))
				continue
			}
			if seen[helperDir] {
				continue
			}
			seen[helperDir] = true
			data, err := goanalyzer.HelperSource(importPath, string(target))
			add(filepath.Join(helperDir, path.Base(importPath)+".go"), data, err)
		}
	}
	return out, problems
}
