package history

import (
	"context"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestWalkCost(t *testing.T) {
	repo := os.Getenv("LEAKFIX_BENCH_REPO")
	if repo == "" {
		t.Skip()
	}
	r, _ := openRepository(repo)
	spec, _ := r.walkSpec(Options{}, func(string) {})
	for i := 0; i < 2; i++ {
		c0, w0 := cpuNow(), time.Now()
		objs := &objectStore{st: r.storage(32<<20, 0)}
		var n atomic.Int64
		g, _ := loadGraph(context.Background(), objs, spec, func(int32, plumbing.Hash, []byte) {}, &objectErrors{}, &n)
		c1 := cpuNow()
		order := g.topoOrder()
		in, _ := diffCommits(context.Background(), g, order, newTreeCache(objs, 16384), &objectErrors{}, &n)
		c2 := cpuNow()
		t.Logf("graph cpu %v, diff cpu %v, wall %v, pairs %d", c1-c0, c2-c1, time.Since(w0), len(in.pairs))
	}
}

func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestScanCost(t *testing.T) {
	repo := os.Getenv("LEAKFIX_BENCH_REPO")
	if repo == "" {
		t.Skip()
	}
	cfgPath := os.Getenv("LEAKFIX_BENCH_CONFIG")
	var cfg *rules.Config
	var err error
	if cfgPath != "" {
		cfg, err = rules.LoadFile(cfgPath)
	} else {
		cfg, err = rules.Default()
	}
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	for _, o := range []Options{{Reader: ReaderGit}, {Reader: ReaderGit, NoLineSkip: true}} {
		for i := 0; i < 2; i++ {
			c0, k0, w0 := cpuNow(), childCPU(), time.Now()
			fs, st, err := Scan(context.Background(), repo, d, o)
			t.Logf("skip=%v self cpu %v, child cpu %v, wall %v (walk %v scan %v) findings %d err %v", !o.NoLineSkip, cpuNow()-c0, childCPU()-k0, time.Since(w0), st.WalkTime, st.ScanTime, len(fs), err)
		}
	}
}
