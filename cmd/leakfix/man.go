package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// The man pages in docs/man are generated from the command tree:
//
//go:generate go run . man ../../docs/man

// manCommand writes one man page per command (leakfix.1, leakfix-scan.1,
// …) into DIR. Hidden: it is for packagers and `go generate`.
func manCommand(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:    "man DIR",
		Short:  "write the man pages (section 1) into DIR",
		Hidden: true,
		Args:   cobra.ArbitraryArgs,
	}
	c.RunE = func(c *cobra.Command, pos []string) error {
		if len(pos) != 1 {
			return usageError("man needs one DIR to write the pages into")
		}
		if err := os.MkdirAll(pos[0], 0o755); err != nil {
			return fmt.Errorf("man: %w", err)
		}
		if err := doc.GenManTree(c.Root(), manHeader(), pos[0]); err != nil {
			return fmt.Errorf("man: %w", err)
		}
		fmt.Fprintf(e.stderr, "leakfix: man pages written to %s\n", pos[0])
		return nil
	}
	return c
}

// manHeader leaves the date to cobra (SOURCE_DATE_EPOCH, else today).
func manHeader() *doc.GenManHeader {
	return &doc.GenManHeader{Title: "LEAKFIX", Section: "1", Source: "leakfix", Manual: "leakfix manual"}
}
