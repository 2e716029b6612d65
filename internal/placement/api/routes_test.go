package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestRoutePolicies holds the route table to naming, on every route that
// needs a token, a rule of Placement's own policy: one the defaults
// define, so that an operator's placement.yaml governs the whole API.
// Placement has a rule for every route, so none may be open to any user.
func TestRoutePolicies(t *testing.T) {
	routes := plapi.New(nil, nil, nil, nil).Routes()
	apitest.CheckRoutes(t, routes, placement.PolicyDefaults())
	for _, rt := range routes {
		if rt.Policy == httpapi.AnyUser {
			t.Errorf("%s %s: open to any user; Placement names a rule for every route", rt.Method, rt.Pattern)
		}
	}
}
