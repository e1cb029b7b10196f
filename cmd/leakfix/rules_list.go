package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/leakfix/leakfix/rules"
)

// listWidth is what `rules list` fits in; --wide lifts it and adds the
// provider, engine, keyword and alias columns.
const listWidth = 100

// writeRuleList prints one line per rule. Narrow, the id is shown whole
// when it fits in 44 columns and the description is cut to the rest.
func writeRuleList(w io.Writer, cfg *rules.Config, wide bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if wide {
		fmt.Fprintln(tw, "ID\tPROVIDER\tSEVERITY\tCONFIDENCE\tENGINE\tKEYWORDS\tALIASES\tDESCRIPTION")
	} else {
		fmt.Fprintln(tw, "ID\tSEVERITY\tCONF\tDESCRIPTION")
	}
	idWidth := 2
	for _, r := range cfg.Rules {
		idWidth = max(idWidth, utf8.RuneCountInString(r.ID))
	}
	idWidth = min(idWidth, 44)
	// id, severity (8), confidence (6), with two-space gaps.
	descWidth := listWidth - idWidth - 8 - 6 - 3*2
	for _, r := range cfg.Rules {
		if wide {
			engine := "-"
			if r.Pattern() != nil {
				engine = string(r.Pattern().Engine())
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Provider, r.Severity, r.Confidence, engine,
				strings.Join(r.Keywords, ","), strings.Join(r.Aliases, ","), r.Description)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cut(r.ID, idWidth), r.Severity, r.Confidence, cut(r.Description, descWidth))
	}
	return tw.Flush()
}

// cut shortens s to n runes, marking the cut with "…".
func cut(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
