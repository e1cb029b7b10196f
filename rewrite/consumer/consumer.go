// Package consumer rewrites configuration files for the program that
// reads them. rewrite/configfile writes `${VAR}`, which is right only
// where the consumer expands it: docker compose (`environment:` and
// env_file), python-dotenv and most .env loaders, shells. Other consumers
// take a literal `${VAR}` as the value, so for them:
//
//   - GitHub Actions workflows (.github/workflows/*.yml): `env:` and
//     `with:` values become `${{ secrets.NAME }}`; `leakfix plan` writes
//     the `gh secret set` lines that store them (value on stdin).
//   - Dockerfiles: an `ENV KEY=secret` line is removed (a secret must not
//     be baked into an image layer) and replaced by a comment showing the
//     run-time injection; `ARG KEY=secret` loses its default and points at
//     a BuildKit secret mount. Secrets anywhere else (RUN) are refused.
//   - Kubernetes manifests: `env[].value` becomes valueFrom.secretKeyRef
//     on the Secret K8sSecret names (the service's identity, which
//     `leakfix plan` syncs from the vault with a per-service
//     ExternalSecret); a `kind: Secret` manifest whose stringData holds
//     only secrets becomes an ExternalSecret creating the same Secret
//     (others are refused), as is a secret anywhere else in a manifest.
//   - .NET appsettings*.json: refused; .NET reads the environment variable
//     `Section__Key` over the file, which the message names, or a Key
//     Vault reference (plan's app-service-settings.json).
//
// Refusing means the file is left untouched and named on stderr, and fix
// exits 2: nothing is rewritten into something its consumer misreads.
// Everything else goes to rewrite/configfile unchanged.
package consumer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leakfix/leakfix/internal/lazyre"
	"github.com/leakfix/leakfix/rewrite"
	"github.com/leakfix/leakfix/rewrite/configfile"
)

// Rewriter routes a configuration file to its consumer's rules.
type Rewriter struct {
	cfg *configfile.Rewriter
	// K8sSecret names the Kubernetes Secret a manifest's env entries
	// read from (valueFrom.secretKeyRef); nil refuses env[].value.
	K8sSecret func(path string) string
	// SecretStore is the external-secrets.io SecretStore a replaced
	// `kind: Secret` manifest reads through (leakfix plan's
	// external-secret.yaml defines it as <app>-<target>), and Field the
	// property holding the value (HashiCorp Vault: "value"). An empty
	// SecretStore refuses Secret manifests.
	SecretStore, Field string
}

// New returns a Rewriter.
func New() *Rewriter { return &Rewriter{cfg: configfile.New()} }

// Kind names the consumer of a file.
type Kind int

// Consumers this package knows.
const (
	Generic Kind = iota // ${VAR} is expanded (compose, dotenv, shells)
	GitHubActions
	Dockerfile
	Kubernetes
	DotNetSettings
)

// KindOf decides who reads path.
func KindOf(path string, src []byte) Kind {
	slash := filepath.ToSlash(path)
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	switch {
	case strings.Contains(slash, ".github/workflows/") && (ext == ".yml" || ext == ".yaml"):
		return GitHubActions
	case configfile.FormatOf(path) == configfile.Dockerfile:
		return Dockerfile
	case strings.HasPrefix(base, "appsettings") && ext == ".json":
		return DotNetSettings
	case (ext == ".yml" || ext == ".yaml") && k8sRe.Match(src) && apiVersionRe.Match(src):
		return Kubernetes
	}
	return Generic
}

var (
	k8sRe        = lazyre.New(`(?m)^kind:\s*\S`)
	apiVersionRe = lazyre.New(`(?m)^apiVersion:\s*\S`)
	kindSecretRe = lazyre.New(`(?m)^kind:\s*["']?Secret["']?\s*$`)
)

// Refused says why a file has no correct automatic rewrite; the engine
// leaves it untouched and names it.
type Refused struct{ Reason string }

func (e *Refused) Error() string { return "left untouched: " + e.Reason }

