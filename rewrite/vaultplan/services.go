package vaultplan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/rewrite/runroot"
)

// ServiceGrant is one service's identity and the only names it may read:
// each service (a run root, as `leakfix fix` found it) gets its own
// identity, so one compromised service cannot read every secret.
type ServiceGrant struct {
	// Service is the run root, relative to the repository root.
	Service string `json:"service"`
	// Identity names the service's identity in the store (IAM role,
	// managed identity, Vault policy, GCP service account).
	Identity string `json:"identity"`
	// Names are the vault names the service's code reads.
	Names []string `json:"names"`
}

// grants builds the per-service grants from Options.Services, keeping
// only names the plan holds.
func grants(p *Plan) []ServiceGrant {
	planned := map[string]bool{}
	for _, s := range p.Secrets {
		planned[s.Name] = true
	}
	var out []ServiceGrant
	used := map[string]bool{}
	svcs := make([]string, 0, len(p.opts.Services))
	for s := range p.opts.Services {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	for _, svc := range svcs {
		var names []string
		for _, n := range p.opts.Services[svc] {
			if planned[n] {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		id := runroot.Identity(svc, p.opts.App)
		for base, i := id, 2; used[id]; i++ {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		used[id] = true
		out = append(out, ServiceGrant{Service: svc, Identity: id, Names: names})
	}
	return out
}

// serviceSnippets renders one least-privilege grant per service.
func serviceSnippets(p *Plan) []snippet {
	bySecret := map[string]Secret{}
	for _, s := range p.Secrets {
		bySecret[s.Name] = s
	}
	var out []snippet
	for _, g := range p.Services {
		out = append(out, serviceExternalSecret(p, g, bySecret))
		switch p.Target {
		case AWSSecretsManager:
			// Patterns and partial ARNs until import.sh, which writes each
			// full ARN from the create/put output into these files too.
			var arns []string
			type ecsSecret struct {
				Name      string `json:"name"`
				ValueFrom string `json:"valueFrom"`
			}
			var secrets []ecsSecret
			for _, n := range g.Names {
				arns = append(arns, bySecret[n].ARNPattern)
				secrets = append(secrets, ecsSecret{Name: bySecret[n].Env, ValueFrom: bySecret[n].Reference})
			}
			task := map[string]any{"containerDefinitions": []map[string]any{{"name": g.Identity, "secrets": secrets}}}
			out = append(out, snippet{"services/" + g.Identity + ".ecs-task-definition.json", jsonSnippet(task)})
			type statement struct {
				Sid      string
				Effect   string
				Action   []string
				Resource []string
			}
			pol := struct {
				Version   string
				Statement []statement
			}{"2012-10-17", []statement{{Sid: "ReadOwnSecrets", Effect: "Allow",
				Action: []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, Resource: arns}}}
			out = append(out, snippet{"services/" + g.Identity + ".iam-policy.json", jsonSnippet(pol)})
		case AzureKeyVault:
			var b strings.Builder
			fmt.Fprintf(&b, "#!/bin/sh\n# %s: its own managed identity, granted \"Key Vault Secrets User\" on\n# each secret its code reads and nothing else.\nset -eu\n", g.Service)
			fmt.Fprintf(&b, ": \"${RESOURCE_GROUP:?set RESOURCE_GROUP}\"\nvault_id=$(az keyvault show --name %s --query id --output tsv)\n", shellQuote(orPlaceholder(p.opts.VaultName, PlaceholderVaultName)))
			fmt.Fprintf(&b, "principal=$(az identity create --name %s --resource-group \"$RESOURCE_GROUP\" --query principalId --output tsv)\n", shellQuote(g.Identity))
			for _, n := range g.Names {
				fmt.Fprintf(&b, "az role assignment create --role \"Key Vault Secrets User\" --assignee-object-id \"$principal\" --assignee-principal-type ServicePrincipal --scope \"$vault_id/secrets/%s\"\n", bySecret[n].StoreName)
			}
			out = append(out, snippet{"services/" + g.Identity + ".role-assignments.sh", b.String()})
		case HashiCorpVault:
			var b strings.Builder
			fmt.Fprintf(&b, "# Vault policy for %s only: read on each secret its code reads.\n# vault policy write %s %s.hcl\n", g.Service, g.Identity, g.Identity)
			for _, n := range g.Names {
				fmt.Fprintf(&b, "path %s {\n  capabilities = [\"read\"]\n}\n", yq(bySecret[n].Reference))
			}
			out = append(out, snippet{"services/" + g.Identity + ".hcl", b.String()})
		case GCPSecretManager:
			var b strings.Builder
			proj := orPlaceholder(p.opts.Project, PlaceholderProject)
			sa := g.Identity + "@" + proj + ".iam.gserviceaccount.com"
			fmt.Fprintf(&b, "#!/bin/sh\n# %s: its own service account, granted secretAccessor on each secret\n# its code reads and nothing else.\nset -eu\n", g.Service)
			fmt.Fprintf(&b, "gcloud iam service-accounts create %s --project %s\n", shellQuote(g.Identity), shellQuote(proj))
			for _, n := range g.Names {
				fmt.Fprintf(&b, "gcloud secrets add-iam-policy-binding %s --project %s --member %s --role roles/secretmanager.secretAccessor\n",
					shellQuote(bySecret[n].StoreName), shellQuote(proj), shellQuote("serviceAccount:"+sa))
			}
			out = append(out, snippet{"services/" + g.Identity + ".iam.sh", b.String()})
		}
	}
	return out
}

// serviceExternalSecret syncs one service's secrets, and only those, into
// a Kubernetes Secret named after its identity — the Secret that
// `leakfix fix` points the service's manifests at (valueFrom.secretKeyRef)
// — through the SecretStore of snippets/external-secret.yaml.
func serviceExternalSecret(p *Plan, g ServiceGrant, bySecret map[string]Secret) snippet {
	var b strings.Builder
	fmt.Fprintf(&b, `# %s: only its own secrets, synced into the Secret %q that its
# manifests read (valueFrom.secretKeyRef). Apply after snippets/external-secret.yaml,
# which defines the SecretStore.
`, commentSafe(g.Service), g.Identity)
	var items []esItem
	for _, n := range g.Names {
		s := bySecret[n]
		items = append(items, esItem{env: s.Env, key: s.StoreName, property: s.Field})
	}
	writeExternalSecret(&b, g.Identity, p.opts.App+"-"+string(p.Target), g.Identity, items)
	return snippet{"services/" + g.Identity + ".external-secret.yaml", b.String()}
}
