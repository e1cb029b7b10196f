package vaultplan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/report"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rewrite/vaultplan"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// testRules is a small pack so these tests do not follow the default
// pack's evolution.
const testRules = `
[[rules]]
id = "groq-api-key"
description = "Groq API key"
regex = '''\b(gsk_[A-Za-z0-9]{52})\b'''
secretGroup = 1
keywords = ["gsk_"]
provider = "groq"
name = "groq-api-key"

[[rules]]
id = "private-key"
description = "Private key"
regex = '''-----BEGIN[A-Z ]{0,20}PRIVATE KEY-----[\s\S]{20,4096}?-----END[A-Z ]{0,20}PRIVATE KEY-----'''
keywords = ["private key"]
multiline = true
provider = "generic"
name = "{purpose}-private-key"
`

const (
	groqKey  = "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"
	otherKey = "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"
	crlfPEM  = "-----BEGIN RSA PRIVATE KEY-----\r\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\r\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\r\n-----END RSA PRIVATE KEY-----"
)

func testDetector(t *testing.T) (*rules.Config, *scanner.Detector) {
	t.Helper()
	cfg, err := rules.Parse("test.toml", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, scanner.New(cfg, scanner.Options{})
}

// writeTree writes files (slash paths) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		path := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// redactedReport scans root and round-trips the findings through a
// normal (redacted) JSON report, as `leakfix scan --format json` writes.
func redactedReport(t *testing.T, root string) []scanner.Finding {
	t.Helper()
	cfg, d := testDetector(t)
	fs, _, err := (&scanner.FileSource{Roots: []string{root}}).Scan(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if err := naming.Assign(fs, cfg, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, fs, report.Options{Format: report.FormatJSON}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	os.WriteFile(path, buf.Bytes(), 0o644)
	back, err := report.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range back {
		if f.Secret != scanner.RedactedText {
			t.Fatalf("report not redacted")
		}
	}
	return back
}

func TestRecover(t *testing.T) {
	files := map[string]string{
		"svc/main.py":   "import os\n\nGROQ_API_KEY = \"" + groqKey + "\"\nheaders = {\"Authorization\": \"Bearer " + groqKey + "\"}\n",
		"deploy/key.py": "# déjà vu: ünïcode before the key\nDEPLOY_PRIVATE_KEY = \"\"\"" + crlfPEM + "\"\"\"\r\n",
	}
	tests := []struct {
		name    string
		change  func(root string)
		errWant string
		lines   map[string]int // file → first finding's start line after recovery
	}{
		{"unchanged", func(string) {}, "", map[string]int{"svc/main.py": 3, "deploy/key.py": 2}},
		{"lines moved", func(root string) {
			p := filepath.Join(root, "svc", "main.py")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append([]byte("# new header\n# another line\n"), b...), 0o644)
		}, "", map[string]int{"svc/main.py": 5, "deploy/key.py": 2}},
		{"secret replaced", func(root string) {
			p := filepath.Join(root, "svc", "main.py")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.ReplaceAll(b, []byte(groqKey), []byte(otherKey)), 0o644)
		}, "no longer holds this secret", nil},
		{"file moved", func(root string) {
			os.Rename(filepath.Join(root, "svc"), filepath.Join(root, "service"))
		}, "file not found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, files)
			fs := redactedReport(t, root)
			if len(fs) != 3 {
				t.Fatalf("%d findings, want 3", len(fs))
			}
			tt.change(root)
			_, d := testDetector(t)
			err := vaultplan.Recover(context.Background(), fs, []string{filepath.Join(root, "nope"), root}, d)
			if tt.errWant != "" {
				if err == nil || !errors.Is(err, vaultplan.ErrUnrecoverable) || !strings.Contains(err.Error(), tt.errWant) {
					t.Fatalf("err = %v, want %q", err, tt.errWant)
				}
				for _, s := range []string{groqKey, otherKey, "MIIEowIBAAKCAQEAu1SU1"} {
					if strings.Contains(err.Error(), s) {
						t.Error("a secret is in the error message")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				want := groqKey
				if f.RuleID == "private-key" {
					want = crlfPEM
				}
				if f.Secret != want {
					t.Errorf("%s:%d recovered %q, want %q", f.File, f.StartLine, f.Secret, want)
				}
			}
			seen := map[string]bool{}
			for _, f := range fs {
				key := fmt.Sprintf("%s:%d:%d", f.File, f.StartLine, f.StartColumn)
				if seen[key] {
					t.Errorf("two findings recovered at the same location %s", key)
				}
				seen[key] = true
			}
			for file, line := range tt.lines {
				for _, f := range fs {
					if f.File == file {
						if f.StartLine != line {
							t.Errorf("%s: location line %d, want %d", file, f.StartLine, line)
						}
						break
					}
				}
			}
			// The recovered findings make a plan with one name per value.
			p, values, err := vaultplan.Build(fs, vaultplan.Options{Target: vaultplan.AzureKeyVault})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Secrets) != 2 || values["groq-api-key"] != groqKey || values["deploy-private-key"] != crlfPEM {
				t.Errorf("plan secrets %+v", p.Secrets)
			}
		})
	}
}
