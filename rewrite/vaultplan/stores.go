package vaultplan

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/leakfix/leakfix/internal/lazyre"
)

// store is what differs between targets: how names become references, how
// a value is laid out in its values file, the script's store() function,
// and the deployment snippets.
type store interface {
	settings() Store
	storeName(name string) string
	reference(storeName string) string
	arnPattern(storeName string) string
	field() string
	valuesFile(name string) string
	encodeValue(value string) []byte
	checkValue(name, value string) error
	valueNote(name, value string) string
	notes(p *Plan) []string
	// cli is the program import.sh runs; describe says what it imports into.
	cli() string
	describe() string
	// scriptSettings documents the environment overrides in the header.
	scriptSettings() []string
	// scriptSetup defines the settings and store NAME FILE.
	scriptSetup() string
	// generateValue writes a fresh random value, in this store's values
	// file layout, to "$tmp" (an already created 0600 file).
	generateValue() string
	snippets(p *Plan) []snippet
}

func storeFor(o Options) store {
	switch o.Target {
	case AzureKeyVault:
		return azureStore{o}
	case AWSSecretsManager:
		return awsStore{o}
	case HashiCorpVault:
		return vaultStore{o}
	default:
		return gcpStore{o}
	}
}

func orPlaceholder(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

// shellQuote single-quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// rawValue is the values-file layout for CLIs that read a file's bytes
// as they are.
func rawValue(v string) []byte { return []byte(v) }

// generateRaw is the --generate body for raw values files. The value
// passes through a shell variable and the printf builtin, never argv.
const generateRaw = `  local value
  value=$(openssl rand -base64 32)
  printf '%s' "$value" >"$tmp"
  unset value
`

// generateRawJSON is generateRaw plus the JSON string the REST path
// sends ("$tmp.json"); base64 needs no escaping.
const generateRawJSON = generateRaw + `  printf '"%s"' "$(cat -- "$tmp")" >"$tmp.json"
`

// ---- Azure Key Vault ----

type azureStore struct{ o Options }

func (s azureStore) vault() string { return orPlaceholder(s.o.VaultName, PlaceholderVaultName) }
func (s azureStore) vaultURI() string {
	return "https://" + s.vault() + ".vault.azure.net"
}
func (s azureStore) settings() Store {
	return Store{VaultName: s.o.VaultName, VaultURI: s.vaultURI()}
}
func (azureStore) storeName(name string) string { return name }
func (s azureStore) reference(n string) string  { return s.vaultURI() + "/secrets/" + n }
func (azureStore) arnPattern(string) string     { return "" }
func (azureStore) field() string                { return "" }
func (azureStore) valuesFile(name string) string {
	return name
}
func (azureStore) encodeValue(v string) []byte { return rawValue(v) }
func (azureStore) checkValue(name, v string) error {
	return validUTF8(AzureKeyVault, name, v)
}
func (azureStore) valueNote(name, v string) string {
	if strings.Contains(v, "\r") {
		return fmt.Sprintf("%s contains CR LF line endings: az keyvault secret set --file reads the file as text, so Key Vault will hold LF endings", name)
	}
	return ""
}
func (s azureStore) notes(*Plan) []string {
	if s.o.VaultName == "" {
		return []string{"no --vault-name: snippets say " + PlaceholderVaultName + ", and import.sh needs LEAKFIX_KEYVAULT_NAME set"}
	}
	return nil
}
func (azureStore) cli() string      { return "az" }
func (azureStore) describe() string { return "Azure Key Vault" }
func (s azureStore) scriptSettings() []string {
	return []string{"LEAKFIX_KEYVAULT_NAME  the Key Vault (plan: " + orPlaceholder(s.o.VaultName, "none given") + ")"}
}
func (s azureStore) scriptSetup() string {
	return `vault_name=${LEAKFIX_KEYVAULT_NAME:-` + shellQuote(s.o.VaultName) + `}
[ -n "$vault_name" ] || die "no Key Vault name: set LEAKFIX_KEYVAULT_NAME or run leakfix plan --vault-name NAME"
# az reads --file as text in the locale's encoding; make that UTF-8.
export PYTHONUTF8=1

# store NAME FILE: sets the secret from FILE (a new version if it exists).
store() {
  [ -f "$2" ] || die "missing value file $2"
  if [ "$via" = rest ]; then
    store_rest "$@"
    return
  fi
  az keyvault secret set --vault-name "$vault_name" --name "$1" --file "$2" --encoding utf-8 --output none
  echo "stored $1 in $vault_name"
}
`
}
func (azureStore) generateValue() string     { return generateRawJSON }
func (azureStore) restValue(v string) []byte { return []byte(asciiJSONString(v)) }

// ---- AWS Secrets Manager ----

type awsStore struct{ o Options }

func (s awsStore) settings() Store {
	return Store{Region: s.o.Region, AccountID: s.o.AccountID, Prefix: s.o.Prefix}
}
func (s awsStore) storeName(name string) string { return s.o.Prefix + name }

// reference is the ARN without the six random characters Secrets Manager
// appends; ECS and GetSecretValue resolve such partial ARNs, and it is
// known before the secret exists.
func (s awsStore) reference(n string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s",
		orPlaceholder(s.o.Region, PlaceholderRegion), orPlaceholder(s.o.AccountID, PlaceholderAccountID), n)
}
func (s awsStore) arnPattern(n string) string { return s.reference(n) + "-??????" }
func (awsStore) field() string                { return "" }
func (awsStore) valuesFile(name string) string {
	return name + ".json"
}

