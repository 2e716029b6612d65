package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func setup(t *testing.T) *apitest.Server {
	t.Helper()
	svc, err := placement.New(context.Background(), placement.Config{}, plstore.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	pol := apitest.Policy(t, placement.PolicyDefaults())
	srv := apitest.Serve(t, plapi.New(svc, pol, apitest.Tokens("user"), slog.New(slog.DiscardHandler)).Handler())
	srv.VersionHeader, srv.VersionPrefix = "OpenStack-API-Version", "placement "
	return srv
}

const (
	cn1  = "c0000000-0000-0000-0000-000000000001"
	cn2  = "c0000000-0000-0000-0000-000000000002"
	ssp  = "55555555-0000-0000-0000-000000000001"
	agg  = "a0000000-0000-0000-0000-000000000001"
	inst = "10000000-0000-0000-0000-000000000001"
	ins2 = "10000000-0000-0000-0000-000000000002"
)

func TestPlacementAPI(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "versions without token", Token: apitest.NoToken, Method: "GET", Path: "/", Status: 200, Contains: []string{`"max_version":"1.39"`}},
		{Name: "no token", Token: apitest.NoToken, Method: "GET", Path: "/resource_providers", Status: 401},
		{Name: "non-admin", Token: "user", Method: "GET", Path: "/resource_providers", Status: 403, Contains: []string{`"errors"`}},
		{Name: "bad version", Version: "1.40", Method: "GET", Path: "/resource_providers", Status: 406},
		{Name: "create cn1", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"cn1","uuid":"` + cn1 + `"}`, Status: 200, Contains: []string{`"generation":0`, `"root_provider_uuid":"` + cn1 + `"`}},
		{Name: "create 1.0 gives 201", Method: "POST", Path: "/resource_providers", Body: `{"name":"cn2","uuid":"` + cn2 + `"}`, Status: 201},
		{Name: "duplicate name", Version: "1.23", Method: "POST", Path: "/resource_providers", Body: `{"name":"cn1"}`, Status: 409, Contains: []string{"placement.duplicate_name"}},
		{Name: "unknown field", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"x","color":"red"}`, Status: 400, Contains: []string{`JSON does not validate`, `'color' was unexpected`}},
		{Name: "malformed", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":`, Status: 400, Contains: []string{`Malformed JSON`}},
		{Name: "parent before 1.14", Version: "1.13", Method: "POST", Path: "/resource_providers", Body: `{"name":"x","parent_provider_uuid":"` + cn1 + `"}`, Status: 400},
		{Name: "inventories", Version: "1.26", Method: "PUT", Path: "/resource_providers/" + cn1 + "/inventories",
			Body:   `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":4,"allocation_ratio":4.0},"MEMORY_MB":{"total":4096,"reserved":512},"DISK_GB":{"total":100}}}`,
			Status: 200, Contains: []string{`"resource_provider_generation":1`, `"max_unit":2147483647`}},
		{Name: "stale generation", Version: "1.23", Method: "PUT", Path: "/resource_providers/" + cn1 + "/inventories",
			Body: `{"resource_provider_generation":0,"inventories":{}}`, Status: 409, Contains: []string{"placement.concurrent_update", "actual: 1, given: 0"}},
		{Name: "reserved > total", Method: "PUT", Path: "/resource_providers/" + cn2 + "/inventories",
			Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":4,"reserved":5}}}`, Status: 400},
		{Name: "cn2 inventory", Method: "POST", Path: "/resource_providers/" + cn2 + "/inventories",
			Body: `{"resource_provider_generation":0,"resource_class":"VCPU","total":2}`, Status: 201},
		{Name: "update one", Method: "PUT", Path: "/resource_providers/" + cn2 + "/inventories/VCPU",
			Body: `{"resource_provider_generation":1,"total":8}`, Status: 200, Contains: []string{`"total":8`}},
		{Name: "memory on cn2", Method: "POST", Path: "/resource_providers/" + cn2 + "/inventories",
			Body: `{"resource_provider_generation":2,"resource_class":"MEMORY_MB","total":1024}`, Status: 201},
		{Name: "show one", Method: "GET", Path: "/resource_providers/" + cn2 + "/inventories/VCPU", Status: 200, Contains: []string{`"total":8`}},
		{Name: "trait", Version: "1.6", Method: "PUT", Path: "/traits/CUSTOM_FAST", Status: 201},
		{Name: "trait again", Version: "1.6", Method: "PUT", Path: "/traits/CUSTOM_FAST", Status: 204},
		{Name: "bad trait", Version: "1.6", Method: "PUT", Path: "/traits/FAST", Status: 400},
		{Name: "list traits", Version: "1.6", Method: "GET", Path: "/traits?name=startswith:CUSTOM", Status: 200, Contains: []string{`["CUSTOM_FAST"]`}},
		{Name: "cn1 traits", Version: "1.6", Method: "PUT", Path: "/resource_providers/" + cn1 + "/traits",
			Body: `{"resource_provider_generation":1,"traits":["CUSTOM_FAST","HW_CPU_X86_AVX2"]}`, Status: 200, Contains: []string{`"resource_provider_generation":2`}},
		{Name: "aggregates 1.19", Version: "1.19", Method: "PUT", Path: "/resource_providers/" + cn1 + "/aggregates",
			Body: `{"resource_provider_generation":2,"aggregates":["` + agg + `"]}`, Status: 200, Contains: []string{agg, `"resource_provider_generation":3`}},
		{Name: "aggregates 1.1 list body", Version: "1.1", Method: "PUT", Path: "/resource_providers/" + cn2 + "/aggregates",
			Body: `["` + agg + `"]`, Status: 200},
		{Name: "filter member_of+required", Version: "1.18", Method: "GET", Path: "/resource_providers?member_of=" + agg + "&required=CUSTOM_FAST", Status: 200, Contains: []string{cn1}},
		{Name: "filter resources", Version: "1.4", Method: "GET", Path: "/resource_providers?resources=VCPU:10", Status: 200, Contains: []string{cn1}},
		{Name: "sharing disk", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"ssp","uuid":"` + ssp + `"}`, Status: 200},
		{Name: "ssp inv", Method: "PUT", Path: "/resource_providers/" + ssp + "/inventories",
			Body: `{"resource_provider_generation":0,"inventories":{"DISK_GB":{"total":1000}}}`, Status: 200},
		{Name: "ssp trait", Version: "1.6", Method: "PUT", Path: "/resource_providers/" + ssp + "/traits",
			Body: `{"resource_provider_generation":1,"traits":["MISC_SHARES_VIA_AGGREGATE"]}`, Status: 200},
		{Name: "ssp agg", Version: "1.19", Method: "PUT", Path: "/resource_providers/" + ssp + "/aggregates",
			Body: `{"resource_provider_generation":2,"aggregates":["` + agg + `"]}`, Status: 200},
		{Name: "candidates", Version: "1.34", Method: "GET", Path: "/allocation_candidates?resources=VCPU:1,MEMORY_MB:512,DISK_GB:10", Status: 200,
			Contains: []string{`"mappings":{"":[`, ssp, `"capacity":16`}},
		{Name: "candidates required", Version: "1.17", Method: "GET", Path: "/allocation_candidates?resources=VCPU:1&required=CUSTOM_FAST", Status: 200, Contains: []string{cn1}},
		{Name: "candidates bad resources", Version: "1.23", Method: "GET", Path: "/allocation_candidates?resources=VCPU", Status: 400, Contains: []string{"placement.query.bad_value"}},
		{Name: "candidates granular needs group_policy", Version: "1.25", Method: "GET", Path: "/allocation_candidates?resources1=VCPU:1&resources2=MEMORY_MB:1", Status: 400},
		{Name: "candidates granular", Version: "1.25", Method: "GET", Path: "/allocation_candidates?resources1=VCPU:1&resources2=MEMORY_MB:1&group_policy=none&limit=1", Status: 200, Contains: []string{"allocation_requests"}},
		{Name: "candidates 1.9 absent", Version: "1.9", Method: "GET", Path: "/allocation_candidates?resources=VCPU:1", Status: 404},
		{Name: "allocate", Version: "1.28", Method: "PUT", Path: "/allocations/" + inst,
			Body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":2,"MEMORY_MB":1024}},"` + ssp + `":{"resources":{"DISK_GB":20}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, Status: 204},
		{Name: "allocate again null gen", Version: "1.28", Method: "PUT", Path: "/allocations/" + inst,
			Body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":2}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, Status: 409, Contains: []string{"placement.concurrent_update"}},
		{Name: "show allocations", Version: "1.38", Method: "GET", Path: "/allocations/" + inst, Status: 200, Contains: []string{`"consumer_generation":1`, `"project_id":"p1"`, `"consumer_type":"unknown"`}},
		{Name: "over capacity", Version: "1.28", Method: "PUT", Path: "/allocations/" + ins2,
			Body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":15}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, Status: 409},
		{Name: "1.0 list form", Method: "PUT", Path: "/allocations/" + ins2,
			Body: `{"allocations":[{"resource_provider":{"uuid":"` + cn2 + `"},"resources":{"VCPU":1}}]}`, Status: 204},
		{Name: "1.8 needs project", Version: "1.8", Method: "PUT", Path: "/allocations/" + ins2,
			Body: `{"allocations":[{"resource_provider":{"uuid":"` + cn2 + `"},"resources":{"VCPU":1}}]}`, Status: 400},
		{Name: "post allocations", Version: "1.28", Method: "POST", Path: "/allocations",
			Body: `{"` + ins2 + `":{"allocations":{},"project_id":"p1","user_id":"u1","consumer_generation":1},"` + cn2[:35] + `9":{"allocations":{"` + cn2 + `":{"resources":{"VCPU":1}}},"project_id":"p2","user_id":"u2","consumer_generation":null}}`, Status: 204},
		{Name: "own usages as project reader", Token: "user", Version: "1.9", Method: "GET", Path: "/usages?project_id=p-user", Status: 200},
		{Name: "others' usages as project reader", Token: "user", Version: "1.9", Method: "GET", Path: "/usages?project_id=p1", Status: 403},
		{Name: "usages", Version: "1.9", Method: "GET", Path: "/usages?project_id=p1", Status: 200, Contains: []string{`"VCPU":2`}},
		{Name: "rp usages", Method: "GET", Path: "/resource_providers/" + cn1 + "/usages", Status: 200, Contains: []string{`"VCPU":2`}},
		{Name: "rp allocations", Method: "GET", Path: "/resource_providers/" + cn1 + "/allocations", Status: 200, Contains: []string{inst}},
		{Name: "inventory in use", Version: "1.23", Method: "DELETE", Path: "/resource_providers/" + cn1 + "/inventories/VCPU", Status: 409, Contains: []string{"placement.inventory.inuse"}},
		{Name: "rp in use", Version: "1.23", Method: "DELETE", Path: "/resource_providers/" + cn1, Status: 409, Contains: []string{"placement.resource_provider.inuse"}},
		{Name: "class", Version: "1.2", Method: "POST", Path: "/resource_classes", Body: `{"name":"CUSTOM_GPU"}`, Status: 201},
		{Name: "class put", Version: "1.7", Method: "PUT", Path: "/resource_classes/CUSTOM_GPU", Status: 204},
		{Name: "class rename 1.6", Version: "1.6", Method: "PUT", Path: "/resource_classes/CUSTOM_GPU", Body: `{"name":"CUSTOM_GPU2"}`, Status: 200, Contains: []string{"CUSTOM_GPU2"}},
		{Name: "class list", Version: "1.2", Method: "GET", Path: "/resource_classes", Status: 200, Contains: []string{"CUSTOM_GPU", "VCPU"}},
		{Name: "class taken", Version: "1.23", Method: "POST", Path: "/resource_classes", Body: `{"name":"CUSTOM_GPU2"}`, Status: 409, Contains: []string{"placement.duplicate_name", "Conflicting resource class already exists: CUSTOM_GPU2"}},
		{Name: "class", Version: "1.2", Method: "POST", Path: "/resource_classes", Body: `{"name":"CUSTOM_GPU3"}`, Status: 201},
		{Name: "class rename to a taken name", Version: "1.6", Method: "PUT", Path: "/resource_classes/CUSTOM_GPU3", Body: `{"name":"CUSTOM_GPU2"}`, Status: 409, Contains: []string{"Resource class already exists: CUSTOM_GPU2"}},
		{Name: "class delete", Version: "1.2", Method: "DELETE", Path: "/resource_classes/CUSTOM_GPU3", Status: 204},
		{Name: "class delete twice", Version: "1.23", Method: "DELETE", Path: "/resource_classes/CUSTOM_GPU3", Status: 404, Contains: []string{"placement.undefined_code", "No such resource class CUSTOM_GPU3."}},
		{Name: "trait delete missing", Version: "1.23", Method: "DELETE", Path: "/traits/CUSTOM_NONE", Status: 404, Contains: []string{"No such trait(s): CUSTOM_NONE."}},
		{Name: "reshape", Version: "1.30", Method: "POST", Path: "/reshaper",
			Body: `{"inventories":{"` + cn2 + `":{"resource_provider_generation":99,"inventories":{}}},"allocations":{}}`, Status: 409},
		{Name: "delete allocations", Method: "DELETE", Path: "/allocations/" + inst, Status: 204},
		{Name: "delete allocations twice", Method: "DELETE", Path: "/allocations/" + inst, Status: 404},
		{Name: "404 provider", Version: "1.23", Method: "GET", Path: "/resource_providers/" + inst, Status: 404, Contains: []string{"placement.resource_provider.not_found"}},
		{Name: "trailing slash", Method: "GET", Path: "/resource_providers/", Status: 200},
	})
}

func TestErrorBodyAndVersions(t *testing.T) {
	srv := setup(t)
	get := func(path, ver string) (int, http.Header, map[string]any) {
		r := srv.Do(t, apitest.Request{Method: "GET", Path: path, Token: apitest.Admin, Version: ver})
		return r.Status, r.Header, r.JSON()
	}
	code, hdr, body := get("/resource_providers/"+cn1, "1.23")
	if code != 404 {
		t.Fatalf("status %d", code)
	}
	errs := body["errors"].([]any)
	e := errs[0].(map[string]any)
	if e["request_id"] != hdr.Get("X-Openstack-Request-Id") || e["request_id"] == "" {
		t.Fatalf("request_id %v vs header %q", e["request_id"], hdr.Get("X-Openstack-Request-Id"))
	}
	delete(e, "request_id")
	want := map[string]any{"status": float64(404), "title": "Not Found", "code": "placement.resource_provider.not_found",
		"detail": "No resource provider with uuid " + cn1 + " found"}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Fatalf("error body (-want +got):\n%s", diff)
	}
	if got := hdr.Get("OpenStack-API-Version"); got != "placement 1.23" {
		t.Fatalf("version header %q", got)
	}
	// Before 1.23 there is no code.
	_, _, body = get("/resource_providers/"+cn1, "1.22")
	if _, ok := body["errors"].([]any)[0].(map[string]any)["code"]; ok {
		t.Fatal("code before 1.23")
	}
	_, hdr, _ = get("/resource_providers", "latest")
	if hdr.Get("OpenStack-API-Version") != "placement 1.39" || hdr.Get("Cache-Control") != "no-cache" || hdr.Get("Last-Modified") == "" {
		t.Fatalf("headers %v", hdr)
	}
	_, hdr, _ = get("/resource_providers", "")
	if hdr.Get("OpenStack-API-Version") != "placement 1.0" || hdr.Get("Last-Modified") != "" {
		t.Fatalf("1.0 headers %v", hdr)
	}
	code, _, body = get("/", "")
	want = map[string]any{"versions": []any{map[string]any{"id": "v1.0", "min_version": "1.0", "max_version": "1.39", "status": "CURRENT",
		"links": []any{map[string]any{"rel": "self", "href": ""}}}}}
	if diff := cmp.Diff(want, body); code != 200 || diff != "" {
		t.Fatalf("versions %d (-want +got):\n%s", code, diff)
	}
}
