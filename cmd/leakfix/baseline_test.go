package main

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func dsHash(secret string) string {
	sum := sha1.Sum([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// A detect-secrets 1.x baseline as `detect-secrets scan > .secrets.baseline`
// writes it (detect-secrets itself is not installable here; the format is
// its documented JSON). %s are SHA-1s of the planted values.
const dsBaselineTemplate = `{
  "version": "1.4.0",
  "plugins_used": [
    {"name": "AWSKeyDetector"},
    {"name": "BasicAuthDetector"},
    {"name": "HexHighEntropyString", "limit": 3.0},
    {"name": "KeywordDetector", "keyword_exclude": ""},
    {"name": "PrivateKeyDetector"},
    {"name": "StripeDetector"}
  ],
  "filters_used": [
    {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
    {"path": "detect_secrets.filters.heuristic.is_indirect_reference"}
  ],
  "results": {
    "config.py": [
      {"type": "Secret Keyword", "filename": "config.py", "hashed_secret": "%s", "is_verified": false, "line_number": 3},
      {"type": "Basic Auth Credentials", "filename": "config.py", "hashed_secret": "%s", "is_verified": false, "line_number": 5},
      {"type": "Hex High Entropy String", "filename": "config.py", "hashed_secret": "%s", "is_verified": false, "line_number": 6, "is_secret": false}
    ],
    "deploy/aws.env": [
      {"type": "AWS Access Key", "filename": "deploy/aws.env", "hashed_secret": "%s", "is_verified": true, "line_number": 1}
    ],
    "keys/id_rsa": [
      {"type": "Private Key", "filename": "keys/id_rsa", "hashed_secret": "%s", "is_verified": false, "line_number": 1}
    ],
    "old/removed.py": [
      {"type": "Secret Keyword", "filename": "old/removed.py", "hashed_secret": "%s", "is_verified": false, "line_number": 9}
    ],
    "../elsewhere/x.py": [
      {"type": "Secret Keyword", "filename": "../elsewhere/x.py", "hashed_secret": "%s", "is_verified": false, "line_number": 1}
    ]
  },
  "generated_at": "2024-05-02T09:41:07Z"
}
`

const (
	dsAWS      = "AKIAQW3RTY7UIOPLKJ2H"
	dsStripe   = "sk_live_4eC39HqLyjWDarjtT7zdp7dc"
	dsPassword = "Zq8Wn3Kd7Fj2Hx9M"
	dsHex      = "3f8a9c1d2e7b6a5f4c3d2e1f0a9b8c7d"
)

func dsConfigPy(prefix string) string {
	return prefix + "import os\n\n" +
		"GROQ_API_KEY = \"" + ecoGroqA + "\"\n" +
		"STRIPE_KEY = \"" + dsStripe + "\"\n" +
		"DB_URL = \"postgres://admin:" + dsPassword + "@db.internal:5432/app\"\n" +
		"BUILD_ID = \"" + dsHex + "\"\n"
}

const dsPEM = "-----BEGIN RSA PRIVATE KEY-----\n" +
	"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n" +
	"VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n" +
	"wRjpzBr3aL4oVtfG2PSr7Vhu3HQe2i3sBdgc7ZpGSOwLGaHdFvERVv5jwpBbJdKb\n" +
	"-----END RSA PRIVATE KEY-----\n"

// dsRepo lays out the files the baseline names, and the baseline itself in
// dir (the repository when dir is "").
func dsRepo(t *testing.T, dir string) (repo, baseline string) {
	repo = ecoRepo(t, map[string]string{
		"config.py":      dsConfigPy(""),
		"deploy/aws.env": "AWS_ACCESS_KEY_ID=" + dsAWS + "\n",
		"keys/id_rsa":    dsPEM,
	})
	if dir == "" {
		dir = repo
	}
	baseline = filepath.Join(dir, ".secrets.baseline")
	ds := fmt.Sprintf(dsBaselineTemplate, dsHash(ecoGroqA), dsHash(dsPassword), dsHash(dsHex), dsHash(dsAWS),
		// detect-secrets' PrivateKeyDetector hashes the marker it matched.
		dsHash("BEGIN RSA PRIVATE KEY"), dsHash("gone"), dsHash("outside"))
	ecoWrite(t, dir, map[string]string{".secrets.baseline": ds})
	return repo, baseline
}

// TestBaselineImportDetectSecrets converts a detect-secrets baseline: every
// entry whose secret leakfix finds in the same file (by SHA-1, as
// detect-secrets hashes it) becomes a leakfix baseline entry; the rest are
// listed without a value or a hash; a later scan with the result reports
// only what detect-secrets did not know, even after lines move.
func TestBaselineImportDetectSecrets(t *testing.T) {
	elsewhere := t.TempDir()
	repo, dsFile := dsRepo(t, elsewhere)
	out := filepath.Join(elsewhere, "leakfix-baseline.json")
	code, stdout, stderr := runCLI(t, "", "baseline", "import", dsFile, "--output", out, "--root", repo)
	if code != 0 {
		t.Fatalf("import: exit %d: %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"7 detect-secrets entries, 3 matched a leakfix finding; wrote 3 finding(s)",
		"config.py:5  Basic Auth Credentials: no leakfix finding has this secret (try --match-lines)",
		"config.py:6  Hex High Entropy String:",
		"old/removed.py:9  Secret Keyword: the file no longer exists",
		"../elsewhere/x.py:1  Secret Keyword: file name is outside the root",
		"leakfix finding(s) in these files were not in the detect-secrets baseline",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("import summary lacks %q:\n%s", want, stdout)
		}
	}
	all := stdout + stderr
	for _, secret := range []string{ecoGroqA, dsAWS, dsStripe, dsPassword, dsHex, dsHash(ecoGroqA), dsHash(dsAWS), "MIIE"} {
		if strings.Contains(all, secret) {
			t.Errorf("import output holds a secret or its hash")
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{ecoGroqA, dsAWS, "MIIE"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the leakfix baseline holds a secret")
		}
	}

	// Scanning with the converted baseline reports only what detect-secrets
	// did not list: the Stripe key and the connection string.
	want := "postgres-connection-string@config.py stripe-secret-key@config.py"
	code, fs, _ := ecoScan(t, repo, "--baseline", out)
	if code != 1 || ecoRuleIDs(fs) != want {
		t.Errorf("scan with the imported baseline: exit %d, %s; want %s", code, ecoRuleIDs(fs), want)
	}
	ecoWrite(t, repo, map[string]string{"config.py": dsConfigPy("# moved\n\n\n")})
	if code, fs, _ = ecoScan(t, repo, "--baseline", out); ecoRuleIDs(fs) != want {
		t.Errorf("after lines moved: exit %d, %s; want %s", code, ecoRuleIDs(fs), want)
	}
}

// TestBaselineImportMatchLines: detect-secrets' Basic Auth plugin hashes the
// password alone, leakfix reports the whole URL; --match-lines accepts a
// finding on the entry's line. The detect-secrets baseline sits at the
// repository root (the default --root) and is removed after the move, as a
// migration would: its hashes look like keys to a scanner.
func TestBaselineImportMatchLines(t *testing.T) {
	repo, dsFile := dsRepo(t, "")
	out := filepath.Join(repo, "leakfix-baseline.json")
	code, stdout, stderr := runCLI(t, "", "baseline", "import", dsFile, "--output", out, "--match-lines")
	if code != 0 || !strings.Contains(stdout, "4 matched") {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	if err := os.Remove(dsFile); err != nil {
		t.Fatal(err)
	}
	code, fs, _ := ecoScan(t, repo, "--baseline", out)
	if code != 1 || ecoRuleIDs(fs) != "stripe-secret-key@config.py" {
		t.Errorf("scan: exit %d, %s", code, ecoRuleIDs(fs))
	}
}

func TestBaselineImportBadInput(t *testing.T) {
	dir := t.TempDir()
	ecoWrite(t, dir, map[string]string{
		"report.json":  "[]\n",
		"broken.json":  "{\"results\": {\n",
		"nothing.json": "{\"version\": \"1.4.0\"}\n",
		"empty.json":   "{\"version\": \"1.4.0\", \"results\": {}}\n",
	})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"baseline"}, "needs a subcommand"},
		{[]string{"baseline", "export", "x"}, "unknown baseline subcommand"},
		{[]string{"baseline", "import"}, "exactly one"},
		{[]string{"baseline", "import", filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"baseline", "import", filepath.Join(dir, "report.json")}, "is not a detect-secrets baseline"},
		{[]string{"baseline", "import", filepath.Join(dir, "broken.json")}, "is not a detect-secrets baseline"},
		{[]string{"baseline", "import", filepath.Join(dir, "nothing.json")}, `no "results"`},
		{[]string{"baseline", "import", filepath.Join(dir, "empty.json"), "--root", filepath.Join(dir, "nope")}, "not a directory"},
	} {
		code, _, stderr := runCLI(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if _, err := os.Stat("leakfix-baseline.json"); err == nil {
		t.Error("a failed import wrote leakfix-baseline.json")
	}
}