// encodeValue writes {"SecretString": "..."} for --cli-input-json, in
// pure ASCII: the aws CLI reads file:// as text in the locale's encoding
// with newline translation, which would turn a CRLF key into LF and break
// non-ASCII under a non-UTF-8 locale. JSON escapes survive both.
func (awsStore) encodeValue(v string) []byte {
	return []byte(`{"SecretString":` + asciiJSONString(v) + "}\n")
}
func (awsStore) checkValue(name, v string) error { return validUTF8(AWSSecretsManager, name, v) }
func (awsStore) valueNote(string, string) string { return "" }

// awsSuffixLike matches names AWS warns about: a hyphen and six
// characters at the end looks like the random ARN suffix, so a partial
// ARN lookup may pick the wrong secret.
var awsSuffixLike = lazyre.New(`-[A-Za-z0-9]{6}$`)

func (s awsStore) notes(p *Plan) []string {
	var out []string
	if s.o.AccountID == "" || s.o.Region == "" {
		out = append(out, "ARNs in snippets use "+orPlaceholder(s.o.Region, PlaceholderRegion)+" and "+
			orPlaceholder(s.o.AccountID, PlaceholderAccountID)+": pass --region and --account-id to fill them in")
	}
	for _, sec := range p.Secrets {
		if awsSuffixLike.MatchString(sec.StoreName) {
			out = append(out, fmt.Sprintf("%s ends in a hyphen and six characters, which Secrets Manager can take for the random ARN suffix when looking up a partial ARN: in snippets, use the full ARN import.sh prints", sec.StoreName))
		}
	}
	return out
}
func (awsStore) cli() string      { return "aws" }
func (awsStore) describe() string { return "AWS Secrets Manager" }
func (s awsStore) scriptSettings() []string {
	return []string{"LEAKFIX_AWS_REGION     the region (plan: " + orPlaceholder(s.o.Region, "the aws CLI's default") + ")",
		"the usual AWS_PROFILE / AWS_* variables choose the account",
		"AWS_ENDPOINT_URL       another endpoint, e.g. a local emulator (moto_server)"}
}
func (s awsStore) scriptSetup() string {
	return `region=${LEAKFIX_AWS_REGION:-` + shellQuote(s.o.Region) + `}
export AWS_PAGER=""

# The endpoint variables are passed on as --endpoint-url: aws CLI v2
# before 2.13 (Debian 12 ships 2.9) ignores them and would reach AWS.
endpoint=${AWS_ENDPOINT_URL_SECRETS_MANAGER:-${AWS_ENDPOINT_URL:-}}

sm() {
  local opts=()
  if [ -n "$region" ]; then
    opts+=(--region "$region")
  fi
  if [ -n "$endpoint" ]; then
    opts+=(--endpoint-url "$endpoint")
  fi
  aws "${opts[@]}" secretsmanager "$@"
}

# arns.tsv lists the full ARN of each stored secret (with the six random
# characters Secrets Manager appends), from the create/describe output.
arns_out="$here/arns.tsv"
: >"$arns_out"

# store NAME FILE: FILE holds {"SecretString": ...} for --cli-input-json,
# which keeps the value exact (file:// alone reads text and would turn
# CR LF into LF). Creates the secret when it does not exist, else adds a
# version to it (the new value becomes AWSCURRENT), so a rerun never
# makes a second secret of the same name.
errf=$(mktemp)
scratch+=("$errf")

store() {
  [ -f "$2" ] || die "missing value file $2"
  local arn out
  if out=$(sm describe-secret --secret-id "$1" --query ARN --output text 2>"$errf"); then
    arn=$(sm put-secret-value --secret-id "$out" --cli-input-json "file://$2" --query ARN --output text) ||
      die "put-secret-value $1 failed"
    echo "updated $arn"
  elif grep -q ResourceNotFoundException "$errf"; then
    arn=$(sm create-secret --name "$1" --cli-input-json "file://$2" --query ARN --output text) ||
      die "create-secret $1 failed"
    echo "created $arn"
  else
    die "describe-secret $1 failed: $(cat -- "$errf")"
  fi
  printf '%s\t%s\n' "$1" "$arn" >>"$arns_out"
}

# replace_in FILE FROM TO: replaces the literal string FROM with TO,
# keeping FILE's mode.
replace_in() {
  grep -qF -- "$2" "$1" || return 0
  local out
  out=$(FROM=$2 TO=$3 awk '{
    out = ""; s = $0
    while ((i = index(s, ENVIRON["FROM"])) > 0) {
      out = out substr(s, 1, i - 1) ENVIRON["TO"]; s = substr(s, i + length(ENVIRON["FROM"]))
    }
    print out s
  }' "$1")
  printf '%s\n' "$out" >"$1"
}

# full_arn NAME PARTIAL PATTERN: writes the full ARN stored for NAME into
# plan.json and the snippets, where the plan had put the partial ARN (ECS
# needs the full one when the name is ambiguous) and the -?????? pattern.
full_arn() {
  local arn
  arn=$(awk -F '\t' -v n="$1" '$1 == n { a = $2 } END { print a }' "$arns_out")
  [ -n "$arn" ] || return 0
  local f
  while IFS= read -r -d '' f; do
    replace_in "$f" "\"$2\"" "\"$arn\""
    replace_in "$f" "\"$3\"" "\"$arn\""
  done < <(find "$here/snippets" "$here/plan.json" -type f -print0 2>/dev/null)
}
`
}

