// Package vaultplan turns findings into a vault import plan: which secret
// goes under which name in which store, a script that stores every value
// with the store's own CLI without ever putting a value on a command line,
// the values that script reads (in 0600 files whose names .gitignore
// catches), and the references users paste into deployment config.
//
// The plan is the second half of seed 002's seven-week migration: `fix`
// rewrites code to `get_secret("name")`, and the plan puts each name into
// the vault. A plan holds no value; only the values directory does, and
// import.sh deletes it once every secret is stored.
package vaultplan

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/leakfix/leakfix/internal/lazyre"
	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/scanner"
)

// Target is a secret store the plan imports into.
type Target string

// The stores leakfix plans for.
const (
	AzureKeyVault     Target = "azure-keyvault"
	AWSSecretsManager Target = "aws-secrets-manager"
	HashiCorpVault    Target = "hashicorp-vault"
	GCPSecretManager  Target = "gcp-secret-manager"
)

// Targets lists every target, in the order help text shows them.
func Targets() []Target {
	return []Target{AzureKeyVault, AWSSecretsManager, HashiCorpVault, GCPSecretManager}
}

// ParseTarget accepts a target name as the CLI spells it.
func ParseTarget(s string) (Target, error) {
	for _, t := range Targets() {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, 0, 4)
	for _, t := range Targets() {
		names = append(names, string(t))
	}
	if s == "" {
		return "", fmt.Errorf("--target is required: one of %s", strings.Join(names, ", "))
	}
	return "", fmt.Errorf("unknown --target %q: want one of %s", s, strings.Join(names, ", "))
}

// Placeholders stand in for settings the user did not give, so snippets
// stay readable and the gap is obvious (the seeds write ACCOUNT_ID too).
const (
	PlaceholderVaultName = "VAULT_NAME"
	PlaceholderRegion    = "REGION"
	PlaceholderAccountID = "ACCOUNT_ID"
	PlaceholderProject   = "PROJECT_ID"
	PlaceholderVaultAddr = "https://VAULT_ADDR:8200"
)

// Options say where the secrets go. Only the fields of the chosen target
// matter; empty ones become placeholders in snippets and, for the script,
// settings read from the environment (or the CLI's own configuration).
type Options struct {
	Target Target

	VaultName string // azure-keyvault: the Key Vault's name
	Region    string // aws-secrets-manager: region (else the aws CLI's default)
	AccountID string // aws-secrets-manager: 12-digit account, for ARNs
	Prefix    string // aws-secrets-manager, hashicorp-vault: path prefix ("myapp/prod/")
	Mount     string // hashicorp-vault: KV v2 mount (default "secret")
	VaultAddr string // hashicorp-vault: server address for snippets
	Project   string // gcp-secret-manager: project id (else gcloud's default)

	// App names the container, service account and Kubernetes Secret in
	// snippets (default "app").
	App string
	// ToolVersion is recorded in plan.json and the script header.
	ToolVersion string
	// Services maps each service (run root) to the names its code reads;
	// the plan then grants each its own identity and only those names.
	Services map[string][]string
}

