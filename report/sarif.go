package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// FingerprintKey is our own content fingerprint's key in
// partialFingerprints. GitHub computes primaryLocationLineHash itself when
// it is absent; a value we made up would raise "inconsistent fingerprint"
// warnings, so we leave that key to the upload action.
const FingerprintKey = "leakfixFingerprint/v1"

// SourceRootBase is the uriBaseId for relative paths.
const SourceRootBase = "%SRCROOT%"

const informationURI = "https://github.com/leakfix/leakfix"

func writeSARIF(w io.Writer, findings []scanner.Finding, opts Options) error {
	rep, err := sarif.New(sarif.Version210, false)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	rep.Schema = "https://json.schemastore.org/sarif-2.1.0.json"
	version := opts.ToolVersion
	if version == "" {
		version = "dev"
	}
	driver := sarif.NewVersionedDriver("leakfix", version).WithInformationURI(informationURI)
	run := sarif.NewRun(*sarif.NewTool(driver))
	run.ColumnKind = "unicodeCodePoints"
	if opts.Category != "" {
		id := opts.Category
		run.AutomationDetails = &sarif.RunAutomationDetails{ID: &id}
	}

	ruleIndex := map[string]uint{}
	for i, id := range usedRules(findings) {
		ruleIndex[id] = uint(i)
		driver.AddRule(sarifRule(id, lookupRule(opts.Rules, id), findings))
	}
	run.Results = []*sarif.Result{}
	for _, f := range findings {
		run.AddResult(sarifResult(f, ruleIndex[f.RuleID]))
	}
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

func lookupRule(cfg *rules.Config, id string) *rules.Rule {
	if cfg == nil {
		return nil
	}
	return cfg.Rule(id)
}

func sarifRule(id string, r *rules.Rule, findings []scanner.Finding) *sarif.ReportingDescriptor {
	desc, severity, confidence, provider := "", "high", "medium", ""
	var tags []string
	weak := false
	if r != nil {
		desc, severity, confidence, provider, tags = r.Description, r.Severity, r.Confidence, r.Provider, r.Tags
		weak = r.HasTag(rules.TagWeakDefault)
	} else {
		// Rules outside the loaded pack (a report read back): take what the
		// finding carries.
		for _, f := range findings {
			if f.RuleID == id {
				desc, severity, confidence, provider, tags = f.Description, f.Severity, f.Confidence, f.Provider, f.Tags
				weak = f.IsWeakDefault()
				break
			}
		}
	}
	if desc == "" {
		desc = id
	}
	rule := sarif.NewRule(id).WithName(camel(id)).
		WithShortDescription(sarif.NewMultiformatMessageString(desc)).
		WithFullDescription(sarif.NewMultiformatMessageString(fullDescription(desc, provider, weak))).
		WithHelp(&sarif.MultiformatMessageString{Text: ptr(helpText(desc, weak)), Markdown: ptr(helpMarkdown(desc, weak))}).
		WithHelpURI(informationURI + "#rules")
	rule.DefaultConfiguration = &sarif.ReportingConfiguration{Level: level(severity)}
	allTags := append([]string{"security", "secret"}, tags...)
	rule.Properties = sarif.Properties{
		"tags":              dedupe(allTags),
		"security-severity": rules.SecuritySeverity(severity),
		"precision":         precision(confidence),
		"problem.severity":  problemSeverity(severity),
	}
	return rule
}

func sarifResult(f scanner.Finding, idx uint) *sarif.Result {
	res := sarif.NewRuleResult(f.RuleID).WithRuleIndex(int(idx)).WithLevel(level(f.Severity))
	msg := fmt.Sprintf("%s found", f.Description)
	if f.SecretName != "" {
		msg += fmt.Sprintf("; vault name %q", f.SecretName)
	}
	if f.Commit != "" {
		msg += fmt.Sprintf(" (introduced in commit %s by %s on %s)", shortSHA(f.Commit), f.Author, f.Date)
	}
	if f.InMessage {
		msg += " in a commit message"
	}
	res.WithMessage(sarif.NewTextMessage(msg + ". The value is redacted."))
	uri := f.File
	if uri == "" {
		uri = "."
	}
	region := sarif.NewRegion().WithStartLine(max(1, f.StartLine)).WithStartColumn(max(1, f.StartColumn)).
		WithEndLine(max(1, f.EndLine, f.StartLine)).WithEndColumn(max(1, f.EndColumn) + 1)
	loc := sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri).WithUriBaseId(SourceRootBase)).
		WithRegion(region)
	res.AddLocation(sarif.NewLocationWithPhysicalLocation(loc))
	res.PartialFingerprints = map[string]interface{}{FingerprintKey: f.Fingerprint}
	props := sarif.Properties{
		"provider":   f.Provider,
		"confidence": f.Confidence,
		"severity":   f.Severity,
		"entropy":    f.Entropy,
	}
	if f.SecretName != "" {
		props["secret_name"] = f.SecretName
	}
	if f.Commit != "" {
		props["commit"] = f.Commit
		props["author"] = f.Author
		props["date"] = f.Date
		props["commit_summary"] = f.Message
	}
	if f.Encoding != "" {
		props["encoding"] = f.Encoding
	}
	res.Properties = props
	return res
}

