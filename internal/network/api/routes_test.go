package api

import (
	"testing"

	"github.com/gostack/gostack/internal/network/policies"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Every token route names a rule, and every rule named has a default.
func TestRoutesNamePolicies(t *testing.T) {
	h := &Handler{}
	routes := h.Routes()
	if err := httpapi.CheckPolicies(routes); err != nil {
		t.Fatal(err)
	}
	defs := policies.Defaults()
	for _, rt := range routes {
		if rt.Public || rt.Policy == httpapi.AnyUser {
			continue
		}
		if _, ok := defs[rt.Policy]; !ok {
			t.Errorf("%s %s: rule %q has no default", rt.Method, rt.Pattern, rt.Policy)
		}
		for _, a := range rt.Actions {
			if _, ok := defs[a.Policy]; !ok {
				t.Errorf("%s %s action %s: rule %q has no default", rt.Method, rt.Pattern, a.Name, a.Policy)
			}
		}
	}
}
