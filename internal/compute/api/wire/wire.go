// Package wire holds what every handler of the compute API shares: how
// Nova reads a request (strict JSON with the wording of Nova's JSON-schema
// errors, field by field; microversions; the project in the URL; the
// caller, and the policy checks a handler makes beyond its route's rule)
// and how it writes a reply (JSON, self and bookmark links, Nova's time
// formats).
package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Nova's time formats: created/updated are isotime (seconds, Z); other
// timestamps are Python's datetime.isoformat() of a naive UTC time.
const (
	ISOTime   = "2006-01-02T15:04:05Z"
	MicroTime = "2006-01-02T15:04:05.000000"
)

// At reports whether the request's microversion is at least 2.minor.
func At(r *http.Request, minor int) bool {
	return httpapi.VersionFrom(r.Context()).AtLeast(httpapi.Version{Major: 2, Minor: minor})
}

// Minor returns the minor number of the request's 2.x microversion.
func Minor(r *http.Request) int { return httpapi.VersionFrom(r.Context()).Minor }

func Creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

// OwnProject is the target of routes acting on the caller's project.
func OwnProject(r *http.Request) (map[string]any, error) {
	c := Creds(r)
	return map[string]any{"project_id": c.ProjectID, "user_id": c.UserID}, nil
}

// TenantTarget targets the {tenant_id} of the path.
func TenantTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{"project_id": r.PathValue("tenant_id"), "user_id": r.URL.Query().Get("user_id")}, nil
}

func Reply(w http.ResponseWriter, status int, body any) error {
	return httpapi.WriteJSON(w, status, body)
}

// Decode reads a JSON body strictly, in Nova's words for schema errors.
func Decode(r *http.Request, dst any) error {
	return NovaWording(httpapi.Decode(r, dst, httpapi.DecodeOptions{Strict: true}))
}

// NovaWording words a body that is not JSON at all as Nova does.
func NovaWording(err error) error {
	var he *apierr.Error
	var syn *json.SyntaxError
	if errors.As(err, &he) && he.Code == http.StatusBadRequest && (errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF)) {
		he.Message = "Malformed request body"
	}
	return err
}

// DecodeObject reads a body that must be {"<key>": {...}} into fields.
func DecodeObject(r *http.Request, key string) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return nil, NovaWording(err)
	}
	for k := range body {
		if k != key {
			return nil, BadRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", key, k)
		}
	}
	raw, ok := body[key]
	if !ok {
		return nil, BadRequest("Invalid input for field/attribute %s. '%s' is a required property", key, key)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", key, raw, raw)
	}
	return fields, nil
}

// Links returns Nova's self and bookmark links for a resource.
func Links(r *http.Request, collection, id string) []map[string]string {
	return BaseOf(r).Links(collection, id)
}

// StrictQuery refuses query parameters other than allowed from 2.minor on,
// as Nova's query schemas do (2.75 for most lists).
func StrictQuery(r *http.Request, minor int, allowed ...string) error {
	if !At(r, minor) {
		return nil
	}
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			return BadRequest("Invalid input for query parameters %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", k, r.URL.Query().Get(k), k)
		}
	}
	return nil
}

type URLProjectKey struct{}

// TrailingSlashKey marks a request whose path ended in "/" before it was
// stripped: for Nova, ".../os-simple-tenant-usage/" names a member with an
// empty id, not the collection.
type TrailingSlashKey struct{}

func TrailingSlash(r *http.Request) bool {
	b, _ := r.Context().Value(TrailingSlashKey{}).(bool)
	return b
}

func BadRequest(format string, args ...any) error {
	return apierr.New(http.StatusBadRequest, format, args...)
}

// LinkBase is what links are built from: the request's scheme and host,
// and the project id when the URL carried one.
type LinkBase struct {
	Base    string // scheme://host
	Project string // "" or the URL's project id
}

func BaseOf(r *http.Request) LinkBase {
	p, _ := r.Context().Value(URLProjectKey{}).(string)
	return LinkBase{Base: httpapi.BaseURL(r), Project: p}
}

