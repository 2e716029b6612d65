// Package keystone holds the conventions of Keystone's v3 JSON that every
// identity handler shares: entity bodies ({"user": {...}}) read into typed
// attributes with the rest kept as extra attributes, Keystone's 400
// messages for them, collection and entity documents with their links,
// Keystone's inexact list filters, Keystone's timestamps and query booleans, and policy targets.
package keystone

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// DecodeEntity reads {"<key>": {...}} and returns the inner object.
func DecodeEntity(r *http.Request, key string) (map[string]any, error) {
	var outer map[string]any
	if err := httpapi.Decode(r, &outer, httpapi.DecodeOptions{}); err != nil {
		return nil, err
	}
	v, ok := outer[key]
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field '%s': '%s' is a required property.", key, key)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field '%s': %s is not of type 'object'.", key, directory.Brief(v))
	}
	return m, nil
}

// Fields takes typed attributes out of a decoded entity M; what is left
// is the entity's extra attributes. The first type error is kept in Err.
type Fields struct {
	M   map[string]any
	Err error
}

func (f *Fields) fail(k string, v any, typ string) {
	if f.Err == nil {
		f.Err = apierr.BadRequest("Invalid input for field '%s': %s is not of type '%s'.", k, directory.Brief(v), typ)
	}
}

// Take removes attribute k and returns it, untyped.
func (f *Fields) Take(k string) (any, bool) {
	v, ok := f.M[k]
	delete(f.M, k)
	return v, ok
}

// Str takes a string attribute; null gives "" when nullable.
func (f *Fields) Str(k string, nullable bool) *string {
	v, ok := f.Take(k)
	if !ok {
		return nil
	}
	if v == nil && nullable {
		s := ""
		return &s
	}
	s, ok := v.(string)
	if !ok {
		f.fail(k, v, "string")
		return nil
	}
	return &s
}

// Bool takes a boolean attribute.
func (f *Fields) Bool(k string) *bool {
	v, ok := f.Take(k)
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		f.fail(k, v, "boolean")
		return nil
	}
	return &b
}

// Object takes an object attribute; null gives nil.
func (f *Fields) Object(k string) map[string]any {
	v, ok := f.Take(k)
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.fail(k, v, "object")
		return nil
	}
	return m
}

// Strings takes an array-of-strings attribute.
func (f *Fields) Strings(k string) *[]string {
	v, ok := f.Take(k)
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		f.fail(k, v, "array")
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			f.fail(k, x, "string")
			return nil
		}
		out = append(out, s)
	}
	return &out
}

// Int takes an integer attribute.
func (f *Fields) Int(k string) *int64 {
	v, ok := f.Take(k)
	if !ok {
		return nil
	}
	n, ok := v.(float64)
	if !ok || n != float64(int64(n)) {
		f.fail(k, v, "integer")
		return nil
	}
	i := int64(n)
	return &i
}

// Extra returns what is left, dropping read-only attributes.
func (f *Fields) Extra() map[string]any {
	delete(f.M, "id")
	delete(f.M, "links")
	if len(f.M) == 0 {
		return nil
	}
	return f.M
}

// Strict returns the first type error, or a 400 for the first attribute
// left over: for the entities whose schema forbids extra attributes.
func (f *Fields) Strict() error {
	if f.Err != nil {
		return f.Err
	}
	for k := range f.M {
		return apierr.BadRequest("Additional properties are not allowed ('%s' was unexpected).", directory.Brief(k))
	}
	return nil
}

// Peek returns the body of r, leaving it for the handler: policy targets
// that need the request body read it this way. A body over
// httpapi.MaxBodyBytes is cut there (the handler's decoding refuses it).
func Peek(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil, apierr.BadRequest("Could not read the request body.").WithCause(err)
	}
	return b, nil
}

