// Package wire is what every handler of the block storage API shares:
// the caller's scope and microversion, Cinder's request envelopes
// ({"volume": {...}}) decoded leniently as Cinder does, its list
// conventions (sort, limit, marker, offset, with_count, <plural>_links),
// its renderings (times, null for empty strings, boolean strings) and
// its 202 answers, os-reset_status among them.
package wire

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Ctx is what handlers share: the service and the policy.
type Ctx struct {
	Svc    *blockstorage.Service
	Policy *policy.Enforcer
}

// Item is one rendered resource.
type Item = map[string]any

// Creds returns the caller's credentials.
func Creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

// Scope is the caller's visibility: its project, and admin when the
// policy's context_is_admin rule says so.
func (c *Ctx) Scope(r *http.Request) blockstorage.Scope {
	cr := Creds(r)
	return blockstorage.Scope{ProjectID: cr.ProjectID, UserID: cr.UserID,
		Admin: c.Policy.Enforce("context_is_admin", map[string]any{}, cr.PolicyValues())}
}

// Allowed reports whether rule passes for the caller on target.
func (c *Ctx) Allowed(r *http.Request, rule string, target Item) bool {
	return c.Policy.Enforce(rule, target, Creds(r).PolicyValues())
}

// Forbidden is Cinder's 403 for a rule.
func Forbidden(rule string) error {
	return apierr.Forbidden("Policy doesn't allow %s to be performed.", rule)
}

// Version is the request's negotiated microversion.
func Version(r *http.Request) httpapi.Version { return httpapi.VersionFrom(r.Context()) }

// AtLeast reports whether the request's microversion is at least 3.minor.
func AtLeast(r *http.Request, minor int) bool {
	return Version(r).AtLeast(httpapi.Version{Major: 3, Minor: minor})
}

// Body reads the request's envelope {key: {...}} into dst. A body that is
// not JSON, or lacks key, is Cinder's 400 "Missing required element
// '<key>' in request body."; unknown attributes are ignored, as Cinder's
// pre-schema handlers do, unless dst's decoding refuses them.
func Body(r *http.Request, key string, dst any) error {
	var top map[string]json.RawMessage
	if err := httpapi.Decode(r, &top, httpapi.DecodeOptions{}); err != nil {
		return apierr.BadRequest("Malformed request body")
	}
	raw, ok := top[key]
	if !ok || string(raw) == "null" {
		return apierr.BadRequest("Missing required element '%s' in request body.", key)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return apierr.BadRequest("Invalid input received: %s", describe(err))
	}
	return nil
}

func describe(err error) string {
	var te *json.UnmarshalTypeError
	if e, ok := err.(*json.UnmarshalTypeError); ok {
		te = e
		return "'" + te.Field + "' is not a valid " + te.Type.String()
	}
	return err.Error()
}

// Reply writes {key: item} with status.
func Reply(w http.ResponseWriter, status int, key string, item any) error {
	return httpapi.WriteJSON(w, status, map[string]any{key: item})
}

// Bool reads Cinder's boolean strings ("true", "True", "1", "yes", "on").
func Bool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y", "on", "t":
		return true, true
	case "false", "0", "no", "n", "off", "f":
		return false, true
	}
	return false, false
}

// AllTenants reports whether the request asks for every project's
// resources (all_tenants=1); only an admin gets them.
func AllTenants(r *http.Request, sc blockstorage.Scope) bool {
	v, ok := r.URL.Query()["all_tenants"]
	if !ok || !sc.Admin {
		return false
	}
	if len(v) == 0 || v[0] == "" {
		return true
	}
	b, ok := Bool(v[0])
	return b || !ok
}

// Int reads an integer attribute that Cinder accepts as a number or a
// numeric string ("size": "1").
func Int(raw json.RawMessage, name string) (int, error) {
	var n json.Number
	s := strings.Trim(string(raw), `"`)
	n = json.Number(s)
	i, err := strconv.Atoi(n.String())
	if err != nil {
		return 0, apierr.BadRequest("Invalid input received: %s must be an integer.", name)
	}
	return i, nil
}
