// Package wire is what every handler of the networking API shares:
// Neutron's request envelope and strict decoding with its error wording,
// the caller's scope and attribute policies, and the list machinery every
// collection offers — filters on any attribute, fields=, sorting, paging
// with links, and tag filters — applied to rendered resources.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Item is a resource rendered as Neutron's JSON object.
type Item = map[string]any

// Ctx is what a handler needs besides the request: the service, the
// policy enforcer and the reusable buffers of large responses.
type Ctx struct {
	Svc    *network.Service
	Policy *policy.Enforcer
	// Bufs holds *[]byte response buffers for the lists written as bytes
	// (a list of 1,000 ports is 1.2 MB: allocating it per request cost
	// the runtime more, clearing pages and giving them back to the OS,
	// than rendering it). Nil allocates per request.
	Bufs *sync.Pool
}

// Buf returns an empty buffer from Bufs and the function that gives it
// back once written.
func (c *Ctx) Buf() (*[]byte, func()) {
	if c.Bufs == nil {
		return new([]byte), func() {}
	}
	b, _ := c.Bufs.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	return b, func() {
		// One rare huge list does not pin its buffer for good.
		if cap(*b) <= 16<<20 {
			*b = (*b)[:0]
			c.Bufs.Put(b)
		}
	}
}

// Creds returns the caller's credentials (the route table made sure there
// are some).
func Creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

// Scope is the caller's visibility: its project, and admin when the
// policy's context_is_admin rule says so.
func (c *Ctx) Scope(r *http.Request) network.Scope {
	cr := Creds(r)
	return network.Scope{ProjectID: cr.ProjectID, Admin: c.Policy.Enforce("context_is_admin", map[string]any{}, cr.PolicyValues())}
}

// Allowed reports whether rule passes for the caller on target.
func (c *Ctx) Allowed(r *http.Request, rule string, target Item) bool {
	return c.Policy.Enforce(rule, target, Creds(r).PolicyValues())
}

// Forbidden is Neutron's 403 for a rule.
func Forbidden(rule string) error {
	return apierr.Forbidden("(rule:%s) is disallowed by policy", rule).WithType("PolicyNotAuthorized")
}

// CheckAttrs enforces the attribute rules of a create or update
// ("create_network:shared", "update_port:binding:host_id"): for every
// attribute the body sets that has its own rule, the rule must pass.
func (c *Ctx) CheckAttrs(r *http.Request, action string, body map[string]json.RawMessage, target Item) error {
	for name := range body {
		rule := action + ":" + name
		if !c.Policy.Has(rule) {
			continue
		}
		if !c.Allowed(r, rule, target) {
			return Forbidden(rule)
		}
	}
	return nil
}

// Hide removes from item the attributes the caller may not read
// ("get_network:provider:network_type" refused).
func (c *Ctx) Hide(r *http.Request, action string, item Item) Item {
	return c.Caller(r).Hide(action, item)
}

// Body reads a request body {"<singular>": {...}} and returns the inner
// object's fields. A bulk body {"<plural>": [{...}, ...]}, accepted when
// plural is not empty, is returned as several objects with bulk true.
func Body(r *http.Request, singular, plural string) (objs []map[string]json.RawMessage, bulk bool, err error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return nil, false, network.BadRequest("Could not read the request body.")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, false, network.BadRequest("Resource body required")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, false, network.BadRequest("Malformed JSON: %s", err)
	}
	if one, ok := top[singular]; ok && len(top) == 1 {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(one, &m); err != nil || m == nil {
			return nil, false, network.BadRequest("Resource body required")
		}
		return []map[string]json.RawMessage{m}, false, nil
	}
	if plural != "" {
		if many, ok := top[plural]; ok && len(top) == 1 {
			var ms []map[string]json.RawMessage
			if err := json.Unmarshal(many, &ms); err != nil {
				return nil, false, network.BadRequest("Bulk operation body must be a list of %s", plural)
			}
			if len(ms) == 0 {
				return nil, false, network.BadRequest("Resources required")
			}
			return ms, true, nil
		}
	}
	return nil, false, network.BadRequest("Unable to find '%s' in request body", singular)
}

