// Command packgen composes the embedded rule pack, rules/default.toml, from
// the per-family files in rules/pack/ (run by `go generate ./rules`).
//
// One file per provider family keeps each family's rules, examples and
// negatives together and reviewable; the binary still embeds one pack, so
// loading, line numbers in errors and gitleaks-style [extend] work as before.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/leakfix/leakfix/rules/internal/pack"
)

func main() {
	dir := "pack"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	out, err := pack.Compose(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "packgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "default.toml"), out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "packgen:", err)
		os.Exit(1)
	}
}
