package vaultplan

import (
	"fmt"
	"strings"

	"github.com/leakfix/leakfix/rewrite/consumer"
)

// githubSnippet writes, when a planned secret was found in a GitHub
// Actions workflow (which `leakfix fix` rewrites to ${{ secrets.NAME }}),
// a script that copies each such value from the store into the
// repository's Actions secrets: the store's CLI prints the value into a
// pipe and `gh secret set` reads it from stdin, so it is never on a
// command line. Run it after import.sh.
func githubSnippet(p *Plan) []snippet {
	var b strings.Builder
	n := 0
	for _, s := range p.Secrets {
		inWorkflow := false
		for _, l := range s.Locations {
			inWorkflow = inWorkflow || strings.Contains("/"+l.File, "/.github/workflows/")
		}
		if !inWorkflow || s.Action != ActionImport {
			continue
		}
		if n == 0 {
			fmt.Fprintf(&b, "#!/bin/sh\n# GitHub Actions: the workflows now read ${{ secrets.NAME }}; this copies each\n# value from %s into the repository's Actions secrets.\n# Run it after import.sh, with gh authenticated for the repository.\n# Values go through a pipe to gh's stdin, never onto a command line.\nset -eu\n", storeFor(p.opts).describe())
		}
		n++
		fmt.Fprintf(&b, "%s | gh secret set %s\n", readCommand(p, s), consumer.GitHubSecretName(s.Name))
	}
	if n == 0 {
		return nil
	}
	return []snippet{{"github-actions-secrets.sh", b.String()}}
}

// readCommand prints a stored secret's value on stdout (no trailing
// newline but the CLIs' own, which gh strips from stdin: cli/cli#5086).
func readCommand(p *Plan, s Secret) string {
	o := p.opts
	switch o.Target {
	case AzureKeyVault:
		return fmt.Sprintf("az keyvault secret show --vault-name %s --name %s --query value --output tsv", shellQuote(orPlaceholder(o.VaultName, PlaceholderVaultName)), shellQuote(s.StoreName))
	case AWSSecretsManager:
		return fmt.Sprintf("aws secretsmanager get-secret-value --secret-id %s --query SecretString --output text", shellQuote(s.StoreName))
	case HashiCorpVault:
		return fmt.Sprintf("vault kv get -mount=%s -field=%s %s", shellQuote(o.Mount), s.Field, shellQuote(s.StoreName))
	default:
		return fmt.Sprintf("gcloud secrets versions access latest --secret=%s --project=%s", shellQuote(s.StoreName), shellQuote(orPlaceholder(o.Project, PlaceholderProject)))
	}
}