// scriptFinish fills in the full ARNs and lists them in arns.tsv.
func (awsStore) scriptFinish(p *Plan) string {
	var b strings.Builder
	b.WriteString("\n# Full ARNs into plan.json and snippets/.\n")
	for _, s := range p.Secrets {
		fmt.Fprintf(&b, "full_arn %s %s %s\n", shellQuote(s.StoreName), shellQuote(s.Reference), shellQuote(s.ARNPattern))
	}
	b.WriteString(`echo "full ARNs: $arns_out"
`)
	return b.String()
}

func (awsStore) generateValue() string {
	return `  local value
  value=$(openssl rand -base64 32)
  printf '{"SecretString":"%s"}\n' "$value" >"$tmp"
  unset value
`
}

// asciiJSONString quotes s as a JSON string using only ASCII: control
// characters, quotes, backslashes and everything beyond U+007F escaped.
func asciiJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		case r == utf8.RuneError:
			// checkValue rejects invalid UTF-8; a literal U+FFFD is kept.
			b.WriteString(`\ufffd`)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ---- HashiCorp Vault (KV v2) ----

type vaultStore struct{ o Options }

func (s vaultStore) settings() Store {
	return Store{Address: s.o.VaultAddr, Mount: s.o.Mount, Prefix: s.o.Prefix}
}
func (s vaultStore) storeName(name string) string { return s.o.Prefix + name }

