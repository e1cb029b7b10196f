package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/leakfix/leakfix/internal/diagnostics"
)

// diagFlags are gitleaks' --diagnostics and --diagnostics-dir: the Go
// runtime's profiles of the run, for a user whose scan is slow to send us.
type diagFlags struct {
	kinds, dir string
}

func (d *diagFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.kinds, "diagnostics", "", "write Go runtime profiles of this run: a comma-separated list of cpu, mem, trace (read them with go tool pprof / go tool trace; they hold no scanned bytes)")
	fs.StringVar(&d.dir, "diagnostics-dir", "", "`DIR` for the --diagnostics files (default: the current directory)")
}

// startDiagnostics starts the profiles a command's --diagnostics asks for
// and returns the function that writes them; commands without the flag
// get a no-op.
func startDiagnostics(e *env, fs *pflag.FlagSet) (func() error, error) {
	kf := fs.Lookup("diagnostics")
	if kf == nil || !kf.Changed {
		if df := fs.Lookup("diagnostics-dir"); df != nil && df.Changed {
			return nil, usageError("--diagnostics-dir is only used with --diagnostics cpu,mem,trace")
		}
		return func() error { return nil }, nil
	}
	kinds, err := diagnostics.ParseKinds(kf.Value.String())
	if err != nil {
		return nil, usageError("%v", err)
	}
	s, err := diagnostics.Start(kinds, fs.Lookup("diagnostics-dir").Value.String())
	if err != nil {
		return nil, err
	}
	quiet := fs.Lookup("quiet") != nil && fs.Lookup("quiet").Value.String() == "true"
	return func() error {
		files, err := s.Stop()
		for _, f := range files {
			if !quiet {
				fmt.Fprintf(e.stderr, "leakfix: diagnostics written to %s\n", f)
			}
		}
		return err
	}, nil
}
