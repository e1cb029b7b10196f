package rules

import "fmt"

// Aliases let a pack answer to another scanner's rule ids: a rule that
// says `aliases = ["aws-access-token"]` is the rule a gitleaks user means
// by that id, wherever a config names a rule — an override in an extending
// pack, [extend] disabledRules, an allowlist's targetRules, .gitleaksignore
// fingerprints and baselines. Findings always carry the rule's own id.

// Resolve returns the id of the rule that id names: id itself when a rule
// has it, else the rule it is an alias of, else id unchanged.
func (c *Config) Resolve(id string) string {
	if c == nil {
		return id
	}
	if c.aliases == nil {
		c.indexAliases()
	}
	if rid, ok := c.aliases[id]; ok {
		return rid
	}
	return id
}

// indexAliases builds the alias index and reports aliases that clash: with
// a rule's own id, or with another rule's alias.
func (c *Config) indexAliases() []string {
	ids := make(map[string]bool, len(c.Rules))
	for _, r := range c.Rules {
		ids[r.ID] = true
	}
	idx := map[string]string{}
	var errs []string
	for _, r := range c.Rules {
		for _, a := range r.Aliases {
			switch prev, dup := idx[a]; {
			case a == r.ID:
				// An override through an alias of itself: harmless.
			case ids[a]:
				errs = append(errs, fmt.Sprintf("%s:%d: rule %q: alias %q is another rule's id", c.Source, r.Line, r.ID, a))
			case dup && prev != r.ID:
				errs = append(errs, fmt.Sprintf("%s:%d: rule %q: alias %q is already an alias of rule %q", c.Source, r.Line, r.ID, a, prev))
			default:
				idx[a] = r.ID
			}
		}
	}
	c.aliases = idx
	return errs
}

// resolveTargetRules rewrites every global allowlist's targetRules to the
// rules' own ids, so AppliesTo compares like with like, and warns about
// ids that name no rule (gitleaks would silently never apply them).
func (c *Config) resolveTargetRules() {
	for i, a := range c.Allowlists {
		for j, id := range a.TargetRules {
			rid := c.Resolve(id)
			if c.Rule(rid) == nil {
				c.warn(fmt.Sprintf("%s: allowlist %d: targetRules: no rule %q", c.Source, i+1, id))
			}
			a.TargetRules[j] = rid
		}
	}
}

// warn records msg once.
func (c *Config) warn(msg string) {
	if !contains(c.Warnings, msg) {
		c.Warnings = append(c.Warnings, msg)
	}
}
