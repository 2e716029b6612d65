// Package keystone is the dashboard's client of the identity API: the
// calls a browser user's sign-in needs (password login, the projects the
// user may scope to, rescoping with a token, revocation), each made with
// the user's own credentials as any OpenStack client would make them.
// It returns Keystone's error message as Keystone words it, for the
// login form to show.
package keystone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/dashboard"
)

// Client calls one identity endpoint.
type Client struct {
	base string // ".../v3"
	hc   *http.Client
}

// New returns a client of the identity API at authURL (with or without
// /v3); hc is the HTTP client (the cloud's in-process one in gostack up).
func New(authURL string, hc *http.Client) *Client {
	base := strings.TrimSuffix(strings.TrimSuffix(authURL, "/"), "/v3") + "/v3"
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: base, hc: hc}
}

// URL is the identity endpoint, with /v3.
func (c *Client) URL() string { return c.base }

// Error is an answer of identity other than success.
type Error struct {
	Status int
	// Message is Keystone's own ("The request you have made requires
	// authentication."), or the status text when the body had none.
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("identity: %d: %s", e.Status, e.Message) }

// Password logs in with a password, without a scope.
func (c *Client) Password(ctx context.Context, domain, user, password string) (dashboard.Token, error) {
	body := map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{
			"name": user, "password": password, "domain": map[string]string{"name": domain},
		}},
	}, "scope": "unscoped"}}
	return c.issue(ctx, body, false)
}

// Scope exchanges token for one scoped to the project, with the catalog.
// Keystone refuses (401) a project the user has no role on.
func (c *Client) Scope(ctx context.Context, token, projectID string) (dashboard.Token, error) {
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]string{"id": token}},
		"scope":    map[string]any{"project": map[string]string{"id": projectID}},
	}}
	return c.issue(ctx, body, true)
}

// Projects lists the projects token's user may scope to
// (GET /v3/auth/projects), by name.
func (c *Client) Projects(ctx context.Context, token string) ([]dashboard.Project, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/auth/projects", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Auth-Token", token)
	var body struct {
		Projects []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			DomainID string `json:"domain_id"`
			Enabled  *bool  `json:"enabled"`
		} `json:"projects"`
	}
	resp, err := c.do(req, http.StatusOK)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("identity: auth/projects: %w", err)
	}
	var out []dashboard.Project
	for _, p := range body.Projects {
		if p.Enabled != nil && !*p.Enabled {
			continue
		}
		out = append(out, dashboard.Project{ID: p.ID, Name: p.Name, DomainID: p.DomainID})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Revoke revokes token with itself (DELETE /v3/auth/tokens): a user may
// always revoke their own token. A token already gone is no error.
func (c *Client) Revoke(ctx context.Context, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+"/auth/tokens", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-Subject-Token", token)
	resp, err := c.do(req, http.StatusNoContent, http.StatusOK)
	var ke *Error
	if errors.As(err, &ke) && (ke.Status == http.StatusNotFound || ke.Status == http.StatusUnauthorized) {
		return nil
	}
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (c *Client) issue(ctx context.Context, body any, catalog bool) (dashboard.Token, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return dashboard.Token{}, err
	}
	url := c.base + "/auth/tokens"
	if !catalog {
		url += "?nocatalog"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return dashboard.Token{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.do(req, http.StatusCreated, http.StatusOK)
	if err != nil {
		return dashboard.Token{}, err
	}
	defer resp.Body.Close()
	id := resp.Header.Get("X-Subject-Token")
	if id == "" {
		return dashboard.Token{}, errors.New("identity: no X-Subject-Token in the answer")
	}
	t, err := decodeToken(resp.Body)
	if err != nil {
		return dashboard.Token{}, fmt.Errorf("identity: token body: %w", err)
	}
	t.ID = id
	return t, nil
}

func (c *Client) do(req *http.Request, ok ...int) (*http.Response, error) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gostack-dashboard")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return resp, nil
		}
	}
	defer resp.Body.Close()
	e := &Error{Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
	var eb struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(data, &eb) == nil && eb.Error.Message != "" {
		e.Message = eb.Error.Message
	}
	return nil, e
}

type ref struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain *ref   `json:"domain"`
}

// decodeToken reads the parts of Keystone's {"token": {...}} the
// dashboard uses.
func decodeToken(r io.Reader) (dashboard.Token, error) {
	var b struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			User      ref    `json:"user"`
			Project   *ref   `json:"project"`
			Roles     []ref  `json:"roles"`
			Catalog   []struct {
				Type      string `json:"type"`
				Name      string `json:"name"`
				Endpoints []struct {
					Interface string `json:"interface"`
					Region    string `json:"region"`
					RegionID  string `json:"region_id"`
					URL       string `json:"url"`
				} `json:"endpoints"`
			} `json:"catalog"`
		} `json:"token"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 8<<20)).Decode(&b); err != nil {
		return dashboard.Token{}, err
	}
	tb := b.Token
	if tb.User.ID == "" {
		return dashboard.Token{}, errors.New("no user in the token")
	}
	exp, err := time.Parse(time.RFC3339Nano, tb.ExpiresAt)
	if err != nil {
		return dashboard.Token{}, fmt.Errorf("expires_at %q: %w", tb.ExpiresAt, err)
	}
	t := dashboard.Token{ExpiresAt: exp, User: dashboard.User{ID: tb.User.ID, Name: tb.User.Name}}
	if d := tb.User.Domain; d != nil {
		t.User.DomainID, t.User.DomainName = d.ID, d.Name
	}
	if p := tb.Project; p != nil {
		t.Project = &dashboard.Project{ID: p.ID, Name: p.Name}
		if p.Domain != nil {
			t.Project.DomainID = p.Domain.ID
		}
	}
	for _, r := range tb.Roles {
		t.Roles = append(t.Roles, r.Name)
	}
	for _, s := range tb.Catalog {
		for _, e := range s.Endpoints {
			region := e.RegionID
			if region == "" {
				region = e.Region
			}
			t.Catalog = append(t.Catalog, dashboard.Endpoint{Type: s.Type, Name: s.Name, Interface: e.Interface, Region: region, URL: e.URL})
		}
	}
	return t, nil
}
