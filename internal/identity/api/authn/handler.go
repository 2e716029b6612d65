// Package authn is the HTTP face of authentication: POST/GET/HEAD/DELETE
// /v3/auth/tokens, the /v3/auth/{catalog,projects,domains,system}
// listings of the caller's token, application credentials with their
// access rules, OS-TRUST trusts, the EC2 and S3 signature checks
// (/v3/ec2tokens, /v3/s3tokens), and the oauth1 auth method (whose
// signature api/oauth1 checks).
package authn

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/identity/trust"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the authentication routes.
type Handler struct {
	svc    *authn.Service
	trusts *trust.Service
	oauth  OAuth1
	asg    *assignment.Service
	dir    *directory.Service
	// api evaluates the trust listing rules, which depend on the query.
	api *httpapi.API
}

// OAuth1 checks the request of the oauth1 auth method (api/oauth1).
type OAuth1 interface {
	Authenticate(r *http.Request) (*oauth1.AccessToken, error)
}

// New returns the authentication handlers.
func New(svc *authn.Service, trusts *trust.Service, oauth OAuth1, asg *assignment.Service, dir *directory.Service, api *httpapi.API) *Handler {
	return &Handler{svc: svc, trusts: trusts, oauth: oauth, asg: asg, dir: dir, api: api}
}