// Deref is *p, or "" for nil.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// DerefBool is *p, or def for nil.
func DerefBool(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// Nullable is s, or JSON null for "".
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Options is an entity's options, {} rather than null when it has none.
func Options(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Link is an entity's links object.
func Link(r *http.Request, path string) map[string]any {
	return map[string]any{"self": httpapi.BaseURL(r) + "/v3/" + path}
}

// WithExtra adds extra attributes to an entity without overriding the
// standard ones.
func WithExtra(m, extra map[string]any) map[string]any {
	for k, v := range extra {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// WriteList writes Keystone's collection document.
func WriteList(w http.ResponseWriter, r *http.Request, key string, items []map[string]any) error {
	if items == nil {
		items = []map[string]any{}
	}
	self := httpapi.BaseURL(r) + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		key:     items,
		"links": map[string]any{"self": self, "previous": nil, "next": nil},
	})
}

// WriteFiltered writes a collection after dropping the items that fail
// its inexact filters; attrs are the attributes the list accepts as
// filters.
func WriteFiltered(w http.ResponseWriter, r *http.Request, key string, items []map[string]any, attrs ...string) error {
	return WriteList(w, r, key, Inexact(r, items, attrs...))
}

// Inexact applies Keystone's inexact filters (<attr>__contains,
// __icontains, __startswith, __istartswith, __endswith, __iendswith,
// __equals, __iequals) on the attributes attrs of rendered items, as
// Keystone's build_driver_hints and filter_by_attributes do: only an
// attribute the list accepts as a filter takes them, others are ignored.
// An item whose attribute is missing or null fails the filter; a boolean
// is compared in its JSON spelling ("true", "false").
func Inexact(r *http.Request, items []map[string]any, attrs ...string) []map[string]any {
	type filter struct {
		attr string
		op   directory.StringOp
	}
	var fs []filter
	q := r.URL.Query()
	for k, vs := range q {
		attr, op, ok := strings.Cut(k, "__")
		if !ok || !slices.Contains(attrs, attr) || !slices.Contains(inexactOps(), op) {
			continue
		}
		for _, v := range vs {
			fs = append(fs, filter{attr, directory.StringOp{Op: op, Value: v}})
		}
	}
	if len(fs) == 0 {
		return items
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		keep := true
		for _, f := range fs {
			var s string
			switch v := it[f.attr].(type) {
			case string:
				s = v
			case bool:
				s = strconv.FormatBool(v)
			default:
				keep = false
			}
			if keep = keep && f.op.Match(s); !keep {
				break
			}
		}
		if keep {
			out = append(out, it)
		}
	}
	return out
}

// inexactOps are the comparators of Keystone's inexact filters.
func inexactOps() []string {
	return []string{"contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "equals", "iequals"}
}

// WriteOne writes {"<key>": v}.
func WriteOne(w http.ResponseWriter, status int, key string, v any) error {
	return httpapi.WriteJSON(w, status, map[string]any{key: v})
}

// QueryBool parses a boolean filter the way Keystone does: "0", "false",
// "no", "off" (any case) are false; anything else is true.
func QueryBool(r *http.Request, k string) *bool {
	q := r.URL.Query()
	if !q.Has(k) {
		return nil
	}
	v := strings.ToLower(q.Get(k))
	b := !(v == "0" || v == "false" || v == "no" || v == "off" || v == "f" || v == "n")
	return &b
}

// Time formats a time as Keystone does in entities.
func Time(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

// Creds returns the caller's credentials (empty ones on a public route).
func Creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

// Target builds a policy target for one entity: target.<kind>.<attr>
// both nested and as flat keys, plus extra top-level keys.
func Target(kind string, attrs map[string]any, top map[string]any) map[string]any {
	t := map[string]any{"target": map[string]any{kind: attrs}, kind: attrs}
	for k, v := range attrs {
		t["target."+kind+"."+k] = v
	}
	for k, v := range top {
		t[k] = v
		t["target."+k] = v
	}
	return t
}
