package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestPlacementWording pins, request by request, the answers Placement's
// gabbi tests expect where gostack differed (found with TestGabbits):
// jsonschema's wording of bad bodies and queries (allocations-1-8.yaml,
// allocations-bug-1714072.yaml, usage.yaml, traits.yaml,
// resource-provider.yaml, resource-classes*.yaml), the media-type checks
// (basic-http.yaml), the order of checks (aggregate.yaml,
// inventory.yaml), ensure-consumer.yaml's incomplete consumer, and the
// refusals of inventory.yaml, resource-class-in-use.yaml and
// with-allocations.yaml. The steps run in order on one server.
func TestPlacementWording(t *testing.T) {
	const (
		rp      = "f0000000-0000-0000-0000-000000000001"
		missing = "f0000000-0000-0000-0000-0000000000ff"
		c1      = "f1000000-0000-0000-0000-000000000001"
		agg1    = "f2000000-0000-0000-0000-000000000002"
		agg2    = "f2000000-0000-0000-0000-000000000001"
	)
	long := strings.Repeat("x", 256)
	alloc := func(project, user string) string {
		return `{"allocations":{"` + rp + `":{"resources":{"VCPU":1}}},"project_id":"` + project + `","user_id":"` + user + `"}`
	}
	tests := []struct {
		name            string
		req             apitest.Request
		status          int
		contains        []string
		header, headerV string // a header the answer must have, with this value
		noHeader        string // a header the answer must not have
	}{
		{"provider", apitest.Request{Method: "POST", Path: "/resource_providers", Version: "1.20", Body: `{"name":"rp","uuid":"` + rp + `"}`}, 200, nil, "", "", ""},
		{"name too long", apitest.Request{Method: "POST", Path: "/resource_providers", Body: `{"name":"` + long + `"}`}, 400,
			[]string{"JSON does not validate: '" + long + "' is too long", "Failed validating 'maxLength' in schema['properties']['name']"}, "", "", ""},
		{"bad uuid", apitest.Request{Method: "POST", Path: "/resource_providers", Body: `{"name":"n","uuid":"not a uuid"}`}, 400,
			[]string{"'not a uuid' is not a 'uuid'", "Failed validating 'format'"}, "", "", ""},
		{"inventory", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8},"DISK_GB":{"total":100}}}`}, 200, nil, "", "", ""},

		// Media types.
		{"wrong content-type", apitest.Request{Method: "POST", Path: "/resource_providers", Body: "I want a provider", ContentType: "text/plain"}, 415,
			[]string{"The media type text/plain is not supported, use application/json"}, "", "", ""},
		{"no body", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp}, 415,
			[]string{"The media type None is not supported, use application/json"}, "", "", ""},
		{"body without content-type", apitest.Request{Method: "POST", Path: "/resource_providers", Body: "x", Header: []string{"Content-Type", ""}}, 400,
			[]string{"content-type header required when content-length > 0"}, "", "", ""},
		{"accept without json", apitest.Request{Method: "GET", Path: "/resource_providers/" + rp, Header: []string{"Accept", "text/html,application/xml;q=0.9"}}, 406,
			[]string{"Only application/json is provided"}, "", "", ""},
		{"accept any", apitest.Request{Method: "GET", Path: "/resource_providers/" + rp, Header: []string{"Accept", "text/html,*/*;q=0.8"}}, 200, nil, "", "", ""},
		{"root at 1.15 has caching headers", apitest.Request{Method: "GET", Path: "/", Version: "1.15"}, 200, nil, "Cache-Control", "no-cache", ""},

		// Allocations: the ids' schema before any provider lookup.
		{"empty project_id", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Version: "1.8", Body: strings.Replace(alloc("", "u"), rp, missing, 1)}, 400,
			[]string{"'' should be non-empty", "Failed validating 'minLength' in schema['properties']['project_id']"}, "", "", ""},
		{"user_id too long", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Version: "1.8", Body: alloc("p", long)}, 400,
			[]string{"Failed validating 'maxLength' in schema['properties']['user_id']"}, "", "", ""},
		{"no user_id at 1.8", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Version: "1.8", Body: `{"allocations":[{"resource_provider":{"uuid":"` + rp + `"},"resources":{"VCPU":1}}],"project_id":"p"}`}, 400,
			[]string{"'user_id' is a required property", "Failed validating 'required' in schema"}, "", "", ""},
		{"empty resources", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Body: `{"allocations":[{"resource_provider":{"uuid":"` + rp + `"},"resources":{}}]}`}, 400,
			[]string{"{} does not have enough properties", "Failed validating 'minProperties'"}, "", "", ""},
		{"empty list", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Body: `{"allocations":[]}`}, 400,
			[]string{"Failed validating 'minItems'"}, "", "", ""},
		{"before 1.8 without ids", apitest.Request{Method: "PUT", Path: "/allocations/" + c1, Body: `{"allocations":[{"resource_provider":{"uuid":"` + rp + `"},"resources":{"VCPU":1,"DISK_GB":1}}]}`}, 204, nil, "", "", ""},
		{"incomplete consumer at 1.12", apitest.Request{Method: "GET", Path: "/allocations/" + c1, Version: "1.12"}, 200,
			[]string{`"project_id":"00000000-0000-0000-0000-000000000000"`, `"user_id":"00000000-0000-0000-0000-000000000000"`}, "", "", ""},

		// Usages: the query's schema.
		{"usages empty project_id", apitest.Request{Method: "GET", Path: "/usages?project_id=", Version: "1.9"}, 400,
			[]string{"Invalid query string parameters: '' should be non-empty", "Failed validating 'minLength'"}, "", "", ""},
		{"usages empty user_id", apitest.Request{Method: "GET", Path: "/usages?project_id=p&user_id=", Version: "1.9"}, 400,
			[]string{"Failed validating 'minLength'"}, "", "", ""},
		{"usages long project_id", apitest.Request{Method: "GET", Path: "/usages?project_id=" + long, Version: "1.9"}, 400,
			[]string{"Failed validating 'maxLength'"}, "", "", ""},

		// Inventories.
		{"in use, in class id order", apitest.Request{Method: "DELETE", Path: "/resource_providers/" + rp + "/inventories", Version: "1.5"}, 409,
			[]string{"Inventory for 'VCPU, DISK_GB' on resource provider '" + rp + "' in use."}, "", "", ""},
		{"delete all before 1.5", apitest.Request{Method: "DELETE", Path: "/resource_providers/" + rp + "/inventories", Version: "1.4"}, 405, nil, "", "", ""},
		{"create over capacity", apitest.Request{Method: "POST", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_class":"MEMORY_MB","total":256,"reserved":512}`}, 400,
			[]string{"Unable to create inventory for resource provider " + rp + ": Invalid inventory for 'MEMORY_MB' on resource provider '" + rp + "'. The reserved value is greater than or equal to total."}, "", "", ""},
		{"update one not there", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/inventories/MEMORY_MB", Body: `{"resource_provider_generation":1,"total":2048}`}, 400,
			[]string{"No inventory record with resource class for resource provider " + rp}, "", "", ""},
		{"values checked before existence", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/inventories/MEMORY_MB", Body: `{"resource_provider_generation":1,"total":2048,"reserved":4096}`}, 400,
			[]string{"Unable to update inventory for resource provider " + rp}, "", "", ""},
		{"unknown class", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_provider_generation":1,"inventories":{"HOUSE":{"total":1}}}`}, 400,
			[]string{"Unknown resource class in inventory for resource provider " + rp}, "", "", ""},

		// Traits and aggregates.
		{"traits without generation", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/traits", Version: "1.6", Body: `{"traits":[]}`}, 400,
			[]string{"'resource_provider_generation' is a required property"}, "", "", ""},
		{"generation of the wrong type", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/traits", Version: "1.6", Body: `{"traits":[],"resource_provider_generation":"invalid_generation"}`}, 400,
			[]string{"'invalid_generation' is not of type 'integer'", "Failed validating 'type' in schema['properties']['resource_provider_generation']"}, "", "", ""},
		{"traits of the wrong type", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/traits", Version: "1.6", Body: `{"traits":"invalid_type","resource_provider_generation":1}`}, 400,
			[]string{"'invalid_type' is not of type 'array'"}, "", "", ""},
		{"stale traits generation", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/traits", Version: "1.6", Body: `{"traits":[],"resource_provider_generation":5}`}, 409,
			[]string{"Resource provider's generation already changed. Please update the generation and try again."}, "", "", ""},
		{"no such trait", apitest.Request{Method: "GET", Path: "/resource_providers?required=BOGUS_TRAIT", Version: "1.18"}, 400,
			[]string{"No such trait(s): BOGUS_TRAIT."}, "", "", ""},
		{"aggregates of a missing provider before the body", apitest.Request{Method: "PUT", Path: "/resource_providers/" + missing + "/aggregates", Version: "1.19", Body: `[]`}, 404, nil, "", "", ""},
		{"aggregates as sent", apitest.Request{Method: "PUT", Path: "/resource_providers/" + rp + "/aggregates", Version: "1.19", Body: `{"aggregates":["` + agg1 + `","` + agg2 + `"],"resource_provider_generation":2}`}, 200,
			[]string{`"aggregates":["` + agg1 + `","` + agg2 + `"]`}, "", "", ""},

		// Resource classes.
		{"standard class at 1.7", apitest.Request{Method: "PUT", Path: "/resource_classes/VCPU", Version: "1.7"}, 400,
			[]string{"'VCPU' does not match '^CUSTOM_[A-Z0-9_]+$'", "Failed validating 'pattern'"}, "", "", ""},
		{"class too long at 1.7", apitest.Request{Method: "PUT", Path: "/resource_classes/CUSTOM_" + strings.Repeat("S", 250), Version: "1.7"}, 400,
			[]string{"Failed validating 'maxLength'"}, "", "", ""},
		{"create class at 1.15", apitest.Request{Method: "PUT", Path: "/resource_classes/CUSTOM_GOLD", Version: "1.15"}, 201, nil, "", "", "Last-Modified"},
		{"existing class keeps its location", apitest.Request{Method: "PUT", Path: "/resource_classes/CUSTOM_GOLD", Version: "1.15"}, 204, nil, "Location", "/resource_classes/CUSTOM_GOLD", "Cache-Control"},
		{"rename's schema first", apitest.Request{Method: "PUT", Path: "/resource_classes/VCPU", Version: "1.6", Body: `{"name":"VCPU_ALTERNATE"}`}, 400,
			[]string{"JSON does not validate", "Failed validating 'pattern'"}, "", "", ""},
		{"rename without a body", apitest.Request{Method: "PUT", Path: "/resource_classes/CUSTOM_GOLD", Version: "1.6", Body: " "}, 400,
			[]string{"Malformed JSON"}, "", "", ""},
		{"gold inventory", apitest.Request{Method: "POST", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_class":"CUSTOM_GOLD","total":1}`}, 201, nil, "", "", ""},
		{"class in use", apitest.Request{Method: "DELETE", Path: "/resource_classes/CUSTOM_GOLD", Version: "1.2"}, 409,
			[]string{"Error in delete resource class: Cannot delete resource class CUSTOM_GOLD. Class is in use in inventory."}, "", "", ""},
		{"no html escapes", apitest.Request{Method: "GET", Path: "/resource_providers?resources=VCPU:-2", Version: "1.4"}, 400,
			[]string{"Requested resource VCPU requires amount >= 1. Got: -2."}, "", "", ""},
	}
	srv := setup(t)
	for _, tc := range tests {
		tc.req.Token = apitest.Admin
		res := srv.Do(t, tc.req)
		if res.Status != tc.status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", tc.name, tc.req.Method, tc.req.Path, res.Status, tc.status, res.Body)
		}
		for _, s := range tc.contains {
			if !strings.Contains(string(res.Body), s) {
				t.Errorf("%s: body lacks %q: %s", tc.name, s, res.Body)
			}
		}
		// A path stands for the absolute URL webob makes of it.
		want := tc.headerV
		if strings.HasPrefix(want, "/") {
			want = srv.URL + want
		}
		if tc.header != "" && res.Header.Get(tc.header) != want {
			t.Errorf("%s: %s = %q, want %q", tc.name, tc.header, res.Header.Get(tc.header), want)
		}
		if _, ok := res.Header[http.CanonicalHeaderKey(tc.noHeader)]; tc.noHeader != "" && ok {
			t.Errorf("%s: header %s present", tc.name, tc.noHeader)
		}
	}
}
