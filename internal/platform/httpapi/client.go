package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Call is one JSON request of a service's typed client to another
// service.
type Call struct {
	// Service names the peer in errors ("network service").
	Service string
	Method  string
	URL     string
	Token   string
	// Header holds further headers (a microversion).
	Header map[string]string
	// In, when not nil, is sent as the JSON body; a 2xx answer's JSON is
	// decoded into Out when it is not nil.
	In, Out any
	// Key, when set, is the envelope OpenStack bodies use for one
	// resource or a list: In is sent as {Key: In}, and Out is decoded
	// from the answer's Key member (an answer without it is an error).
	Key string
	// Fail turns an answer outside 2xx into the caller's error (the
	// peer's error body decoded into an *apierr.Error).
	Fail func(*http.Response) error
}

// Do sends c with hc.
func (c Call) Do(ctx context.Context, hc *http.Client) error {
	if c.Key != "" {
		return c.enveloped(ctx, hc)
	}
	var body io.Reader
	if c.In != nil {
		b, err := json.Marshal(c.In)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, c.URL, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if c.In != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("X-Auth-Token", c.Token)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", c.Service, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.Fail(resp)
	}
	if c.Out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(c.Out); err != nil {
		return fmt.Errorf("%s: %s %s: decoding the answer: %w", c.Service, c.Method, c.URL, err)
	}
	return nil
}

// enveloped does c with its body and answer under c.Key.
func (c Call) enveloped(ctx context.Context, hc *http.Client) error {
	key, out := c.Key, c.Out
	c.Key = ""
	if c.In != nil {
		c.In = map[string]any{key: c.In}
	}
	if out == nil {
		return c.Do(ctx, hc)
	}
	raw := map[string]json.RawMessage{}
	c.Out = &raw
	if err := c.Do(ctx, hc); err != nil {
		return err
	}
	item, ok := raw[key]
	if !ok {
		return fmt.Errorf("%s: %s %s: no %q in the answer", c.Service, c.Method, c.URL, key)
	}
	return json.Unmarshal(item, out)
}
