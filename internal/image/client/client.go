// Package client is the typed client other gostack services (compute,
// block storage) use to call the image service over HTTP: show, list,
// create and delete images, stream their data down and up, on behalf of
// the user whose token they pass. Every error answer comes back as an
// *apierr.Error carrying the answer's status and Glance's message
// (apierr.IsNotFound, apierr.Status), so callers never read Glance's
// error bodies.
//
//	compute ──GET /v2/images/{id}──────▶ image API ──▶ Image
//	compute ──GET /v2/images/{id}/file─▶ image API ──▶ io.ReadCloser (streamed)
//	compute ──POST /v2/images──────────▶ image API ──▶ Image (queued)
//	compute ──PUT /v2/images/{id}/file─▶ image API (snapshot upload)
//	compute ──PATCH /v2/images/{id}────▶ image API ──▶ Image (properties)
package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Client calls the image service. It is safe for concurrent use.
type Client struct {
	peer httpapi.Peer // Base is scheme://host[:port], without /v2
}

// New returns a client of the image API at base (http://host:9292).
// A nil hc means http.DefaultClient.
func New(base string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{peer: httpapi.Peer{Service: "image service", Base: strings.TrimRight(base, "/"), HC: hc, Fault: fault}}
}

// Image is an image as the API shows it. Properties holds the extra
// properties (all strings).
type Image struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Status          string            `json:"status"`
	Visibility      string            `json:"visibility"`
	Protected       bool              `json:"protected"`
	Checksum        string            `json:"checksum"`
	HashAlgo        string            `json:"os_hash_algo"`
	HashValue       string            `json:"os_hash_value"`
	Size            *int64            `json:"size"`
	VirtualSize     *int64            `json:"virtual_size"`
	DiskFormat      string            `json:"disk_format"`
	ContainerFormat string            `json:"container_format"`
	MinDisk         int               `json:"min_disk"`
	MinRAM          int               `json:"min_ram"`
	Owner           string            `json:"owner"`
	Tags            []string          `json:"tags"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	Properties      map[string]string `json:"-"`
}

// do is a GET of path.
func (c *Client) do(ctx context.Context, token, path string) (*http.Response, error) {
	return c.send(ctx, http.MethodGet, token, path, "", nil, -1)
}

// fault reads the message of an error answer of the image API, so that
// callers never read Glance's bodies: {"code": "404 Not Found", "title":
// "Not Found", "message": "..."} (what it sends to Accept:
// application/json), else WebOb's plain text "404 Not Found\n\n<message>\n\n".
func fault(body []byte, e *apierr.Error) { e.Message = glanceMessage(e.Code, body) }

// glanceMessage is the message of an image API error body.
func glanceMessage(code int, body []byte) string {
	var j struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(body, &j) == nil && j.Message != nil {
		return *j.Message
	}
	text := strings.TrimSpace(string(body))
	// WebOb's text starts with the status line, then a blank line.
	if status, rest, ok := strings.Cut(text, "\n\n"); ok && strings.HasPrefix(status, strconv.Itoa(code)+" ") {
		text = strings.TrimSpace(rest)
	}
	if text == "" {
		return http.StatusText(code)
	}
	return text
}

// core are the attributes that are not extra properties.
var core = map[string]bool{"id": true, "name": true, "status": true, "visibility": true, "protected": true,
	"os_hidden": true, "checksum": true, "os_hash_algo": true, "os_hash_value": true, "size": true,
	"virtual_size": true, "disk_format": true, "container_format": true, "min_disk": true, "min_ram": true,
	"owner": true, "tags": true, "created_at": true, "updated_at": true, "self": true, "file": true,
	"schema": true, "locations": true, "direct_url": true, "stores": true}

// Get returns an image's metadata.
func (c *Client) Get(ctx context.Context, token, id string) (*Image, error) {
	resp, err := c.do(ctx, token, "/v2/images/"+url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	return readImage(resp)
}

// Download streams an image's data; the caller closes it. size is -1
// when unknown. An image without data gives an empty reader.
func (c *Client) Download(ctx context.Context, token, id string) (data io.ReadCloser, size int64, err error) {
	resp, err := c.do(ctx, token, "/v2/images/"+url.PathEscape(id)+"/file")
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		return io.NopCloser(strings.NewReader("")), 0, nil
	}
	return resp.Body, resp.ContentLength, nil
}

// send makes a request with an optional JSON or raw body and returns the
// response of a 2xx answer; any other answer is an *apierr.Error with its
// status and Glance's message (apierr.IsNotFound for a missing image).
func (c *Client) send(ctx context.Context, method, token, path, contentType string, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.peer.Base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
	}
	resp, err := c.peer.HC.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, c.peer.Error(resp)
	}
	return resp, nil
}

// readImage reads the image a 2xx answer carries.
func readImage(resp *http.Response) (*Image, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return decodeImage(body)
}

// decodeImage reads an image body: its core attributes and, as
// Properties, every other string attribute.
func decodeImage(body []byte) (*Image, error) {
	var img Image
	if err := json.Unmarshal(body, &img); err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	var all map[string]any
	if err := json.Unmarshal(body, &all); err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	img.Properties = map[string]string{}
	for k, v := range all {
		if s, ok := v.(string); ok && !core[k] {
			img.Properties[k] = s
		}
	}
	return &img, nil
}

// NewImage is what a service asks of a new image record: the core
// attributes and extra properties. A property never overrides a core
// attribute of the same name.
type NewImage struct {
	Name, DiskFormat, ContainerFormat string
	// Visibility is "" for the image service's default (shared).
	Visibility      string
	Protected       bool
	MinDisk, MinRAM int64
	Properties      map[string]string
}

// CreateImage creates the image record n describes (POST /v2/images).
func (c *Client) CreateImage(ctx context.Context, token string, n NewImage) (*Image, error) {
	body := map[string]any{"name": n.Name, "disk_format": n.DiskFormat, "container_format": n.ContainerFormat}
	if n.MinDisk != 0 {
		body["min_disk"] = n.MinDisk
	}
	if n.MinRAM != 0 {
		body["min_ram"] = n.MinRAM
	}
	if n.Visibility != "" {
		body["visibility"] = n.Visibility
	}
	if n.Protected {
		body["protected"] = true
	}
	for k, v := range n.Properties {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	return c.Create(ctx, token, body)
}

// Create registers a queued image (POST /v2/images). body holds the
// image's attributes and extra properties as the API takes them: name,
// disk_format, container_format, visibility, min_disk, min_ram, and
// string properties.
func (c *Client) Create(ctx context.Context, token string, body map[string]any) (*Image, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodPost, token, "/v2/images", "application/json", strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		return nil, err
	}
	return readImage(resp)
}

// Upload writes an image's data (PUT /v2/images/{id}/file); size is the
// data's length, or -1 when unknown (sent chunked).
func (c *Client) Upload(ctx context.Context, token, id string, data io.Reader, size int64) error {
	resp, err := c.send(ctx, http.MethodPut, token, "/v2/images/"+url.PathEscape(id)+"/file", "application/octet-stream", data, size)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Delete deletes an image.
func (c *Client) Delete(ctx context.Context, token, id string) error {
	resp, err := c.send(ctx, http.MethodDelete, token, "/v2/images/"+url.PathEscape(id), "", nil, -1)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// List returns the images the token sees whose attributes or properties
// equal filters (GET /v2/images?k=v), following the pages.
func (c *Client) List(ctx context.Context, token string, filters map[string]string) ([]Image, error) {
	q := url.Values{}
	for k, v := range filters {
		q.Set(k, v)
	}
	q.Set("limit", "1000")
	path := "/v2/images?" + q.Encode()
	var out []Image
	for path != "" {
		resp, err := c.send(ctx, http.MethodGet, token, path, "", nil, -1)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var page struct {
			Images []json.RawMessage `json:"images"`
			Next   string            `json:"next"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("decode images: %w", err)
		}
		for _, raw := range page.Images {
			img, err := decodeImage(raw)
			if err != nil {
				return nil, err
			}
			out = append(out, *img)
		}
		path = page.Next
	}
	return out, nil
}

// PatchOp is one JSON-patch operation of an image update: "add" (which
// also replaces) or "remove" of the attribute or property at Path
// ("/name", "/os_distro").
type PatchOp struct {
	Op    string
	Path  string
	Value any // add only
}

// Update applies ops to an image (PATCH /v2/images/{id} with
// application/openstack-images-v2.1-json-patch) and returns it.
func (c *Client) Update(ctx context.Context, token, id string, ops []PatchOp) (*Image, error) {
	doc := make([]map[string]any, len(ops))
	for i, op := range ops {
		doc[i] = map[string]any{"op": op.Op, "path": op.Path}
		if op.Op != "remove" {
			doc[i]["value"] = op.Value
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodPatch, token, "/v2/images/"+url.PathEscape(id),
		"application/openstack-images-v2.1-json-patch", strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		return nil, err
	}
	return readImage(resp)
}
