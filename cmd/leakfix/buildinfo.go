package main

import (
	"runtime/debug"
	"strings"
)

func init() {
	// A binary built by `go install module@version` knows its module
	// version; prefer it to the source default (not to an -ldflags stamp).
	if bi, ok := debug.ReadBuildInfo(); ok && version == "0.1.0-dev" {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
	}
}

// versionLine is what `leakfix version` prints: the version, then the VCS
// revision and time the binary was built from, when Go recorded them
// (builds inside a git checkout; not `go install …@version`, whose module
// version names the source instead), and the Go version.
func versionLine() string {
	var b strings.Builder
	b.WriteString("leakfix " + version)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b.String()
	}
	var rev, when, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if bi.Main.Path != "" {
		b.WriteString(" (module " + bi.Main.Path)
		if bi.Main.Version != "" {
			b.WriteString("@" + bi.Main.Version)
		}
		b.WriteString(")")
	}
	if rev != "" {
		b.WriteString(" revision " + rev)
		if modified == "true" {
			b.WriteString("+modified")
		}
		if when != "" {
			b.WriteString(" " + when)
		}
	}
	b.WriteString(" " + bi.GoVersion)
	return b.String()
}
