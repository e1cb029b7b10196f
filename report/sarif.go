package report

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"sort"
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

// GitHub code scanning's documented limits for one uploaded SARIF file.
// Above MaxSARIFResults a run is rejected outright; above MaxSARIFGzipBytes
// (measured gzipped, as the upload action sends it) the upload is refused.
// MaxRuleTags is what GitHub shows of a rule's tags (it rejects more than 20).
const (
	MaxSARIFResults   = 25000
	MaxSARIFGzipBytes = 10 * 1000 * 1000
	MaxRuleTags       = 10
)

// SARIFSummary says what a SARIF write kept and how big the file is for
// GitHub, so the CLI can warn on stderr: the writer itself has no stderr.
type SARIFSummary struct {
	Total     int   // findings handed to the writer
	Written   int   // results in the run
	GzipBytes int64 // size of the document gzipped at the default level
}

// Omitted is how many findings the results cap left out.
func (s SARIFSummary) Omitted() int { return s.Total - s.Written }

// Warnings are the lines to print when the file is outside GitHub's limits.
func (s SARIFSummary) Warnings() []string {
	var out []string
	if s.Omitted() > 0 {
		out = append(out, fmt.Sprintf("SARIF: %d findings, but GitHub code scanning accepts at most %d results per run: "+
			"kept the %d most severe and left out %d (run.properties says so too); use --format json for the full list, or --baseline to report only new findings",
			s.Total, MaxSARIFResults, s.Written, s.Omitted()))
	}
	if s.GzipBytes > MaxSARIFGzipBytes {
		out = append(out, fmt.Sprintf("SARIF: the file is %.1f MB gzipped; GitHub code scanning refuses uploads over 10 MB gzipped: "+
			"scan fewer paths, or use --baseline to report only new findings", float64(s.GzipBytes)/1e6))
	}
	return out
}

// WriteSARIF writes findings as SARIF (redacted unless opts.ShowSecrets)
// and reports how the document fits GitHub's limits.
func WriteSARIF(w io.Writer, findings []scanner.Finding, opts Options) (SARIFSummary, error) {
	return writeSARIFSummary(w, prepare(findings, opts.ShowSecrets, opts.Redactor), opts)
}

func writeSARIF(w io.Writer, findings []scanner.Finding, opts Options) error {
	_, err := writeSARIFSummary(w, findings, opts)
	return err
}

func writeSARIFSummary(w io.Writer, findings []scanner.Finding, opts Options) (SARIFSummary, error) {
	return writeSARIFLimited(w, findings, opts, MaxSARIFResults)
}

// writeSARIFLimited writes at most limit results (tests use a small one).
func writeSARIFLimited(w io.Writer, findings []scanner.Finding, opts Options, limit int) (SARIFSummary, error) {
	sum := SARIFSummary{Total: len(findings)}
	findings = mostSevere(findings, limit)
	sum.Written = len(findings)
	rep, err := sarif.New(sarif.Version210, false)
	if err != nil {
		return sum, fmt.Errorf("sarif: %w", err)
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
		id := AutomationID(opts.Category)
		run.AutomationDetails = &sarif.RunAutomationDetails{ID: &id}
	}

	if v := opts.VCS; v != nil && v.RepositoryURI != "" {
		vc := sarif.NewVersionControlDetails().WithRepositoryURI(v.RepositoryURI)
		if v.RevisionID != "" {
			vc.RevisionID = &v.RevisionID
		}
		if v.Branch != "" {
			vc.WithBranch(v.Branch)
		}
		vc.WithMappedTo(sarif.NewArtifactLocation().WithUriBaseId(SourceRootBase))
		run.AddVersionControlProvenance(vc)
	}
	if !opts.ShowSecrets {
		// SARIF's own way to say "this text stood for something removed".
		run.RedactionTokens = []string{scanner.RedactedText}
	}
	if omitted := sum.Omitted(); omitted > 0 {
		run.Properties = sarif.Properties{
			"truncated":      true,
			"totalResults":   sum.Total,
			"omittedResults": omitted,
			"note": fmt.Sprintf("GitHub code scanning accepts at most %d results per run; the %d least severe findings were left out of this file. "+
				"leakfix --format json lists them all.", limit, omitted),
		}
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
	// Measure the gzipped size on the way out, without keeping a copy.
	var gzSize byteCount
	zw := gzip.NewWriter(&gzSize)
	if err := rep.PrettyWrite(io.MultiWriter(w, zw)); err != nil {
		return sum, err
	}
	if err := zw.Close(); err != nil {
		return sum, fmt.Errorf("sarif: measure gzipped size: %w", err)
	}
	sum.GzipBytes = int64(gzSize)
	return sum, nil
}

// byteCount is a writer that only counts.
type byteCount int64

func (c *byteCount) Write(p []byte) (int, error) { *c += byteCount(len(p)); return len(p), nil }

// mostSevere returns at most limit findings: all of them when they fit,
// else the most severe (then most confident), in their original order so
// the file still reads file by file.
func mostSevere(findings []scanner.Finding, limit int) []scanner.Finding {
	if len(findings) <= limit {
		return findings
	}
	idx := make([]int, len(findings))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, fb := findings[idx[a]], findings[idx[b]]
		if ra, rb := severityRank(fa.Severity), severityRank(fb.Severity); ra != rb {
			return ra > rb
		}
		return rules.ConfidenceRank(fa.Confidence) > rules.ConfidenceRank(fb.Confidence)
	})
	keep := idx[:limit]
	sort.Ints(keep)
	out := make([]scanner.Finding, 0, limit)
	for _, i := range keep {
		out = append(out, findings[i])
	}
	return out
}

