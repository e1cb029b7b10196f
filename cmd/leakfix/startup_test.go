package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/leakfix/leakfix/internal/lazyre"
)

// TestLazyRegexpsCompile: the package-level expressions that compile on
// first use (internal/lazyre) all compile; at init, a broken one would
// have stopped every run, lazily it would panic only when used.
func TestLazyRegexpsCompile(t *testing.T) {
	all := lazyre.All()
	if len(all) < 20 {
		t.Fatalf("only %d lazy expressions linked into leakfix", len(all))
	}
	for _, r := range all {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%q does not compile: %v", r.String(), p)
				}
			}()
			r.Regexp()
		}()
	}
}

// TestStartupGCPause: collection is off from the start until the first
// cycle, which restores the defaults; a user's GOGC leaves it alone.
func TestStartupGCPause(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	resumeGCOnce = sync.Once{}
	pauseGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, the GC percent became %d", got)
	}

	resumeGCOnce = sync.Once{}
	pauseGC(func(string) string { return "" })
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("GC percent %d at start-up, want off (-1)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != startupMemoryLimit {
		t.Fatalf("memory limit %d at start-up, want %d", got, startupMemoryLimit)
	}
	runtime.GC() // the first cycle: the sentinel's cleanup hands back
	deadline := time.Now().Add(10 * time.Second)
	for {
		if debug.SetMemoryLimit(-1) == math.MaxInt64 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first collection did not restore the runtime's defaults")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d after the first collection, want 100", got)
	}
}
