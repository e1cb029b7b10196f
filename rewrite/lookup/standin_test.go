package lookup

// A stand-in for the three stores no server or emulator of can be
// installed here (HashiCorp Vault, Azure Key Vault, GCP Secret Manager):
// one local TLS server answering the documented REST subset the
// generated helpers use, so the real helper code runs over real HTTPS
// against it. It follows:
//
//   - Vault KV v2: https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2
//     (GET/POST /v1/:mount/data/:path, X-Vault-Token, 404 for a missing path)
//   - Key Vault: https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret/get-secret
//     and .../set-secret (GET/PUT /secrets/{name}?api-version=7.4), the
//     bearer challenge of https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
//     and the App Service managed-identity endpoint of
//     https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
//   - Secret Manager: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access
//     and .../projects.secrets/addVersion, with the token from the metadata
//     server (https://cloud.google.com/compute/docs/access/authenticate-workloads#applications)
//     served over plain HTTP as on Compute Engine.
//
// It is a stand-in, not the service: it checks what the docs require of a
// request (paths, headers, tokens, the challenge round trip) and answers
// in the documented shape; behaviour beyond that subset is not modelled.

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

const (
	vaultToken     = "hvs.standin-token"
	identityHeader = "standin-identity-header"
	kvToken        = "standin-keyvault-token"
	kvResource     = "https://vault.azure.net"
	gcpToken       = "ya29.standin-token"
	gcpProject     = "leakfix-standin"
)

// standinValues are stored in every stand-in store; their bytes must
// come back exactly.
var standinValues = map[string]string{
	"groq-api-key":  "gsk_standin0123456789abcdefghijklmnopqrstuvwxyzABCD",
	"db-password":   `p@ss'w"rd $HOME ` + "`id`" + ` \n`,
	"unicode-key":   "naïve-ключ-🔑",
	"multiline-pem": "-----BEGIN KEY-----\nAAAA\r\nBBBB\n-----END KEY-----\n",
}

type standIn struct {
	mu         sync.Mutex
	vault      map[string]string // mount/path → value
	kv         map[string]string // name → value
	gcp        map[string]string // secret id → latest value
	gcpCreated map[string]bool
	srv        *httptest.Server
	meta       *httptest.Server
	caFile     string
	log        []string
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{vault: map[string]string{}, kv: map[string]string{}, gcp: map[string]string{}, gcpCreated: map[string]bool{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	s.meta = httptest.NewServer(http.HandlerFunc(s.serveMetadata))
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.meta.Close)
	s.caFile = filepath.Join(t.TempDir(), "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
	if err := os.WriteFile(s.caFile, ca, 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, "/v1/projects/"):
		s.serveGCP(w, r)
	case strings.HasPrefix(p, "/v1/"):
		s.serveVault(w, r)
	case strings.HasPrefix(p, "/secrets/"):
		s.serveKeyVault(w, r)
	case p == "/msi/token":
		s.serveIdentity(w, r)
	default:
		writeJSON(w, 404, map[string]string{"error": "no such route in the stand-in: " + p})
	}
}

// serveVault: KV v2 read and write at /v1/:mount/data/:path.
func (s *standIn) serveVault(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Vault-Token") != vaultToken {
		writeJSON(w, 403, map[string][]string{"errors": {"permission denied"}})
		return
	}
	mount, path, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v1/"), "/data/")
	if !ok {
		writeJSON(w, 404, map[string][]string{"errors": {}})
		return
	}
	key := mount + "/" + path
	switch r.Method {
	case http.MethodGet:
		v, ok := s.vault[key]
		if !ok {
			writeJSON(w, 404, map[string][]string{"errors": {}})
			return
		}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"data": map[string]string{"value": v}, "metadata": map[string]any{"version": 1}}})
	case http.MethodPost, http.MethodPut:
		var body struct {
			Data map[string]string `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Data == nil {
			writeJSON(w, 400, map[string][]string{"errors": {"bad body"}})
			return
		}
		s.vault[key] = body.Data["value"]
		writeJSON(w, 200, map[string]any{"data": map[string]any{"version": 1}})
	default:
		writeJSON(w, 405, map[string][]string{"errors": {"method"}})
	}
}

// serveKeyVault: an unauthenticated request gets the bearer challenge;
// with the token, GET and PUT /secrets/{name}.
func (s *standIn) serveKeyVault(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("api-version") == "" {
		writeJSON(w, 400, map[string]any{"error": map[string]string{"code": "MissingApiVersionParameter"}})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+kvToken {
		w.Header().Set("WWW-Authenticate", `Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="`+kvResource+`"`)
		writeJSON(w, 401, map[string]any{"error": map[string]string{"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}})
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/secrets/")
	switch r.Method {
	case http.MethodGet:
		v, ok := s.kv[name]
		if !ok {
			writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "SecretNotFound", "message": "A secret with (name/id) " + name + " was not found in this key vault."}})
			return
		}
		writeJSON(w, 200, map[string]any{"value": v, "id": "https://" + r.Host + "/secrets/" + name + "/0123456789abcdef", "attributes": map[string]bool{"enabled": true}})
	case http.MethodPut:
		var body struct {
			Value *string `json:"value"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Value == nil {
			writeJSON(w, 400, map[string]any{"error": map[string]string{"code": "BadParameter"}})
			return
		}
		s.kv[name] = *body.Value
		writeJSON(w, 200, map[string]any{"id": "https://" + r.Host + "/secrets/" + name + "/0123456789abcdef"})
	default:
		writeJSON(w, 405, nil)
	}
}

