package vaultplan_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSecretsManager speaks the part of the AWS Secrets Manager API that
// import.sh uses (AWS JSON 1.1: POST / with X-Amz-Target), keeping every
// version of every secret so tests can compare values byte for byte.
type fakeSecretsManager struct {
	mu      sync.Mutex
	region  string
	secrets map[string][]string // name → versions, oldest first
	ops     []string
	srv     *httptest.Server
}

func newFakeSecretsManager(t *testing.T, region string) *fakeSecretsManager {
	f := &fakeSecretsManager{region: region, secrets: map[string][]string{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSecretsManager) arn(name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:123456789012:secret:%s-AbCdEf", f.region, name)
}

func (f *fakeSecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(400, "IncompleteSignature", "request is not SigV4-signed")
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if !ok {
		fail(400, "UnknownOperationException", "bad X-Amz-Target")
		return
	}
	var req struct {
		Name, SecretId, SecretString string
		SecretBinary                 []byte
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		fail(400, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
	// SecretId is a name or a full ARN, as in the real API.
	for n := range f.secrets {
		if req.SecretId == f.arn(n) {
			req.SecretId = n
		}
	}
	reply := func(name string, version int) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		out := map[string]any{"ARN": f.arn(name), "Name": name}
		if version > 0 {
			out["VersionId"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", version)
		}
		json.NewEncoder(w).Encode(out)
	}
	switch op {
	case "CreateSecret":
		if _, exists := f.secrets[req.Name]; exists {
			fail(400, "ResourceExistsException", "the secret already exists")
			return
		}
		if req.SecretBinary != nil {
			fail(400, "InvalidParameterException", "test expects SecretString")
			return
		}
		f.secrets[req.Name] = []string{req.SecretString}
		reply(req.Name, 1)
	case "DescribeSecret":
		if _, exists := f.secrets[req.SecretId]; !exists {
			fail(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		reply(req.SecretId, 0)
	case "PutSecretValue":
		if _, exists := f.secrets[req.SecretId]; !exists {
			fail(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		f.secrets[req.SecretId] = append(f.secrets[req.SecretId], req.SecretString)
		reply(req.SecretId, len(f.secrets[req.SecretId]))
	default:
		fail(400, "UnknownOperationException", op)
	}
}

// latest returns each secret's newest value.
func (f *fakeSecretsManager) latest() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for n, vs := range f.secrets {
		out[n] = vs[len(vs)-1]
	}
	return out
}

// fakeSecretManager speaks the part of GCP Secret Manager's REST API (v1)
// that `gcloud secrets describe|create|versions add` use.
type fakeSecretManager struct {
	mu      sync.Mutex
	token   string
	project string
	secrets map[string][][]byte // secret id → versions
	srv     *httptest.Server
	reqs    []string
}

func newFakeSecretManager(t *testing.T, project, token string) *fakeSecretManager {
	f := &fakeSecretManager{project: project, token: token, secrets: map[string][][]byte{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSecretManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, status, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		fail(401, "UNAUTHENTICATED", "bad token")
		return
	}
	prefix := "/v1/projects/" + f.project + "/secrets"
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		fail(404, "NOT_FOUND", "unknown project in "+r.URL.Path)
		return
	}
	secretJSON := func(id string) map[string]any {
		return map[string]any{
			"name":        "projects/" + f.project + "/secrets/" + id,
			"replication": map[string]any{"automatic": map[string]any{}},
			"createTime":  "2025-01-01T00:00:00Z",
			"etag":        `"1"`,
		}
	}
	switch {
	case r.Method == http.MethodPost && path == "":
		id := r.URL.Query().Get("secretId")
		if _, exists := f.secrets[id]; exists {
			fail(409, "ALREADY_EXISTS", "Secret ["+id+"] already exists.")
			return
		}
		f.secrets[id] = nil
		json.NewEncoder(w).Encode(secretJSON(id))
	case r.Method == http.MethodPost && strings.HasSuffix(path, ":addVersion"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/"), ":addVersion")
		if _, exists := f.secrets[id]; !exists {
			fail(404, "NOT_FOUND", "Secret ["+id+"] not found.")
			return
		}
		var req struct {
			Payload struct {
				Data       string `json:"data"`
				DataCrc32c string `json:"dataCrc32c"`
			} `json:"payload"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(400, "INVALID_ARGUMENT", err.Error())
			return
		}
		// The API takes standard or URL-safe base64 (gcloud sends the latter).
		data, err := base64.StdEncoding.DecodeString(req.Payload.Data)
		if err != nil {
			data, err = base64.URLEncoding.DecodeString(req.Payload.Data)
		}
		if err != nil {
			fail(400, "INVALID_ARGUMENT", err.Error())
			return
		}
		if req.Payload.DataCrc32c != "" {
			want := fmt.Sprint(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
			if req.Payload.DataCrc32c != want {
				fail(400, "INVALID_ARGUMENT", "checksum mismatch")
				return
			}
		}
		f.secrets[id] = append(f.secrets[id], data)
		json.NewEncoder(w).Encode(map[string]any{
			"name":       fmt.Sprintf("projects/%s/secrets/%s/versions/%d", f.project, id, len(f.secrets[id])),
			"state":      "ENABLED",
			"createTime": "2025-01-01T00:00:00Z",
			// gcloud checks that the server verified its checksum.
			"clientSpecifiedPayloadChecksum": req.Payload.DataCrc32c != "",
		})
	case r.Method == http.MethodGet && strings.Count(path, "/") == 1:
		id := strings.TrimPrefix(path, "/")
		if _, exists := f.secrets[id]; !exists {
			fail(404, "NOT_FOUND", "Secret ["+id+"] not found or has no versions.")
			return
		}
		json.NewEncoder(w).Encode(secretJSON(id))
	default:
		fail(400, "INVALID_ARGUMENT", "unsupported "+r.Method+" "+r.URL.Path)
	}
}

func (f *fakeSecretManager) latest() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for n, vs := range f.secrets {
		if len(vs) > 0 {
			out[n] = string(vs[len(vs)-1])
		}
	}
	return out
}