func severityRank(sev string) int {
	switch sev {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

// AutomationID turns a category into runAutomationDetails.id. GitHub
// reads the id as "category/run-id" and takes everything before the LAST
// slash as the category, so "leakfix/tree" and "leakfix/history" would both
// land in category "leakfix" and replace each other's alerts. A trailing
// slash makes the whole string the category, as codeql-action's own
// `category` input does.
func AutomationID(category string) string {
	if strings.HasSuffix(category, "/") {
		return category
	}
	return category + "/"
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
		WithHelp(&sarif.MultiformatMessageString{Text: ptr(helpText(desc, weak)), Markdown: ptr(helpMarkdown(id, desc, provider, weak))}).
		WithHelpURI(informationURI + "#rules")
	rule.DefaultConfiguration = &sarif.ReportingConfiguration{Level: level(severity)}
	allTags := append([]string{"security", "secret"}, tags...)
	rule.Properties = sarif.Properties{
		"tags":              capTags(dedupe(allTags)),
		"security-severity": rules.SecuritySeverity(severity),
		"precision":         precision(confidence),
		"problem.severity":  problemSeverity(severity),
	}
	return rule
}

func sarifResult(f scanner.Finding, idx uint) *sarif.Result {
	res := sarif.NewRuleResult(f.RuleID).WithRuleIndex(int(idx)).WithLevel(resultLevel(f.Severity, f.Confidence))
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
	if f.Container != "" {
		msg += fmt.Sprintf(" inside the archive, at %s line %d", f.File, f.StartLine)
	}
	if f.Encoding != "" {
		msg += " (decoded: " + f.Encoding + ")"
	}
	res.WithMessage(sarif.NewTextMessage(msg + ". The value is redacted."))
	uri := fileURI(f.File)
	switch {
	case f.InMessage && f.Commit != "":
		// A commit message is no file; name it by its commit so the
		// alert says where to look.
		uri = CommitMessageURI(f.Commit)
	case uri == "":
		uri = "."
	}
	region := sarif.NewRegion().WithStartLine(max(1, f.StartLine)).WithStartColumn(max(1, f.StartColumn)).
		WithEndLine(max(1, f.EndLine, f.StartLine)).WithEndColumn(max(1, f.EndColumn) + 1)
	if f.Container != "" {
		// GitHub shows the file the location names, so it must be the
		// archive in the repository; lines of an entry mean nothing there.
		uri = f.Container
		region = sarif.NewRegion().WithStartLine(1)
	}
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
	if f.Container != "" {
		props["archive_entry"] = f.File
		props["entry_line"] = f.StartLine
		props["entry_column"] = f.StartColumn
	}
	res.Properties = props
	return res
}

// CommitMessageURI is the artifact a finding in a commit message points at.
func CommitMessageURI(commit string) string { return "commit-message/" + commit }

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

// helpMarkdown is what GitHub shows under "Show more" on an alert: what the
// rule found and the steps that remove it for good, leakfix's own first.
func helpMarkdown(id, desc, provider string, weak bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n\nRule `%s`", desc, id)
	if provider != "" {
		fmt.Fprintf(&b, ", provider `%s`", provider)
	}
	b.WriteString(". The alert never contains the value: open the file at the reported line.\n\n")
	if weak {
		b.WriteString("A secret setting falls back to a hard-coded literal, so a missing environment variable silently runs with a guessable value.\n\n" +
			"**Remediate**\n\n1. Run `leakfix fix --write`: the lookup loses its fallback and fails hard when the variable is unset.\n" +
			"2. Put a strong generated value in your vault or deployment environment.\n")
		return b.String()
	}
	b.WriteString("A live credential is committed to the repository. Anyone who can read the repository or any clone of it can use it.\n\n" +
		"**Remediate**\n\n" +
		"1. **Rotate** the credential at the provider; treat the old value as compromised.\n" +
		"2. Run `leakfix fix --write` to replace the literal with a `get_secret(\"name\")` lookup (Python, Go, JS/TS, config files).\n" +
		"3. Run `leakfix plan --target azure-keyvault|aws-secrets-manager|hashicorp-vault|gcp-secret-manager` and execute the generated `import.sh` (values are read from a 0600 file, never from the command line).\n" +
		"4. Run `leakfix purge` and apply the replace-text file with `git filter-repo` or BFG to remove the value from history.\n\n" +
		"If the value is a test fixture, add `leakfix:allow` in a comment on its line or its fingerprint to `.leakfixignore`.\n")
	return b.String()
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

// capTags keeps the first MaxRuleTags tags ("security" and "secret" lead),
// since GitHub shows no more and rejects a rule with over 20.
func capTags(tags []string) []string {
	if len(tags) > MaxRuleTags {
		return tags[:MaxRuleTags]
	}
	return tags
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

// fileURI percent-encodes a slash-separated path into a URI reference
// (RFC 3986): spaces, control characters, '%' and '#' are encoded, and
// bytes that are not UTF-8 are kept byte for byte as %XX instead of
// becoming U+FFFD when the JSON is written.
func fileURI(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		// ':' too: "a:b.txt" must not read as a URI with scheme "a".
		parts[i] = strings.ReplaceAll(url.PathEscape(p), ":", "%3A")
	}
	return strings.Join(parts, "/")
}
