package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// TestRoutePolicies holds the route table to naming, on every route that
// needs a token, a rule of Placement's own policy: one the defaults
// define, so that an operator's placement.yaml governs the whole API.
func TestRoutePolicies(t *testing.T) {
	routes := plapi.New(nil, nil, nil, nil).Routes()
	if err := httpapi.CheckPolicies(routes); err != nil {
		t.Fatal(err)
	}
	defaults := placement.PolicyDefaults()
	for _, rt := range routes {
		if rt.Public {
			continue
		}
		if _, ok := defaults[rt.Policy]; !ok {
			t.Errorf("%s %s: rule %q is not among Placement's policy defaults", rt.Method, rt.Pattern, rt.Policy)
		}
	}
}