// Rewrite implements rewrite.Rewriter.
func (r *Rewriter) Rewrite(path string, src []byte, secrets []rewrite.Secret) ([]byte, error) {
	switch KindOf(path, src) {
	case GitHubActions:
		return gha(src, secrets)
	case Dockerfile:
		return dockerfile(src, secrets)
	case Kubernetes:
		if kindSecretRe.Match(src) && r.SecretStore != "" {
			return r.externalSecret(src, secrets)
		}
		if r.K8sSecret == nil || kindSecretRe.Match(src) {
			return nil, k8sRefusal(src, secrets)
		}
		return k8sEnv(src, secrets, r.K8sSecret(path))
	case DotNetSettings:
		return nil, dotnetRefusal(src, secrets)
	}
	return r.cfg.Rewrite(path, src, secrets)
}

func sortedSecrets(secrets []rewrite.Secret) []rewrite.Secret {
	s := append([]rewrite.Secret(nil), secrets...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	return s
}

func isComment(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && t[0] == '#'
}

// secretLine checks s against src and returns the bounds of its line; a
// secret on a comment line comes back as the redaction edit every
// consumer makes there instead of a rewrite.
func secretLine(src []byte, s rewrite.Secret) (ls, le int, inComment *rewrite.Edit, err error) {
	if err := checkSecret(src, s); err != nil {
		return 0, 0, nil, err
	}
	ls, le = rewrite.LineBounds(src, s.Start)
	if isComment(src[ls:le]) {
		return ls, le, &rewrite.Edit{Start: s.Start, End: s.End, Text: rewrite.Redaction(s.Name)}, nil
	}
	return ls, le, nil, nil
}

func checkSecret(src []byte, s rewrite.Secret) error {
	if s.Start < 0 || s.End > len(src) || s.Start >= s.End || string(src[s.Start:s.End]) != s.Value {
		return fmt.Errorf("secret at line %d is not where the scan found it (file changed since the scan?)", s.Line)
	}
	return nil
}

// GitHubSecretName is the repository secret a vault name becomes: upper
// snake case, which GitHub allows, moved off the reserved GITHUB_ prefix.
func GitHubSecretName(name string) string {
	n := rewrite.EnvName(name)
	if strings.HasPrefix(n, "GITHUB_") {
		n = "LEAKFIX_" + n
	}
	return n
}

var ghaKeyRe = lazyre.New(`^(\s*)(?:-\s+)?([A-Za-z_][A-Za-z0-9_.-]*):[ \t]+`)

// gha rewrites workflow `env:`/`with:` values to `${{ secrets.NAME }}`.
func gha(src []byte, secrets []rewrite.Secret) ([]byte, error) {
	var edits []rewrite.Edit
	var reasons []string
	for _, s := range sortedSecrets(secrets) {
		ls, le, inComment, err := secretLine(src, s)
		if err != nil {
			return nil, err
		}
		if inComment != nil {
			edits = append(edits, *inComment)
			continue
		}
		line := src[ls:le]
		m := ghaKeyRe.FindSubmatchIndex(line)
		if m == nil || s.WeakDefault {
			reasons = append(reasons, fmt.Sprintf("line %d: not a `KEY: value` under env: or with:", s.Line))
			continue
		}
		vs := ls + m[1]
		ve, whole := yamlValue(src, vs, le, s.Value)
		if !whole {
			reasons = append(reasons, fmt.Sprintf("line %d: the secret is part of a longer value; a workflow can only reference a whole secret", s.Line))
			continue
		}
		parent := parentKey(src, ls, rewrite.IndentOf(line))
		if parent != "env" && parent != "with" {
			reasons = append(reasons, fmt.Sprintf("line %d: under %q, not env: or with:", s.Line, parent))
			continue
		}
		edits = append(edits, rewrite.Edit{Start: vs, End: ve, Text: "${{ secrets." + GitHubSecretName(s.Name) + " }}"})
	}
	return applyYAML(src, edits, reasons, "GitHub Actions", "workflow")
}

// yamlValue returns the end of the plain or quoted scalar that starts at
// vs on a `key: value` line ending at le (before a " #" comment and
// trailing blanks), and whether that scalar is exactly secret, bare or
// in matching quotes: a consumer can only point a whole value elsewhere.
func yamlValue(src []byte, vs, le int, secret string) (ve int, whole bool) {
	ve = le
	if i := bytes.Index(src[vs:le], []byte(" #")); i >= 0 {
		ve = vs + i
	}
	for ve > vs && (src[ve-1] == ' ' || src[ve-1] == '\t') {
		ve--
	}
	val := string(src[vs:ve])
	quoted := len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[0] == val[len(val)-1]
	return ve, val == secret || quoted && val[1:len(val)-1] == secret
}

// parentKey returns the key of the nearest line above ls indented less
// than ind ("" at the top).
func parentKey(src []byte, ls, ind int) string {
	for ls > 0 {
		pe := ls - 1
		ps := bytes.LastIndexByte(src[:pe], '\n') + 1
		line := bytes.TrimRight(src[ps:pe], "\r")
		ls = ps
		if len(bytes.TrimSpace(line)) == 0 || isComment(line) {
			continue
		}
		if rewrite.IndentOf(line) < ind {
			t := strings.TrimSpace(string(line))
			t = strings.TrimPrefix(t, "- ")
			k, _, _ := strings.Cut(t, ":")
			return strings.TrimSpace(k)
		}
	}
	return ""
}

func yamlValid(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

var dockerKVRe = lazyre.New(`^(\s*)(ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_]*)(=|\s+)(.*)$`)

// dockerfile removes secrets from ENV/ARG instructions.
func dockerfile(src []byte, secrets []rewrite.Secret) ([]byte, error) {
	var edits []rewrite.Edit
	var reasons []string
	done := map[int]bool{}
	for _, s := range sortedSecrets(secrets) {
		ls, le, inComment, err := secretLine(src, s)
		if err != nil {
			return nil, err
		}
		if inComment != nil {
			edits = append(edits, *inComment)
			continue
		}
		line := src[ls:le]
		if done[ls] {
			continue
		}
		m := dockerKVRe.FindSubmatch(line)
		prevCont := ls >= 2 && bytes.HasSuffix(bytes.TrimRight(src[:ls-1], "\r"), []byte("\\"))
		if m == nil || prevCont || bytes.HasSuffix(bytes.TrimSpace(line), []byte("\\")) {
			reasons = append(reasons, fmt.Sprintf("line %d: a secret outside a one-line ENV/ARG is baked into the image; pass it with a BuildKit secret (RUN --mount=type=secret,id=%s,env=%s ...)", s.Line, s.Name, rewrite.EnvName(s.Name)))
			continue
		}
		ind, instr, key, sep, val := string(m[1]), string(m[2]), string(m[3]), string(m[4]), strings.TrimSpace(string(m[5]))
		uq := strings.Trim(val, `"'`)
		if uq != s.Value || sep == "=" && strings.ContainsAny(uq, " \t") {
			reasons = append(reasons, fmt.Sprintf("line %d: %s %s sets more than the secret; split the line, then run fix again", s.Line, instr, key))
			continue
		}
		env := key
		if s.WeakDefault {
			env = rewrite.EnvName(key)
		}
		var text string
		if instr == "ENV" {
			text = fmt.Sprintf("%s# %s is a secret (vault name %s): not baked into the image; inject it at run time:\n%s#   docker run -e %s ...   (compose: environment: %s: ${%s}; Kubernetes/ECS/Cloud Run: see leakfix plan's snippets)",
				ind, key, s.Name, ind, env, key, env)
		} else {
			text = fmt.Sprintf("%s# %s is a secret (vault name %s); a build argument is kept in the image history, so use a BuildKit secret:\n%s#   docker build --secret id=%s,env=%s ...   and   RUN --mount=type=secret,id=%s,env=%s <command>\n%sARG %s",
				ind, key, s.Name, ind, s.Name, rewrite.EnvName(s.Name), s.Name, key, ind, key)
		}
		done[ls] = true
		edits = append(edits, rewrite.Edit{Start: ls, End: le, Text: text})
	}
	if len(reasons) > 0 {
		return nil, &Refused{Reason: strings.Join(reasons, "; ")}
	}
	return rewrite.ApplyEdits(src, edits)
}

var k8sValueRe = lazyre.New(`^(\s*)value:[ \t]+`)

// k8sEnv turns `env: [{name: X, value: secret}]` into
// `valueFrom: {secretKeyRef: {name: secretName, key: ENV}}`; the plan's
// per-service ExternalSecret creates that Secret from the vault.
func k8sEnv(src []byte, secrets []rewrite.Secret, secretName string) ([]byte, error) {
	var edits []rewrite.Edit
	var reasons []string
	for _, s := range sortedSecrets(secrets) {
		ls, le, inComment, err := secretLine(src, s)
		if err != nil {
			return nil, err
		}
		if inComment != nil {
			edits = append(edits, *inComment)
			continue
		}
		line := src[ls:le]
		m := k8sValueRe.FindSubmatchIndex(line)
		if m == nil || s.WeakDefault {
			reasons = append(reasons, fmt.Sprintf("line %d: not an env[].value; only env entries can read a Secret", s.Line))
			continue
		}
		col := m[3] - m[2]
		ve, whole := yamlValue(src, ls+m[1], le, s.Value)
		if !whole {
			reasons = append(reasons, fmt.Sprintf("line %d: the secret is part of a longer value; a Secret key holds a whole value", s.Line))
			continue
		}
		if item := parentKey(src, ls, col); item != "name" || envList(src, ls, col) != "env" {
			reasons = append(reasons, fmt.Sprintf("line %d: not inside a container's env list", s.Line))
			continue
		}
		pad := strings.Repeat(" ", col)
		text := fmt.Sprintf("valueFrom:\n%s  secretKeyRef:\n%s    name: %s\n%s    key: %s", pad, pad, secretName, pad, rewrite.EnvName(s.Name))
		edits = append(edits, rewrite.Edit{Start: ls + col, End: ve, Text: text})
	}
	return applyYAML(src, edits, reasons, "Kubernetes", "manifest")
}

// envList returns the key holding the list item that holds the line at
// ls (indented col): "env" for a container's env entry.
func envList(src []byte, ls, col int) string {
	for ls > 0 {
		pe := ls - 1
		ps := bytes.LastIndexByte(src[:pe], '\n') + 1
		line := bytes.TrimRight(src[ps:pe], "\r")
		ls = ps
		if len(bytes.TrimSpace(line)) == 0 || isComment(line) {
			continue
		}
		if ind := rewrite.IndentOf(line); ind < col {
			return parentKey(src, ps, ind)
		}
	}
	return ""
}

func k8sRefusal(src []byte, secrets []rewrite.Secret) error {
	if kindSecretRe.Match(src) {
		return &Refused{Reason: "a Kubernetes Secret manifest holds the values; delete it and apply the ExternalSecret from leakfix plan's snippets/external-secret.yaml, which creates the Secret from the vault"}
	}
	var lines []string
	for _, s := range sortedSecrets(secrets) {
		lines = append(lines, fmt.Sprintf("line %d: replace `value:` with `valueFrom: {secretKeyRef: {name: <the Secret plan's external-secret.yaml syncs>, key: %s}}`", s.Line, rewrite.EnvName(s.Name)))
	}
	return &Refused{Reason: "Kubernetes does not expand ${VAR} in env[].value; " + strings.Join(lines, "; ")}
}

func dotnetRefusal(src []byte, secrets []rewrite.Secret) error {
	var names []string
	for _, s := range sortedSecrets(secrets) {
		if p := jsonPath(src, s.Start); p != "" {
			names = append(names, fmt.Sprintf("line %d: set %s (the environment overrides appsettings.json) from the vault name %s, then remove the value", s.Line, p, s.Name))
		} else {
			names = append(names, fmt.Sprintf("line %d: set the matching Section__Key environment variable from the vault name %s", s.Line, s.Name))
		}
	}
	return &Refused{Reason: ".NET does not expand ${VAR} in appsettings.json; " + strings.Join(names, "; ") +
		" (on Azure App Service, an app setting of that name can be a Key Vault reference: leakfix plan's app-service-settings.json)"}
}

// jsonPath returns the .NET environment name (`Section__Key`) of the JSON
// string value holding off, or "".
func jsonPath(src []byte, off int) string {
	type frame struct {
		obj, wantKey bool
		key          string
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
				if top > 0 && stack[top-1].obj {
					stack[top-1].wantKey = true
				}
			}
			continue
		}
		if top < 0 {
			return ""
		}
		if stack[top].obj && stack[top].wantKey {
			stack[top].key, _ = tok.(string)
			stack[top].wantKey = false
			continue
		}
		if _, ok := tok.(string); ok && int(dec.InputOffset()) > off {
			var parts []string
			for _, f := range stack {
				if f.obj {
					parts = append(parts, f.key)
				}
			}
			return strings.Join(parts, "__")
		}
		if stack[top].obj {
			stack[top].wantKey = true
		}
	}
}

