// Package api is the HTTP face of the placement service: OpenStack
// Placement 1.0 to 1.39. routes.go is the one route table (path,
// microversion window, policy rule, handler); the handlers, one file per
// resource, decode strictly, call the Service (or candidates.List) and
// render Placement's JSON at the request's microversion; package fault
// writes errors as Placement does.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/api/fault"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// The microversions served: 1.minMinor to 1.maxMinor.
const (
	minMinor = 0
	maxMinor = 39
)

// Handler serves the placement API.
type Handler struct {
	svc *placement.Service
	api *httpapi.API
}

// New returns the placement API over svc; v validates X-Auth-Token.
func New(svc *placement.Service, pol *policy.Enforcer, v auth.Validator, log *slog.Logger) *Handler {
	h := &Handler{svc: svc}
	h.api = &httpapi.API{
		Service:    "placement",
		Faults:     fault.Writer{},
		NotAllowed: fault.NotAllowed,
		Policy:     pol,
		Validator:  v,
		Log:        log,
		Microversion: &httpapi.Negotiator{
			ServiceType: "placement",
			Min:         httpapi.Version{Major: 1, Minor: minMinor},
			Max:         httpapi.Version{Major: 1, Minor: maxMinor},
			Refusal:     fault.Refusal,
			Vary:        "openstack-api-version",
		},
	}
	return h
}

// Mount adds the placement routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the placement API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	return httpapi.StripTrailingSlash(h.api.WithFallback(mux))
}

// at reports whether the request's microversion is at least 1.minor.
func at(r *http.Request, minor int) bool {
	return httpapi.VersionFrom(r.Context()).AtLeast(httpapi.Version{Major: 1, Minor: minor})
}

// minorOf is the request's microversion 1.minor.
func minorOf(r *http.Request) int { return httpapi.VersionFrom(r.Context()).Minor }

// v returns a window starting at 1.minor.
func v(minor int) httpapi.Window {
	return httpapi.Window{Min: httpapi.Version{Major: 1, Minor: minor}}
}

// reply writes a JSON body; from 1.15 with Placement's caching headers.
func reply(w http.ResponseWriter, r *http.Request, status int, body any, modified time.Time) error {
	cacheHeaders(w, r, modified)
	return httpapi.WriteJSON(w, status, body)
}

func cacheHeaders(w http.ResponseWriter, r *http.Request, modified time.Time) {
	if !at(r, 15) {
		return
	}
	if modified.IsZero() {
		modified = time.Now()
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
}

// decode reads a JSON body strictly, worded as Placement's schema
// errors are (schema.Decode).
func decode(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return schema.Decode(body, dst)
}

// location sets the Location header to path under the URL the client
// addressed: webob makes Placement's absolute.
func location(w http.ResponseWriter, r *http.Request, path string) {
	w.Header().Set("Location", httpapi.BaseURL(r)+path)
}
