package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

const canary = "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"

func sampleFindings() []scanner.Finding {
	return []scanner.Finding{
		{
			RuleID: "groq-api-key", Description: "Groq API key", File: "svc/main.py",
			StartLine: 3, EndLine: 3, StartColumn: 17, EndColumn: 72,
			Match: `groq_api_key = "` + canary + `"`, Secret: canary, Line: `groq_api_key = "` + canary + `"`,
			Entropy: 4.9, Fingerprint: "0123456789abcdef0123456789abcdef", Provider: "groq",
			Severity: "critical", Confidence: "high", SecretName: "groq-api-key", Identifier: "groq_api_key",
		},
		{
			RuleID: "weak-default", Description: "Weak default", File: "auth/main.py",
			StartLine: 9, EndLine: 9, StartColumn: 40, EndColumn: 54,
			Match: `os.getenv("JWT_SECRET", "your_jwt_secret")`, Secret: "your_jwt_secret",
			Fingerprint: "fedcba9876543210fedcba9876543210", Provider: "jwt", Severity: "low", Confidence: "medium",
			Tags: []string{"weak-default"}, Commit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
			Author: "Dev", Date: "2024-01-02T03:04:05Z", Message: "add auth " + canary,
		},
	}
}

func render(t *testing.T, format string, show bool) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, sampleFindings(), Options{Format: format, ShowSecrets: show, Category: "leakfix/tree"}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestNoRawSecretInAnyFormat(t *testing.T) {
	for _, format := range []string{FormatText, FormatJSON, FormatSARIF} {
		out := render(t, format, false)
		for _, leak := range []string{canary, "your_jwt_secret", "CANARY"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s output contains %q", format, leak)
			}
		}
		if show := render(t, format, true); format == FormatJSON && !strings.Contains(show, canary) {
			t.Errorf("%s with --show-secrets does not show the secret", format)
		}
	}
}

func TestJSONContract(t *testing.T) {
	var got []map[string]any
	if err := json.Unmarshal([]byte(render(t, FormatJSON, false)), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"rule_id", "description", "file", "start_line", "end_line", "start_column",
		"end_column", "commit", "author", "date", "match", "secret", "entropy", "fingerprint", "provider",
		"confidence", "secret_name"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("JSON finding lacks %q", key)
		}
	}
	if got[0]["secret"] != scanner.RedactedText || got[0]["match"] != `groq_api_key = "REDACTED"` {
		t.Errorf("secret/match = %v / %v", got[0]["secret"], got[0]["match"])
	}
	var empty bytes.Buffer
	if err := Write(&empty, nil, Options{Format: FormatJSON}); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("no findings should give [], got %q", empty.String())
	}
}

// TestSARIFValidatesAgainstSchema checks our SARIF with a real JSON-schema
// validator against the official 2.1.0 schema kept in ../testdata/schemas.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	schemaPath := filepath.Join("..", "testdata", "schemas", "sarif-schema-2.1.0.json")
	if _, err := os.Stat(schemaPath); err != nil {
		t.Fatalf("SARIF schema not found at %s (testdata/schemas): %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	// The schema must also reject a known-bad document, or it checks nothing.
	bad, err := os.ReadFile(filepath.Join("..", "testdata", "schemas", "sarif-example-invalid.sarif.json"))
	if err == nil {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
		if err == nil && sch.Validate(doc) == nil {
			t.Fatal("schema accepted the invalid example: validator is not validating")
		}
	}
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, fs := range [][]scanner.Finding{sampleFindings(), nil} {
		var buf bytes.Buffer
		if err := Write(&buf, fs, Options{Format: FormatSARIF, Category: "leakfix/history", Rules: cfg, ToolVersion: "1.2.3"}); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Fatalf("SARIF does not validate:\n%v\n%s", err, buf.String())
		}
	}
}

func TestSARIFProperties(t *testing.T) {
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			AutomationDetails struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
			Results []struct {
				RuleID              string         `json:"ruleId"`
				PartialFingerprints map[string]any `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine, StartColumn, EndLine, EndColumn int
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(render(t, FormatSARIF, false)), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if doc.Version != "2.1.0" || run.AutomationDetails.ID != "leakfix/tree/" {
		t.Errorf("version %q category %q", doc.Version, run.AutomationDetails.ID)
	}
	for _, r := range run.Tool.Driver.Rules {
		sev, ok := r.Properties["security-severity"].(string)
		if !ok || sev == "" {
			t.Errorf("rule %s: security-severity must be a string, got %#v", r.ID, r.Properties["security-severity"])
		}
		tags, _ := r.Properties["tags"].([]any)
		if len(tags) == 0 || tags[0] != "security" {
			t.Errorf("rule %s: tags %v lack security", r.ID, tags)
		}
		if md, _ := r.Help["markdown"].(string); !strings.Contains(md, "leakfix fix") {
			t.Errorf("rule %s: help.markdown does not say how to remediate", r.ID)
		}
	}
	res := run.Results[0]
	if _, ok := res.PartialFingerprints["primaryLocationLineHash"]; ok {
		t.Error("primaryLocationLineHash must be left to GitHub's upload action")
	}
	if res.PartialFingerprints[FingerprintKey] != "0123456789abcdef0123456789abcdef" {
		t.Errorf("partialFingerprints = %v", res.PartialFingerprints)
	}
	loc := res.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "svc/main.py" || loc.ArtifactLocation.URIBaseID != SourceRootBase {
		t.Errorf("artifact location = %+v", loc.ArtifactLocation)
	}
	if r := loc.Region; r.StartLine != 3 || r.StartColumn != 17 || r.EndColumn != 73 {
		t.Errorf("region = %+v (endColumn is exclusive in SARIF)", r)
	}
	if run.Results[1].Properties["commit"] != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" {
		t.Errorf("history result lacks its commit: %v", run.Results[1].Properties)
	}
}

func TestWriteFileAtomicLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	werr := WriteFileAtomic(path, 0o600, func(w2 io.Writer) error {
		w2.Write([]byte("partial"))
		return os.ErrClosed
	})
	if werr == nil {
		t.Fatal("want error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	if err := WriteFileAtomic(path, 0o600, func(w2 io.Writer) error { _, e := w2.Write([]byte("ok")); return e }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, err = %v", st.Mode(), err)
	}
}

func TestWriteFileAtomicKeepsDeviceNodes(t *testing.T) {
	// Writing a report to /dev/null must not replace the device.
	if err := WriteFileAtomic(os.DevNull, 0o644, func(w io.Writer) error { _, e := w.Write([]byte("x")); return e }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(os.DevNull)
	if err != nil || st.Mode().IsRegular() {
		t.Fatalf("%s is now %v (err %v)", os.DevNull, st.Mode(), err)
	}
	// A symlink is written through, not replaced.
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, 0o644, func(w io.Writer) error { _, e := w.Write([]byte("new")); return e }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
}
