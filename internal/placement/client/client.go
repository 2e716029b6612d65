// Package client is the typed client the scheduler, the conductor and the
// compute agent use to call Placement over HTTP: resource providers and
// their inventories, traits and aggregates; allocations with consumer
// generations; allocation candidates; the reshaper. Every request speaks
// microversion 1.39. An error answer comes back as an *apierr.Error with
// Placement's status, detail and code (IsNotFound, IsConflict).
//
//	scheduler ──GET /allocation_candidates──▶ placement ──▶ candidates.Find
//	scheduler ──PUT /allocations/{c} (consumer_generation)──▶ 204 | 409 *apierr.Error
//	agent ──PUT /resource_providers/{u}/inventories (generation)──▶ new generation
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Version is the microversion the client speaks.
const Version = "1.39"

// Error codes worth telling apart; an error's apierr.Error.Type.
const (
	CodeConcurrentUpdate = "placement.concurrent_update"
	CodeInventoryInUse   = "placement.inventory.inuse"
	CodeProviderInUse    = "placement.resource_provider.inuse"
	CodeDuplicateName    = "placement.duplicate_name"
)

// Error is a Placement error answer as it came over the wire. The client
// returns an *apierr.Error (Code the status, Message the detail, Type the
// code) whose cause is the *Error, so that callers can match either.
// It is kept for the compute packages that still match it and build it in
// their fakes; apierr.As finds the *apierr.Error it stands for in a bare
// *Error too.
type Error struct {
	Status int
	Code   string
	Detail string
}

func (e *Error) Error() string {
	return fmt.Sprintf("placement: %d %s: %s", e.Status, e.Code, e.Detail)
}

// As makes errors.As (and so apierr.As) see a bare *Error as the
// *apierr.Error the client would have returned for it.
func (e *Error) As(target any) bool {
	t, ok := target.(**apierr.Error)
	if ok {
		*t = e.apiError()
	}
	return ok
}

func (e *Error) apiError() *apierr.Error {
	return &apierr.Error{Code: e.Status, Message: e.Detail, Type: e.Code, Err: e}
}

// IsNotFound reports whether err is a Placement 404.
func IsNotFound(err error) bool { return apierr.IsNotFound(err) }

// IsConflict reports whether err is a 409 (with code, if code is not "").
func IsConflict(err error, code string) bool {
	e, ok := apierr.As(err)
	return ok && e.Code == http.StatusConflict && (code == "" || e.Type == code)
}

// TokenFunc returns the token to send (a service token).
type TokenFunc func(ctx context.Context) (string, error)

// Client calls Placement. It is safe for concurrent use.
type Client struct {
	base  string
	hc    *http.Client
	token TokenFunc
}

// New returns a client of the Placement endpoint base
// (http://host:8778). A nil hc means http.DefaultClient.
func New(base string, hc *http.Client, token TokenFunc) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(base, "/"), hc: hc, token: token}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("OpenStack-API-Version", "placement "+Version)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return 0, err
		}
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 400 {
		return resp.StatusCode, decodeError(resp.StatusCode, b)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("placement: decode %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// Provider is a resource provider.
type Provider struct {
	UUID       string  `json:"uuid"`
	Name       string  `json:"name"`
	Generation int64   `json:"generation"`
	ParentUUID *string `json:"parent_provider_uuid"`
	RootUUID   string  `json:"root_provider_uuid"`
}

// CreateProvider creates a provider; an empty uuid lets Placement choose.
func (c *Client) CreateProvider(ctx context.Context, uuid, name, parent string) (*Provider, error) {
	in := map[string]any{"name": name}
	if uuid != "" {
		in["uuid"] = uuid
	}
	if parent != "" {
		in["parent_provider_uuid"] = parent
	}
	var p Provider
	_, err := c.do(ctx, "POST", "/resource_providers", in, &p)
	return &p, err
}

// Provider returns one provider.
func (c *Client) Provider(ctx context.Context, uuid string) (*Provider, error) {
	var p Provider
	_, err := c.do(ctx, "GET", "/resource_providers/"+url.PathEscape(uuid), nil, &p)
	return &p, err
}

// ListOptions filters ListProviders. Resources is "VCPU:1,MEMORY_MB:512".
type ListOptions struct {
	Name, UUID, InTree, Resources string
	MemberOf                      []string // each "in:a,b" or "a"
	Required                      []string // each "A,!B"
}

// ListProviders lists providers.
func (c *Client) ListProviders(ctx context.Context, o ListOptions) ([]Provider, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("name", o.Name)
	set("uuid", o.UUID)
	set("in_tree", o.InTree)
	set("resources", o.Resources)
	for _, m := range o.MemberOf {
		q.Add("member_of", m)
	}
	for _, r := range o.Required {
		q.Add("required", r)
	}
	path := "/resource_providers"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out struct {
		Providers []Provider `json:"resource_providers"`
	}
	_, err := c.do(ctx, "GET", path, nil, &out)
	return out.Providers, err
}

// UpdateProvider renames (and reparents) a provider.
func (c *Client) UpdateProvider(ctx context.Context, uuid, name string, parent *string) (*Provider, error) {
	in := map[string]any{"name": name}
	if parent != nil {
		in["parent_provider_uuid"] = parent
	}
	var p Provider
	_, err := c.do(ctx, "PUT", "/resource_providers/"+url.PathEscape(uuid), in, &p)
	return &p, err
}

// DeleteProvider deletes a provider.
func (c *Client) DeleteProvider(ctx context.Context, uuid string) error {
	_, err := c.do(ctx, "DELETE", "/resource_providers/"+url.PathEscape(uuid), nil, nil)
	return err
}

// decodeError turns an error answer into an *apierr.Error: Placement's
// {"errors": [{"detail", "code"}]}, or the body's text when it is not one.
func decodeError(status int, body []byte) error {
	e := &Error{Status: status, Detail: strings.TrimSpace(string(body))}
	var eb struct {
		Errors []struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &eb) == nil && len(eb.Errors) > 0 {
		e.Code, e.Detail = eb.Errors[0].Code, eb.Errors[0].Detail
	}
	return e.apiError()
}
