// Package client is the typed client other gostack services use to call
// identity (Keystone v3) over HTTP: it logs in as the service's own user,
// keeps that token fresh, and validates the tokens of incoming requests.
//
//	compute API ──X-Auth-Token: user token──▶ httpapi ──▶ auth.Cache ──▶ Client.Validate
//	Client.Validate ──GET /v3/auth/tokens──▶ identity
//	    X-Auth-Token: service token (password login, refreshed before expiry)
//	    X-Subject-Token: user token
//	identity ──200 {"token": {...}}──▶ auth.Credentials   (404/401 ──▶ auth.ErrInvalidToken)
//
// Wrap a Client in auth.NewCache before handing it to httpapi.API. Its
// Limit method reads Keystone unified limits, making it a
// quota.LimitSource; S3Token and EC2Secret are what an S3 front end asks
// (Swift's s3token middleware).
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/platform/auth"
)

// Password identifies a user and scope for password authentication. Give
// the user by ID, or by name with its domain (ID or name); the project
// likewise. An empty project means an unscoped token.
type Password struct {
	UserID, UserName             string
	UserDomainID, UserDomainName string
	Password                     string

	ProjectID, ProjectName             string
	ProjectDomainID, ProjectDomainName string
}

// Client calls identity. It is safe for concurrent use.
type Client struct {
	base    string // scheme://host[:port][/prefix], without /v3
	hc      *http.Client
	service *Password
	tokenFn func(context.Context) (string, error)
	now     func() time.Time

	mu       sync.Mutex // held while logging in, so only one login runs
	svcToken string
	svcUntil time.Time // refresh the service token at this time
}

// Option configures a Client.
type Option func(*Client)

// WithServiceUser makes the client log in as p (normally a user with the
// "service" role in the service project) to authorise its calls. Without
// it (or WithTokenFunc), Validate presents the token being validated as its own
// X-Auth-Token, which Keystone allows for checking one's own token.
func WithServiceUser(p Password) Option { return func(c *Client) { c.service = &p } }

// WithTokenFunc makes the client call as a service with the token f
// returns (Env.ServiceToken in one process, a tokensource.Source's Token
// in a process of its own) instead of logging in itself.
func WithTokenFunc(f func(context.Context) (string, error)) Option {
	return func(c *Client) { c.tokenFn = f }
}

// CallsAsService says whether the client has a service identity of its
// own (WithServiceUser or WithTokenFunc).
func (c *Client) CallsAsService() bool { return c.service != nil || c.tokenFn != nil }

