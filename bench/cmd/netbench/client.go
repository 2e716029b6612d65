package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// client speaks the Neutron v2.0 API with one admin token. It re-logs in
// once on a 401, because filling a /16 on a slow server can outlast a
// token.
type client struct {
	http *http.Client
	base string // the network endpoint, without /v2.0

	authURL, user, password, project string

	mu        sync.Mutex
	token     string
	projectID string
}

// login authenticates at a Keystone v3 authURL (user and project in the
// Default domain) and takes the network endpoint from the catalog, if any.
func login(ctx context.Context, authURL, user, password, project string, timeout time.Duration) (*client, error) {
	c := &client{
		http: &http.Client{Timeout: timeout, Transport: &http.Transport{
			MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute,
		}},
		authURL: strings.TrimSuffix(authURL, "/"), user: user, password: password, project: project,
	}
	if err := c.relogin(ctx, ""); err != nil {
		return nil, err
	}
	return c, nil
}

// relogin gets a new token unless another goroutine already replaced old.
func (c *client) relogin(ctx context.Context, old string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != old {
		return nil
	}
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": c.user, "domain": map[string]any{"id": "default"}, "password": c.password}}},
		"scope": map[string]any{"project": map[string]any{"name": c.project, "domain": map[string]any{"id": "default"}}},
	}}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", c.authURL+"/auth/tokens", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("login at %s: %s: %s", c.authURL, resp.Status, bytes.TrimSpace(msg))
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
		return fmt.Errorf("login: %w", err)
	}
	c.token = resp.Header.Get("X-Subject-Token")
	c.projectID = tok.Token.Project.ID
	if c.base == "" {
		for _, s := range tok.Token.Catalog {
			for _, e := range s.Endpoints {
				if s.Type == "network" && e.Interface == "public" {
					c.base = e.URL
				}
			}
		}
	}
	return nil
}

// apiError is an answer other than the expected status, with Neutron's
// error type when the body is a NeutronError.
type apiError struct {
	Method, Path string
	Status       int
	Type         string
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Body)
}

// kind names an error for the race's tally: "409 IpAddressGenerationFailure",
// "500", or "transport".
func kind(err error) string {
	if e, ok := err.(*apiError); ok {
		return strings.TrimSpace(fmt.Sprintf("%d %s", e.Status, e.Type))
	}
	return "transport"
}

// do sends a JSON request to base+path and decodes the answer into out
// when the status is want. Any other status is an *apiError.
func (c *client) do(ctx context.Context, method, path string, in, out any, want int) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		tok := c.token
		c.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("X-Auth-Token", tok)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			if err := c.relogin(ctx, tok); err != nil {
				return err
			}
			continue
		}
		if resp.StatusCode != want {
			e := &apiError{Method: method, Path: path, Status: resp.StatusCode, Body: string(bytes.TrimSpace(b))}
			var ne struct {
				NeutronError struct {
					Type string `json:"type"`
				} `json:"NeutronError"`
			}
			if json.Unmarshal(b, &ne) == nil {
				e.Type = ne.NeutronError.Type
			}
			if len(e.Body) > 300 {
				e.Body = e.Body[:300] + "…"
			}
			return e
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("%s %s: decode: %w", method, path, err)
			}
		}
		return nil
	}
}

// port is the part of a port the benchmark reads.
type port struct {
	ID       string `json:"id"`
	FixedIPs []struct {
		SubnetID  string `json:"subnet_id"`
		IPAddress string `json:"ip_address"`
	} `json:"fixed_ips"`
}

// subnet is the part of a subnet the benchmark reads.
type subnet struct {
	ID    string `json:"id"`
	Pools []struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"allocation_pools"`
}

// network creates a network with one IPv4 subnet of cidr, without DHCP so
// that no DHCP port takes an address.
func (c *client) network(ctx context.Context, name, cidr string) (netID string, sub subnet, err error) {
	var n struct {
		Network struct {
			ID string `json:"id"`
		} `json:"network"`
	}
	if err := c.do(ctx, "POST", "/v2.0/networks", map[string]any{"network": map[string]any{"name": name}}, &n, http.StatusCreated); err != nil {
		return "", sub, err
	}
	var s struct {
		Subnet subnet `json:"subnet"`
	}
	err = c.do(ctx, "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{
		"network_id": n.Network.ID, "name": name, "ip_version": 4, "cidr": cidr, "enable_dhcp": false,
	}}, &s, http.StatusCreated)
	return n.Network.ID, s.Subnet, err
}

// createPort creates one port on netID, from subnetID when it is not empty.
func (c *client) createPort(ctx context.Context, netID, subnetID string) (port, error) {
	p := map[string]any{"network_id": netID}
	if subnetID != "" {
		p["fixed_ips"] = []map[string]string{{"subnet_id": subnetID}}
	}
	var out struct {
		Port port `json:"port"`
	}
	err := c.do(ctx, "POST", "/v2.0/ports", map[string]any{"port": p}, &out, http.StatusCreated)
	return out.Port, err
}

// createPorts creates n ports on netID in one bulk request.
func (c *client) createPorts(ctx context.Context, netID string, n int) (int, error) {
	ps := make([]map[string]any, n)
	for i := range ps {
		ps[i] = map[string]any{"network_id": netID}
	}
	var out struct {
		Ports []json.RawMessage `json:"ports"`
	}
	err := c.do(ctx, "POST", "/v2.0/ports", map[string]any{"ports": ps}, &out, http.StatusCreated)
	return len(out.Ports), err
}

// listPorts is GET /v2.0/ports with a query (may be empty).
func (c *client) listPorts(ctx context.Context, query string) ([]port, error) {
	path := "/v2.0/ports"
	if query != "" {
		path += "?" + query
	}
	var out struct {
		Ports []port `json:"ports"`
	}
	err := c.do(ctx, "GET", path, nil, &out, http.StatusOK)
	return out.Ports, err
}

// unlimitedQuota lifts the admin project's network, subnet and port quotas
// so that 50,000 ports fit.
func (c *client) unlimitedQuota(ctx context.Context) error {
	c.mu.Lock()
	pid := c.projectID
	c.mu.Unlock()
	return c.do(ctx, "PUT", "/v2.0/quotas/"+pid, map[string]any{"quota": map[string]any{
		"network": -1, "subnet": -1, "port": -1,
	}}, nil, http.StatusOK)
}
