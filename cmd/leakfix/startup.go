package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
)

// A leakfix process spends its first ~10 ms building the rule pack and
// the keyword automaton (~6 MB, most of it live until exit), and a
// pre-commit run is over some 10 ms later. The collector's cycles in that
// time find little garbage: on a one-line staged change, collecting cost
// 13% of the CPU and raised peak RSS (mark state, worker stacks). So a
// process starts with the collector off and a memory limit instead: a
// small run never collects; a large one is collected once when it reaches
// the limit, and that first collection hands back to the runtime's
// defaults (GOGC=100, no limit), paced by the live heap it measured. (A
// timer-based pause was tried first: a history scan that passed the limit
// within it was collected over and over, 1.5x its CPU.)

// startupMemoryLimit is the runtime memory a process may use before its
// first collection: start-up needs ~10 MiB of it.
const startupMemoryLimit = 16 << 20

var resumeGCOnce sync.Once

// gcSentinel is an object whose collection tells the first cycle has run
// (it holds a pointer, so it is not batched with other tiny objects).
type gcSentinel struct {
	_ *int
	_ [2]int
}

// pauseGC turns collection off until the first cycle, unless the user
// tuned the collector (GOGC or GOMEMLIMIT set): theirs is the last word.
func pauseGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		resumeGCOnce.Do(func() {})
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startupMemoryLimit)
	runtime.AddCleanup(new(gcSentinel), func(struct{}) { resumeGC() }, struct{}{})
}

// resumeGC restores the runtime's defaults; later calls do nothing.
func resumeGC() {
	resumeGCOnce.Do(func() {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
	})
}
