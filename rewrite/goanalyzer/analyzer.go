package goanalyzer

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// Analyzer reports secret string literals with fixes that move them to
// the vault. It is a package-level value because analysis drivers
// (singlechecker, go vet -vettool, gopls) are handed analyzers as values;
// its flags and rule-pack cache live in the instance, so tests use
// NewAnalyzer to get one of their own.
var Analyzer = NewAnalyzer()

const doc = `report hardcoded secrets and move them to a vault

leakfix scans each file of the package with leakfix's rule pack (the
embedded default, or -leakfix.config FILE) and reports every secret in a
string literal, naming the rule and the vault name, never the value. Each
report carries a suggested fix that replaces the literal with a call to the
helper package (-leakfix.call, default secrets.Get("vault-name"); import
path -leakfix.import, default <module>/internal/secrets, which
"leakfix fix --emit-helper" writes). A weak default such as
getEnv("JWT_SECRET", "dev") is fixed by removing the fallback:
secrets.MustEnv("JWT_SECRET") fails when the setting is missing.

Vault names are derived per package: the same value gets one name within
a package, but the analyzer cannot see other packages, so two packages may
name one value differently. "leakfix fix" names over the whole tree.`

// NewAnalyzer returns a fresh analyzer with its own flags and cache.
func NewAnalyzer() *analysis.Analyzer {
	s := &analyzerState{}
	a := &analysis.Analyzer{
		Name: "leakfix",
		Doc:  doc,
		URL:  "https://github.com/leakfix/leakfix",
		Run:  s.run,
	}
	a.Flags.StringVar(&s.configPath, "leakfix.config", "", "rule pack `file` (default: the embedded pack)")
	a.Flags.StringVar(&s.importPath, "leakfix.import", "", "import `path` of the helper package (default: <module>/"+HelperDir+", or "+FallbackImport+" outside a module)")
	a.Flags.StringVar(&s.call, "leakfix.call", DefaultCall, "`qualifier.Func` that replaces a secret literal")
	return a
}

// analyzerState is what one Analyzer keeps between packages: drivers
// such as singlechecker run every package in one process, and compiling
// the rule pack once saves most of the per-package cost.
type analyzerState struct {
	configPath, importPath, call string

	once sync.Once
	cfg  *rules.Config
	det  *scanner.Detector
	err  error
}

func (s *analyzerState) detector() (*rules.Config, *scanner.Detector, error) {
	s.once.Do(func() {
		var cfg *rules.Config
		var err error
		if s.configPath != "" {
			cfg, err = rules.LoadFile(s.configPath)
		} else {
			cfg, err = rules.Default()
		}
		if err != nil {
			s.err = fmt.Errorf("load rule pack: %w", err)
			return
		}
		s.cfg, s.det = cfg, scanner.New(cfg, scanner.Options{})
	})
	return s.cfg, s.det, s.err
}

type fileFindings struct {
	index    int // into pass.Files
	src      []byte
	findings []int // into all
}

func (s *analyzerState) run(pass *analysis.Pass) (any, error) {
	cfg, det, err := s.detector()
	if err != nil {
		return nil, err
	}
	c, err := parseCall(s.call)
	if err != nil {
		return nil, fmt.Errorf("-leakfix.call: %w", err)
	}
	importPath := s.importPath
	if importPath == "" {
		importPath = FallbackImport
		if pass.Module != nil && pass.Module.Path != "" {
			importPath = pass.Module.Path + "/" + HelperDir
		}
	}
	if err := checkImportPath(importPath); err != nil {
		return nil, fmt.Errorf("-leakfix.import: %w", err)
	}
	if pass.Pkg.Path() == importPath {
		return nil, nil // the helper itself
	}
	read := pass.ReadFile
	if read == nil {
		read = os.ReadFile
	}

	var all []scanner.Finding
	var files []fileFindings
	for i, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		if tf == nil {
			continue
		}
		src, err := read(tf.Name())
		if err != nil || len(src) != tf.Size() {
			continue // not the file that was parsed (cgo output)
		}
		found, derr := det.Detect(scanner.Fragment{Path: filepath.ToSlash(tf.Name()), Data: src})
		if derr != nil {
			// A regex timed out: the other rules' findings still count.
			pass.Reportf(f.Package, "leakfix: scan incomplete: %v", derr)
		}
		ff := fileFindings{index: i, src: src}
		for _, fd := range found {
			ff.findings = append(ff.findings, len(all))
			all = append(all, fd)
		}
		if len(ff.findings) > 0 {
			files = append(files, ff)
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	if err := naming.Assign(all, cfg, nil); err != nil {
		return nil, fmt.Errorf("name secrets: %w", err)
	}
	for _, ff := range files {
		f := pass.Files[ff.index]
		p := &planner{
			fset:       pass.Fset,
			tf:         pass.Fset.File(f.FileStart),
			file:       f,
			src:        ff.src,
			info:       pass.TypesInfo,
			pkg:        pass.Pkg,
			files:      pass.Files,
			complete:   len(pass.TypeErrors) == 0,
			importPath: importPath,
			call:       c,
		}
		items := make([]*item, len(ff.findings))
		for k, fi := range ff.findings {
			items[k] = &item{Secret: rewrite.FromFinding(all[fi]), Description: all[fi].Description}
		}
		for _, o := range p.plan(items) {
			pass.Report(diagnostic(p, o))
		}
	}
	return nil, nil
}

// diagnostic turns an outcome into a report. Messages name the rule and
// the vault name, never the value.
func diagnostic(p *planner, o *outcome) analysis.Diagnostic {
	it := o.it
	d := analysis.Diagnostic{
		Pos:      p.pos(o.start),
		End:      p.pos(o.end),
		Category: it.RuleID,
	}
	var fixMsg string
	switch o.kind {
	case kindWeak:
		key := o.envKey
		if key == "" {
			key = "a secret setting"
		}
		if o.edits != nil {
			d.Message = fmt.Sprintf("weak default for %s (rule %s): remove the fallback so a missing setting fails: %s", key, it.RuleID, o.callText)
			fixMsg = "Remove the weak default of " + key
		} else {
			d.Message = fmt.Sprintf("weak default for %s (rule %s): not rewritten: %s", key, it.RuleID, o.reason)
		}
	case kindComment:
		if o.edits != nil {
			d.Message = fmt.Sprintf("secret in a comment (rule %s, vault name %q): redact it", it.RuleID, it.Name)
			fixMsg = "Redact the secret in the comment"
		} else {
			d.Message = fmt.Sprintf("secret in a comment (rule %s, vault name %q): not rewritten: %s", it.RuleID, it.Name, o.reason)
		}
	default:
		if o.edits != nil {
			d.Message = fmt.Sprintf("hardcoded secret (rule %s, vault name %q): replace with %s", it.RuleID, it.Name, o.callText)
			fixMsg = fmt.Sprintf("Move the secret to the vault as %q", it.Name)
		} else {
			d.Message = fmt.Sprintf("hardcoded secret (rule %s, vault name %q): not rewritten: %s", it.RuleID, it.Name, o.reason)
		}
	}
	if o.edits != nil {
		fix := analysis.SuggestedFix{Message: fixMsg}
		for _, e := range o.edits {
			fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: p.pos(e.Start), End: p.pos(e.End), NewText: []byte(e.Text)})
		}
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	return d
}