func (b LinkBase) Self(path string) string {
	if b.Project != "" {
		return b.Base + "/v2.1/" + b.Project + "/" + path
	}
	return b.Base + "/v2.1/" + path
}

func (b LinkBase) Bookmark(path string) string {
	if b.Project != "" {
		return b.Base + "/" + b.Project + "/" + path
	}
	return b.Base + "/" + path
}

// Links returns Nova's self and bookmark links for collection/id.
func (b LinkBase) Links(collection, id string) []map[string]string {
	p := collection + "/" + id
	return []map[string]string{{"rel": "self", "href": b.Self(p)}, {"rel": "bookmark", "href": b.Bookmark(p)}}
}

func NilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TimeOrNil(t *time.Time, layout string) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC().Format(layout)
}

// Object reads an action value that must be an object of allowed fields
// with the required ones.
func Object(action string, raw json.RawMessage, allowed []string, req ...string) (map[string]json.RawMessage, error) {
	m, err := ObjectField(action, raw, false)
	if err != nil {
		return nil, err
	}
	if err := OnlyFields(action, m, allowed); err != nil {
		return nil, err
	}
	if err := Required(action, m, req...); err != nil {
		return nil, err
	}
	return m, nil
}

// NullOrObject reads an action value that may be null (nil) or an
// Object limited to allowed fields.
func NullOrObject(action string, raw json.RawMessage, allowed []string) (map[string]json.RawMessage, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	m, err := ObjectField(action, raw, false)
	if err != nil {
		return nil, InvalidField(action, raw, string(raw)+" is not of type 'object', 'null'")
	}
	if err := OnlyFields(action, m, allowed); err != nil {
		return nil, err
	}
	return m, nil
}

func NotFoundResource() error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "The resource could not be found."}
}

// NetworkUnavailable is the answer to actions that need a network service.
func NetworkUnavailable() error {
	return BadRequest("The network service is not available in this cloud yet.")
}

// ReadBody reads a request body of at most httpapi.MaxBodyBytes.
func ReadBody(r *http.Request) ([]byte, error) {
	var raw json.RawMessage
	if err := httpapi.Decode(r, &raw, httpapi.DecodeOptions{}); err != nil {
		return nil, NovaWording(err)
	}
	return raw, nil
}

// BDMInt reads an integer given as a number or a string of digits (or
// null, when nullOK).
func BDMInt(field string, raw json.RawMessage) (*int, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		v, err := strconv.Atoi(n.String())
		if err != nil {
			return nil, InvalidField(field, raw, string(raw)+" is not of type 'integer'")
		}
		return &v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, InvalidField(field, raw, string(raw)+" is not of type 'integer', 'string', 'null'")
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return nil, InvalidField(field, raw, strconv.Quote(s)+" does not match '^-?[0-9]+$'")
	}
	return &v, nil
}

func Keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// NovaBool reads Nova's parameter_types.boolean: a JSON boolean or one of
// the strings true/false, 1/0, on/off, yes/no (as Nova spells them).
func NovaBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, err
	}
	switch s {
	case "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes":
		return true, nil
	case "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// NovaBoolString is oslo's bool_from_string: true for 1/t/true/on/y/yes.
func NovaBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

// MetadataBody reads {"metadata": {...}}.
func MetadataBody(r *http.Request, key string) (map[string]string, error) {
	raw, err := Only(r, key)
	if err != nil {
		return nil, err
	}
	return MetadataField(key, raw)
}

// MetaItemBody reads a PUT .../metadata/{key} body: {"meta": {key: value}}
// with exactly one item, whose key is the URL's.
func MetaItemBody(r *http.Request) (map[string]string, error) {
	raw, err := Only(r, "meta")
	if err != nil {
		return nil, err
	}
	fields, err := ObjectField("meta", raw, false)
	if err != nil {
		return nil, err
	}
	if len(fields) != 1 {
		if len(fields) == 0 {
			return nil, InvalidField("meta", raw, "{} does not have enough properties")
		}
		return nil, InvalidField("meta", raw, "has too many properties")
	}
	md, err := MetadataField("meta", raw)
	if err != nil {
		return nil, err
	}
	if _, ok := md[r.PathValue("key")]; !ok {
		return nil, BadRequest("Request body and URI mismatch")
	}
	return md, nil
}

// Rules evaluates Nova's policy rules inside handlers: the checks whose
// need or target depends on what the request asks for (a forced host, an
// all_tenants listing, another user's keypair), beyond the rule the route
// table names.
type Rules struct{ api *httpapi.API }

// NewRules returns the rules a's policy enforcer holds.
func NewRules(a *httpapi.API) *Rules { return &Rules{api: a} }

// Authorize enforces rule on target: nil, or the 403 (401) to answer.
func (p *Rules) Authorize(r *http.Request, rule string, target map[string]any) error {
	return p.api.Authorize(r, rule, func(*http.Request) (map[string]any, error) { return target, nil })
}

// Can reports whether rule allows the caller on target.
func (p *Rules) Can(r *http.Request, rule string, target map[string]any) bool {
	return p.Authorize(r, rule, target) == nil
}

// IsAdmin is Nova's context.is_admin: whether the caller passes
// context_is_admin (the admin role by default).
func (p *Rules) IsAdmin(r *http.Request) bool {
	own, _ := OwnProject(r)
	return p.Can(r, policies.IsAdmin, own)
}

// Caller is the compute.Caller of a request. Its Authorize evaluates a
// rule on the caller's own project, for the checks Nova makes deep in a
// use case.
func (p *Rules) Caller(r *http.Request) compute.Caller {
	c := Creds(r)
	own, _ := OwnProject(r)
	return compute.Caller{
		UserID: c.UserID, ProjectID: c.ProjectID, Token: c.Token, Roles: c.Roles,
		RequestID: httpapi.RequestID(r.Context()), Admin: p.IsAdmin(r),
		Authorize: func(rule string) bool { return p.Can(r, rule, own) },
	}
}

// ParseTime reads Nova's ISO 8601 query times.
func ParseTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// HostID is Nova's hostId: sha224 of project id and host, "" without host.
func HostID(project, host string) string {
	if host == "" {
		return ""
	}
	sum := sha256.Sum224([]byte(project + host))
	return hex.EncodeToString(sum[:])
}

func Personality(raw json.RawMessage) ([]servers.InjectedFile, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, InvalidField("personality", raw, string(raw)+" is not of type 'array'")
	}
	var out []servers.InjectedFile
	for _, it := range items {
		m, err := ObjectField("personality", it, false)
		if err != nil {
			return nil, err
		}
		if err := OnlyFields("personality", m, []string{"path", "contents"}); err != nil {
			return nil, err
		}
		var f servers.InjectedFile
		if raw, ok := m["path"]; ok {
			if f.Path, err = StringField("path", raw); err != nil {
				return nil, err
			}
		}
		if raw, ok := m["contents"]; ok {
			if f.Contents, err = Base64Field("contents", raw, 0); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// Peek runs read on r's body and puts the body back for the next reader:
// a policy target that depends on what the body asks for reads it before
// the handler does.
func Peek(r *http.Request, read func(*http.Request) error) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return apierr.BadRequest("Could not read the request body.").WithCause(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	defer func() { r.Body = io.NopCloser(bytes.NewReader(b)) }()
	return read(r)
}

// Only reads a body that must be {"<key>": <value>} and returns the
// value, worded as Nova's schema words a body that is not one or has
// other keys.
func Only(r *http.Request, key string) (json.RawMessage, error) {
	body, err := ReadBody(r)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, BadRequest("Malformed request body")
	}
	if err := OnlyFields(key, top, []string{key}); err != nil {
		return nil, err
	}
	if err := Required(key, top, key); err != nil {
		return nil, err
	}
	return top[key], nil
}

// NoSuchAction answers an action that a POST .../action route's table
// does not have, as Nova does.
func NoSuchAction(w http.ResponseWriter, r *http.Request) error {
	name, err := httpapi.ActionName(r)
	if err != nil {
		return err
	}
	return BadRequest("There is no such action: %s", name)
}
