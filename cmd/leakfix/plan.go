package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
)

const planExamples = `  leakfix plan --target azure-keyvault --vault-name machineavatars-kv services/
  leakfix plan --target aws-secrets-manager --region us-east-1 --account-id 123456789012 --prefix myapp/prod/
  leakfix plan --target hashicorp-vault --mount secret --vault-addr https://vault.example.com:8200
  leakfix scan --format json --output report.json
  leakfix plan --target gcp-secret-manager --project my-project --from report.json
  ./leakfix-plan/import.sh        then store the secrets (values come from files, never argv)`

// planFlags are plan's flags.
type planFlags struct {
	rf          reportFlags // only config, quiet and verbose apply
	target      string
	from        string
	root        string
	out         string
	noIgnore    bool
	maxFileSize int64
	noBase64    bool
	names       string
	overrides   naming.Overrides
	opts        vaultplan.Options
}

func planCommand(e *env) *cobra.Command {
	pf := new(planFlags)
	c := newCommand(e, "plan --target TARGET [PATH]", "write a vault import plan: plan.json, import.sh and deployment snippets",
		"PATH defaults to .", planExamples, pf.run)
	fs := c.Flags()
	fs.StringVar(&pf.target, "target", "", "the store: azure-keyvault, aws-secrets-manager, hashicorp-vault or gcp-secret-manager")
	fs.StringVar(&pf.from, "from", "", "plan from this JSON report `FILE` instead of scanning; redacted values are read back from the files and verified by fingerprint")
	fs.StringVar(&pf.root, "root", "", "with --from: the `DIR` the report's file paths are relative to (default: the current directory, then the report's directory)")
	fs.StringVar(&pf.out, "out", "leakfix-plan", "write the plan into `DIR` (replaces an earlier plan there)")
	fs.StringVarP(&pf.out, "output", "o", pf.out, "alias of --out, as for scan and history")
	fs.StringVarP(&pf.rf.config, "config", "c", "", "rule pack `FILE` (default: as for scan)")
	fs.BoolVarP(&pf.rf.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.BoolVarP(&pf.rf.verbose, "verbose", "v", false, "say more on stderr (never a secret)")
	fs.BoolVar(&pf.noIgnore, "no-ignore", false, "scan files that .gitignore excludes")
	fs.Int64Var(&pf.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "skip files larger than `BYTES`")
	fs.BoolVar(&pf.noBase64, "no-base64", false, "do not decode and scan base64 blobs")
	fs.StringVar(&pf.names, "names", "", "TOML `FILE` of vault-name overrides, the same file given to leakfix fix")
	fs.StringVar(&pf.opts.VaultName, "vault-name", "", "azure-keyvault: the Key Vault `NAME`")
	fs.StringVar(&pf.opts.Region, "region", "", "aws-secrets-manager: the `REGION` (default: the aws CLI's)")
	fs.StringVar(&pf.opts.AccountID, "account-id", "", "aws-secrets-manager: the 12-digit account `ID`, for ARNs in snippets")
	fs.StringVar(&pf.opts.Prefix, "prefix", "", "aws-secrets-manager, hashicorp-vault: store every secret under `PATH/` (set SECRETS_PREFIX for the lookup helper too)")
	fs.StringVar(&pf.opts.Mount, "mount", "secret", "hashicorp-vault: the KV v2 mount `PATH`")
	fs.StringVar(&pf.opts.VaultAddr, "vault-addr", "", "hashicorp-vault: the server `URL`, for snippets")
	fs.StringVar(&pf.opts.Project, "project", "", "gcp-secret-manager: the project `ID` (default: gcloud's)")
	fs.StringVar(&pf.opts.App, "app", "app", "the container, service account and Kubernetes Secret `NAME` in snippets")
	return c
}

func (pf *planFlags) run(ctx context.Context, e *env, paths []string) error {
	target, err := vaultplan.ParseTarget(pf.target)
	if err != nil {
		return usageError("%v", err)
	}
	pf.opts.Target = target
	pf.opts.ToolVersion = version
	if err := pf.opts.Normalize(); err != nil {
		return usageError("%v", err)
	}
	switch {
	case len(paths) > 1:
		return usageError("plan takes one PATH (got %d)", len(paths))
	case len(paths) == 1 && paths[0] == "-":
		return usageError("plan cannot read stdin: it needs files to point the plan at")
	case pf.from != "" && len(paths) == 1:
		return usageError("give a PATH to scan or --from REPORT, not both")
	case pf.root != "" && pf.from == "":
		return usageError("--root only applies with --from")
	}
	if pf.overrides, err = loadNames(pf.names); err != nil {
		return usageError("--names: %v", err)
	}
	warn := warner(e, pf.rf.quiet)

	var findings []scanner.Finding
	var scanErr error
	if pf.from == "" {
		findings, scanErr, err = planScan(ctx, e, pf, paths)
	} else {
		findings, err = planFromReport(ctx, e, pf)
	}
	if err != nil {
		return err
	}
	if findings, pf.opts.Services, err = addMoved(e, pf, paths, findings); err != nil {
		return &exitError{code: 2, err: err}
	}
	if len(findings) == 0 {
		fmt.Fprintln(e.stdout, "no secrets found; no plan written")
		if scanErr != nil {
			return &exitError{code: 2, err: scanErr}
		}
		return nil
	}

	p, values, err := vaultplan.Build(findings, pf.opts)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	// plan writes only under --out; the plan's own .gitignore keeps the
	// values out of git.
	res, err := vaultplan.Write(pf.out, p, values, vaultplan.WriteOptions{OnlyUnderDir: true})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	printPlanSummary(e, pf.out, p, res)
	printServiceGrants(e, pf.out, p)
	for _, n := range p.Notes {
		warn("note: " + n)
	}
	if scanErr != nil {
		return &exitError{code: 2, err: fmt.Errorf("%w; the plan covers only the files that were read", scanErr)}
	}
	return nil
}

// planScan scans PATH (default .) and names the findings, as scan does.
// scanErr reports unreadable files: the plan is still written for the
// rest, and the command exits 2.
func planScan(ctx context.Context, e *env, pf *planFlags, paths []string) (findings []scanner.Finding, scanErr, err error) {
	root := "."
	if len(paths) == 1 {
		root = paths[0]
	}
	if err := checkPaths([]string{root}); err != nil { // paths.go
		return nil, nil, err
	}
	cfg, det, err := newDetector(e, &pf.rf, root, pf.noBase64)
	if err != nil {
		return nil, nil, err
	}
	src := &scanner.FileSource{
		Roots:       []string{root},
		NoIgnore:    pf.noIgnore,
		MaxFileSize: pf.maxFileSize,
		Warn:        warner(e, pf.rf.quiet),
		// Named from the repository root, as scan names them.
		RepoRelative: true,
	}
	findings, _, scanErr = src.Scan(ctx, det)
	if scanErr != nil && !scanner.Incomplete(scanErr) {
		return nil, nil, &exitError{code: 2, err: scanErr}
	}
	findings = leaveWholeFiles(e, pf.rf.quiet, dropValuesFiles(findings)) // planwhole.go
	if err := naming.Assign(findings, cfg, pf.overrides); err != nil {
		return nil, nil, usageError("%v", err)
	}
	return findings, scanErr, nil
}

// planFromReport reads a JSON report; redacted values are read back from
// the files under --root (or the current directory, then the report's
// directory) and kept only when they reproduce the fingerprint.
func planFromReport(ctx context.Context, e *env, pf *planFlags) ([]scanner.Finding, error) {
	findings, err := report.ReadJSON(pf.from)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--from: %w", err)}
	}
	roots := []string{pf.root}
	if pf.root == "" {
		roots = []string{"."}
		if d := filepath.Dir(pf.from); d != "." {
			roots = append(roots, d)
		}
	}
	cfg, det, err := newDetector(e, &pf.rf, roots[0], pf.noBase64)
	if err != nil {
		return nil, err
	}
	// scan names files from the repository root inside a work tree.
	for _, r := range roots {
		if top := repoRootOf(r); !slices.Contains(roots, top) && findWorkTreeOf(r) {
			roots = append(roots, top)
		}
	}
	findings = leaveWholeFiles(e, pf.rf.quiet, dropValuesFiles(findings)) // planwhole.go
	if err := vaultplan.Recover(ctx, findings, roots, det); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--from %s: %w", pf.from, err)}
	}
	// The report's names are what scan and fix derived; name again only
	// when some are missing or --names overrides them.
	unnamed := false
	for _, f := range findings {
		unnamed = unnamed || f.SecretName == ""
	}
	if unnamed || pf.overrides != nil {
		if err := naming.Assign(findings, cfg, pf.overrides); err != nil {
			return nil, usageError("%v", err)
		}
	}
	return findings, nil
}

