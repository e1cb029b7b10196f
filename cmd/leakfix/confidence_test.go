package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestMinConfidence: the same password in source and in a test file comes
// out medium and low; --min-confidence keeps what is at or above it, on
// scan and on history.
func TestMinConfidence(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "app", "tests"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "settings.py"), []byte(`db_password = "Vk7mQ3rZt9Lw"`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app", "tests", "test_settings.py"), []byte(`db_password = "Vk7mQ3rZt9Lw"`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app", "groq.py"), []byte(`groq_api_key = "`+cliGroq+`"`+"\n"), 0o644)
	files := func(out string) []string {
		var fs []struct {
			File       string `json:"file"`
			Confidence string `json:"confidence"`
		}
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.File+":"+f.Confidence)
		}
		sort.Strings(got)
		return got
	}
	for _, tc := range []struct {
		min  string
		want string
	}{
		{"low", "app/groq.py:high app/settings.py:medium app/tests/test_settings.py:low"},
		{"medium", "app/groq.py:high app/settings.py:medium"},
		{"high", "app/groq.py:high"},
	} {
		code, out, stderr := runCLI(t, "", "scan", dir, "--format", "json", "--min-confidence", tc.min)
		if code != 1 {
			t.Fatalf("--min-confidence %s: exit %d (%s)", tc.min, code, stderr)
		}
		if got := strings.Join(files(out), " "); got != tc.want {
			t.Errorf("--min-confidence %s:\n got %s\nwant %s", tc.min, got, tc.want)
		}
	}
	code, _, stderr := runCLI(t, "", "scan", dir, "--min-confidence", "sure")
	if code != 2 || !strings.Contains(stderr, "--min-confidence") {
		t.Errorf("bad --min-confidence: exit %d, stderr %q", code, stderr)
	}
}

// TestMinConfidenceHistory: history honours --min-confidence the same way.
func TestMinConfidenceHistory(t *testing.T) {
	r := newHistRepo(t)
	r.commit("settings", map[string]string{
		"app/settings.py":            `db_password = "Vk7mQ3rZt9Lw"` + "\n",
		"app/tests/test_settings.py": `db_password = "Vk7mQ3rZt9Lw"` + "\n",
	})
	for _, tc := range []struct{ min, want string }{
		{"low", "app/settings.py:medium app/tests/test_settings.py:low"},
		{"medium", "app/settings.py:medium"},
	} {
		code, out, stderr := runCLI(t, "", "history", r.dir, "--format", "json", "--min-confidence", tc.min)
		if code != 1 {
			t.Fatalf("--min-confidence %s: exit %d (%s)", tc.min, code, stderr)
		}
		var fs []struct {
			File       string `json:"file"`
			Confidence string `json:"confidence"`
		}
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.File+":"+f.Confidence)
		}
		sort.Strings(got)
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("history --min-confidence %s:\n got %s\nwant %s", tc.min, g, tc.want)
		}
	}
}
