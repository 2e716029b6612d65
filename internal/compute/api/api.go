// Package api is the HTTP face of the compute service: OpenStack Compute
// (Nova) v2.1 with microversions.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Microversion bounds. MaxVersion is the newest version whose changes to
// the resources served here are all implemented.
var (
	MinVersion = httpapi.Version{Major: 2, Minor: 1}
	MaxVersion = httpapi.Version{Major: 2, Minor: 92}
)

// Handler serves the compute API.
type Handler struct {
	svc *compute.Service
	api *httpapi.API
}

// New returns the compute API over svc; v validates X-Auth-Token.
func New(svc *compute.Service, pol *policy.Enforcer, v auth.Validator, log *slog.Logger) *Handler {
	h := &Handler{svc: svc}
	h.api = &httpapi.API{
		Service:   "compute",
		Faults:    faults{},
		Policy:    pol,
		Validator: v,
		Log:       log,
		Microversion: &httpapi.Negotiator{
			ServiceType:  "compute",
			LegacyHeader: "X-OpenStack-Nova-API-Version",
			Min:          MinVersion,
			Max:          MaxVersion,
		},
	}
	return h
}

// Mount adds the compute routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the compute API as one http.Handler. Both URL forms,
// /v2.1/... and /v2.1/{project_id}/..., are served: the project id is
// taken out of the path before routing.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	inner := httpapi.StripTrailingSlash(h.api.WithFallback(mux))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
			r = r.WithContext(context.WithValue(r.Context(), trailingSlashKey{}, true))
		}
		if p, rest, ok := splitProject(r.URL.Path); ok {
			r2 := r.Clone(context.WithValue(r.Context(), urlProjectKey{}, p))
			r2.URL.Path = rest
			r2.URL.RawPath = ""
			r = r2
		}
		inner.ServeHTTP(&computeIDWriter{ResponseWriter: w}, r)
	})
}

// computeIDWriter copies x-openstack-request-id to X-Compute-Request-Id,
// as Nova sends both.
type computeIDWriter struct {
	http.ResponseWriter
	done bool
}

func (w *computeIDWriter) fix() {
	if !w.done {
		w.done = true
		w.Header().Set("X-Compute-Request-Id", w.Header().Get("X-Openstack-Request-Id"))
		if w.Header().Get("X-Compute-Request-Id") == "" {
			w.Header().Del("X-Compute-Request-Id")
		}
	}
}

