// Package api is the HTTP face of the compute service: OpenStack Compute
// (Nova) v2.1 with microversions. routes.go is its one route table: each
// route's method, path, microversion window, policy rule (one per action
// on POST .../action routes) and handler. The handlers live in one
// package per resource (api/servers, api/actions, api/flavors,
// api/keypairs, api/groups, api/quotas, api/hosts, api/images,
// api/usage) over what they share in api/wire; faults.go writes Nova's
// error body.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/actions"
	apiactions "github.com/gostack/gostack/internal/compute/api/actions"
	apiflavors "github.com/gostack/gostack/internal/compute/api/flavors"
	apigroups "github.com/gostack/gostack/internal/compute/api/groups"
	apihosts "github.com/gostack/gostack/internal/compute/api/hosts"
	apiimages "github.com/gostack/gostack/internal/compute/api/images"
	apikeypairs "github.com/gostack/gostack/internal/compute/api/keypairs"
	apiquotas "github.com/gostack/gostack/internal/compute/api/quotas"
	apiservers "github.com/gostack/gostack/internal/compute/api/servers"
	apiusage "github.com/gostack/gostack/internal/compute/api/usage"
	"github.com/gostack/gostack/internal/compute/api/volproxy"
	apivolumes "github.com/gostack/gostack/internal/compute/api/volumes"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/flavors"
	"github.com/gostack/gostack/internal/compute/groups"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/images"
	"github.com/gostack/gostack/internal/compute/keypairs"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/compute/usage"
	"github.com/gostack/gostack/internal/compute/volumes"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// unexpected is what Nova says of any error it did not expect (a 500):
// the cause goes to the log only.
const unexpected = "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible."

// Microversion bounds. MaxVersion is the newest version whose changes to
// the resources served here are all implemented.
var (
	MinVersion = httpapi.Version{Major: 2, Minor: 1}
	MaxVersion = httpapi.Version{Major: 2, Minor: 92}
)

// Handler serves the compute API: the route table over the handlers of
// each resource, which call compute's use cases (as each of Nova's
// controllers holds the compute API it calls).
type Handler struct {
	api      *httpapi.API
	servers  *apiservers.Handler
	actions  *apiactions.Handler
	flavors  *apiflavors.Handler
	keypairs *apikeypairs.Handler
	groups   *apigroups.Handler
	quotas   *apiquotas.Handler
	hosts    *apihosts.Handler
	images   *apiimages.Handler
	usage    *apiusage.Handler
	volumes  *apivolumes.Handler
	volproxy *volproxy.Handler
}

// Options are what the compute API is built from.
type Options struct {
	Config compute.Config
	// Store is compute's store, already migrated.
	Store compute.Store
	// Deps are the conductor, the image service and the heartbeats.
	Deps compute.Deps
	// Policy holds Nova's rules (policies.Defaults and the operator's
	// overrides).
	Policy *policy.Enforcer
	// Validator validates X-Auth-Token.
	Validator auth.Validator
	Log       *slog.Logger
}

// New returns the compute API.
func New(o Options) (*Handler, error) {
	q, err := quotas.New(o.Config, o.Store)
	if err != nil {
		return nil, err
	}
	fl := flavors.New(o.Store)
	hs := hosts.New(o.Config, o.Store, o.Deps)
	sv := servers.New(o.Store, o.Deps, q, fl, hs)
	ac := actions.New(o.Store, o.Deps, q, fl, hs)
	us := usage.New(o.Store, o.Deps)
	h := &Handler{api: &httpapi.API{
		Service: "compute",
		Faults:  httpapi.KeyedFaults{Internal: unexpected},
		// Nova's words for a refused rule.
		PolicyMessage: "Policy doesn't allow %s to be performed.",
		Policy:        o.Policy,
		Validator:     o.Validator,
		Log:           o.Log,
		Microversion: &httpapi.Negotiator{
			ServiceType:  "compute",
			LegacyHeader: "X-OpenStack-Nova-API-Version",
			Min:          MinVersion,
			Max:          MaxVersion,
		},
	}}
	rules := wire.NewRules(h.api)
	h.servers = apiservers.New(rules, sv, ac, hs)
	h.actions = apiactions.New(rules, ac, sv, h.servers)
	h.flavors = apiflavors.New(rules, fl)
	h.keypairs = apikeypairs.New(rules, keypairs.New(o.Store, q))
	h.groups = apigroups.New(rules, groups.New(o.Store, q), hs)
	h.quotas = apiquotas.New(rules, q)
	h.hosts = apihosts.New(rules, hs, us)
	h.images = apiimages.New(rules, images.New(o.Deps, q))
	h.usage = apiusage.New(rules, us)
	h.volumes = apivolumes.New(rules, volumes.New(o.Store, o.Deps), h.servers.Target)
	h.volproxy = volproxy.New(rules, o.Deps.Volumes)
	return h, nil
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
			r = r.WithContext(context.WithValue(r.Context(), wire.TrailingSlashKey{}, true))
		}
		if p, rest, ok := splitProject(r.URL.Path); ok {
			r2 := r.Clone(context.WithValue(r.Context(), wire.URLProjectKey{}, p))
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

// v returns a window starting at 2.minor.
func v(minor int) httpapi.Window {
	return httpapi.Window{Min: httpapi.Version{Major: 2, Minor: minor}}
}

// upTo returns a window ending at 2.minor.
func upTo(minor int) httpapi.Window {
	return httpapi.Window{Max: httpapi.Version{Major: 2, Minor: minor}}
}
