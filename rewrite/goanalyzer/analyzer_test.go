package goanalyzer

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// testAnalyzer is an analyzer on the small test pack, importing the
// stand-in helper under testdata/src/example.com/lib/secrets.
func testAnalyzer(t *testing.T) *analysis.Analyzer {
	t.Helper()
	a := NewAnalyzer()
	for flag, value := range map[string]string{
		"leakfix.config": filepath.Join(analysistest.TestData(), "rules.toml"),
		"leakfix.import": "example.com/lib/secrets",
	} {
		if err := a.Flags.Set(flag, value); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func TestAnalyzerFixes(t *testing.T) {
	for _, pkg := range []string{"literals", "consts", "noimports", "singleimport", "clash", "weakdefault", "existing"} {
		t.Run(pkg, func(t *testing.T) {
			analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), testAnalyzer(t), pkg)
		})
	}
}
