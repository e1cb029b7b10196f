package main

import (
	"github.com/spf13/pflag"

	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/archive"
)

// depthFlags are gitleaks' --max-archive-depth and --max-decode-depth,
// with leakfix's defaults on (gitleaks' are 0, off): 0 turns either off.
// Commands that do not register them (fix, plan, baseline) scan with the
// defaults.
type depthFlags struct {
	archive, decode int
	registered      bool
}

func (d *depthFlags) register(fs *pflag.FlagSet) {
	d.registered = true
	fs.IntVar(&d.archive, "max-archive-depth", archive.DefaultLimits.MaxDepth,
		"open archives (zip, jar, war, tar, tar.gz, gz, bz2, xz, ...) nested up to `N` levels; 0 opens none")
	fs.IntVar(&d.decode, "max-decode-depth", scanner.DefaultMaxDecodeDepth,
		"decode base64, hex, percent-encoding and \\u/\\x escapes stacked up to `N` layers; 0 decodes nothing")
}

// apply sets the depths in opts (whose 0 means default, negative off).
func (d *depthFlags) apply(opts scanner.Options) scanner.Options {
	if !d.registered {
		return opts
	}
	opts.MaxArchiveDepth, opts.MaxDecodeDepth = -1, -1
	if d.archive > 0 {
		opts.MaxArchiveDepth = d.archive
	}
	if d.decode > 0 {
		opts.MaxDecodeDepth = d.decode
	}
	return opts
}
