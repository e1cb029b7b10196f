package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line is declared once, as a cobra command tree: help,
// --help examples, the completion scripts (completion.go) and the man
// pages (man.go) are all generated from it.

func init() {
	// `leakfix help` lists commands in the order newRootCmd adds them
	// (most used first), not alphabetically.
	cobra.EnableCommandSorting = false
}

// runFunc is a command's body, called with its flags parsed and its
// positional arguments (flags may come before, between or after them;
// a lone "-" is a positional: stdin).
type runFunc func(ctx context.Context, e *env, pos []string) error

// newCommand declares one subcommand. use is cobra's usage line ("scan
// [PATH...]"), short the one-line summary `leakfix help` lists, long a
// note on the arguments (may be empty), examples the --help examples.
func newCommand(e *env, use, short, long, examples string, run runFunc) *cobra.Command {
	if long != "" {
		long = short + "\n\n" + long
	}
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: examples,
		Args:    cobra.ArbitraryArgs, // each command checks its own, with its own message
		RunE: func(c *cobra.Command, pos []string) error {
			if err := checkFlagCombos(c.Flags()); err != nil { // paths.go
				return err
			}
			stop, err := startDiagnostics(e, c.Flags()) // diagnostics.go
			if err != nil {
				return err
			}
			runErr := run(c.Context(), e, pos)
			if err := stop(); err != nil && runErr == nil {
				return fmt.Errorf("--diagnostics: %w", err)
			}
			return runErr
		},
	}
}

// newRootCmd builds the whole command tree for one run, writing to e's
// streams (stderr through the redactor). Built per run: the flag
// variables are fresh each time.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "leakfix <command> [arguments]",
		Short: "find hardcoded secrets and fix them",
		Long: `leakfix finds hardcoded secrets and fixes them.

Exit status: 0 nothing found, 1 secrets found, 2 usage or operational error.
Secrets are redacted in every output unless --show-secrets is given.`,
		Args:                       cobra.ArbitraryArgs,
		SilenceErrors:              true, // run prints errors, redacted, with exit codes
		SilenceUsage:               true,
		DisableAutoGenTag:          true, // keeps the generated man pages reproducible
		SuggestionsMinimumDistance: 2,
	}
	showVersion := root.Flags().Bool("version", false, "print the version")
	root.RunE = func(c *cobra.Command, args []string) error {
		switch {
		case *showVersion:
			return runVersion(c.Context(), e, nil)
		case len(args) == 0:
			fmt.Fprint(e.stderr, c.UsageString())
			return &exitError{code: 2}
		}
		var names []string
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				names = append(names, s.Name())
			}
		}
		sort.Strings(names)
		if sugg := c.SuggestionsFor(args[0]); len(sugg) > 0 {
			return usageError("unknown command %q: did you mean %s? (see leakfix help)", args[0], strings.Join(sugg, " or "))
		}
		return usageError("unknown command %q (commands: %s; see leakfix help)", args[0], strings.Join(names, ", "))
	}
	root.CompletionOptions.DisableDefaultCmd = true // completion.go has ours
	root.SetHelpCommand(helpCommand())
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetUsageTemplate(usageTemplate)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%s: %v (see %s --help)", strings.TrimPrefix(c.CommandPath(), "leakfix "), err, c.CommandPath())
	})
	root.AddCommand(
		scanCommand(e),
		historyCommand(e),
		mergeCommand(e),
		fixCommand(e),
		planCommand(e),
		purgeCommand(e),
		rulesCommand(e),
		baselineCommand(e),
		completionCommand(e),
		versionCommand(e),
		manCommand(e),
	)
	return root
}

// usageTemplate keeps leakfix's help layout: a one-line usage, the
// commands or flags, then examples.
const usageTemplate = `Usage: {{.UseLine}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Run 'leakfix <command> --help' for a command's flags and examples.{{end}}
`

// execute runs one command line through the tree.
func execute(ctx context.Context, e *env, args []string) error {
	root := newRootCmd(e)
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// Only a completion request needs them; cobra keeps registrations
		// in a process-wide map, which would otherwise grow with every
		// in-process run.
		registerCompletions(root) // completion.go
	}
	root.SetArgs(normalizeSingleDash(root, args, e.stderr))
	return root.ExecuteContext(ctx)
}

// normalizeSingleDash rewrites single-dash long flags (-format json), which
// Go's flag package accepted and earlier leakfix releases documented, to
// the GNU form (--format json), with a deprecation warning: pflag would
// read -format as -f -o -r…. Only names the command has are rewritten;
// flag values and everything after "--" are left alone.
func normalizeSingleDash(root *cobra.Command, args []string, stderr io.Writer) []string {
	cmd := root
	out := make([]string, 0, len(args))
	warned := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if cmd == root {
				if sub, _, err := root.Find([]string{a}); err == nil && sub != root {
					cmd = sub
				}
			}
			out = append(out, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f *pflag.Flag
		switch {
		case strings.HasPrefix(a, "--"):
			f = cmd.Flags().Lookup(name)
		case len(name) == 1:
			f = cmd.Flags().ShorthandLookup(name)
		default:
			f = cmd.Flags().Lookup(name)
			if f == nil && name == "help" {
				f = &pflag.Flag{Name: "help", NoOptDefVal: "true"}
			}
			if f != nil {
				a = "-" + a
				if !warned[name] {
					warned[name] = true
					fmt.Fprintf(stderr, "leakfix: -%s is deprecated; use --%s (single-dash long flags will be refused in a later release)\n", name, name)
				}
			}
		}
		out = append(out, a)
		// A flag that takes a value and was not given one with = takes the
		// next word as it, whatever it looks like.
		if f != nil && !hasValue && f.NoOptDefVal == "" && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// helpCommand is cobra's help with leakfix's exit status for a name that
// is no command (2, as for `leakfix frob`; cobra's own help exits 0).
func helpCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "show help for a command",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, s := range c.Root().Commands() {
				if s.IsAvailableCommand() && len(args) == 0 {
					names = append(names, s.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		target, rest, err := c.Root().Find(args)
		if err != nil || len(rest) > 0 {
			return c.Root().RunE(c.Root(), args) // the unknown-command error
		}
		return target.Help()
	}
	return c
}

func versionCommand(e *env) *cobra.Command {
	return newCommand(e, "version", "print the version", "", "  leakfix version\n  leakfix --version", runVersion)
}

func runVersion(_ context.Context, e *env, pos []string) error {
	if len(pos) > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}
