package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/scanner"
)

func confidenceFindings() []scanner.Finding {
	mk := func(file, sev, conf string) scanner.Finding {
		return scanner.Finding{RuleID: "r-" + conf, Description: "d", File: file, StartLine: 1, StartColumn: 1,
			EndLine: 1, EndColumn: 5, Secret: "Vk7mQ3rZt9Lw", Severity: sev, Confidence: conf, Fingerprint: file}
	}
	return []scanner.Finding{
		mk("a_test.py", "critical", "low"),
		mk("b.py", "high", "medium"),
		mk("c.py", "medium", "high"),
		mk("d.py", "critical", "high"),
	}
}

// TestTextOrderFollowsConfidence: surest first, then most severe.
func TestTextOrderFollowsConfidence(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, confidenceFindings(), Options{Format: FormatText}); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if f, _, ok := strings.Cut(l, ":1:1"); ok {
			order = append(order, f)
		}
	}
	if got := strings.Join(order, " "); got != "d.py c.py b.py a_test.py" {
		t.Errorf("text order %q, want d.py c.py b.py a_test.py", got)
	}
}

// TestSARIFLevelFollowsConfidence: a low-confidence finding is one level
// milder than its severity says.
func TestSARIFLevelFollowsConfidence(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, confidenceFindings(), Options{Format: FormatSARIF, Category: "leakfix/tree"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a_test.py": "warning", "b.py": "error", "c.py": "warning", "d.py": "error"}
	got := map[string]string{}
	for _, r := range doc.Runs[0].Results {
		got[r.Locations[0].PhysicalLocation.ArtifactLocation.URI] = r.Level
	}
	for f, l := range want {
		if got[f] != l {
			t.Errorf("%s: level %q, want %q", f, got[f], l)
		}
	}
}