func fullDescription(desc, provider string, weak bool) string {
	if weak {
		return desc + ": a secret setting falls back to a hard-coded literal when the environment does not provide it."
	}
	if provider != "" {
		return fmt.Sprintf("%s (%s) committed to source.", desc, provider)
	}
	return desc + " committed to source."
}

func helpText(desc string, weak bool) string {
	if weak {
		return "Remove the fallback literal so the service fails to start without the real secret: run `leakfix fix --write` (it rewrites the lookup to fail hard), then set the secret in your vault or deployment environment."
	}
	return "Rotate the credential first: it is exposed to everyone with read access to the repository, now and in its history. " +
		"Then run `leakfix fix --write` to replace the literal with a vault lookup, `leakfix plan` to import the value into your secret store, " +
		"and `leakfix purge` to write the replace-text file that removes it from git history."
}

func helpMarkdown(desc string, weak bool) string {
	if weak {
		return fmt.Sprintf("**%s**\n\nA secret setting falls back to a hard-coded literal, so a missing environment variable silently runs with a guessable value.\n\n"+
			"**Remediate**\n\n1. Run `leakfix fix --write`: the lookup loses its fallback and fails hard when the variable is unset.\n"+
			"2. Put a strong generated value in your vault or deployment environment.\n", desc)
	}
	return fmt.Sprintf("**%s**\n\nA live credential is committed to the repository. Anyone who can read the repository or any clone of it can use it.\n\n"+
		"**Remediate**\n\n"+
		"1. **Rotate** the credential at the provider; treat the old value as compromised.\n"+
		"2. Run `leakfix fix --write` to replace the literal with a `get_secret(\"name\")` lookup (Python, Go, JS/TS, config files).\n"+
		"3. Run `leakfix plan --target azure-keyvault|aws-secrets-manager|hashicorp-vault|gcp-secret-manager` and execute the generated `import.sh` (values are read from a 0600 file, never from the command line).\n"+
		"4. Run `leakfix purge` and apply the replace-text file with `git filter-repo` or BFG to remove the value from history.\n\n"+
		"If the value is a test fixture, add `leakfix:allow` in a comment on its line or its fingerprint to `.leakfixignore`.\n", desc)
}

func level(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

func problemSeverity(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "recommendation"
}

func precision(confidence string) string {
	switch confidence {
	case "high":
		return "high"
	case "low":
		return "low"
	}
	return "medium"
}

// camel turns a rule id into the PascalCase name SARIF viewers show.
func camel(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
