package api_test

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// These tables pin what Placement's own gabbi tests expect where
// gostack differed (found with TestGabbits): consumer generations
// (allocations-1.28.yaml, allocations-post.yaml), the generations a
// reshape moves (reshaper.yaml), POST inventories without a generation
// (allocations-1-8.yaml), and the provider refusals and generations of
// resource-provider.yaml.

// TestConsumerGenerations: a new consumer reads generation 1 once it
// holds allocations; a write names the generation it expected, from
// 1.28 only.
func TestConsumerGenerations(t *testing.T) {
	const (
		rp = "d0000000-0000-0000-0000-000000000001"
		c1 = "e0000000-0000-0000-0000-000000000001"
		c2 = "e0000000-0000-0000-0000-000000000002"
	)
	alloc := func(gen string) string {
		body := `{"allocations":{"` + rp + `":{"resources":{"VCPU":1}}},"project_id":"p","user_id":"u"`
		if gen != "" {
			body += `,"consumer_generation":` + gen
		}
		return body + "}"
	}
	put := func(name, version, consumer, body string, status int, contains ...string) apitest.Step {
		return apitest.Step{Name: name, Version: version, Method: "PUT", Path: "/allocations/" + consumer, Body: body, Status: status, Contains: contains}
	}
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "provider", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"rp","uuid":"` + rp + `"}`, Status: 200},
		{Name: "inventory", Method: "PUT", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}`, Status: 200},
		put("no generation at 1.28", "1.28", c1, alloc(""), 400, "JSON does not validate", "'consumer_generation' is a required property"),
		put("generation key at 1.27", "1.27", c1, alloc("null"), 400, "'consumer_generation' was unexpected"),
		put("a generation for a new consumer", "1.28", c1, alloc("5"), 409, "consumer generation conflict - expected null but got 5", "placement.concurrent_update"),
		put("new consumer", "1.28", c1, alloc("null"), 204),
		{Name: "new consumer reads 1", Version: "1.28", Method: "GET", Path: "/allocations/" + c1, Status: 200, Contains: []string{`"consumer_generation":1`}},
		{Name: "no generation before 1.28", Version: "1.27", Method: "GET", Path: "/allocations/" + c1, Status: 200, Lacks: []string{"consumer_generation"}},
		put("null for an existing consumer", "1.28", c1, alloc("null"), 409, "consumer generation conflict - expected 1 but got None"),
		put("stale generation", "1.28", c1, alloc("12"), 409, "consumer generation conflict - expected 1 but got 12"),
		put("matching generation", "1.28", c1, alloc("1"), 204),
		put("unchecked before 1.28", "1.27", c1, alloc(""), 204),
		{Name: "each write moves it", Version: "1.28", Method: "GET", Path: "/allocations/" + c1, Status: 200, Contains: []string{`"consumer_generation":3`}},
		put("new consumer before 1.28", "1.27", c2, alloc(""), 204),
		{Name: "reads 1 too", Version: "1.28", Method: "GET", Path: "/allocations/" + c2, Status: 200, Contains: []string{`"consumer_generation":1`}},
		{Name: "POST at 1.28 with a stale generation", Version: "1.28", Method: "POST", Path: "/allocations",
			Body: `{"` + c2 + `":{"allocations":{},"project_id":"p","user_id":"u","consumer_generation":0}}`, Status: 409,
			Contains: []string{"consumer generation conflict - expected 1 but got 0"}},
	})
}

// TestAllocationProviderGenerations: a write moves the generation of the
// providers its allocations name, and of those a consumer's emptied
// allocations leave; a provider a consumer moves away from keeps its
// generation, and a DELETE of allocations is outside this table.
func TestAllocationProviderGenerations(t *testing.T) {
	const (
		a = "d0000000-0000-0000-0000-00000000000a"
		b = "d0000000-0000-0000-0000-00000000000b"
		c = "e0000000-0000-0000-0000-000000000003"
	)
	gen := func(name, rp, want string) apitest.Step {
		return apitest.Step{Name: name, Version: "1.20", Method: "GET", Path: "/resource_providers/" + rp, Status: 200, Contains: []string{`"generation":` + want}}
	}
	on := func(rp string) string {
		return `{"allocations":{"` + rp + `":{"resources":{"VCPU":1}}},"project_id":"p","user_id":"u"}`
	}
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "a", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"a","uuid":"` + a + `"}`, Status: 200},
		{Name: "b", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"b","uuid":"` + b + `"}`, Status: 200},
		{Name: "a inventory", Method: "PUT", Path: "/resource_providers/" + a + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}`, Status: 200},
		{Name: "b inventory", Method: "PUT", Path: "/resource_providers/" + b + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}`, Status: 200},
		{Name: "on a", Version: "1.12", Method: "PUT", Path: "/allocations/" + c, Body: on(a), Status: 204},
		gen("a moved", a, "2"),
		{Name: "move to b", Version: "1.12", Method: "PUT", Path: "/allocations/" + c, Body: on(b), Status: 204},
		gen("a kept its generation", a, "2"),
		gen("b moved", b, "2"),
		{Name: "empty at 1.28", Version: "1.28", Method: "PUT", Path: "/allocations/" + c,
			Body: `{"allocations":{},"project_id":"p","user_id":"u","consumer_generation":2}`, Status: 204},
		gen("b moved for the emptied consumer", b, "3"),
		gen("a still kept its generation", a, "2"),
	})
}

