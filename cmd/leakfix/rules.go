package main

import (
	"context"
	"fmt"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/spf13/cobra"
)

const rulesExamples = `  leakfix rules list                    the embedded pack (or the discovered config)
  leakfix rules list --config my.toml
  leakfix rules check my-rules.toml     compile a pack and run every rule's examples and negatives`

func rulesCommand(e *env) *cobra.Command {
	rl := new(rulesFlags)
	c := newCommand(e, "rules list|check [FILE]", "list the rule pack or check a rule file's examples", "", rulesExamples, rl.run)
	c.Flags().StringVarP(&rl.rf.config, "config", "c", "", "rule pack `FILE` to list")
	c.Flags().BoolVar(&rl.wide, "wide", false, "list every column (provider, keywords, aliases) at full width")
	c.ValidArgsFunction = subcommandArgs("list", "check") // completion.go
	return c
}

// rulesFlags are the flags of `leakfix rules`.
type rulesFlags struct {
	rf   reportFlags
	wide bool
}

func (rl *rulesFlags) run(ctx context.Context, e *env, pos []string) error {
	if len(pos) == 0 {
		return usageError("rules needs a subcommand: list or check FILE")
	}
	switch pos[0] {
	case "list":
		cfg, err := loadConfig(e, &rl.rf, ".")
		if err != nil {
			return err
		}
		if err := writeRuleList(e.stdout, cfg, rl.wide); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d rules from %s\n", len(cfg.Rules), cfg.Source)
		return nil
	case "check":
		if len(pos) != 2 {
			return usageError("rules check needs exactly one FILE")
		}
		cfg, err := rules.LoadFile(pos[1])
		if err == nil {
			err = cfg.LoadExamples() // the embedded pack's, when the file extends it
		}
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
