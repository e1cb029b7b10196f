package history

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// BenchmarkHistoryRepo scans the repository named by LEAKFIX_BENCH_REPO
// (for example the one bench/history.sh generates) with the default pack
// and each reader, reporting the walk and scan phases and the CPU time of
// this process and of its git children separately.
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
		{"go-git", Options{Reader: ReaderGoGit}},
		{"git-no-line-skip", Options{Reader: ReaderGit, NoLineSkip: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			self0, kids0 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
			var walk, scan time.Duration
			for b.Loop() {
				_, st, err := Scan(context.Background(), repo, d, tc.opts)
				if err != nil && !errors.Is(err, ErrIncomplete) { // a repository missing a few objects still times
					b.Fatal(err)
				}
				b.SetBytes(st.Bytes)
				walk += st.WalkTime
				scan += st.ScanTime
			}
			n := float64(b.N)
			b.ReportMetric(walk.Seconds()/n, "walk-s/op")
			b.ReportMetric(scan.Seconds()/n, "scan-s/op")
			b.ReportMetric((cpuTime(syscall.RUSAGE_SELF)-self0).Seconds()/n, "cpu-s/op")
			b.ReportMetric((cpuTime(syscall.RUSAGE_CHILDREN)-kids0).Seconds()/n, "git-cpu-s/op")
		})
	}
}

func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWalk is the first phase alone on LEAKFIX_BENCH_REPO: reading
// every commit, ordering them and diffing every tree, with each object
// source; with git, trees are diffed by git diff-tree (what Scan does) or
// read through cat-file and diffed here (the go-git reader's walk, and
// the fallback).
func BenchmarkWalk(b *testing.B) {
	repo := os.Getenv("LEAKFIX_BENCH_REPO")
	if repo == "" {
		b.Skip("set LEAKFIX_BENCH_REPO to a repository to benchmark")
	}
	r, err := openRepository(repo)
	if err != nil {
		b.Fatal(err)
	}
	spec, err := r.walkSpec(Options{}, func(string) {})
	if err != nil {
		b.Fatal(err)
	}
	for _, walker := range []string{"git-diff-tree", "git-cat-file", ReaderGoGit} {
		for _, workers := range []int{1, 2} {
			b.Run(walker+"/"+string(rune('0'+workers)), func(b *testing.B) {
				newSource := func() (objectSource, error) {
					if walker != ReaderGoGit {
						return (&gitReader{git: "git", gitDir: r.gitDir, batchCommand: supportsBatchCommand("git")}).source(context.Background())
					}
					return &goGitSource{st: r.storage(32<<20, 0)}, nil
				}
				self0, kids0 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
				for b.Loop() {
					var c counters
					src, err := newSource()
					if err != nil {
						b.Fatal(err)
					}
					g, err := loadGraph(context.Background(), src, spec, func(int32, plumbing.Hash, []byte) {}, &objectErrors{}, &c.objectsRead)
					src.close()
					if err != nil {
						b.Fatal(err)
					}
					var trees *gitTreeDiffer
					if walker == "git-diff-tree" {
						trees = &gitTreeDiffer{git: "git", gitDir: r.gitDir}
					}
					if _, err := diffCommits(context.Background(), g, g.topoOrder(), newSource, trees, workers, &objectErrors{}, &submodules{}, &c.commits); err != nil {
						b.Fatal(err)
					}
				}
				n := float64(b.N)
				b.ReportMetric((cpuTime(syscall.RUSAGE_SELF)-self0).Seconds()/n, "cpu-s/op")
				b.ReportMetric((cpuTime(syscall.RUSAGE_CHILDREN)-kids0).Seconds()/n, "git-cpu-s/op")
			})
		}
	}
}
