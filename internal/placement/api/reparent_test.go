package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestProviderParenting follows Placement's resource-provider.yaml: a
// parent may be set on a root provider from 1.14, changed or removed
// ("parent_provider_uuid": null) only from 1.37, never into a loop; the
// subtree of a moved provider follows it to its new root.
func TestProviderParenting(t *testing.T) {
	const (
		parent = "b0000000-0000-0000-0000-000000000001"
		alt    = "b0000000-0000-0000-0000-000000000002"
		child  = "b0000000-0000-0000-0000-000000000003"
		grand  = "b0000000-0000-0000-0000-000000000004"
	)
	srv := setup(t)
	put := func(name, version, body string, status int, contains ...string) apitest.Step {
		return apitest.Step{Name: name, Version: version, Method: "PUT", Path: "/resource_providers/" + child, Body: body, Status: status, Contains: contains}
	}
	srv.Run(t, []apitest.Step{
		{Name: "parent", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"parent","uuid":"` + parent + `"}`, Status: 200},
		{Name: "alt", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"alt","uuid":"` + alt + `"}`, Status: 200},
		{Name: "null parent before 1.14", Version: "1.13", Method: "POST", Path: "/resource_providers", Body: `{"name":"child","uuid":"` + child + `","parent_provider_uuid":null}`, Status: 400,
			Contains: []string{"JSON does not validate", "'parent_provider_uuid' was unexpected"}},
		{Name: "null parent at 1.14", Version: "1.14", Method: "POST", Path: "/resource_providers", Body: `{"name":"child","uuid":"` + child + `","parent_provider_uuid":null}`, Status: 201},
		put("null parent on a root before 1.37", "1.14", `{"name":"child","parent_provider_uuid":null}`, 200, `"parent_provider_uuid":null`),
		put("parent key before 1.14", "1.13", `{"name":"child","parent_provider_uuid":"`+parent+`"}`, 400, "'parent_provider_uuid' was unexpected"),
		put("parent that does not exist", "1.14", `{"name":"child","parent_provider_uuid":"`+grand+`"}`, 400, "parent provider UUID does not exist."),
		put("set a parent on a root before 1.37", "1.14", `{"name":"child","parent_provider_uuid":"`+parent+`"}`, 200, `"parent_provider_uuid":"`+parent+`"`, `"root_provider_uuid":"`+parent+`"`),
		{Name: "grandchild", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"grand","uuid":"` + grand + `","parent_provider_uuid":"` + child + `"}`, Status: 200,
			Contains: []string{`"root_provider_uuid":"` + parent + `"`}},
		put("rename keeps the parent", "1.36", `{"name":"child2"}`, 200, `"parent_provider_uuid":"`+parent+`"`),
		put("same parent before 1.37", "1.36", `{"name":"child","parent_provider_uuid":"`+parent+`"}`, 200),
		put("un-parent at 1.36", "1.36", `{"name":"child","parent_provider_uuid":null}`, 400,
			"Unable to save resource provider "+child+": Object action update failed because: un-parenting a provider is not currently allowed."),
		put("re-parent at 1.36", "1.36", `{"name":"child","parent_provider_uuid":"`+alt+`"}`, 400,
			"Unable to save resource provider "+child+": Object action update failed because: re-parenting a provider is not currently allowed."),
		{Name: "still the parent's", Version: "1.37", Method: "GET", Path: "/resource_providers/" + child, Status: 200, Contains: []string{`"parent_provider_uuid":"` + parent + `"`}},
		put("un-parent at 1.37", "1.37", `{"name":"child","parent_provider_uuid":null}`, 200, `"parent_provider_uuid":null`, `"root_provider_uuid":"`+child+`"`),
		{Name: "the subtree follows", Version: "1.37", Method: "GET", Path: "/resource_providers/" + grand, Status: 200,
			Contains: []string{`"parent_provider_uuid":"` + child + `"`, `"root_provider_uuid":"` + child + `"`}},
		put("re-parent at 1.37", "1.37", `{"name":"child","parent_provider_uuid":"`+alt+`"}`, 200, `"parent_provider_uuid":"`+alt+`"`, `"root_provider_uuid":"`+alt+`"`),
		{Name: "the subtree follows again", Version: "1.37", Method: "GET", Path: "/resource_providers/" + grand, Status: 200, Contains: []string{`"root_provider_uuid":"` + alt + `"`}},
		put("back to the first parent", "1.37", `{"name":"child","parent_provider_uuid":"`+parent+`"}`, 200, `"root_provider_uuid":"`+parent+`"`),
		put("self parent", "1.37", `{"name":"child","parent_provider_uuid":"`+child+`"}`, 400, "creating loop in the provider tree is not allowed."),
		put("parent under its own child", "1.37", `{"name":"child","parent_provider_uuid":"`+grand+`"}`, 400, "creating loop in the provider tree is not allowed."),
		{Name: "root under its descendant", Version: "1.37", Method: "PUT", Path: "/resource_providers/" + parent, Body: `{"name":"parent","parent_provider_uuid":"` + grand + `"}`, Status: 400,
			Contains: []string{"creating loop in the provider tree is not allowed."}},
		{Name: "tree unchanged", Version: "1.37", Method: "GET", Path: "/resource_providers?in_tree=" + parent, Status: 200,
			Contains: []string{`"uuid":"` + grand + `"`, `"uuid":"` + child + `"`}},
	})
}

// TestProvidersRequiredAnyOf: from 1.39 GET /resource_providers takes
// "in:A,B" in required (any of the traits), as /allocation_candidates
// does; before it "in:A" is a trait name, which does not exist.
func TestProvidersRequiredAnyOf(t *testing.T) {
	const (
		gold   = "d0000000-0000-0000-0000-000000000001"
		silver = "d0000000-0000-0000-0000-000000000002"
		plain  = "d0000000-0000-0000-0000-000000000003"
	)
	srv := setup(t)
	steps := []apitest.Step{
		{Name: "trait gold", Version: "1.6", Method: "PUT", Path: "/traits/CUSTOM_GOLD", Status: 201},
		{Name: "trait silver", Version: "1.6", Method: "PUT", Path: "/traits/CUSTOM_SILVER", Status: 201},
	}
	for _, p := range []struct{ uuid, name, trait string }{{gold, "gold", "CUSTOM_GOLD"}, {silver, "silver", "CUSTOM_SILVER"}, {plain, "plain", ""}} {
		steps = append(steps, apitest.Step{Name: "create " + p.name, Version: "1.20", Method: "POST", Path: "/resource_providers",
			Body: `{"name":"` + p.name + `","uuid":"` + p.uuid + `"}`, Status: 200})
		if p.trait != "" {
			steps = append(steps, apitest.Step{Name: "traits of " + p.name, Version: "1.6", Method: "PUT", Path: "/resource_providers/" + p.uuid + "/traits",
				Body: `{"resource_provider_generation":0,"traits":["` + p.trait + `"]}`, Status: 200})
		}
	}
	steps = append(steps,
		apitest.Step{Name: "in: at 1.39", Version: "1.39", Method: "GET", Path: "/resource_providers?required=in:CUSTOM_GOLD,CUSTOM_SILVER", Status: 200,
			Contains: []string{`"uuid":"` + gold + `"`, `"uuid":"` + silver + `"`}, Lacks: []string{plain}},
		apitest.Step{Name: "in: with another required at 1.39", Version: "1.39", Method: "GET", Path: "/resource_providers?required=in:CUSTOM_GOLD,CUSTOM_SILVER&required=!CUSTOM_SILVER", Status: 200,
			Contains: []string{`"uuid":"` + gold + `"`}, Lacks: []string{silver, plain}},
		// Placement's resource-provider-any-traits.yaml words the refusal.
		apitest.Step{Name: "in: at 1.38", Version: "1.38", Method: "GET", Path: "/resource_providers?required=in:CUSTOM_GOLD,CUSTOM_SILVER", Status: 400,
			Contains: []string{"The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39."}},
	)
	srv.Run(t, steps)
}
