package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// API is a small JSON client of a running cloud for tests and benchmarks:
// one admin token and the catalog's public URLs.
type API struct {
	HTTP  *http.Client
	Token string
	// ProjectID is the project the token is scoped to.
	ProjectID string
	// URLs are the public endpoints by service type ("compute", "placement", ...).
	URLs map[string]string
}

// Login authenticates as user in project (both in the Default domain) and
// reads the catalog.
func Login(ctx context.Context, authURL, user, password, project string) (*API, error) {
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
	}}
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": user, "domain": map[string]any{"id": "default"}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": project, "domain": map[string]any{"id": "default"}}},
	}}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(authURL, "/")+"/auth/tokens", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("login: %s: %s", resp.Status, msg)
	}
	var tok struct {
		Token struct {
			Project struct {
				ID string `json:"id"`
			} `json:"project"`
			Catalog []struct {
				Type      string `json:"type"`
				Endpoints []struct {
					Interface string `json:"interface"`
					URL       string `json:"url"`
				} `json:"endpoints"`
			} `json:"catalog"`
		} `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, err
	}
	a := &API{HTTP: hc, Token: resp.Header.Get("X-Subject-Token"), ProjectID: tok.Token.Project.ID, URLs: map[string]string{}}
	for _, s := range tok.Token.Catalog {
		for _, e := range s.Endpoints {
			if e.Interface == "public" {
				a.URLs[s.Type] = strings.TrimSuffix(e.URL, "/")
			}
		}
	}
	return a, nil
}

// Do sends a JSON request to service (a catalog type) + path and decodes
// a JSON answer into out (when not nil). headers are "Name: value" pairs.
// It returns the status; a transport error is an error.
func (a *API) Do(ctx context.Context, method, service, path string, in, out any, headers ...string) (int, error) {
	base, ok := a.URLs[service]
	if !ok {
		return 0, fmt.Errorf("no %s endpoint in the catalog", service)
	}
	var body io.Reader
	if in != nil {
		if r, ok := in.(io.Reader); ok {
			body = r
		} else {
			b, err := json.Marshal(in)
			if err != nil {
				return 0, err
			}
			body = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", a.Token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		if k, v, ok := strings.Cut(h, ":"); ok {
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(b) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	if resp.StatusCode >= 400 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return resp.StatusCode, nil
}

// WaitHypervisors waits until the compute service lists a hypervisor:
// the compute host registers in the background after start-up.
func WaitHypervisors(ctx context.Context, a *API) error {
	for {
		var hv struct {
			Hypervisors []struct{} `json:"hypervisors"`
		}
		if _, err := a.Do(ctx, "GET", "compute", "/os-hypervisors", nil, &hv); err == nil && len(hv.Hypervisors) > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
