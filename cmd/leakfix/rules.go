package main

import (
	"context"
	"fmt"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

const rulesExamples = `  leakfix rules list                    the embedded pack (or the discovered config)
  leakfix rules list --config my.toml
  leakfix rules check my-rules.toml     compile a pack and run every rule's examples and negatives`

func runRules(ctx context.Context, e *env, args []string) error {
	var rf reportFlags
	fs := newFlagSet(e, "rules", "rules list|check [FILE] [flags]", rulesExamples)
	fs.StringVar(&rf.config, "config", "", "rule pack `FILE` to list")
	var wide bool
	fs.BoolVar(&wide, "wide", false, "list every column (provider, keywords, aliases) at full width")
	pos, err := parseArgs(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError("rules needs a subcommand: list or check FILE")
	}
	switch pos[0] {
	case "list":
		cfg, err := loadConfig(e, &rf, ".")
		if err != nil {
			return err
		}
		if err := writeRuleList(e.stdout, cfg, wide); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d rules from %s\n", len(cfg.Rules), cfg.Source)
		return nil
	case "check":
		if len(pos) != 2 {
			return usageError("rules check needs exactly one FILE")
		}
		cfg, err := rules.LoadFile(pos[1])
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		fails := scanner.CheckExamples(cfg, false)
		for _, f := range fails {
			fmt.Fprintf(e.stdout, "%s:%s\n", pos[1], f)
		}
		examples, negatives := 0, 0
		for _, r := range cfg.Rules {
			examples += len(r.Examples)
			negatives += len(r.Negatives)
		}
		fmt.Fprintf(e.stdout, "%s: %d rules, %d examples, %d negatives, %d failures\n", pos[1], len(cfg.Rules), examples, negatives, len(fails))
		if len(fails) > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
	return usageError("unknown rules subcommand %q (want list or check)", pos[0])
}