// dropValuesFiles ignores an earlier plan's values (kept with
// import.sh --keep-values) that a scan outside a git work tree picks up.
func dropValuesFiles(findings []scanner.Finding) []scanner.Finding {
	kept := findings[:0]
	for _, f := range findings {
		inValues := false
		for _, part := range strings.Split(f.File, "/") {
			if strings.HasSuffix(part, ".leakfix-values") {
				inValues = true
			}
		}
		if !inValues {
			kept = append(kept, f)
		}
	}
	return kept
}

func printPlanSummary(e *env, out string, p *vaultplan.Plan, res *vaultplan.WriteResult) {
	imports, generates := p.Counts()
	w := e.stdout
	fmt.Fprintf(w, "wrote %s for %s: %d secret(s) to import, %d weak default(s) to replace\n", out, p.Target, imports, generates)
	for _, s := range p.Secrets {
		places := "1 place"
		if n := len(s.Locations); n != 1 {
			places = fmt.Sprintf("%d places", n)
		}
		fmt.Fprintf(w, "  %-8s %-40s %-9s %s\n", s.Action, s.StoreName, places, s.Reference)
	}
	fmt.Fprintf(w, "values:  %s/ (files 0600; import.sh deletes them once stored)\n", filepath.Join(out, p.ValuesDir))
	if res.GitignoreAdded {
		fmt.Fprintf(w, "git:     added %s to %s\n", vaultplan.IgnorePattern, res.Gitignore)
	}
	script := filepath.Join(out, vaultplan.ScriptFile)
	if !filepath.IsAbs(script) && !strings.HasPrefix(script, ".") {
		script = "./" + script
	}
	fmt.Fprintf(w, "next:    review %s and %s/, then run %s\n",
		filepath.Join(out, vaultplan.PlanFile), filepath.Join(out, vaultplan.SnippetsDir), script)
}
