// Command leakfix finds hardcoded secrets in working trees, the staged
// index and git history, reports them (text, JSON, SARIF), and fixes them:
// rewriting literals into vault lookups, planning the vault import, and
// writing the replace-text file for a history clean-up.
//
// This package only declares the command line (commands.go, on
// spf13/cobra) and wires the other packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/leakfix/leakfix/redact"
)

// version is the release this binary reports (SARIF's tool version,
// `leakfix version`). Release builds stamp it with
// -ldflags "-X main.version=v1.2.3"; `go install …@v1.2.3` builds get it
// from the module version (buildinfo.go).
var version = "0.1.0-dev"

// env carries the process's streams so commands are testable in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	stderrIsTTY    bool
	stdoutIsTTY    bool
	getenv         func(string) string
	// red is the process's redaction point (redact.go): stderr passes
	// through it, reports and diffs use it.
	red *redact.Redactor
}

// exitError carries an exit status: 1 for findings, 2 for usage or
// operational errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// errFindings is returned when a scan found secrets (exit status 1).
var errFindings = &exitError{code: 1}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	// No garbage collection while the process starts (startup.go).
	pauseGC(os.Getenv)
	ctx, stop := signalContext(context.Background(), os.Stderr) // signals.go
	defer stop()
	e := &env{
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		stderrIsTTY: isTerminal(os.Stderr),
		stdoutIsTTY: isTerminal(os.Stdout),
		getenv:      os.Getenv,
	}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	redactOutput(e)              // redact.go
	err := execute(ctx, e, args) // commands.go
	if in := interrupted(ctx); in != nil {
		// Whatever the command managed, it did not finish: never 0.
		fmt.Fprintf(e.stderr, "leakfix: %v; stopped\n", in)
		return in.code()
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(e.stderr, "leakfix: %v\n", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(e.stderr, "leakfix: interrupted; no report written")
		return 2
	}
	fmt.Fprintf(e.stderr, "leakfix: %v\n", err)
	return 2
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0
}
