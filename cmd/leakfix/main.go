// Command leakfix finds hardcoded secrets in working trees, the staged
// index and git history, reports them (text, JSON, SARIF), and fixes them:
// rewriting literals into vault lookups, planning the vault import, and
// writing the replace-text file for a history clean-up.
//
// This package only parses flags and wires the other packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/redact"
)

// version is the release this binary reports (SARIF's tool version,
// `leakfix version`). Release builds stamp it with
// -ldflags "-X main.version=v1.2.3"; `go install …@v1.2.3` builds get it
// from the module version (buildinfo.go).
var version = "0.1.0-dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// commands lists every subcommand, in the order `leakfix help` shows them.
func commands() []command {
	return []command{
		{"scan", "scan files, a directory, stdin (-) or the staged index for secrets", runScan},
		{"history", "scan every commit on every ref of a git repository, messages included", runHistory},
		{"merge", "merge JSON or SARIF reports (of --shard runs) into one, each finding once", runMerge},
		{"fix", "rewrite hardcoded secrets into vault lookups (a diff; --write applies it)", runFix},
		{"plan", "write a vault import plan: plan.json, import.sh and deployment snippets", runPlan},
		{"purge", "write the git filter-repo / BFG replace-text file for a history clean-up; --verify checks it worked", runPurge},
		{"rules", "list the rule pack or check a rule file's examples", runRules},
		{"baseline", "convert a detect-secrets baseline into a leakfix baseline", runBaseline},
		{"completion", "print a bash, zsh or fish completion script", runCompletion},
		{"version", "print the version", runVersion},
	}
}

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
	redactOutput(e) // redact.go
	err := dispatch(ctx, e, args)
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

func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return &exitError{code: 2}
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 {
			return dispatch(ctx, e, []string{args[1], "--help"})
		}
		printUsage(e.stdout)
		return nil
	case "--version", "-version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return usageError("unknown command %q (commands: %s; see leakfix help)", name, strings.Join(names, ", "))
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, `leakfix finds hardcoded secrets and fixes them.

Usage:
  leakfix <command> [arguments] [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run 'leakfix <command> --help' for a command's flags and examples.

Exit status: 0 nothing found, 1 secrets found, 2 usage or operational error.
Secrets are redacted in every output unless --show-secrets is given.
`)
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "version", "  leakfix version\n  leakfix --version")
	pos, err := parseArgs(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0
}