// reference is the KV v2 API path, the form policies, the agent injector
// and External Secrets use.
func (s vaultStore) reference(n string) string { return s.o.Mount + "/data/" + n }
func (vaultStore) arnPattern(string) string    { return "" }
func (vaultStore) field() string               { return "value" }
func (vaultStore) valuesFile(name string) string {
	return name
}
func (vaultStore) encodeValue(v string) []byte     { return rawValue(v) }
func (vaultStore) checkValue(string, string) error { return nil }
func (vaultStore) valueNote(string, string) string { return "" }
func (s vaultStore) addr() string                  { return orPlaceholder(s.o.VaultAddr, PlaceholderVaultAddr) }
func (vaultStore) cli() string                     { return "vault" }
func (vaultStore) describe() string                { return "HashiCorp Vault (KV v2)" }
func (vaultStore) generateValue() string           { return generateRawJSON }
func (vaultStore) restValue(v string) []byte       { return []byte(asciiJSONString(v)) }
func (s vaultStore) notes(*Plan) []string {
	if s.o.VaultAddr == "" {
		return []string{"no --vault-addr: snippets say " + PlaceholderVaultAddr + "; import.sh uses VAULT_ADDR"}
	}
	return nil
}
func (s vaultStore) scriptSettings() []string {
	return []string{"LEAKFIX_VAULT_MOUNT    the KV v2 mount (plan: " + s.o.Mount + ")",
		"VAULT_ADDR, VAULT_TOKEN (or a vault login) choose the server"}
}
func (s vaultStore) scriptSetup() string {
	return `mount=${LEAKFIX_VAULT_MOUNT:-` + shellQuote(s.o.Mount) + `}
[ -n "${VAULT_ADDR:-}" ] || echo "import.sh: VAULT_ADDR is not set; vault uses its default address" >&2

# store PATH FILE: writes FILE's bytes to the field "value" at MOUNT/PATH
# (vault reads value=@FILE itself, so the value is never an argument).
store() {
  [ -f "$2" ] || die "missing value file $2"
  if [ "$via" = rest ]; then
    store_rest "$@"
    return
  fi
  vault kv put "$mount/$1" "value=@$2" >/dev/null
  echo "stored $mount/$1"
}
`
}

// ---- GCP Secret Manager ----

type gcpStore struct{ o Options }

