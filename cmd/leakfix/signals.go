package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/leakfix/leakfix/rewrite/fix"
)

// interruption is the cause of a context cancelled by SIGINT or SIGTERM.
type interruption struct{ sig os.Signal }

func (i *interruption) Error() string { return "interrupted by " + signalName(i.sig) }

// code is the shell's convention: 128 + the signal number (130 for SIGINT).
func (i *interruption) code() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// interruptGrace is how long a command has, after the first signal, to
// notice the cancelled context and stop cleanly (atomic writes finish or
// are removed) before the process exits anyway: a read blocked on a
// terminal or a pipe never looks at the context.
const interruptGrace = 3 * time.Second

// signalContext returns a context cancelled, with an *interruption as its
// cause, at the first SIGINT or SIGTERM. A second signal, or the grace
// period running out, exits the process at once with 128+signal.
func signalContext(parent context.Context, stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-ch:
		case <-done:
			return
		}
		in := &interruption{sig: sig}
		cancel(in)
		select {
		case <-ch:
		case <-time.After(interruptGrace):
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "leakfix: %v; stopped\n", in)
		os.Exit(in.code())
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// interrupted returns the signal that cancelled ctx, if one did.
func interrupted(ctx context.Context) *interruption {
	var in *interruption
	if errors.As(context.Cause(ctx), &in) {
		return in
	}
	return nil
}

// beforeFixWrite is called before `fix --write` writes each file; tests
// use it to interrupt the write phase at a known point.
var beforeFixWrite = func(file string) {}

// processStart is when this process started: temporary files older than
// it cannot belong to it, nor to a run started after it.
var processStart = time.Now()

// cleanStaleTemps removes fix's temporary files that a killed run left in
// the directories this run rewrites.
func cleanStaleTemps(changes []*fix.Change) []string {
	seen := map[string]bool{}
	var removed []string
	for _, c := range changes {
		dir := filepath.Dir(c.Path)
		if !seen[dir] {
			seen[dir] = true
			removed = append(removed, fix.CleanStaleTemps(dir, processStart)...)
		}
	}
	return removed
}