var (
	azureVaultRe = lazyre.New(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)
	regionRe     = lazyre.New(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRe    = lazyre.New(`^[0-9]{12}$`)
	awsPrefixRe  = lazyre.New(`^[A-Za-z0-9/_+=.@-]*$`)
	vaultPathRe  = lazyre.New(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
	gcpProjectRe = lazyre.New(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	appRe        = lazyre.New(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	addrRe       = lazyre.New(`^https?://[A-Za-z0-9.:\[\]_-]+(/[A-Za-z0-9._~/-]*)?$`)
)

// Normalize fills defaults and checks every setting that ends up in the
// script or a snippet: they are written unquoted into YAML and quoted into
// shell, so anything outside the store's own syntax is refused here rather
// than producing a script that does something else.
func (o *Options) Normalize() error {
	if _, err := ParseTarget(string(o.Target)); err != nil {
		return err
	}
	if o.App == "" {
		o.App = "app"
	}
	if !appRe.MatchString(o.App) {
		return fmt.Errorf("--app %q: want a Kubernetes-style name (lowercase letters, digits and -)", o.App)
	}
	if o.VaultName != "" && !azureVaultRe.MatchString(o.VaultName) {
		return fmt.Errorf("--vault-name %q: a Key Vault name is 3-24 letters, digits and -, starting with a letter", o.VaultName)
	}
	if o.Region != "" && !regionRe.MatchString(o.Region) {
		return fmt.Errorf("--region %q: want a region such as us-east-1", o.Region)
	}
	if o.AccountID != "" && !accountRe.MatchString(o.AccountID) {
		return fmt.Errorf("--account-id %q: want the 12-digit AWS account id", o.AccountID)
	}
	if o.Project != "" && !gcpProjectRe.MatchString(o.Project) {
		return fmt.Errorf("--project %q: want a GCP project id (6-30 lowercase letters, digits and -)", o.Project)
	}
	if o.VaultAddr != "" && !addrRe.MatchString(o.VaultAddr) {
		return fmt.Errorf("--vault-addr %q: want a URL such as https://vault.example.com:8200", o.VaultAddr)
	}
	if o.Mount == "" {
		o.Mount = "secret"
	}
	o.Mount = strings.Trim(o.Mount, "/")
	if !vaultPathRe.MatchString(o.Mount) {
		return fmt.Errorf("--mount %q: want a Vault mount path such as secret or kv/apps", o.Mount)
	}
	if o.Prefix != "" {
		switch o.Target {
		case AWSSecretsManager:
			if !awsPrefixRe.MatchString(o.Prefix) || strings.HasPrefix(o.Prefix, "/") {
				return fmt.Errorf("--prefix %q: AWS secret names allow letters, digits and /_+=.@- (no leading /)", o.Prefix)
			}
		case HashiCorpVault:
			if !vaultPathRe.MatchString(strings.TrimSuffix(o.Prefix, "/")) {
				return fmt.Errorf("--prefix %q: want a Vault path such as myapp/prod/", o.Prefix)
			}
		default:
			return fmt.Errorf("--prefix applies to aws-secrets-manager and hashicorp-vault only: %s names cannot hold a path, and the names `fix` writes into code must match the store", o.Target)
		}
		if !strings.HasSuffix(o.Prefix, "/") {
			o.Prefix += "/"
		}
	}
	return nil
}

// Actions a plan takes for a secret.
const (
	// ActionImport stores the value found in the code.
	ActionImport = "import"
	// ActionGenerate marks weak defaults (`os.getenv("JWT_SECRET",
	// "your_jwt_secret")`): the value is not worth keeping, so the plan
	// names the secret but asks for a new random value.
	ActionGenerate = "generate"
)

// Plan is plan.json. It never holds a secret value.
type Plan struct {
	Version int    `json:"version"`
	Tool    string `json:"tool"`
	Target  Target `json:"target"`
	Store   Store  `json:"store"`
	// Script and ValuesDir are relative to the plan directory.
	Script    string   `json:"script"`
	ValuesDir string   `json:"values_dir"`
	Snippets  []string `json:"snippets"`
	Secrets   []Secret `json:"secrets"`
	// Notes are things the user must do or know (placeholders left in
	// snippets, store quirks that affect a value).
	Notes []string `json:"notes,omitempty"`
	// Services are the per-service least-privilege grants (empty when
	// the services are unknown).
	Services []ServiceGrant `json:"services,omitempty"`

	// opts are the normalized options Build used; the script and the
	// snippets are rendered from them.
	opts Options
}

// Store records the target's settings as the plan used them.
type Store struct {
	VaultName string `json:"vault_name,omitempty"`
	VaultURI  string `json:"vault_uri,omitempty"`
	Region    string `json:"region,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	Prefix    string `json:"prefix,omitempty"`
	Address   string `json:"address,omitempty"`
	Mount     string `json:"mount,omitempty"`
	Project   string `json:"project,omitempty"`
}

// Secret is one distinct value and every place it was found.
type Secret struct {
	// Name is what code asks for: get_secret("name").
	Name string `json:"name"`
	// StoreName is the name or path in the store (Name behind --prefix).
	StoreName string `json:"store_name"`
	// Env is the environment variable deployment snippets set, the same
	// upper-snake form `fix` writes into config files (${GROQ_API_KEY}).
	Env    string `json:"env"`
	Action string `json:"action"`
	// Reason explains a generate action.
	Reason   string   `json:"reason,omitempty"`
	Provider string   `json:"provider"`
	RuleIDs  []string `json:"rule_ids"`
	// Reference is what deployment config points at: the Key Vault secret
	// URI, the Secrets Manager ARN, the Vault API path, or the GCP
	// resource name.
	Reference string `json:"reference"`
	// ARNPattern (AWS) matches the ARN with the random suffix Secrets
	// Manager appends, for IAM policies.
	ARNPattern string `json:"arn_pattern,omitempty"`
	// Field is the key inside a Vault secret that holds the value.
	Field string `json:"field,omitempty"`
	// ValuesFile (relative to the plan directory) holds the value for
	// import.sh; empty for generate actions.
	ValuesFile string     `json:"values_file,omitempty"`
	Locations  []Location `json:"locations"`
}

// Location is one finding of the secret.
type Location struct {
	File        string `json:"file"`
	StartLine   int    `json:"start_line"`
	StartColumn int    `json:"start_column"`
	EndLine     int    `json:"end_line"`
	EndColumn   int    `json:"end_column"`
	Commit      string `json:"commit,omitempty"`
	RuleID      string `json:"rule_id"`
	Fingerprint string `json:"fingerprint"`
	Identifier  string `json:"identifier,omitempty"`
}

// Layout of the plan directory.
const (
	PlanFile    = "plan.json"
	ScriptFile  = "import.sh"
	ValuesDir   = "secrets.leakfix-values"
	SnippetsDir = "snippets"
	// IgnorePattern is the .gitignore entry that keeps values out of git;
	// every file leakfix writes values into ends in .leakfix-values.
	IgnorePattern = "*.leakfix-values"
)

// Values maps a secret's Name to its raw value, for secrets to import.
type Values map[string]string

// Build groups named findings into a plan. Findings must carry their raw
// secret (from a scan, a --show-secrets report, or Recover) and a
// SecretName (naming.Assign). It refuses inconsistent input — a redacted
// value, one name for two values, two names for one value — because any
// of those would store the wrong secret under a name code relies on.
func Build(findings []scanner.Finding, opts Options) (*Plan, Values, error) {
	if err := opts.Normalize(); err != nil {
		return nil, nil, err
	}
	st := storeFor(opts)
	type group struct {
		secret   Secret
		value    string
		weak     bool
		nonWeak  bool
		rules    map[string]bool
		provider map[string]int
	}
	groups := map[string]*group{}
	nameOf := map[string]string{} // value → name
	for i := range findings {
		f := &findings[i]
		loc := fmt.Sprintf("%s:%d (%s)", f.File, f.StartLine, f.RuleID)
		if f.Secret == "" || f.Secret == scanner.RedactedText {
			return nil, nil, fmt.Errorf("%s: the secret value is not known (the report is redacted); recover it from the files or use a report written with --show-secrets", loc)
		}
		if f.SecretName == "" {
			return nil, nil, fmt.Errorf("%s: finding has no secret_name", loc)
		}
		if !naming.Valid(f.SecretName) {
			return nil, nil, fmt.Errorf("%s: secret name %q is not valid in every vault (1-127 of a-z, 0-9 and -, starting with a letter)", loc, f.SecretName)
		}
		if other, ok := nameOf[f.Secret]; ok && other != f.SecretName {
			return nil, nil, fmt.Errorf("%s: the same value is named both %q and %q; one value must have one name", loc, other, f.SecretName)
		}
		nameOf[f.Secret] = f.SecretName
		g, ok := groups[f.SecretName]
		if !ok {
			g = &group{value: f.Secret, rules: map[string]bool{}, provider: map[string]int{}}
			g.secret.Name = f.SecretName
			groups[f.SecretName] = g
		} else if g.value != f.Secret {
			return nil, nil, fmt.Errorf("%s: name %q is used for two different values; give one of them another name", loc, f.SecretName)
		}
		if f.IsWeakDefault() {
			g.weak = true
		} else {
			g.nonWeak = true
		}
		g.rules[f.RuleID] = true
		g.provider[f.Provider]++
		g.secret.Locations = append(g.secret.Locations, Location{
			File: f.File, StartLine: f.StartLine, StartColumn: f.StartColumn,
			EndLine: f.EndLine, EndColumn: f.EndColumn, Commit: f.Commit,
			RuleID: f.RuleID, Fingerprint: f.Fingerprint, Identifier: f.Identifier,
		})
	}

	p := &Plan{
		Version:   1,
		Tool:      "leakfix " + opts.ToolVersion,
		Target:    opts.Target,
		Store:     st.settings(),
		Script:    ScriptFile,
		ValuesDir: ValuesDir,
		opts:      opts,
	}
	values := Values{}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := groups[n]
		s := g.secret
		s.StoreName = st.storeName(n)
		s.Env = EnvName(n)
		s.Reference = st.reference(s.StoreName)
		s.ARNPattern = st.arnPattern(s.StoreName)
		s.Field = st.field()
		s.Provider = mostCommon(g.provider)
		for r := range g.rules {
			s.RuleIDs = append(s.RuleIDs, r)
		}
		sort.Strings(s.RuleIDs)
		sort.SliceStable(s.Locations, func(i, j int) bool {
			a, b := s.Locations[i], s.Locations[j]
			if a.File != b.File {
				return a.File < b.File
			}
			return a.StartLine < b.StartLine
		})
		if g.weak && !g.nonWeak {
			s.Action = ActionGenerate
			s.Reason = "weak default: not imported; generate a new value (./import.sh --generate stores a random one)"
		} else {
			s.Action = ActionImport
			if err := st.checkValue(n, g.value); err != nil {
				return nil, nil, err
			}
			s.ValuesFile = ValuesDir + "/" + st.valuesFile(n)
			values[n] = g.value
			if note := st.valueNote(n, g.value); note != "" {
				p.Notes = append(p.Notes, note)
			}
		}
		p.Secrets = append(p.Secrets, s)
	}
	p.Notes = append(p.Notes, st.notes(p)...)
	p.Services = grants(p)
	for _, sn := range append(append(st.snippets(p), serviceSnippets(p)...), githubSnippet(p)...) {
		p.Snippets = append(p.Snippets, SnippetsDir+"/"+sn.name)
	}
	return p, values, nil
}

// EnvName is the environment variable for a vault name. It is
// rewrite.EnvName, the one `fix` writes into config files and the lookup
// modules fall back to, so deployment snippets set exactly what the
// rewritten code reads.
func EnvName(name string) string { return rewrite.EnvName(name) }

func mostCommon(m map[string]int) string {
	best, n := "", -1
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}

// Counts returns how many secrets the plan imports and generates.
func (p *Plan) Counts() (imports, generates int) {
	for _, s := range p.Secrets {
		if s.Action == ActionImport {
			imports++
		} else {
			generates++
		}
	}
	return imports, generates
}

// validUTF8 guards stores whose CLIs take text: a value that is not
// UTF-8 would be mangled on the way in.
func validUTF8(target Target, name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("secret %q is not valid UTF-8 text, which %s stores as text; store it by hand as binary", name, target)
	}
	return nil
}