func (s gcpStore) project() string { return orPlaceholder(s.o.Project, PlaceholderProject) }
func (s gcpStore) settings() Store { return Store{Project: s.o.Project} }
func (gcpStore) storeName(name string) string {
	return name
}
func (s gcpStore) reference(n string) string { return "projects/" + s.project() + "/secrets/" + n }
func (gcpStore) arnPattern(string) string    { return "" }
func (gcpStore) field() string               { return "" }
func (gcpStore) valuesFile(name string) string {
	return name
}
func (gcpStore) encodeValue(v string) []byte     { return rawValue(v) }
func (gcpStore) checkValue(string, string) error { return nil }
func (gcpStore) valueNote(string, string) string { return "" }
func (gcpStore) cli() string                     { return "gcloud" }
func (gcpStore) describe() string                { return "GCP Secret Manager" }
func (gcpStore) generateValue() string           { return generateRaw }
func (s gcpStore) notes(*Plan) []string {
	if s.o.Project == "" {
		return []string{"no --project: snippets say " + PlaceholderProject + "; import.sh uses gcloud's configured project"}
	}
	return nil
}
func (s gcpStore) scriptSettings() []string {
	return []string{"LEAKFIX_GCP_PROJECT    the project (plan: " + orPlaceholder(s.o.Project, "gcloud's configured project") + ")"}
}
func (s gcpStore) scriptSetup() string {
	return `project=${LEAKFIX_GCP_PROJECT:-` + shellQuote(s.o.Project) + `}

gc() {
  if [ -n "$project" ]; then
    gcloud --quiet --project "$project" "$@"
  else
    gcloud --quiet "$@"
  fi
}

# store NAME FILE: creates the secret with FILE's bytes as its first
# version, or adds a version when it exists.
store() {
  [ -f "$2" ] || die "missing value file $2"
  if [ "$via" = rest ]; then
    store_rest "$@"
    return
  fi
  if gc secrets describe "$1" >/dev/null 2>&1; then
    gc secrets versions add "$1" --data-file="$2" >/dev/null
    echo "added a version to $1"
  else
    gc secrets create "$1" --replication-policy=automatic --data-file="$2" >/dev/null
    echo "created $1"
  fi
}
`
}

// The REST paths of import.sh, for machines without the store's CLI.
// Each follows the store's documented API: Key Vault Set Secret (PUT
// /secrets/{name}, after the bearer challenge, with a managed-identity
// token), Vault KV v2 create/update (POST /v1/:mount/data/:path), Secret
// Manager secrets.create and secrets.addVersion (with a metadata-server
// token or GOOGLE_OAUTH_ACCESS_TOKEN).

func (azureStore) scriptREST() string {
	return `
# --- REST (LEAKFIX_IMPORT_VIA=rest): a managed-identity token ---
kv_url=${AZURE_KEY_VAULT_URL:-https://$vault_name.vault.azure.net}
kv_url=${kv_url%/}
kv_authed=0

# azure_token RESOURCE: puts a managed-identity bearer token into $hdr.
azure_token() {
  local url token
  if [ -n "${IDENTITY_ENDPOINT:-}" ] && [ -n "${IDENTITY_HEADER:-}" ]; then
    printf 'X-IDENTITY-HEADER: %s\n' "$IDENTITY_HEADER" >"$hdr"
    url="$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=$1"
  else
    printf 'Metadata: true\n' >"$hdr"
    url="http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$1"
  fi
  if [ -n "${AZURE_CLIENT_ID:-}" ]; then url="$url&client_id=$AZURE_CLIENT_ID"; fi
  http GET "$url"
  [ "$http_status" = 200 ] || die "no managed-identity token for $1 (HTTP $http_status); use the az CLI instead"
  token=$(json_field access_token)
  [ -n "$token" ] || die "the managed-identity answer has no access_token"
  printf 'Authorization: Bearer %s\n' "$token" >"$hdr"
}

# store_rest NAME FILE: Set Secret with FILE.json (the value as a JSON
# string), a new version when the secret exists.
store_rest() {
  [ -f "$2.json" ] || die "missing value file $2.json"
  local url="$kv_url/secrets/$1?api-version=7.4" resource
  if [ "$kv_authed" = 0 ]; then
    # The challenge tells which resource to ask a token for; it is
    # answered without sending a value.
    http GET "$url"
    if [ "$http_status" = 401 ]; then
      resource=$(sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate:.*resource="\([^"]*\)".*/\1/p' "$resp_headers")
      [ -n "$resource" ] || die "Key Vault answered 401 without a bearer challenge"
      azure_token "$resource"
    fi
    kv_authed=1
  fi
  http PUT "$url" - < <(printf '{"value":' && cat -- "$2.json" && printf '}')
  [ "$http_status" = 200 ] || die "storing $1: HTTP $http_status: $http_body"
  echo "stored $1 in $kv_url"
}
`
}

