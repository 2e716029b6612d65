// Package federation is the HTTP face of OS-FEDERATION: identity
// providers, protocols, mappings and service providers, the federated
// auth entry points and web single sign-on.
package federation

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves OS-FEDERATION.
type Handler struct {
	svc   *federation.Service
	authn *authn.Service
	// issued writes the answer to a request that issued a token.
	issued func(w http.ResponseWriter, r *http.Request, t *authn.Token, id string) error
}

// New returns the OS-FEDERATION handlers; issued writes an issued token
// as POST /v3/auth/tokens answers.
func New(svc *federation.Service, an *authn.Service, issued func(http.ResponseWriter, *http.Request, *authn.Token, string) error) *Handler {
	return &Handler{svc: svc, authn: an, issued: issued}
}

// decodeBody reads {"<key>": {...}}; a missing key is an empty object
// (Keystone reads request_body_json.get(key, {})).
func decodeBody(r *http.Request, key string, update bool) (*keystone.Fields, error) {
	var outer map[string]any
	if err := httpapi.Decode(r, &outer, httpapi.DecodeOptions{}); err != nil {
		return nil, err
	}
	m := map[string]any{}
	if v, ok := outer[key]; ok {
		inner, ok := v.(map[string]any)
		if !ok {
			return nil, apierr.BadRequest("Invalid input for field '%s': %v is not of type 'object'.", key, v)
		}
		m = inner
	} else if update {
		return nil, apierr.BadRequest("Invalid input for field '%s': '%s' is a required property.", key, key)
	}
	if update && len(m) == 0 {
		return nil, apierr.BadRequest("Invalid input for field '%s': {} does not have enough properties.", key)
	}
	return &keystone.Fields{M: m}, nil
}

// nullableStr takes a string-or-null attribute: set reports whether it
// was present, v is nil for null.
func nullableStr(f *keystone.Fields, k string) (v *string, set bool) {
	x, ok := f.Take(k)
	if !ok {
		return nil, false
	}
	if x == nil {
		return nil, true
	}
	s, isStr := x.(string)
	if !isStr {
		if f.Err == nil {
			f.Err = apierr.BadRequest("Invalid input for field '%s': %v is not of type 'string', 'null'.", k, x)
		}
		return nil, true
	}
	return &s, true
}

// nullableTTL takes authorization_ttl: a non-negative integer or null.
func nullableTTL(f *keystone.Fields) (v *int64, set bool) {
	x, ok := f.M["authorization_ttl"]
	if !ok {
		return nil, false
	}
	if x == nil {
		delete(f.M, "authorization_ttl")
		return nil, true
	}
	n := f.Int("authorization_ttl")
	if n != nil && *n < 0 && f.Err == nil {
		f.Err = apierr.BadRequest("Invalid input for field 'authorization_ttl': %d is less than the minimum of 0.", *n)
	}
	return n, true
}

// remoteIDs takes remote_ids: an array of strings or null (none).
func remoteIDs(f *keystone.Fields) (v []string, set bool) {
	x, ok := f.M["remote_ids"]
	if !ok {
		return nil, false
	}
	if x == nil {
		delete(f.M, "remote_ids")
		return []string{}, true
	}
	if p := f.Strings("remote_ids"); p != nil {
		return *p, true
	}
	return nil, true
}

func link(r *http.Request, path string) string {
	return httpapi.BaseURL(r) + "/v3/OS-FEDERATION/" + path
}

func nullable(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}
