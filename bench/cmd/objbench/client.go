package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// swift speaks the Swift API of one account with one token.
type swift struct {
	http  *http.Client
	base  string // http://HOST:PORT/v1/AUTH_<project>
	token string
}

func newSwift(api *launch.API) (*swift, error) {
	base := api.URLs["object-store"]
	if base == "" {
		return nil, errors.New("the catalog has no public object-store endpoint")
	}
	return &swift{http: api.HTTP, base: base, token: api.Token}, nil
}

// statusError is an answer other than the one expected.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.method, e.path, e.status, e.body)
}

// do sends one request to base+path. It returns the response with its
// body still to read when the status is one of want; otherwise it reads
// and closes the body and returns a *statusError.
func (s *swift) do(ctx context.Context, method, path string, body []byte, want ...int) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, r)
	if err != nil {
		return nil, err
	}
	if method == http.MethodPut {
		// Swift needs a length or chunked encoding on every PUT; an
		// empty object sends an explicit zero.
		req.ContentLength = int64(len(body))
		if body == nil {
			req.Body = http.NoBody
		}
	}
	req.Header.Set("X-Auth-Token", s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	for _, w := range want {
		if resp.StatusCode == w {
			return resp, nil
		}
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	resp.Body.Close()
	return nil, &statusError{method: method, path: path, status: resp.StatusCode, body: string(bytes.TrimSpace(b))}
}

// drain reads and closes a body, returning how many bytes it held.
func drain(resp *http.Response) (int64, error) {
	n, err := io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// createContainer makes (or keeps) a container.
func (s *swift) createContainer(ctx context.Context, name string) error {
	resp, err := s.do(ctx, http.MethodPut, "/"+url.PathEscape(name), nil, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return err
	}
	_, err = drain(resp)
	return err
}

// put writes one object.
func (s *swift) put(ctx context.Context, container, name string, body []byte) error {
	resp, err := s.do(ctx, http.MethodPut, "/"+url.PathEscape(container)+"/"+url.PathEscape(name), body, http.StatusCreated)
	if err != nil {
		return err
	}
	_, err = drain(resp)
	return err
}

// get reads one object and checks its length.
func (s *swift) get(ctx context.Context, container, name string, size int64) error {
	resp, err := s.do(ctx, http.MethodGet, "/"+url.PathEscape(container)+"/"+url.PathEscape(name), nil, http.StatusOK)
	if err != nil {
		return err
	}
	n, err := drain(resp)
	if err == nil && n != size {
		err = fmt.Errorf("GET %s/%s: %d bytes, want %d", container, name, n, size)
	}
	return err
}

// objectCount is the container's X-Container-Object-Count.
func (s *swift) objectCount(ctx context.Context, container string) (int, error) {
	resp, err := s.do(ctx, http.MethodHead, "/"+url.PathEscape(container), nil, http.StatusNoContent, http.StatusOK)
	if err != nil {
		return 0, err
	}
	drain(resp)
	return strconv.Atoi(resp.Header.Get("X-Container-Object-Count"))
}

// list is one page of a JSON container listing: the names after marker,
// at most limit of them.
func (s *swift) list(ctx context.Context, container, marker string, limit int) ([]string, error) {
	q := url.Values{"format": {"json"}, "limit": {strconv.Itoa(limit)}}
	if marker != "" {
		q.Set("marker", marker)
	}
	path := "/" + url.PathEscape(container) + "?" + q.Encode()
	// An empty listing may be a 204 without a body.
	resp, err := s.do(ctx, http.MethodGet, path, nil, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return nil, err
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &objs); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
	}
	return names, nil
}

// errString shortens an error for the table.
func errString(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}