// New returns a client for the identity endpoint at authURL
// ("http://127.0.0.1:5000" or ".../v3"). A nil httpClient means one with a
// 30 s timeout.
func New(authURL string, httpClient *http.Client, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(authURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("identity client: auth URL %q is not an http(s) URL", authURL)
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v3")
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{base: strings.TrimSuffix(u.String(), "/"), hc: httpClient, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Error is a non-success answer from identity, with Keystone's error body.
type Error struct {
	Status  int
	Title   string
	Message string
	Op      string
}

func (e *Error) Error() string {
	return fmt.Sprintf("identity: %s: %d %s: %s", e.Op, e.Status, e.Title, e.Message)
}

// Token is an issued token and what it says.
type Token struct {
	ID          string
	Credentials *auth.Credentials
}

// Authenticate logs in with a password and returns the token
// (POST /v3/auth/tokens?nocatalog).
func (c *Client) Authenticate(ctx context.Context, p Password) (*Token, error) {
	req, err := c.postJSON(ctx, "/v3/auth/tokens?nocatalog", passwordRequest(p))
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req, "authenticate")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return nil, readError(resp, "authenticate")
	}
	id := resp.Header.Get("X-Subject-Token")
	if id == "" {
		return nil, errors.New("identity: authenticate: no X-Subject-Token in the answer")
	}
	creds, err := decodeToken(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("identity: authenticate: %w", err)
	}
	creds.Token = id
	return &Token{ID: id, Credentials: creds}, nil
}

// ServiceToken returns the client's own token, logging in first when it
// has none or it is near expiry (the last quarter of its life, at most
// five minutes before it expires).
func (c *Client) ServiceToken(ctx context.Context) (string, error) {
	if c.tokenFn != nil {
		return c.tokenFn(ctx)
	}
	if c.service == nil {
		return "", errors.New("identity client: no service user configured")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.svcToken != "" && c.now().Before(c.svcUntil) {
		return c.svcToken, nil
	}
	t, err := c.Authenticate(ctx, *c.service)
	if err != nil {
		return "", fmt.Errorf("identity client: service user login: %w", err)
	}
	now := c.now()
	c.svcToken, c.svcUntil = t.ID, now.Add(time.Hour)
	if exp := t.Credentials.ExpiresAt; !exp.IsZero() {
		life := exp.Sub(now)
		c.svcUntil = exp.Add(-min(5*time.Minute, life/4))
	}
	return c.svcToken, nil
}

// dropServiceToken forgets token if it is still the current one, so the
// next ServiceToken logs in again.
func (c *Client) dropServiceToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.svcToken == token {
		c.svcToken = ""
	}
}

// Validate checks token with identity (GET /v3/auth/tokens?nocatalog) and
// returns what it says. An unknown, expired or revoked token gives
// auth.ErrInvalidToken. It implements auth.Validator.
func (c *Client) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	if token == "" {
		return nil, auth.ErrInvalidToken
	}
	for attempt := 0; ; attempt++ {
		caller := token
		if c.CallsAsService() {
			var err error
			if caller, err = c.ServiceToken(ctx); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v3/auth/tokens?nocatalog", nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Auth-Token", caller)
		req.Header.Set("X-Subject-Token", token)
		resp, err := c.do(req, "validate token")
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusOK:
			creds, err := decodeToken(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("identity: validate token: %w", err)
			}
			creds.Token = token
			return creds, nil
		case http.StatusNotFound:
			resp.Body.Close()
			return nil, auth.ErrInvalidToken
		case http.StatusUnauthorized:
			resp.Body.Close()
			// Identity refused our own token (expired early, revoked, or
			// the service user's password changed): log in again once.
			if c.CallsAsService() && attempt == 0 {
				c.dropServiceToken(caller)
				continue
			}
			if c.CallsAsService() {
				return nil, fmt.Errorf("%w (identity refused the service token too)", auth.ErrInvalidToken)
			}
			return nil, auth.ErrInvalidToken
		default:
			defer resp.Body.Close()
			return nil, readError(resp, "validate token")
		}
	}
}

var _ auth.Validator = (*Client)(nil)

// postJSON is a POST of body as JSON to path below the auth URL.
func (c *Client) postJSON(ctx context.Context, path string, body any) (*http.Request, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

func (c *Client) do(req *http.Request, op string) (*http.Response, error) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gostack-identity-client")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("identity: %s: %w", op, err)
	}
	return resp, nil
}

func readError(resp *http.Response, op string) error {
	e := &Error{Status: resp.StatusCode, Op: op, Title: http.StatusText(resp.StatusCode)}
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Message string `json:"message"`
		} `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(data, &body) == nil && body.Error.Message != "" {
		e.Message = body.Error.Message
		if body.Error.Title != "" {
			e.Title = body.Error.Title
		}
	} else {
		e.Message = strings.TrimSpace(string(data))
	}
	return e
}

type ref struct {
	ID     string `json:"id,omitempty"`
	Name   string `json:"name,omitempty"`
	Domain *ref   `json:"domain,omitempty"`
}

func domainRef(id, name string) *ref {
	if id == "" && name == "" {
		return nil
	}
	return &ref{ID: id, Name: name}
}

func passwordRequest(p Password) any {
	user := map[string]any{"password": p.Password}
	if p.UserID != "" {
		user["id"] = p.UserID
	} else {
		user["name"] = p.UserName
		if d := domainRef(p.UserDomainID, p.UserDomainName); d != nil {
			user["domain"] = d
		}
	}
	a := map[string]any{
		"identity": map[string]any{
			"methods":  []string{"password"},
			"password": map[string]any{"user": user},
		},
	}
	switch {
	case p.ProjectID != "":
		a["scope"] = map[string]any{"project": ref{ID: p.ProjectID}}
	case p.ProjectName != "":
		a["scope"] = map[string]any{"project": ref{Name: p.ProjectName, Domain: domainRef(p.ProjectDomainID, p.ProjectDomainName)}}
	}
	return map[string]any{"auth": a}
}