func (w *computeIDWriter) WriteHeader(code int) { w.fix(); w.ResponseWriter.WriteHeader(code) }
func (w *computeIDWriter) Write(b []byte) (int, error) {
	w.fix()
	return w.ResponseWriter.Write(b)
}
func (w *computeIDWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// collections are the first path segments after /v2.1 that are not a
// project id.
var collections = map[string]bool{
	"flavors": true, "os-keypairs": true, "os-availability-zone": true, "limits": true,
	"os-quota-sets": true, "os-quota-class-sets": true, "os-server-groups": true,
	"servers": true, "images": true, "os-hypervisors": true, "os-services": true,
	"os-aggregates": true, "os-simple-tenant-usage": true, "os-migrations": true,
	"os-instance-actions": true, "os-server-external-events": true, "os-console-auth-tokens": true,
	"extensions": true, "os-networks": true, "os-volumes": true, "os-snapshots": true,
	"os-floating-ips": true, "os-security-groups": true, "os-security-group-rules": true,
	"os-hosts": true, "os-assisted-volume-snapshots": true, "os-volumes_boot": true,
	"os-tenant-networks": true, "os-floating-ip-pools": true, "os-fping": true,
	"os-cells": true, "os-certificates": true, "os-cloudpipe": true, "os-fixed-ips": true,
	"os-floating-ips-bulk": true, "os-floating-ip-dns": true, "os-security-group-default-rules": true,
	"os-virtual-interfaces": true, "os-agents": true, "os-baremetal-nodes": true,
	"os-instance_usage_audit_log": true,
}

type urlProjectKey struct{}

// trailingSlashKey marks a request whose path ended in "/" before it was
// stripped: for Nova, ".../os-simple-tenant-usage/" names a member with an
// empty id, not the collection.
type trailingSlashKey struct{}

func trailingSlash(r *http.Request) bool {
	b, _ := r.Context().Value(trailingSlashKey{}).(bool)
	return b
}

func splitProject(path string) (project, rest string, ok bool) {
	tail, found := strings.CutPrefix(path, "/v2.1/")
	if !found {
		return "", "", false
	}
	seg, after, _ := strings.Cut(tail, "/")
	if seg == "" || collections[seg] {
		return "", "", false
	}
	if after == "" {
		return "", "", false
	}
	return seg, "/v2.1/" + after, true
}

// at reports whether the request's microversion is at least 2.minor.
func at(r *http.Request, minor int) bool {
	return httpapi.VersionFrom(r.Context()).AtLeast(httpapi.Version{Major: 2, Minor: minor})
}

// minorOf returns the minor number of the request's 2.x microversion.
func minorOf(r *http.Request) int { return httpapi.VersionFrom(r.Context()).Minor }

// v returns a window starting at 2.minor.
func v(minor int) httpapi.Window {
	return httpapi.Window{Min: httpapi.Version{Major: 2, Minor: minor}}
}

// upTo returns a window ending at 2.minor.
func upTo(minor int) httpapi.Window {
	return httpapi.Window{Max: httpapi.Version{Major: 2, Minor: minor}}
}

func creds(r *http.Request) *auth.Credentials {
	c, _ := auth.FromContext(r.Context())
	if c == nil {
		return &auth.Credentials{}
	}
	return c
}

func isAdmin(r *http.Request) bool {
	for _, role := range creds(r).Roles {
		if role == "admin" {
			return true
		}
	}
	return false
}

// authorize enforces rule with a target built by the handler (for rules
// whose target depends on the resource).
func (h *Handler) authorize(r *http.Request, rule string, target map[string]any) error {
	return h.api.Authorize(r, rule, func(*http.Request) (map[string]any, error) { return target, nil })
}

// ownProject is the target of routes acting on the caller's project.
func ownProject(r *http.Request) (map[string]any, error) {
	c := creds(r)
	return map[string]any{"project_id": c.ProjectID, "user_id": c.UserID}, nil
}

// tenantTarget targets the {tenant_id} of the path.
func tenantTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{"project_id": r.PathValue("tenant_id"), "user_id": r.URL.Query().Get("user_id")}, nil
}

func reply(w http.ResponseWriter, status int, body any) error {
	return httpapi.WriteJSON(w, status, body)
}

// decode reads a JSON body strictly, in Nova's words for schema errors.
func decode(r *http.Request, dst any) error {
	return novaWording(httpapi.Decode(r, dst, httpapi.DecodeOptions{Strict: true}))
}

// novaWording words a body that is not JSON at all as Nova does.
func novaWording(err error) error {
	var he *apierr.Error
	var syn *json.SyntaxError
	if errors.As(err, &he) && he.Code == http.StatusBadRequest && (errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF)) {
		he.Message = "Malformed request body"
	}
	return err
}

// decodeObject reads a body that must be {"<key>": {...}} into fields.
func decodeObject(r *http.Request, key string) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return nil, novaWording(err)
	}
	for k := range body {
		if k != key {
			return nil, badRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", key, k)
		}
	}
	raw, ok := body[key]
	if !ok {
		return nil, badRequest("Invalid input for field/attribute %s. '%s' is a required property", key, key)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", key, raw, raw)
	}
	return fields, nil
}

// links returns Nova's self and bookmark links for a resource.
func links(r *http.Request, collection, id string) []map[string]string {
	return baseOf(r).links(collection, id)
}

// caller is the compute.Caller of a request.
func caller(r *http.Request) compute.Caller {
	c := creds(r)
	return compute.Caller{
		UserID: c.UserID, ProjectID: c.ProjectID, Token: c.Token, Roles: c.Roles,
		RequestID: httpapi.RequestID(r.Context()), Admin: isAdmin(r),
	}
}

// can reports whether rule allows the caller on target, without failing.
func (h *Handler) can(r *http.Request, rule string, target map[string]any) bool {
	return h.authorize(r, rule, target) == nil
}

// strictQuery refuses query parameters other than allowed from 2.minor on,
// as Nova's query schemas do (2.75 for most lists).
func strictQuery(r *http.Request, minor int, allowed ...string) error {
	if !at(r, minor) {
		return nil
	}
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			return badRequest("Invalid input for query parameters %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", k, r.URL.Query().Get(k), k)
		}
	}
	return nil
}