func (vaultStore) scriptREST() string {
	return `
# --- REST (LEAKFIX_IMPORT_VIA=rest): VAULT_TOKEN or ~/.vault-token ---
if [ "$via" = rest ]; then
  [ -n "${VAULT_ADDR:-}" ] || die "VAULT_ADDR is not set"
  vault_token=${VAULT_TOKEN:-}
  if [ -z "$vault_token" ] && [ -f "$HOME/.vault-token" ]; then vault_token=$(<"$HOME/.vault-token"); fi
  [ -n "$vault_token" ] || die "set VAULT_TOKEN (or vault login) to import over the REST API"
  printf 'X-Vault-Token: %s\n' "$vault_token" >"$hdr"
  unset vault_token
  if [ -n "${VAULT_NAMESPACE:-}" ]; then printf 'X-Vault-Namespace: %s\n' "$VAULT_NAMESPACE" >>"$hdr"; fi
  cacert=${cacert:-${VAULT_CACERT:-}}
fi

# store_rest PATH FILE: KV v2 create/update of field "value" from
# FILE.json (the value as a JSON string).
store_rest() {
  [ -f "$2.json" ] || die "missing value file $2.json"
  http POST "${VAULT_ADDR%/}/v1/$mount/data/$1" - < <(printf '{"data":{"value":' && cat -- "$2.json" && printf '}}')
  case $http_status in
    200 | 204) echo "stored $mount/$1" ;;
    *) die "storing $mount/$1: HTTP $http_status: $http_body" ;;
  esac
}
`
}

func (gcpStore) scriptREST() string {
	return `
# --- REST (LEAKFIX_IMPORT_VIA=rest): a metadata-server token ---
if [ "$via" = rest ]; then
  [ -n "$project" ] || die "set LEAKFIX_GCP_PROJECT (or plan --project) to import over the REST API"
  sm_url=${CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER:-https://secretmanager.googleapis.com/}
  sm_url=${sm_url%/}
  sm_url=${sm_url%/v1}/v1/projects/$project/secrets
  gcp_token=${GOOGLE_OAUTH_ACCESS_TOKEN:-}
  if [ -z "$gcp_token" ]; then
    printf 'Metadata-Flavor: Google\n' >"$hdr"
    http GET "http://${GCE_METADATA_HOST:-metadata.google.internal}/computeMetadata/v1/instance/service-accounts/default/token"
    [ "$http_status" = 200 ] || die "no token from the metadata server (HTTP $http_status); use the gcloud CLI instead"
    gcp_token=$(json_field access_token)
  fi
  [ -n "$gcp_token" ] || die "no access token for Secret Manager"
  printf 'Authorization: Bearer %s\n' "$gcp_token" >"$hdr"
  unset gcp_token
fi

# store_rest NAME FILE: creates the secret when it does not exist, then
# adds a version holding FILE's bytes (base64 in the JSON body).
store_rest() {
  http GET "$sm_url/$1"
  case $http_status in
    200) ;;
    404)
      http POST "$sm_url?secretId=$1" - < <(printf '{"replication":{"automatic":{}}}')
      [ "$http_status" = 200 ] || die "creating $1: HTTP $http_status: $http_body"
      echo "created $1"
      ;;
    *) die "reading $1: HTTP $http_status: $http_body" ;;
  esac
  http POST "$sm_url/$1:addVersion" - < <(printf '{"payload":{"data":"' && base64 <"$2" | tr -d '\n' && printf '"}}')
  [ "$http_status" = 200 ] || die "adding a version to $1: HTTP $http_status: $http_body"
  echo "added a version to $1"
}
`
}
