package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// githubSARIF is the part of a SARIF document GitHub code scanning reads.
type githubSARIF struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID                   string            `json:"id"`
					Help                 map[string]string `json:"help"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Tags             []string `json:"tags"`
						SecuritySeverity any      `json:"security-severity"`
						Precision        string   `json:"precision"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails *struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		RedactionTokens []string       `json:"redactionTokens"`
		Properties      map[string]any `json:"properties"`
		Results         []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           int               `json:"ruleIndex"`
			Level               string            `json:"level"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeGitHub(t *testing.T, data []byte) githubSARIF {
	t.Helper()
	var doc githubSARIF
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("SARIF does not decode: %v", err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("want exactly one run per file (GitHub: one run per tool and category), got %d", len(doc.Runs))
	}
	return doc
}

func writeSARIFDoc(t *testing.T, fs []scanner.Finding, opts Options) ([]byte, SARIFSummary) {
	t.Helper()
	opts.Format = FormatSARIF
	var buf bytes.Buffer
	sum, err := WriteSARIF(&buf, fs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

// TestAutomationIDIsAWholeCategory: GitHub splits automationDetails.id at
// its last slash into category and run id, so the id must end in a slash
// or "leakfix/tree" and "leakfix/history" share the category "leakfix".
func TestAutomationIDIsAWholeCategory(t *testing.T) {
	for _, tt := range []struct{ category, id string }{
		{"leakfix/tree", "leakfix/tree/"},
		{"leakfix/history", "leakfix/history/"},
		{"secrets/", "secrets/"},
		{"monorepo/svc-a", "monorepo/svc-a/"},
	} {
		data, _ := writeSARIFDoc(t, sampleFindings(), Options{Category: tt.category})
		doc := decodeGitHub(t, data)
		if doc.Runs[0].AutomationDetails == nil || doc.Runs[0].AutomationDetails.ID != tt.id {
			t.Errorf("category %q: automationDetails = %+v, want id %q", tt.category, doc.Runs[0].AutomationDetails, tt.id)
		}
	}
	// GitHub's category is everything before the last slash: tree and
	// history must differ there.
	cat := func(id string) string { return id[:strings.LastIndex(id, "/")] }
	if cat(AutomationID("leakfix/tree")) == cat(AutomationID("leakfix/history")) {
		t.Error("tree and history scans fall into the same GitHub category")
	}
	data, _ := writeSARIFDoc(t, sampleFindings(), Options{})
	if doc := decodeGitHub(t, data); doc.Runs[0].AutomationDetails != nil {
		t.Errorf("no category given, yet automationDetails = %+v", doc.Runs[0].AutomationDetails)
	}
}

// TestSARIFRulesForGitHub checks, for every rule of the default pack, what
// GitHub shows on an alert: severity as a string on its 0–10 scale, the
// security tag, a help text in Markdown that names the rule and says how
// to remediate with leakfix, and a bounded number of tags.
func TestSARIFRulesForGitHub(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var fs []scanner.Finding
	for i, r := range cfg.Rules {
		fs = append(fs, scanner.Finding{RuleID: r.ID, Description: r.Description, File: fmt.Sprintf("f%d.py", i), StartLine: 1, EndLine: 1,
			StartColumn: 1, EndColumn: 10, Secret: "s3cr3t-value-" + strconv.Itoa(i), Fingerprint: fmt.Sprintf("%032x", i),
			Severity: r.Severity, Confidence: r.Confidence, Provider: r.Provider})
	}
	data, _ := writeSARIFDoc(t, fs, Options{Rules: cfg, Category: "leakfix/tree"})
	doc := decodeGitHub(t, data)
	got := doc.Runs[0].Tool.Driver.Rules
	if len(got) != len(cfg.Rules) {
		t.Fatalf("%d rules in SARIF, %d in the pack", len(got), len(cfg.Rules))
	}
	wantSev := map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
	for _, r := range got {
		pr := cfg.Rule(r.ID)
		sev, ok := r.Properties.SecuritySeverity.(string)
		if !ok {
			t.Errorf("%s: security-severity %#v is not a string", r.ID, r.Properties.SecuritySeverity)
			continue
		}
		if want := wantSev[pr.Severity]; sev != want {
			t.Errorf("%s: severity %s gives security-severity %q, want %q", r.ID, pr.Severity, sev, want)
		}
		if n, err := strconv.ParseFloat(sev, 64); err != nil || (pr.Severity == "critical") != (n > 9.0) {
			t.Errorf("%s: security-severity %q: only critical rules may score over 9.0", r.ID, sev)
		}
		if len(r.Properties.Tags) == 0 || r.Properties.Tags[0] != "security" || len(r.Properties.Tags) > MaxRuleTags {
			t.Errorf("%s: tags %v: want security first and at most %d", r.ID, r.Properties.Tags, MaxRuleTags)
		}
		md := r.Help["markdown"]
		for _, want := range []string{"`" + r.ID + "`", "leakfix fix", "Remediate"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: help.markdown lacks %q", r.ID, want)
			}
		}
		if r.Help["text"] == "" {
			t.Errorf("%s: help.text is empty (GitHub requires text beside markdown)", r.ID)
		}
		if r.Properties.Precision == "" || r.DefaultConfiguration.Level == "" {
			t.Errorf("%s: precision %q level %q", r.ID, r.Properties.Precision, r.DefaultConfiguration.Level)
		}
	}
	for _, res := range doc.Runs[0].Results {
		if got[res.RuleIndex].ID != res.RuleID {
			t.Fatalf("result %s points at rule %d (%s)", res.RuleID, res.RuleIndex, got[res.RuleIndex].ID)
		}
	}
}

func TestSARIFTagsCapped(t *testing.T) {
	f := sampleFindings()[0]
	for i := range 30 {
		f.Tags = append(f.Tags, fmt.Sprintf("tag%d", i))
	}
	data, _ := writeSARIFDoc(t, []scanner.Finding{f}, Options{})
	tags := decodeGitHub(t, data).Runs[0].Tool.Driver.Rules[0].Properties.Tags
	if len(tags) != MaxRuleTags || tags[0] != "security" || tags[1] != "secret" {
		t.Errorf("tags = %v", tags)
	}
}

// TestSARIFLocationsAndFingerprints: relative URIs against %SRCROOT%, our
// fingerprint under our own key, and no primaryLocationLineHash (the upload
// action computes that one from the file; a made-up value would conflict).
func TestSARIFLocationsAndFingerprints(t *testing.T) {
	data, _ := writeSARIFDoc(t, sampleFindings(), Options{})
	doc := decodeGitHub(t, data)
	if toks := doc.Runs[0].RedactionTokens; len(toks) != 1 || toks[0] != scanner.RedactedText {
		t.Errorf("redactionTokens = %v", toks)
	}
	for i, res := range doc.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation.ArtifactLocation
		if loc.URIBaseID != "%SRCROOT%" || strings.HasPrefix(loc.URI, "/") || strings.Contains(loc.URI, ":") || strings.Contains(loc.URI, `\`) {
			t.Errorf("result %d: location %+v is not a relative URI against %%SRCROOT%%", i, loc)
		}
		if _, ok := res.PartialFingerprints["primaryLocationLineHash"]; ok {
			t.Errorf("result %d: primaryLocationLineHash must be left to the upload action", i)
		}
		if res.PartialFingerprints[FingerprintKey] != sampleFindings()[i].Fingerprint {
			t.Errorf("result %d: partialFingerprints = %v", i, res.PartialFingerprints)
		}
	}
	// Lines moving changes the region, never the fingerprint.
	moved := sampleFindings()
	for i := range moved {
		moved[i].StartLine += 40
		moved[i].EndLine += 40
	}
	data2, _ := writeSARIFDoc(t, moved, Options{})
	for i, res := range decodeGitHub(t, data2).Runs[0].Results {
		if fmt.Sprint(res.PartialFingerprints) != fmt.Sprint(doc.Runs[0].Results[i].PartialFingerprints) {
			t.Errorf("result %d: fingerprints changed when lines moved", i)
		}
	}
}

// TestSARIFResultCap: beyond GitHub's 25,000 results per run the writer
// keeps the most severe, says so in run.properties and in the summary the
// CLI prints, and the file stays valid.
func TestSARIFResultCap(t *testing.T) {
	n := MaxSARIFResults + 1500
	fs := make([]scanner.Finding, n)
	severities := []string{"low", "medium", "high", "critical"}
	count := map[string]int{}
	for i := range fs {
		sev := severities[i%4]
		if i%10 == 0 {
			sev = "low"
		}
		count[sev]++
		fs[i] = scanner.Finding{RuleID: "r-" + sev, Description: sev, File: fmt.Sprintf("d/f%05d.txt", i), StartLine: 1, EndLine: 1,
			StartColumn: 1, EndColumn: 5, Secret: "value", Fingerprint: fmt.Sprintf("%032x", i), Severity: sev, Confidence: "medium"}
	}
	data, sum := writeSARIFDoc(t, fs, Options{Category: "leakfix/tree"})
	if sum.Total != n || sum.Written != MaxSARIFResults || sum.Omitted() != n-MaxSARIFResults {
		t.Fatalf("summary = %+v", sum)
	}
	doc := decodeGitHub(t, data)
	run := doc.Runs[0]
	if len(run.Results) != MaxSARIFResults {
		t.Fatalf("%d results, want %d", len(run.Results), MaxSARIFResults)
	}
	kept := map[string]int{}
	last := ""
	for _, r := range run.Results {
		kept[r.RuleID]++
		uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if uri < last {
			t.Fatal("kept results are not in their original order")
		}
		last = uri
	}
	for _, sev := range []string{"critical", "high", "medium"} {
		if kept["r-"+sev] != count[sev] {
			t.Errorf("%s: kept %d of %d; every finding more severe than the cut must stay", sev, kept["r-"+sev], count[sev])
		}
	}
	if kept["r-low"] != MaxSARIFResults-count["critical"]-count["high"]-count["medium"] {
		t.Errorf("low: kept %d", kept["r-low"])
	}
	if run.Properties["truncated"] != true || run.Properties["omittedResults"] != float64(n-MaxSARIFResults) ||
		run.Properties["totalResults"] != float64(n) {
		t.Errorf("run.properties = %v", run.Properties)
	}
	w := strings.Join(sum.Warnings(), "\n")
	if !strings.Contains(w, "25000") || !strings.Contains(w, strconv.Itoa(n-MaxSARIFResults)) {
		t.Errorf("warnings = %q", w)
	}
	// Under the cap nothing is said.
	_, small := writeSARIFDoc(t, fs[:10], Options{})
	if small.Omitted() != 0 || len(small.Warnings()) != 0 {
		t.Errorf("10 findings: summary %+v warnings %v", small, small.Warnings())
	}
}

// TestSARIFGzipSize: the summary's size is the real gzipped size of what
// was written, and a size over GitHub's 10 MB limit produces a warning.
func TestSARIFGzipSize(t *testing.T) {
	data, sum := writeSARIFDoc(t, sampleFindings(), Options{Category: "leakfix/tree"})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	if sum.GzipBytes != int64(gz.Len()) {
		t.Errorf("summary says %d gzipped bytes, gzip gives %d", sum.GzipBytes, gz.Len())
	}
	if len(sum.Warnings()) != 0 {
		t.Errorf("small file warns: %v", sum.Warnings())
	}
	big := SARIFSummary{Total: 3, Written: 3, GzipBytes: MaxSARIFGzipBytes + 1}
	if w := big.Warnings(); len(w) != 1 || !strings.Contains(w[0], "10 MB") {
		t.Errorf("over-size warnings = %v", w)
	}
}

// TestTruncatedSARIFValidates: a capped run, with its properties and
// redaction tokens, is still valid SARIF 2.1.0.
func TestTruncatedSARIFValidates(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "testdata", "schemas", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	sum, err := writeSARIFLimited(&buf, prepare(sampleFindings(), false, nil), Options{Category: "leakfix/history"}, 1)
	if err != nil || sum.Omitted() != 1 {
		t.Fatalf("summary %+v, err %v", sum, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("truncated SARIF does not validate:\n%v\n%s", err, buf.String())
	}
	run := decodeGitHub(t, buf.Bytes()).Runs[0]
	if len(run.Results) != 1 || run.Results[0].RuleID != "groq-api-key" || run.Properties["truncated"] != true {
		t.Errorf("kept %d results (%v), properties %v: want the critical one", len(run.Results), run.Results, run.Properties)
	}
}
