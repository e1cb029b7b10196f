package main

import (
	"strconv"

	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/pflag"
)

// checkFlagCombos refuses flag values every command would otherwise take
// silently: --quiet with --verbose, and a --max-file-size that would skip
// everything (0 or less, when given).
func checkFlagCombos(fs *pflag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { set[f.Name] = true })
	isTrue := func(name string) bool {
		f := fs.Lookup(name)
		if f == nil {
			return false
		}
		v, _ := strconv.ParseBool(f.Value.String())
		return v
	}
	if isTrue("quiet") && isTrue("verbose") {
		return usageError("--quiet and --verbose contradict each other; give one")
	}
	if set["max-file-size"] {
		if n, err := strconv.ParseInt(fs.Lookup("max-file-size").Value.String(), 10, 64); err == nil && n <= 0 {
			return usageError("--max-file-size %d: want a size in bytes greater than 0", n)
		}
	}
	return nil
}

// checkPaths refuses, before anything else reads them, the paths a scan
// cannot read: missing ones, FIFOs and devices, symlink loops. Checking
// first keeps the error about the path itself (not about a config or
// .leakfixignore looked up beside it).
func checkPaths(paths []string) error {
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if _, err := scanner.CheckRoot(p); err != nil {
			return usageError("%v", err)
		}
	}
	return nil
}