// TestReshapeGenerations: a provider of the reshape's inventories moves
// once for the interim inventory (unless its new inventory is empty),
// once if the new allocations name it, and once for the final inventory.
func TestReshapeGenerations(t *testing.T) {
	const (
		root  = "d0000000-0000-0000-0000-000000000021"
		child = "d0000000-0000-0000-0000-000000000022"
		c     = "e0000000-0000-0000-0000-000000000021"
		gone  = "d0000000-0000-0000-0000-0000000000ff"
	)
	gen := func(name, rp, want string) apitest.Step {
		return apitest.Step{Name: name, Version: "1.20", Method: "GET", Path: "/resource_providers/" + rp, Status: 200, Contains: []string{`"generation":` + want}}
	}
	move := `{"inventories":{"` + root + `":{"resource_provider_generation":2,"inventories":{}},"` + child + `":{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}},` +
		`"allocations":{"` + c + `":{"allocations":{"` + child + `":{"resources":{"VCPU":2}}},"project_id":"p","user_id":"u","consumer_generation":1}}}`
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "root", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"root","uuid":"` + root + `"}`, Status: 200},
		{Name: "child", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"child","uuid":"` + child + `","parent_provider_uuid":"` + root + `"}`, Status: 200},
		{Name: "root inventory", Method: "PUT", Path: "/resource_providers/" + root + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}`, Status: 200},
		{Name: "allocate on root", Version: "1.28", Method: "PUT", Path: "/allocations/" + c,
			Body: `{"allocations":{"` + root + `":{"resources":{"VCPU":2}}},"project_id":"p","user_id":"u","consumer_generation":null}`, Status: 204},
		{Name: "no reshaper at 1.29", Version: "1.29", Method: "POST", Path: "/reshaper", Body: move, Status: 404},
		{Name: "unknown provider", Version: "1.30", Method: "POST", Path: "/reshaper", Status: 400,
			Body:     `{"inventories":{"` + gone + `":{"resource_provider_generation":0,"inventories":{}}},"allocations":{}}`,
			Contains: []string{"Resource provider " + gone + " in inventories not found", "placement.resource_provider.not_found"}},
		{Name: "move to the child", Version: "1.30", Method: "POST", Path: "/reshaper", Body: move, Status: 204},
		gen("root: final inventory only", root, "3"),
		gen("child: interim, allocations, final", child, "3"),
		{Name: "usage moved", Method: "GET", Path: "/resource_providers/" + child + "/usages", Status: 200, Contains: []string{`"VCPU":2`}},
	})
}

// TestProviderConformance: the refusals and generations of
// resource-provider.yaml and of POST .../inventories.
func TestProviderConformance(t *testing.T) {
	const (
		p     = "d0000000-0000-0000-0000-000000000031"
		kid   = "d0000000-0000-0000-0000-000000000032"
		other = "d0000000-0000-0000-0000-000000000033"
		gone  = "d0000000-0000-0000-0000-0000000000fe"
	)
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "self parent", Version: "1.14", Method: "POST", Path: "/resource_providers", Status: 400,
			Body:     `{"name":"p","uuid":"` + p + `","parent_provider_uuid":"` + p + `"}`,
			Contains: []string{`Unable to create resource provider \"p\", ` + p + `:`, "parent provider UUID cannot be same as UUID"}},
		{Name: "missing parent", Version: "1.14", Method: "POST", Path: "/resource_providers", Status: 400,
			Body:     `{"name":"p","uuid":"` + p + `","parent_provider_uuid":"` + gone + `"}`,
			Contains: []string{`Unable to create resource provider \"p\", ` + p + `:`, "parent provider UUID does not exist."}},
		{Name: "p", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"p","uuid":"` + p + `"}`, Status: 200},
		{Name: "other", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"other","uuid":"` + other + `"}`, Status: 200},
		{Name: "kid", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"kid","uuid":"` + kid + `","parent_provider_uuid":"` + p + `"}`, Status: 200},
		{Name: "rename keeps the generation", Version: "1.20", Method: "PUT", Path: "/resource_providers/" + p, Body: `{"name":"p2"}`, Status: 200, Contains: []string{`"generation":0`}},
		{Name: "re-parent keeps the generation", Version: "1.37", Method: "PUT", Path: "/resource_providers/" + p, Body: `{"name":"p2","parent_provider_uuid":"` + other + `"}`, Status: 200,
			Contains: []string{`"generation":0`, `"root_provider_uuid":"` + other + `"`}},
		{Name: "and the subtree's", Version: "1.20", Method: "GET", Path: "/resource_providers/" + kid, Status: 200, Contains: []string{`"generation":0`, `"root_provider_uuid":"` + other + `"`}},
		{Name: "delete a parent", Version: "1.23", Method: "DELETE", Path: "/resource_providers/" + p, Status: 409,
			Contains: []string{"placement.resource_provider.cannot_delete_parent", "Unable to delete parent resource provider " + p + ": It has child resource providers."}},
		{Name: "delete a missing provider", Version: "1.23", Method: "DELETE", Path: "/resource_providers/" + gone, Status: 404,
			Contains: []string{"No resource provider with uuid " + gone + " found for delete"}},
		{Name: "POST inventory without a generation", Method: "POST", Path: "/resource_providers/" + kid + "/inventories",
			Body: `{"resource_class":"DISK_GB","total":2048,"min_unit":10,"max_unit":1024}`, Status: 201, Contains: []string{`"resource_provider_generation":1`}},
		{Name: "POST inventory ignores a stale generation", Method: "POST", Path: "/resource_providers/" + kid + "/inventories",
			Body: `{"resource_provider_generation":0,"resource_class":"VCPU","total":4}`, Status: 201, Contains: []string{`"resource_provider_generation":2`}},
		{Name: "POST inventory needs a class", Method: "POST", Path: "/resource_providers/" + kid + "/inventories",
			Body: `{"total":4}`, Status: 400, Contains: []string{"'resource_class' is a required property"}},
	})
}
