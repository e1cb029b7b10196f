package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakfix/leakfix/scanner"
)

// TestSARIFHistoryProvenance: a history report names the repository and
// revision (versionControlProvenance), a finding in a commit message points
// at that commit's message rather than ".", and the document still
// validates against the SARIF schema.
func TestSARIFHistoryProvenance(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	fs := []scanner.Finding{
		{RuleID: "github-pat", Description: "GitHub token", File: "", InMessage: true, Commit: commit, StartLine: 1, EndLine: 1,
			StartColumn: 5, EndColumn: 44, Secret: "ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8", Match: "ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8",
			Fingerprint: "00112233445566778899aabbccddeeff", Severity: "critical", Confidence: "high"},
		{RuleID: "github-pat", Description: "GitHub token", File: "old/path.py", Commit: commit, StartLine: 3, EndLine: 3,
			StartColumn: 5, EndColumn: 44, Secret: "ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8", Match: "x",
			Fingerprint: "ffeeddccbbaa99887766554433221100", Severity: "critical", Confidence: "high"},
	}
	var buf bytes.Buffer
	vcs := &VCS{RepositoryURI: "https://github.com/acme/app", RevisionID: commit, Branch: "main"}
	if err := Write(&buf, fs, Options{Format: FormatSARIF, Category: "leakfix/history", VCS: vcs}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			VersionControlProvenance []struct {
				RepositoryURI string `json:"repositoryUri"`
				RevisionID    string `json:"revisionId"`
				Branch        string `json:"branch"`
			} `json:"versionControlProvenance"`
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if len(run.VersionControlProvenance) != 1 || run.VersionControlProvenance[0].RepositoryURI != vcs.RepositoryURI ||
		run.VersionControlProvenance[0].RevisionID != commit || run.VersionControlProvenance[0].Branch != "main" {
		t.Errorf("versionControlProvenance %+v", run.VersionControlProvenance)
	}
	uris := map[string]bool{}
	for _, r := range run.Results {
		uris[r.Locations[0].PhysicalLocation.ArtifactLocation.URI] = true
		if r.PartialFingerprints[FingerprintKey] == "" {
			t.Errorf("result without %s", FingerprintKey)
		}
	}
	if !uris[CommitMessageURI(commit)] || !uris["old/path.py"] || uris["."] {
		t.Errorf("uris %v: want the commit message's and the blob's path at that commit", uris)
	}
	if bytes.Contains(buf.Bytes(), []byte("ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8")) {
		t.Error("raw secret in SARIF")
	}
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("..", "testdata", "schemas", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF with provenance does not validate: %v", err)
	}
}
