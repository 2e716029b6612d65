package authn

import (
	"testing"

	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// FuzzAuthRequest feeds arbitrary bodies to the decoding and checks of
// POST /v3/auth/tokens: they must answer, never panic.
func FuzzAuthRequest(f *testing.F) {
	f.Add([]byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"x","password":"y"}}},"scope":{"project":{"name":"p","domain":{"id":"d"}}}}}`))
	f.Add([]byte(`{"auth":{"identity":{"methods":["token"],"token":{"id":"t"}},"scope":"unscoped"}}`))
	f.Add([]byte(`{"auth":{"identity":{"methods":[]},"scope":{"system":{"all":true}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req authn.AuthRequest
		if httpapi.DecodeBytes(b, &req, false) == nil {
			checkAuthRequest(&req)
		}
	})
}