// serveIdentity: the App Service managed-identity endpoint.
func (s *standIn) serveIdentity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Header.Get("X-IDENTITY-HEADER") != identityHeader || q.Get("api-version") != "2019-08-01" || q.Get("resource") != kvResource {
		writeJSON(w, 400, map[string]string{"error": "bad managed-identity request"})
		return
	}
	writeJSON(w, 200, map[string]string{"access_token": kvToken, "expires_on": "4102444800", "resource": kvResource, "token_type": "Bearer"})
}

// serveGCP: versions/latest:access and secrets/{id}:addVersion.
func (s *standIn) serveGCP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+gcpToken {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 401, "status": "UNAUTHENTICATED"}})
		return
	}
	prefix := "/v1/projects/" + gcpProject + "/secrets/"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok && r.URL.Path == strings.TrimSuffix(prefix, "/") {
		rest, ok = "", true
	}
	if !ok {
		writeJSON(w, 403, map[string]any{"error": map[string]any{"code": 403, "status": "PERMISSION_DENIED"}})
		return
	}
	notFound := func() {
		writeJSON(w, 404, map[string]any{"error": map[string]any{"code": 404, "status": "NOT_FOUND"}})
	}
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(rest, "/versions/latest:access"):
		id := strings.TrimSuffix(rest, "/versions/latest:access")
		v, ok := s.gcp[id]
		if !ok {
			notFound()
			return
		}
		writeJSON(w, 200, map[string]any{"name": prefix[1:] + id + "/versions/1", "payload": map[string]string{"data": base64.StdEncoding.EncodeToString([]byte(v))}})
	case r.Method == http.MethodGet && !strings.Contains(rest, "/"):
		if !s.gcpCreated[rest] {
			notFound()
			return
		}
		writeJSON(w, 200, map[string]string{"name": prefix[1:] + rest})
	case r.Method == http.MethodPost && rest == "" && r.URL.Query().Get("secretId") != "":
		id := r.URL.Query().Get("secretId")
		var body struct {
			Replication map[string]any `json:"replication"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Replication == nil {
			writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "status": "INVALID_ARGUMENT"}})
			return
		}
		if s.gcpCreated[id] {
			writeJSON(w, 409, map[string]any{"error": map[string]any{"code": 409, "status": "ALREADY_EXISTS"}})
			return
		}
		s.gcpCreated[id] = true
		writeJSON(w, 200, map[string]string{"name": prefix[1:] + id})
	case r.Method == http.MethodPost && strings.HasSuffix(rest, ":addVersion"):
		if !s.gcpCreated[strings.TrimSuffix(rest, ":addVersion")] {
			notFound()
			return
		}
		var body struct {
			Payload struct {
				Data []byte `json:"data"`
			} `json:"payload"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, nil)
			return
		}
		s.gcp[strings.TrimSuffix(rest, ":addVersion")] = string(body.Payload.Data)
		writeJSON(w, 200, map[string]string{"name": prefix[1:] + strings.TrimSuffix(rest, ":addVersion") + "/versions/1", "state": "ENABLED"})
	default:
		notFound()
	}
}