// Fields decodes a body object into dst, a struct whose json tags name
// the attributes the operation accepts. An attribute it does not know
// is Neutron's "Unrecognized attribute(s)", a wrong type its "Invalid
// input for <attr>".
func Fields(body map[string]json.RawMessage, dst any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return network.BadRequest("Invalid input for %s. Reason: '%s' is not a valid %s.", typ.Field, typ.Value, kind(typ.Type.String()))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return network.BadRequest("Unrecognized attribute(s) '%s'", name)
		default:
			return network.BadRequest("Invalid input: %s", err)
		}
	}
	return nil
}

func kind(goType string) string {
	switch {
	case strings.Contains(goType, "bool"):
		return "boolean value"
	case strings.Contains(goType, "int"):
		return "integer"
	case strings.Contains(goType, "string"):
		return "string"
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "*[]"):
		return "list"
	case strings.HasPrefix(goType, "map"):
		return "dictionary"
	}
	return "value"
}

// Revision reads If-Match: revision_number=N (nil without one).
func Revision(r *http.Request) (*int64, error) {
	h := r.Header.Get("If-Match")
	if h == "" {
		return nil, nil
	}
	var n int64
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "revision_number="); ok {
			if _, err := fmt.Sscanf(v, "%d", &n); err != nil {
				return nil, network.BadRequest("Invalid If-Match header: %s", h)
			}
			return &n, nil
		}
	}
	return nil, nil
}

// Std renders the standard attributes into item.
func Std(item Item, s network.Std) Item {
	item["id"] = s.ID
	item["project_id"] = s.ProjectID
	item["tenant_id"] = s.ProjectID
	item["name"] = s.Name
	item["description"] = s.Description
	tags := s.Tags
	if tags == nil {
		tags = []string{}
	}
	item["tags"] = tags
	item["created_at"] = s.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	item["updated_at"] = s.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")
	item["revision_number"] = s.Revision
	return item
}

// Reply writes {"<key>": item} with only the requested fields.
func Reply(w http.ResponseWriter, r *http.Request, status int, key string, item Item) error {
	return httpapi.WriteJSON(w, status, map[string]any{key: Select(item, r.URL.Query()["fields"])})
}

// Select keeps the named fields of item (all when none are named).
func Select(item Item, fields []string) Item {
	if len(fields) == 0 {
		return item
	}
	out := make(Item, len(fields))
	for _, f := range fields {
		if v, ok := item[f]; ok {
			out[f] = v
		}
	}
	return out
}

// sortItems orders items by the query's sort keys, then by id.
func sortItems(items []Item, keys []string, dirs []string) {
	sort.SliceStable(items, func(i, j int) bool {
		for k, key := range keys {
			c := compare(items[i][key], items[j][key])
			if c == 0 {
				continue
			}
			if k < len(dirs) && dirs[k] == "desc" {
				return c > 0
			}
			return c < 0
		}
		return compare(items[i]["id"], items[j]["id"]) < 0
	})
}

func compare(a, b any) int {
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			return x - y
		}
	case int64:
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return strings.Compare(Str(a), Str(b))
}

// Str renders a value as a query parameter would spell it: Python's
// str(), but empty for a missing value.
func Str(v any) string {
	if v == nil {
		return ""
	}
	return pyfmt.Str(v)
}

// ReplyMany writes {"<plural>": [...]}.
func ReplyMany(w http.ResponseWriter, r *http.Request, status int, plural string, items []Item) error {
	fields := r.URL.Query()["fields"]
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = Select(it, fields)
	}
	return httpapi.WriteJSON(w, status, map[string]any{plural: out})
}

// Project is the project a create is for: the body's project_id or
// tenant_id (which must agree), else the caller's. Creating for another
// project is the admin's: the create rule's target carries the project.
func (c *Ctx) Project(r *http.Request, projectID, tenantID string) (string, error) {
	if projectID != "" && tenantID != "" && projectID != tenantID {
		return "", network.BadRequest("'project_id' and 'tenant_id' do not match")
	}
	p := projectID
	if p == "" {
		p = tenantID
	}
	caller := Creds(r).ProjectID
	if p == "" {
		p = caller
	}
	if p != caller && !c.Scope(r).Admin {
		return "", network.BadRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges")
	}
	return p, nil
}

// NotFoundf is a 404 with Neutron's generic type.
func NotFoundf(format string, args ...any) error {
	return apierr.NotFound(format, args...).WithType("HTTPNotFound")
}