// externalSecret replaces a `kind: Secret` manifest whose stringData
// values are all secrets with an ExternalSecret that creates the same
// Secret (same name, namespace and keys) from the vault.
func (r *Rewriter) externalSecret(src []byte, secrets []rewrite.Secret) ([]byte, error) {
	var docs int
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var m struct {
		Kind     string
		Metadata struct{ Name, Namespace string }
		Type     string
		Data     map[string]string
		Strings  map[string]string `yaml:"stringData"`
	}
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &rewrite.ParseError{Msg: "not valid YAML"}
		}
		docs++
		if docs == 1 {
			if err := n.Decode(&m); err != nil {
				return nil, &Refused{Reason: "the Secret manifest's fields are not the shape leakfix knows; replace it with plan's ExternalSecret by hand"}
			}
		}
	}
	switch {
	case docs != 1:
		return nil, &Refused{Reason: "a Secret among other documents; move it to a file of its own, then run fix again (or use plan's ExternalSecret)"}
	case m.Metadata.Name == "":
		return nil, &Refused{Reason: "the Secret has no metadata.name"}
	case len(m.Data) > 0:
		return nil, &Refused{Reason: "the Secret has base64 data:; replace it with plan's ExternalSecret by hand"}
	case m.Type != "" && m.Type != "Opaque":
		return nil, &Refused{Reason: "a " + m.Type + " Secret; replace it with an ExternalSecret whose template sets that type"}
	}
	byValue := map[string]string{}
	for _, s := range secrets {
		if !s.WeakDefault && s.Name != "" {
			byValue[s.Value] = s.Name
		}
	}
	keys := make([]string, 0, len(m.Strings))
	for k := range m.Strings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "# leakfix fix replaced a Secret holding these values: External Secrets Operator\n"+
		"# (external-secrets.io) now creates the Secret %q from the vault, through the\n"+
		"# SecretStore %q that leakfix plan writes in snippets/external-secret.yaml.\n"+
		"apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: %s\n",
		m.Metadata.Name, r.SecretStore, yamlScalar(m.Metadata.Name))
	if m.Metadata.Namespace != "" {
		fmt.Fprintf(&b, "  namespace: %s\n", yamlScalar(m.Metadata.Namespace))
	}
	fmt.Fprintf(&b, "spec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: SecretStore\n    name: %s\n  target:\n    name: %s\n  data:\n",
		yamlScalar(r.SecretStore), yamlScalar(m.Metadata.Name))
	for _, k := range keys {
		name, ok := byValue[m.Strings[k]]
		if !ok {
			return nil, &Refused{Reason: fmt.Sprintf("stringData key %q holds a value that is not a secret leakfix found; an ExternalSecret would drop it, so move it to the vault (or a ConfigMap) first", k)}
		}
		fmt.Fprintf(&b, "    - secretKey: %s\n      remoteRef:\n        key: %s\n", yamlScalar(k), name)
		if r.Field != "" {
			fmt.Fprintf(&b, "        property: %s\n", r.Field)
		}
	}
	if len(keys) == 0 {
		return nil, &Refused{Reason: "the Secret's values are not under stringData"}
	}
	out := []byte(b.String())
	if err := yamlValid(out); err != nil {
		return nil, fmt.Errorf("internal error: the ExternalSecret does not parse (%v); left untouched", err)
	}
	return out, nil
}

func yamlScalar(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// applyYAML refuses the file when any secret in it has no correct rewrite
// for consumer (reasons), else applies the edits and proves the result
// still parses as YAML: a rewrite is all or nothing.
func applyYAML(src []byte, edits []rewrite.Edit, reasons []string, consumer, what string) ([]byte, error) {
	if len(reasons) > 0 {
		return nil, &Refused{Reason: consumer + " does not expand ${VAR}; " + strings.Join(reasons, "; ")}
	}
	out, err := rewrite.ApplyEdits(src, edits)
	if err != nil {
		return nil, err
	}
	if err := yamlValid(out); err != nil {
		return nil, fmt.Errorf("internal error: the rewritten %s does not parse (%v); left untouched", what, err)
	}
	return out, nil
}
