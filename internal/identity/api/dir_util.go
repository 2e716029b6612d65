package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// badRequest is Keystone's schema-validation 400.
func badRequest(format string, args ...any) error {
	return &identity.ValidationError{Msg: fmt.Sprintf(format, args...)}
}

// decodeEntity reads {"<key>": {...}} and returns the inner object.
func decodeEntity(r *http.Request, key string) (map[string]any, error) {
	var outer map[string]any
	if err := httpapi.Decode(r, &outer, httpapi.DecodeOptions{}); err != nil {
		return nil, err
	}
	v, ok := outer[key]
	if !ok {
		return nil, badRequest("Invalid input for field '%s': '%s' is a required property.", key, key)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest("Invalid input for field '%s': %v is not of type 'object'.", key, v)
	}
	return m, nil
}

// fields takes typed attributes out of a decoded entity; what is left is
// the entity's extra attributes. The first type error is kept in err.
type fields struct {
	m   map[string]any
	err error
}

func (f *fields) fail(k string, v any, typ string) {
	if f.err == nil {
		f.err = badRequest("Invalid input for field '%s': %v is not of type '%s'.", k, v, typ)
	}
}

func (f *fields) take(k string) (any, bool) {
	v, ok := f.m[k]
	delete(f.m, k)
	return v, ok
}

// str returns a string attribute; null gives "" when nullable.
func (f *fields) str(k string, nullable bool) *string {
	v, ok := f.take(k)
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

func (f *fields) boolean(k string) *bool {
	v, ok := f.take(k)
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

func (f *fields) object(k string) map[string]any {
	v, ok := f.take(k)
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

func (f *fields) strings(k string) *[]string {
	v, ok := f.take(k)
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

func (f *fields) integer(k string) *int64 {
	v, ok := f.take(k)
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

// extra returns what is left, dropping read-only attributes.
func (f *fields) extra() map[string]any {
	delete(f.m, "id")
	delete(f.m, "links")
	if len(f.m) == 0 {
		return nil
	}
	return f.m
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefBool(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// link is an entity's links object.
func link(r *http.Request, path string) map[string]any {
	return map[string]any{"self": httpapi.BaseURL(r) + "/v3/" + path}
}

// withExtra adds extra attributes to an entity without overriding the
// standard ones.
func withExtra(m, extra map[string]any) map[string]any {
	for k, v := range extra {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// writeList writes Keystone's collection document.
func writeList(w http.ResponseWriter, r *http.Request, key string, items []map[string]any) error {
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

func writeOne(w http.ResponseWriter, status int, key string, v any) error {
	return httpapi.WriteJSON(w, status, map[string]any{key: v})
}

// queryBool parses a boolean filter the way Keystone does: "0", "false",
// "no", "off" (any case) are false; anything else is true.
func queryBool(r *http.Request, k string) *bool {
	q := r.URL.Query()
	if !q.Has(k) {
		return nil
	}
	v := strings.ToLower(q.Get(k))
	b := !(v == "0" || v == "false" || v == "no" || v == "off" || v == "f" || v == "n")
	return &b
}

var stringOps = []string{"contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "equals", "iequals"}

// nameOps collects name__<op> filters.
func nameOps(r *http.Request, attr string) []identity.StringOp {
	var out []identity.StringOp
	q := r.URL.Query()
	for _, op := range stringOps {
		if q.Has(attr + "__" + op) {
			out = append(out, identity.StringOp{Op: op, Value: q.Get(attr + "__" + op)})
		}
	}
	return out
}

// timeOps parses password_expires_at=<op>:<timestamp>[,<op>:<timestamp>].
func timeOps(r *http.Request, attr string) ([]identity.TimeOp, error) {
	raw := r.URL.Query().Get(attr)
	if raw == "" {
		return nil, nil
	}
	var out []identity.TimeOp
	for _, part := range strings.Split(raw, ",") {
		op, ts, ok := strings.Cut(part, ":")
		if !ok {
			op, ts = "eq", part
		}
		switch op {
		case "lt", "lte", "gt", "gte", "eq", "neq":
		default:
			return nil, badRequest("Invalid input for filter '%s': unknown operator %q.", attr, op)
		}
		var t time.Time
		var err error
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"} {
			if t, err = time.Parse(layout, ts); err == nil {
				break
			}
		}
		if err != nil {
			return nil, badRequest("Invalid input for filter '%s': %q is not a timestamp.", attr, ts)
		}
		out = append(out, identity.TimeOp{Op: op, At: t.UTC()})
	}
	return out, nil
}

// keystoneTime formats a time as Keystone does in entities.
func keystoneTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

func creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

// target builds a policy target for one entity: target.<kind>.<attr>
// both nested and as flat keys, plus extra top-level keys.
func target(kind string, attrs map[string]any, top map[string]any) map[string]any {
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

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
