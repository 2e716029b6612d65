package api

import (
	"testing"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// TestRoutesNamePolicies checks that every route needing a token names
// the policy rule that guards it, and that each named rule has a default:
// the policy enforcer refuses a rule it does not know, so a route naming
// one without a default would be closed to everyone.
func TestRoutesNamePolicies(t *testing.T) {
	routes := New(&identity.Service{}, nil, "http://id", nil).Routes()
	if err := httpapi.CheckPolicies(routes); err != nil {
		t.Fatal(err)
	}
	defaults := identity.PolicyDefaults()
	for _, rt := range routes {
		if rt.Public || rt.Policy == httpapi.AnyUser {
			continue
		}
		if _, ok := defaults[rt.Policy]; !ok {
			t.Errorf("%s %s: rule %q has no default", rt.Method, rt.Pattern, rt.Policy)
		}
	}
}
