package api

import (
	"testing"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestRoutesNamePolicies checks that every route needing a token names
// the policy rule that guards it, and that each named rule has a default.
func TestRoutesNamePolicies(t *testing.T) {
	apitest.CheckRoutes(t, New(&identity.Service{}, nil, "http://id", nil).Routes(), identity.PolicyDefaults())
}