func (s *standIn) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Metadata-Flavor") != "Google" || r.URL.Path != "/computeMetadata/v1/instance/service-accounts/default/token" {
		writeJSON(w, 403, nil)
		return
	}
	writeJSON(w, 200, map[string]any{"access_token": gcpToken, "expires_in": 3599, "token_type": "Bearer"})
}

// env configures a helper for target against the stand-in.
func (s *standIn) env(target Target) []string {
	switch target {
	case HashiCorpVault:
		return []string{"VAULT_ADDR=" + s.srv.URL, "VAULT_TOKEN=" + vaultToken, "VAULT_KV_MOUNT=kv/apps", "SECRETS_PREFIX=myapp/prod/"}
	case AzureKeyVault:
		return []string{"AZURE_KEY_VAULT_URL=" + s.srv.URL + "/", "IDENTITY_ENDPOINT=" + s.srv.URL + "/msi/token", "IDENTITY_HEADER=" + identityHeader}
	case GCPSecretManager:
		return []string{"GOOGLE_CLOUD_PROJECT=" + gcpProject, "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER=" + s.srv.URL + "/", "GCE_METADATA_HOST=" + strings.TrimPrefix(s.meta.URL, "http://")}
	}
	return nil
}

// put stores a value the way the store's API does, over HTTPS.
func (s *standIn) put(t *testing.T, target Target, name, value string) {
	t.Helper()
	var req *http.Request
	var err error
	switch target {
	case HashiCorpVault:
		body, _ := json.Marshal(map[string]any{"data": map[string]string{"value": value}})
		req, err = http.NewRequest(http.MethodPost, s.srv.URL+"/v1/kv/apps/data/myapp/prod/"+name, strings.NewReader(string(body)))
		if err == nil {
			req.Header.Set("X-Vault-Token", vaultToken)
		}
	case AzureKeyVault:
		body, _ := json.Marshal(map[string]string{"value": value})
		req, err = http.NewRequest(http.MethodPut, s.srv.URL+"/secrets/"+name+"?api-version=7.4", strings.NewReader(string(body)))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+kvToken)
		}
	case GCPSecretManager:
		s.mu.Lock()
		s.gcpCreated[name] = true
		s.mu.Unlock()
		body, _ := json.Marshal(map[string]any{"payload": map[string][]byte{"data": []byte(value)}})
		req, err = http.NewRequest(http.MethodPost, s.srv.URL+"/v1/projects/"+gcpProject+"/secrets/"+name+":addVersion", strings.NewReader(string(body)))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+gcpToken)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("stand-in %s: storing %s: HTTP %d", target, name, resp.StatusCode)
	}
}

const pyStandin = `import json, sys
sys.path.insert(0, sys.argv[1])
import leakfix_secrets as s
out = {}
for name in sys.argv[2:]:
    try:
        out[name] = {"value": s.get_secret(name)}
    except s.SecretNotFoundError as e:
        out[name] = {"notFound": str(e)}
    except s.SecretBackendError as e:
        out[name] = {"error": str(e)}
print(json.dumps(out))
`

const jsStandin = `const s = require(process.argv[1]);
const out = {};
for (const name of process.argv.slice(2)) {
  try { out[name] = { value: s.getSecret(name) }; } catch (e) { out[name] = { [/is not in|is not set/.test(e.message) ? 'notFound' : 'error']: e.message }; }
}
console.log(JSON.stringify(out));
`

type lookupResult struct {
	Value    *string `json:"value"`
	NotFound string  `json:"notFound"`
	Error    string  `json:"error"`
}

