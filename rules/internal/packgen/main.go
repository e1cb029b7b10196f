// Command packgen composes the embedded rule pack, rules/default.toml, from
// the per-family files in rules/pack/ (run by `go generate ./rules`), and
// writes rules/default.gob, the same pack already decoded, which the binary
// loads at start-up instead of parsing the TOML, and rules/default.ac, the
// scanner's keyword automaton for that pack, which start-up loads instead
// of building.
//
// One file per provider family keeps each family's rules, examples and
// negatives together and reviewable; the binary still embeds one pack, so
// loading, line numbers in errors and gitleaks-style [extend] work as before.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/rules/internal/pack"
	"github.com/leakfix/leakfix/scanner"
)

func main() {
	dir := "pack"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := generate(dir); err != nil {
		fmt.Fprintln(os.Stderr, "packgen:", err)
		os.Exit(1)
	}
}

func generate(dir string) error {
	out, err := pack.Compose(dir)
	if err != nil {
		return err
	}
	gob, err := rules.EncodePack(rules.DefaultSource, out)
	if err != nil {
		return err
	}
	cfg, err := rules.Parse(rules.DefaultSource, out)
	if err != nil {
		return err
	}
	ac, err := scanner.PrebuiltAutomaton(cfg)
	if err != nil {
		return err
	}
	base := filepath.Dir(dir)
	if err := os.WriteFile(filepath.Join(base, "default.toml"), out, 0o644); err != nil {
		return fmt.Errorf("write default.toml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(base, "default.gob"), gob, 0o644); err != nil {
		return fmt.Errorf("write default.gob: %w", err)
	}
	if err := os.WriteFile(filepath.Join(base, "default.ac"), ac, 0o644); err != nil {
		return fmt.Errorf("write default.ac: %w", err)
	}
	return nil
}
