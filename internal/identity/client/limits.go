package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Limit returns the unified limit of resource for project in service (a
// service type such as "compute"): the project limit when one is set,
// else the registered default, with ok false when identity has neither.
// It makes *Client a quota.LimitSource. The service user needs a role
// that may list other projects' limits (a system reader, in Keystone's
// default policy).
func (c *Client) Limit(ctx context.Context, service, projectID, resource string) (int64, bool, error) {
	svcID, err := c.serviceID(ctx, service)
	if err != nil {
		return 0, false, err
	}
	q := url.Values{"service_id": {svcID}, "resource_name": {resource}, "project_id": {projectID}}
	var pl struct {
		Limits []struct {
			ResourceLimit int64 `json:"resource_limit"`
		} `json:"limits"`
	}
	if err := c.getJSON(ctx, "/v3/limits?"+q.Encode(), "list limits", &pl); err != nil {
		return 0, false, err
	}
	if len(pl.Limits) > 0 {
		return pl.Limits[0].ResourceLimit, true, nil
	}
	q.Del("project_id")
	var rl struct {
		RegisteredLimits []struct {
			DefaultLimit int64 `json:"default_limit"`
		} `json:"registered_limits"`
	}
	if err := c.getJSON(ctx, "/v3/registered_limits?"+q.Encode(), "list registered limits", &rl); err != nil {
		return 0, false, err
	}
	if len(rl.RegisteredLimits) > 0 {
		return rl.RegisteredLimits[0].DefaultLimit, true, nil
	}
	return 0, false, nil
}

// serviceID finds the catalog id of a service type.
func (c *Client) serviceID(ctx context.Context, serviceType string) (string, error) {
	var body struct {
		Services []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"services"`
	}
	if err := c.getJSON(ctx, "/v3/services?"+url.Values{"type": {serviceType}}.Encode(), "list services", &body); err != nil {
		return "", err
	}
	for _, s := range body.Services {
		if s.Type == serviceType {
			return s.ID, nil
		}
	}
	return "", fmt.Errorf("identity: no service of type %q in the catalog", serviceType)
}

// getJSON GETs path with the service token and decodes the answer.
func (c *Client) getJSON(ctx context.Context, path, op string, v any) error {
	tok, err := c.ServiceToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", tok)
	resp, err := c.do(req, op)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		c.dropServiceToken(tok) // the next call logs in again
	}
	if resp.StatusCode != http.StatusOK {
		return readError(resp, op)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("identity: %s: %w", op, errors.Join(errors.New("bad answer"), err))
	}
	return nil
}
