package main

import (
	"math"
	"runtime/debug"
	"sync"
	"time"
)

// A leakfix process spends its first ~10 ms building the rule pack and
// the keyword automaton (~6 MB, most of it live until exit), and a
// pre-commit run is over some 10 ms later. The collector's cycles in that
// time find little garbage: on a one-line staged change, collecting cost
// 13% of the CPU and raised peak RSS (mark state, worker stacks). So the
// collector is off for the first startupGrace of the process, with a
// memory limit as the backstop (a process that allocates fast meanwhile is
// collected against the limit), and the runtime's defaults come back
// after it: a long scan runs as it always did.

const (
	// startupMemoryLimit bounds the runtime's memory while collection is
	// paused: start-up needs ~10 MiB of it.
	startupMemoryLimit = 16 << 20
	// startupGrace is how long collection stays paused.
	startupGrace = 150 * time.Millisecond
)

var resumeGCOnce sync.Once

// pauseGC turns collection off for start-up, unless the user tuned the
// collector (GOGC or GOMEMLIMIT set): theirs is the last word.
func pauseGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		resumeGCOnce.Do(func() {})
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startupMemoryLimit)
	time.AfterFunc(startupGrace, resumeGC)
}

// resumeGC restores the runtime's defaults; later calls do nothing.
func resumeGC() {
	resumeGCOnce.Do(func() {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
	})
}
