package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// recorder sits between the services and moto and records, per access
// key, every secret a GetSecretValue asked for. Each service runs with an
// access key of its own (its identity in the plan), so what a service's
// helper actually requested is known from the wire, not from its code.
type recorder struct {
	url string
	mu  sync.Mutex
	got map[string]map[string]bool // access key → SecretId
}

// sigV4Key is the access key in a SigV4 Authorization header.
var sigV4Key = regexp.MustCompile(`Credential=([^/,\s]+)/`)

func startRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{got: map[string]map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".GetSecretValue") {
			body, err := io.ReadAll(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			var in struct{ SecretId string }
			json.Unmarshal(body, &in)
			key := ""
			if m := sigV4Key.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
				key = m[1]
			}
			r.mu.Lock()
			if r.got[key] == nil {
				r.got[key] = map[string]bool{}
			}
			r.got[key][in.SecretId] = true
			r.mu.Unlock()
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// requested returns the SecretIds sent with access key key, sorted.
func (r *recorder) requested(key string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for id := range r.got[key] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// iamMatch reports whether an IAM Resource pattern matches arn: `*`
// matches any run of characters and `?` any one character, as IAM
// documents for ARNs.
func iamMatch(pattern, arn string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, c := range pattern {
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(arn)
}
