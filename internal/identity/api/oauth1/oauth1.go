// Package oauth1 answers OS-OAUTH1's delegation flow, which gostack does
// not implement: every endpoint of it (request token, authorize, access
// token, a user's access tokens and their roles) is a 404 that names the
// endpoint and says so. OAuth1 consumers, which Keystone keeps in the
// same extension, are served by api/credential.
//
// Why not the flow: it would need a token kind of its own (Keystone's
// OAuth-scoped payload) in identity/authn, whose consumers are rare; no
// OpenStack service and few clients use it. See the package's route
// section in api/routes.go.
package oauth1

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Unsupported returns the handler of one OS-OAUTH1 delegation endpoint,
// named in its answer.
func Unsupported(endpoint string) func(http.ResponseWriter, *http.Request) error {
	return func(http.ResponseWriter, *http.Request) error {
		return apierr.NotFound("Could not find %s: gostack does not implement the OS-OAUTH1 delegation flow "+
			"(request tokens, their authorization, access tokens and the oauth1 auth method); only OAuth1 consumers are served.", endpoint)
	}
}
