// Package httpx is a stand-in for net/http, which is slow to load in
// analyzer tests.
package httpx

// Header is a request header.
type Header map[string][]string

// Set sets a header.
func (h Header) Set(key, value string) { h[key] = []string{value} }

// Request is an HTTP request.
type Request struct{ Header Header }

// NewRequest returns a request.
func NewRequest(method, url string, body any) (*Request, error) {
	return &Request{Header: Header{}}, nil
}