// TestHelpersAgainstStandIn runs the generated Python (stdlib REST; run
// with -S so no SDK can be imported) and Node (fetch) helpers against the
// stand-in for Vault, Key Vault and Secret Manager: every value comes
// back byte for byte, a missing secret is an error unless the fallback
// is allowed, and an unreachable store is an error, never the variable.
func TestHelpersAgainstStandIn(t *testing.T) {
	py := rewritetest.RequireTool(t, "python3")
	node := rewritetest.RequireTool(t, "node")
	s := newStandIn(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "https://" + closed.Addr().String()
	closed.Close()

	names := []string{"groq-api-key", "db-password", "unicode-key", "multiline-pem", "missing-key"}
	for _, target := range []Target{HashiCorpVault, AzureKeyVault, GCPSecretManager} {
		for name, v := range standinValues {
			s.put(t, target, name, v)
		}
		pySrc, _ := Python(target)
		jsSrc, _, _ := JS(target)
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"leakfix_secrets.py": string(pySrc), "leakfix-secrets.cjs": string(jsSrc)})
		langs := map[string]func(env []string) ([]byte, error){
			"python": func(env []string) ([]byte, error) {
				cmd := exec.Command(py, append([]string{"-S", "-c", pyStandin, dir}, names...)...)
				cmd.Env = env
				return cmd.CombinedOutput()
			},
			"node": func(env []string) ([]byte, error) {
				cmd := exec.Command(node, append([]string{"-e", jsStandin, "--", filepath.Join(dir, "leakfix-secrets.cjs")}, names...)...)
				cmd.Env = env
				return cmd.CombinedOutput()
			},
		}
		for lang, runLang := range langs {
			t.Run(string(target)+"/"+lang, func(t *testing.T) {
				base := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "SSL_CERT_FILE=" + s.caFile, "NODE_EXTRA_CA_CERTS=" + s.caFile,
					"MISSING_KEY=from-env", "GROQ_API_KEY=from-env"}
				results := func(env []string) (map[string]lookupResult, string) {
					out, err := runLang(env)
					if err != nil {
						t.Fatalf("%v\n%s", err, out)
					}
					stderr, last := "", string(out)
					if i := strings.LastIndex(strings.TrimSpace(last), "\n"); i >= 0 {
						stderr, last = last[:i], last[i+1:]
					}
					var res map[string]lookupResult
					if err := json.Unmarshal([]byte(last), &res); err != nil {
						t.Fatalf("output: %v\n%s", err, out)
					}
					return res, stderr
				}
				res, stderr := results(append(base, s.env(target)...))
				n := 0
				for name, want := range standinValues {
					switch r := res[name]; {
					case r.Value == nil:
						t.Errorf("%s: %+v", name, r)
					case *r.Value != want:
						t.Errorf("%s = %q, want %q", name, *r.Value, want)
					default:
						n++
					}
				}
				if r := res["missing-key"]; r.NotFound == "" || r.Value != nil {
					t.Errorf("missing-key without fallback: %+v, want not found (MISSING_KEY must not be read)", r)
				}
				if !strings.Contains(stderr, "reading secrets from") || strings.Count(stderr, "reading secrets from") != 1 {
					t.Errorf("stderr should name the store once:\n%s", stderr)
				}
				for _, v := range standinValues {
					if strings.Contains(stderr, v) {
						t.Errorf("a value reached stderr")
					}
				}
				t.Logf("%s %s: values read = %d of %d stored (stand-in)", lang, target, n, len(standinValues))

				res, _ = results(append(append(base, s.env(target)...), "LEAKFIX_SECRETS_ENV_FALLBACK=1"))
				if r := res["missing-key"]; r.Value == nil || *r.Value != "from-env" {
					t.Errorf("missing-key with the fallback allowed: %+v", r)
				}
				if r := res["groq-api-key"]; r.Value == nil || *r.Value != standinValues["groq-api-key"] {
					t.Errorf("the fallback must not shadow the store: groq-api-key %+v", r)
				}

				// Unreachable store: an error at first use, even with the
				// fallback allowed.
				dead := map[Target][]string{
					HashiCorpVault:   {"VAULT_ADDR=" + deadURL, "VAULT_TOKEN=" + vaultToken},
					AzureKeyVault:    {"AZURE_KEY_VAULT_URL=" + deadURL},
					GCPSecretManager: {"GOOGLE_CLOUD_PROJECT=" + gcpProject, "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER=" + deadURL, "GOOGLE_OAUTH_ACCESS_TOKEN=" + gcpToken},
				}[target]
				res, _ = results(append(append(base, dead...), "LEAKFIX_SECRETS_ENV_FALLBACK=1"))
				if r := res["groq-api-key"]; r.Error == "" || !strings.Contains(r.Error, "cannot reach") {
					t.Errorf("unreachable store: %+v, want an error saying so", r)
				}
			})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.Contains(strings.Join(s.log, "\n"), "GET /msi/token") {
		t.Errorf("the Key Vault helpers never answered the bearer challenge: %v", s.log)
	}
}
