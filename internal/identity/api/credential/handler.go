// Package credential is the HTTP face of credentials (/v3/credentials and
// OS-EC2), policy blobs (/v3/policies) and OAuth1 consumers (their
// delegation flow is api/oauth1's).
package credential

import (
	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the credentials' routes.
type Handler struct {
	svc *credential.Service
	// api evaluates identity:get_credential on each credential a list
	// shows and identity:update_credential on an update's new owner.
	api *httpapi.API
}

// New returns the credentials' handlers.
func New(svc *credential.Service, api *httpapi.API) *Handler { return &Handler{svc: svc, api: api} }
