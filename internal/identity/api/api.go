// Package api is the HTTP face of the identity service: Keystone's v3
// API. routes.go is its one route table; faults.go writes Keystone's
// error body; the handlers are in one subpackage per part of the service,
// sharing Keystone's JSON conventions through api/keystone.
package api

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/identity"
	asgapi "github.com/gostack/gostack/internal/identity/api/assignment"
	authnapi "github.com/gostack/gostack/internal/identity/api/authn"
	catapi "github.com/gostack/gostack/internal/identity/api/catalog"
	credapi "github.com/gostack/gostack/internal/identity/api/credential"
	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	fedapi "github.com/gostack/gostack/internal/identity/api/federation"
	oauth1api "github.com/gostack/gostack/internal/identity/api/oauth1"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the identity API.
type Handler struct {
	api   *httpapi.API
	dir   *dirapi.Handler
	cat   *catapi.Handler
	cred  *credapi.Handler
	asg   *asgapi.Handler
	authn *authnapi.Handler
	fed   *fedapi.Handler
	ec2   *authnapi.EC2
	oauth *oauth1api.Handler
}

// New returns the identity API over svc. publicURL is the identity
// endpoint as clients reach it (http://host:5000), used in links and in
// WWW-Authenticate.
func New(svc *identity.Service, pol *policy.Enforcer, publicURL string, log *slog.Logger) *Handler {
	a := &httpapi.API{
		Service:   "identity",
		Faults:    faults{},
		Policy:    pol,
		Validator: validator{svc.Authn()},
		Log:       log,
		AuthURL:   publicURL + "/v3",
	}
	h := &Handler{
		api:   a,
		dir:   dirapi.New(svc.Directory()),
		cat:   catapi.New(svc.Catalog(), svc.Directory(), a),
		cred:  credapi.New(svc.Credentials(), a),
		asg:   asgapi.New(svc.Assignment(), svc.Directory()),
		oauth: oauth1api.New(svc.OAuth1(), publicURL),
	}
	h.authn = authnapi.New(svc.Authn(), svc.Trusts(), h.oauth, svc.Assignment(), svc.Directory(), a)
	h.fed = fedapi.New(svc.Federation(), svc.Authn(), h.authn.WriteIssued)
	h.ec2 = authnapi.NewEC2(h.authn, svc.Credentials())
	return h
}

// validator lets the identity API authenticate its own callers in-process.
type validator struct{ svc *authn.Service }

func (v validator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	return v.svc.ValidateToken(ctx, token)
}

// Mount adds the identity routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) { h.api.Mount(mux, h.Routes()) }

// Handler returns the identity API as one http.Handler.
func (h *Handler) Handler() http.Handler {
	mux := http.NewServeMux()
	h.Mount(mux)
	return h.jsonBodies(httpapi.StripTrailingSlash(h.api.WithFallback(mux)))
}

// notJSON is Keystone's ValidationError for a body that is not JSON.
func notJSON() error {
	return apierr.BadRequest("Expecting to find application/json in Content-Type header. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.")
}

// jsonBodies refuses a request body declared as anything but JSON before
// any route, token or policy check, as Keystone's json_body_before_request
// does: a body must come as application/json (or application/*+json).
// Unlike Keystone, a body without any Content-Type is let through, because
// clients (curl -d aside) send JSON that way and every handler decodes it
// as JSON anyway. OS-OAUTH2's token endpoint takes a form, as in Keystone.
// OS-OAUTH1's request and access token requests carry their parameters
// in the Authorization header and no body, so they pass as any bodiless
// request does; like Keystone, a form body there is refused.
func (h *Handler) jsonBodies(next http.Handler) http.Handler {
	refuse := h.api.Handler(func(http.ResponseWriter, *http.Request) error { return notJSON() })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if ct == "" || isJSON(ct) || strings.HasPrefix(r.URL.Path, "/v3/OS-OAUTH2/") || !hasBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		refuse.ServeHTTP(w, r)
	})
}

// isJSON reports whether a Content-Type names JSON, as werkzeug's
// Request.is_json decides.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// hasBody reports whether r carries at least one byte of body, leaving
// the body whole for the handler.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	if r.ContentLength > 0 {
		return true
	}
	br := bufio.NewReader(r.Body)
	_, err := br.Peek(1)
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return err == nil
}
