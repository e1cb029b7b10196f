package goanalyzer

// restProviderSource is the tail of the helper template: a standard
// library client for the documented REST APIs of HashiCorp Vault (KV v2),
// Azure Key Vault and GCP Secret Manager, so those stores work without an
// SDK, as the Python helper does. AWS needs SigV4 and is left to the SDK.
const restProviderSource = `
var builtins sync.Map // backend → *restProvider

// builtinProvider returns the REST client for backend.
func builtinProvider(backend string) Provider {
	p, _ := builtins.LoadOrStore(backend, &restProvider{backend: backend})
	return p.(*restProvider)
}

// restProvider reads one store through its REST API.
type restProvider struct {
	backend string
	once    sync.Once
	client  *http.Client
	err     error
	mu      sync.Mutex
	token   string
}

func (p *restProvider) Secret(ctx context.Context, name string) (string, error) {
	p.once.Do(func() {
		tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
		if ca := os.Getenv("VAULT_CACERT"); ca != "" && p.backend == "vault" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				p.err = fmt.Errorf("VAULT_CACERT: %w", err)
				return
			}
			pool, _ := x509.SystemCertPool()
			if pool == nil {
				pool = x509.NewCertPool()
			}
			pool.AppendCertsFromPEM(pem)
			tlsConfig.RootCAs = pool
		}
		p.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig, Proxy: http.ProxyFromEnvironment}}
	})
	if p.err != nil {
		return "", p.err
	}
	switch p.backend {
	case "vault":
		return p.vault(ctx, name)
	case "azure":
		return p.azure(ctx, name)
	case "gcp":
		return p.gcp(ctx, name)
	}
	return "", fmt.Errorf("no built-in client for %s", p.backend)
}

// get returns the status, headers and body (at most 1 MiB) of a GET.
func (p *restProvider) get(ctx context.Context, u string, header map[string]string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		origin := u
		if pu, perr := url.Parse(u); perr == nil {
			origin = pu.Scheme + "://" + pu.Host
		}
		return 0, nil, nil, fmt.Errorf("cannot reach %s: %w", origin, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, body, err
}

// errorText is the start of an error body: stores describe the request
// there (names, codes), never a value.
func errorText(body []byte) string {
	if len(body) > 300 {
		body = body[:300]
	}
	return strings.TrimSpace(string(body))
}

func (p *restProvider) vault(ctx context.Context, name string) (string, error) {
	addr := strings.TrimRight(os.Getenv("VAULT_ADDR"), "/")
	if addr == "" {
		return "", errors.New("HashiCorp Vault: set VAULT_ADDR")
	}
	token := os.Getenv("VAULT_TOKEN")
	if token == "" {
		if home, err := os.UserHomeDir(); err == nil {
			if b, err := os.ReadFile(filepath.Join(home, ".vault-token")); err == nil {
				token = strings.TrimSpace(string(b))
			}
		}
	}
	if token == "" {
		return "", errors.New("HashiCorp Vault: set VAULT_TOKEN (or log in: ~/.vault-token)")
	}
	mount := strings.Trim(os.Getenv("VAULT_KV_MOUNT"), "/")
	if mount == "" {
		mount = "secret"
	}
	path := os.Getenv("SECRETS_PREFIX") + name
	header := map[string]string{"X-Vault-Token": token}
	if ns := os.Getenv("VAULT_NAMESPACE"); ns != "" {
		header["X-Vault-Namespace"] = ns
	}
	status, _, body, err := p.get(ctx, addr+"/v1/"+mount+"/data/"+path, header)
	switch {
	case err != nil:
		return "", fmt.Errorf("HashiCorp Vault: %w", err)
	case status == http.StatusNotFound:
		return "", fmt.Errorf("%s/%s: %w", mount, path, ErrNotFound)
	case status != http.StatusOK:
		return "", fmt.Errorf("HashiCorp Vault: HTTP %d for %s: %s", status, path, errorText(body))
	}
	var r struct {
		Data struct {
			Data map[string]any ` + "`json:\"data\"`" + `
		} ` + "`json:\"data\"`" + `
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("HashiCorp Vault: %s: %w", path, err)
	}
	v, ok := r.Data.Data["value"].(string)
	if !ok {
		return "", fmt.Errorf("HashiCorp Vault: %s/%s has no string field \"value\"", mount, path)
	}
	return v, nil
}

var challengeResource = regexp.MustCompile(` + "`resource=\"([^\"]+)\"`" + `)

func (p *restProvider) azure(ctx context.Context, name string) (string, error) {
	base := os.Getenv("AZURE_KEY_VAULT_URL")
	if base == "" && os.Getenv("AZURE_KEY_VAULT_NAME") != "" {
		base = "https://" + os.Getenv("AZURE_KEY_VAULT_NAME") + ".vault.azure.net"
	}
	if base == "" {
		return "", errors.New("Azure Key Vault: set AZURE_KEY_VAULT_URL or AZURE_KEY_VAULT_NAME")
	}
	u := strings.TrimRight(base, "/") + "/secrets/" + url.PathEscape(name) + "?api-version=7.4"
	p.mu.Lock()
	defer p.mu.Unlock()
	auth := func() map[string]string {
		if p.token == "" {
			return nil
		}
		return map[string]string{"Authorization": "Bearer " + p.token}
	}
	status, header, body, err := p.get(ctx, u, auth())
	if err == nil && status == http.StatusUnauthorized {
		// The challenge names the resource to ask a token for.
		m := challengeResource.FindStringSubmatch(header.Get("WWW-Authenticate"))
		if m == nil {
			return "", errors.New("Azure Key Vault: 401 without a bearer challenge")
		}
		if p.token, err = p.managedIdentityToken(ctx, m[1]); err != nil {
			return "", err
		}
		status, _, body, err = p.get(ctx, u, auth())
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("Azure Key Vault: %w", err)
	case status == http.StatusNotFound:
		return "", fmt.Errorf("%s: %w", name, ErrNotFound)
	case status != http.StatusOK:
		return "", fmt.Errorf("Azure Key Vault: HTTP %d for %s: %s", status, name, errorText(body))
	}
	var r struct {
		Value *string ` + "`json:\"value\"`" + `
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Value == nil {
		return "", fmt.Errorf("Azure Key Vault: %s: no value in the answer", name)
	}
	return *r.Value, nil
}

func (p *restProvider) managedIdentityToken(ctx context.Context, resource string) (string, error) {
	q := url.Values{"resource": {resource}}
	if id := os.Getenv("AZURE_CLIENT_ID"); id != "" {
		q.Set("client_id", id)
	}
	var u string
	var header map[string]string
	if ep, h := os.Getenv("IDENTITY_ENDPOINT"), os.Getenv("IDENTITY_HEADER"); ep != "" && h != "" {
		// App Service, Container Apps, Functions.
		q.Set("api-version", "2019-08-01")
		u, header = ep+"?"+q.Encode(), map[string]string{"X-IDENTITY-HEADER": h}
	} else {
		// Virtual machines, AKS: IMDS.
		q.Set("api-version", "2018-02-01")
		u, header = "http://169.254.169.254/metadata/identity/oauth2/token?"+q.Encode(), map[string]string{"Metadata": "true"}
	}
	return p.accessToken(ctx, "Azure Key Vault: managed identity", u, header)
}

// accessToken reads access_token from a token endpoint's JSON answer.
func (p *restProvider) accessToken(ctx context.Context, what, u string, header map[string]string) (string, error) {
	status, _, body, err := p.get(ctx, u, header)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	var r struct {
		AccessToken string ` + "`json:\"access_token\"`" + `
	}
	if status != http.StatusOK || json.Unmarshal(body, &r) != nil || r.AccessToken == "" {
		return "", fmt.Errorf("%s: no token (HTTP %d)", what, status)
	}
	return r.AccessToken, nil
}

func (p *restProvider) gcp(ctx context.Context, name string) (string, error) {
	project := os.Getenv("GOOGLE_CLOUD_PROJECT")
	if project == "" {
		return "", errors.New("GCP Secret Manager: set GOOGLE_CLOUD_PROJECT")
	}
	// gcloud's override variable, so import.sh and the helper agree.
	endpoint := strings.TrimRight(os.Getenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER"), "/")
	if endpoint == "" {
		endpoint = "https://secretmanager.googleapis.com"
	}
	endpoint = strings.TrimSuffix(endpoint, "/v1") + "/v1"
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token == "" {
		p.token = os.Getenv("GOOGLE_OAUTH_ACCESS_TOKEN")
	}
	if p.token == "" {
		host := os.Getenv("GCE_METADATA_HOST")
		if host == "" {
			host = "metadata.google.internal"
		}
		t, err := p.accessToken(ctx, "GCP Secret Manager: metadata server",
			"http://"+host+"/computeMetadata/v1/instance/service-accounts/default/token", map[string]string{"Metadata-Flavor": "Google"})
		if err != nil {
			return "", err
		}
		p.token = t
	}
	u := endpoint + "/projects/" + project + "/secrets/" + url.PathEscape(name) + "/versions/latest:access"
	status, _, body, err := p.get(ctx, u, map[string]string{"Authorization": "Bearer " + p.token})
	switch {
	case err != nil:
		return "", fmt.Errorf("GCP Secret Manager: %w", err)
	case status == http.StatusNotFound:
		return "", fmt.Errorf("%s: %w", name, ErrNotFound)
	case status != http.StatusOK:
		return "", fmt.Errorf("GCP Secret Manager: HTTP %d for %s: %s", status, name, errorText(body))
	}
	var r struct {
		Payload struct {
			Data string ` + "`json:\"data\"`" + `
		} ` + "`json:\"payload\"`" + `
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("GCP Secret Manager: %s: %w", name, err)
	}
	v, err := base64.StdEncoding.DecodeString(r.Payload.Data)
	if err != nil {
		return "", fmt.Errorf("GCP Secret Manager: %s: %w", name, err)
	}
	return string(v), nil
}
`
