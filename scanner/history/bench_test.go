package history

import (
	"context"
	"os"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// BenchmarkHistoryRepo scans the repository named by LEAKFIX_BENCH_REPO
// (for example the one bench/history.sh generates) with each reader.
func BenchmarkHistoryRepo(b *testing.B) {
	repo := os.Getenv("LEAKFIX_BENCH_REPO")
	if repo == "" {
		b.Skip("set LEAKFIX_BENCH_REPO to a repository to benchmark")
	}
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"git", Options{Reader: ReaderGit}},
		{"git-noskip", Options{Reader: ReaderGit, NoLineSkip: true}},
		{"go-git", Options{Reader: ReaderGoGit}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_, st, err := Scan(context.Background(), repo, d, tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(st.Bytes)
				b.ReportMetric(st.WalkTime.Seconds(), "walk-s")
				b.ReportMetric(st.ScanTime.Seconds(), "scan-s")
			}
		})
	}
}
