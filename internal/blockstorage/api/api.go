// Package api is the HTTP face of the block storage service: Cinder's v3
// API. routes.go is the one route table (method, path, microversion
// window, policy rule, handler); handlers live in a package per area and
// share wire; faults.go writes Cinder's error body. Every path is served
// with and without the project id after /v3 (project-less URLs are
// 3.67's, and clients of any version use both).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// unexpected is Cinder's sentence for an error it did not expect (a 500);
// its error body is otherwise Nova's, {"itemNotFound": {"code": 404,
// "message": "..."}}.
const unexpected = "The server has either erred or is incapable of performing the requested operation."

// Handler serves the block storage API.
type Handler struct {
	wire.Ctx
	api *httpapi.API
}

// New returns the API over svc; v validates X-Auth-Token.
func New(svc *blockstorage.Service, pol *policy.Enforcer, v auth.Validator, log *slog.Logger) *Handler {
	h := &Handler{Ctx: wire.Ctx{Svc: svc, Policy: pol}}
	h.api = &httpapi.API{
		Service:       "volume",
		Faults:        httpapi.KeyedFaults{Internal: unexpected},
		Policy:        pol,
		Validator:     v,
		Log:           log,
		PolicyMessage: "Policy doesn't allow %s to be performed.",
		Microversion:  &httpapi.Negotiator{ServiceType: "volume", Min: MinVersion, Max: MaxVersion},
	}
	return h
}

// Handler returns the API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.api.Mount(mux, h.Routes())
	return projectless(noEmptyID(httpapi.StripTrailingSlash(h.api.WithFallback(mux))))
}

// noEmptyID answers 404 for a resource path with a trailing slash
// ("/v3/volumes/": an item route whose id is empty), as Cinder's router
// does, instead of serving the collection; "/" and "/v3/" are the
// version documents.
func noEmptyID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) > 1 && strings.HasSuffix(p, "/") && p != "/v3/" {
			httpapi.KeyedFaults{Internal: unexpected}.Write(w, r, apierr.NotFound("The resource could not be found."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// collections are the first path elements after /v3 that name a
// resource: anything else there is a project id.
var collections = map[string]bool{
	"volumes": true, "types": true, "snapshots": true, "backups": true, "attachments": true,
	"os-volume-transfer": true, "volume-transfers": true, "os-availability-zone": true,
	"scheduler-stats": true, "capabilities": true, "os-services": true, "os-hosts": true, "limits": true,
	"messages": true, "resource_filters": true, "qos-specs": true, "os-quota-sets": true,
	"os-quota-class-sets": true, "extensions": true, "groups": true, "group_types": true,
	"group_snapshots": true, "default-types": true, "manageable_volumes": true, "manageable_snapshots": true,
	"clusters": true, "consistencygroups": true, "cgsnapshots": true, "workers": true,
	"os-volume-manage": true, "os-snapshot-manage": true,
}

type urlProjectKey struct{}

// URLProject returns the project id the request's URL named, if any.
func URLProject(ctx context.Context) string {
	p, _ := ctx.Value(urlProjectKey{}).(string)
	return p
}

// projectless serves /v3/{project_id}/x as /v3/x, keeping the project
// id of the URL in the context.
func projectless(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/v3/")
		if ok {
			first, tail, _ := strings.Cut(rest, "/")
			if first != "" && !collections[first] && tail != "" {
				r2 := r.Clone(context.WithValue(r.Context(), urlProjectKey{}, first))
				r2.URL.Path = "/v3/" + tail
				r2.URL.RawPath = ""
				next.ServeHTTP(w, r2)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
