// Package authn is the HTTP face of authentication: POST/GET/HEAD/DELETE
// /v3/auth/tokens, the /v3/auth/{catalog,projects,domains,system}
// listings of the caller's token, application credentials with their
// access rules, OS-TRUST trusts, and the EC2 and S3 signature checks
// (/v3/ec2tokens, /v3/s3tokens).
package authn

import (
	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the authentication routes.
type Handler struct {
	svc *authn.Service
	asg *assignment.Service
	dir *directory.Service
	// api evaluates the trust listing rules, which depend on the query.
	api *httpapi.API
}

// New returns the authentication handlers.
func New(svc *authn.Service, asg *assignment.Service, dir *directory.Service, api *httpapi.API) *Handler {
	return &Handler{svc: svc, asg: asg, dir: dir, api: api}
}
