// Command keywords prints the embedded rule pack's keywords, one a line,
// lower-cased and unique: the word list for the ripgrep floor in
// bench/table.sh (`rg -F -i -f`), so the floor looks for exactly what the
// scanner's prefilter looks for.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/leakfix/leakfix/rules"
)

func main() {
	cfg, err := rules.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, "keywords:", err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range cfg.Rules {
		for _, k := range r.Keywords {
			if k != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	for _, k := range out {
		fmt.Println(k)
	}
}
