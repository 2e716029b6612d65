// Package tokensource gives a process that runs apart from the API (a
// host's compute agent) its own Keystone token: it logs in as the
// process's service user from its credentials file, keeps the token until
// shortly before it expires, logs in again once when a service refuses the
// token (401: revoked, or the password rotated), and reads the service
// catalog with it, so that the process needs to know nothing but the auth
// URL.
//
//	Source.Token ──(none, or near expiry)──► POST /v3/auth/tokens (password, project scope)
//	                                         GET  /v3/auth/catalog ──► Endpoint("placement")
//	Transport ──X-Auth-Token──► service ──401──► Invalidate, log in, replay once
//
// Source.Token has the shape of the token functions the service clients
// take (placement's client.TokenFunc, Env.ServiceToken); Transport makes
// an http.RoundTripper that re-authenticates on a 401 for every client
// that sends the source's token.
package tokensource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/identity/client"
)

// Source is a service user's token, renewed as needed. It is safe for
// concurrent use.
type Source struct {
	creds Credentials
	id    *client.Client
	hc    *http.Client
	base  string // the auth URL without /v3
	now   func() time.Time

	mu      sync.Mutex // held while logging in, so that only one login runs
	token   string
	prev    string    // the token before the current one, still ours on a 401
	until   time.Time // log in again from this time
	catalog []catalogService
	logins  int
}

// New returns a Source for creds; it logs in on the first Token. A nil
// hc means one with a 30 s timeout.
func New(creds Credentials, hc *http.Client) (*Source, error) {
	if err := creds.Validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	id, err := client.New(creds.AuthURL, hc)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(creds.AuthURL), "/"), "/v3")
	return &Source{creds: creds, id: id, hc: hc, base: base, now: time.Now}, nil
}

// Token returns the service user's token, logging in first when there is
// none or it is in the last quarter of its life (at most five minutes
// before it expires), so that a request never leaves with a token about
// to expire.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Before(s.until) {
		return s.token, nil
	}
	return s.login(ctx)
}

// Invalidate forgets token when it is the current one, so that the next
// Token logs in again; a caller that saw the token refused calls it.
func (s *Source) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" && token == s.token {
		s.prev, s.token = s.token, ""
	}
}

// Logins is how many times the source logged in, for the tests and the
// logs.
func (s *Source) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// login authenticates with the password and reads the catalog; s.mu is
// held.
func (s *Source) login(ctx context.Context) (string, error) {
	c := s.creds
	t, err := s.id.Authenticate(ctx, client.Password{
		UserName: c.Username, UserDomainName: c.UserDomainName, Password: c.Password,
		ProjectName: c.ProjectName, ProjectDomainName: c.ProjectDomainName,
	})
	if err != nil {
		return "", fmt.Errorf("service user %s: log in: %w", c.Username, err)
	}
	cat, err := s.readCatalog(ctx, t.ID)
	if err != nil {
		return "", fmt.Errorf("service user %s: %w", c.Username, err)
	}
	now := s.now()
	until := now.Add(time.Hour)
	if exp := t.Credentials.ExpiresAt; !exp.IsZero() {
		life := exp.Sub(now)
		until = exp.Add(-min(5*time.Minute, life/4))
	}
	if s.token != "" {
		s.prev = s.token
	}
	s.token, s.until, s.catalog = t.ID, until, cat
	s.logins++
	return s.token, nil
}

// ours reports whether token is one this source handed out lately.
func (s *Source) ours(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return token != "" && (token == s.token || token == s.prev)
}

type catalogService struct {
	Type      string `json:"type"`
	Endpoints []struct {
		Interface string `json:"interface"`
		Region    string `json:"region"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
	} `json:"endpoints"`
}

// readCatalog reads the catalog the token sees (GET /v3/auth/catalog).
func (s *Source) readCatalog(ctx context.Context, token string) ([]catalogService, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/v3/auth/catalog", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Accept", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("read the catalog: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	var body struct {
		Catalog []catalogService `json:"catalog"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	return body.Catalog, nil
}

// ErrNoEndpoint is returned by Endpoint for a service the catalog lacks.
var ErrNoEndpoint = errors.New("no such service in the catalog")

// Endpoint returns the URL of serviceType ("placement", "image") from the
// catalog of the service user's token, logging in first when needed: the
// internal interface when there is one, else the public one (the order
// of keystoneauth's valid_interfaces for services), in the credentials'
// region when they name one.
func (s *Source) Endpoint(ctx context.Context, serviceType string) (string, error) {
	if _, err := s.Token(ctx); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, iface := range []string{"internal", "public"} {
		for _, svc := range s.catalog {
			if svc.Type != serviceType {
				continue
			}
			for _, ep := range svc.Endpoints {
				region := ep.RegionID
				if region == "" {
					region = ep.Region
				}
				if ep.Interface == iface && ep.URL != "" && (s.creds.RegionName == "" || region == s.creds.RegionName) {
					return strings.TrimSuffix(ep.URL, "/"), nil
				}
			}
		}
	}
	return "", fmt.Errorf("%s: %w", serviceType, ErrNoEndpoint)
}

// Transport returns a RoundTripper over base (http.DefaultTransport when
// nil) that sends the source's token on requests that carry no
// X-Auth-Token, and that, when a service answers 401 to a request that
// carried one of the source's tokens, logs in again and sends the
// request once more with the new token. A request with someone else's
// token (a user's, which a snapshot upload carries) is left alone: its
// 401 is that user's. A request whose body cannot be read twice (no
// GetBody) is not replayed.
func (s *Source) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{src: s, base: base}
}

type transport struct {
	src  *Source
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok := req.Header.Get("X-Auth-Token")
	if tok == "" {
		var err error
		if tok, err = t.src.Token(req.Context()); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		// A RoundTripper must not change the caller's request.
		req = req.Clone(req.Context())
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !t.src.ours(tok) {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		retry.Body = body
	}
	t.src.Invalidate(tok)
	fresh, err := t.src.Token(req.Context())
	if err != nil {
		// The refusal stands; the caller sees the service's own answer.
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	retry.Header.Set("X-Auth-Token", fresh)
	return t.base.RoundTrip(retry)
}
