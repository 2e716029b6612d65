package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/policy"
)

// tokens stands in for the identity service.
type tokens = auth.Static

func setup(t *testing.T) *httptest.Server {
	t.Helper()
	svc, err := placement.New(context.Background(), placement.Config{}, plstore.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(placement.PolicyDefaults())
	if err != nil {
		t.Fatal(err)
	}
	v := tokens{
		"admin": {UserID: "u-admin", ProjectID: "p-admin", Roles: []string{"admin", "member", "reader"}},
		"user":  {UserID: "u-user", ProjectID: "p-user", Roles: []string{"member", "reader"}},
	}
	srv := httptest.NewServer(plapi.New(svc, pol, v, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// step is one request and what must come back, in the spirit of
// Placement's gabbi tests.
type step struct {
	name, tok, ver, method, path, body string
	status                             int
	contains                           []string
}

func run(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
		}
		req, _ := http.NewRequest(s.method, srv.URL+s.path, body)
		tok := s.tok
		if tok == "" {
			tok = "admin"
		}
		if tok != "-" {
			req.Header.Set("X-Auth-Token", tok)
		}
		if s.ver != "" {
			req.Header.Set("OpenStack-API-Version", "placement "+s.ver)
		}
		if s.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != s.status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", s.name, s.method, s.path, resp.StatusCode, s.status, b)
		}
		if len(b) > 0 && !json.Valid(b) {
			t.Fatalf("%s: invalid JSON %s", s.name, b)
		}
		for _, c := range s.contains {
			if !strings.Contains(string(b), c) {
				t.Fatalf("%s: body %s lacks %q", s.name, b, c)
			}
		}
	}
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
	run(t, srv, []step{
		{name: "versions without token", tok: "-", method: "GET", path: "/", status: 200, contains: []string{`"max_version":"1.39"`}},
		{name: "no token", tok: "-", method: "GET", path: "/resource_providers", status: 401},
		{name: "non-admin", tok: "user", method: "GET", path: "/resource_providers", status: 403, contains: []string{`"errors"`}},
		{name: "bad version", ver: "1.40", method: "GET", path: "/resource_providers", status: 406},
		{name: "create cn1", ver: "1.20", method: "POST", path: "/resource_providers", body: `{"name":"cn1","uuid":"` + cn1 + `"}`, status: 200, contains: []string{`"generation":0`, `"root_provider_uuid":"` + cn1 + `"`}},
		{name: "create 1.0 gives 201", method: "POST", path: "/resource_providers", body: `{"name":"cn2","uuid":"` + cn2 + `"}`, status: 201},
		{name: "duplicate name", ver: "1.23", method: "POST", path: "/resource_providers", body: `{"name":"cn1"}`, status: 409, contains: []string{"placement.duplicate_name"}},
		{name: "unknown field", ver: "1.20", method: "POST", path: "/resource_providers", body: `{"name":"x","color":"red"}`, status: 400, contains: []string{`JSON does not validate`, `'color' was unexpected`}},
		{name: "malformed", ver: "1.20", method: "POST", path: "/resource_providers", body: `{"name":`, status: 400, contains: []string{`Malformed JSON`}},
		{name: "parent before 1.14", ver: "1.13", method: "POST", path: "/resource_providers", body: `{"name":"x","parent_provider_uuid":"` + cn1 + `"}`, status: 400},
		{name: "inventories", ver: "1.26", method: "PUT", path: "/resource_providers/" + cn1 + "/inventories",
			body:   `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":4,"allocation_ratio":4.0},"MEMORY_MB":{"total":4096,"reserved":512},"DISK_GB":{"total":100}}}`,
			status: 200, contains: []string{`"resource_provider_generation":1`, `"max_unit":2147483647`}},
		{name: "stale generation", ver: "1.23", method: "PUT", path: "/resource_providers/" + cn1 + "/inventories",
			body: `{"resource_provider_generation":0,"inventories":{}}`, status: 409, contains: []string{"placement.concurrent_update", "actual: 1, given: 0"}},
		{name: "reserved > total", method: "PUT", path: "/resource_providers/" + cn2 + "/inventories",
			body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":4,"reserved":5}}}`, status: 400},
		{name: "cn2 inventory", method: "POST", path: "/resource_providers/" + cn2 + "/inventories",
			body: `{"resource_provider_generation":0,"resource_class":"VCPU","total":2}`, status: 201},
		{name: "update one", method: "PUT", path: "/resource_providers/" + cn2 + "/inventories/VCPU",
			body: `{"resource_provider_generation":1,"total":8}`, status: 200, contains: []string{`"total":8`}},
		{name: "memory on cn2", method: "POST", path: "/resource_providers/" + cn2 + "/inventories",
			body: `{"resource_provider_generation":2,"resource_class":"MEMORY_MB","total":1024}`, status: 201},
		{name: "show one", method: "GET", path: "/resource_providers/" + cn2 + "/inventories/VCPU", status: 200, contains: []string{`"total":8`}},
		{name: "trait", ver: "1.6", method: "PUT", path: "/traits/CUSTOM_FAST", status: 201},
		{name: "trait again", ver: "1.6", method: "PUT", path: "/traits/CUSTOM_FAST", status: 204},
		{name: "bad trait", ver: "1.6", method: "PUT", path: "/traits/FAST", status: 400},
		{name: "list traits", ver: "1.6", method: "GET", path: "/traits?name=startswith:CUSTOM", status: 200, contains: []string{`["CUSTOM_FAST"]`}},
		{name: "cn1 traits", ver: "1.6", method: "PUT", path: "/resource_providers/" + cn1 + "/traits",
			body: `{"resource_provider_generation":1,"traits":["CUSTOM_FAST","HW_CPU_X86_AVX2"]}`, status: 200, contains: []string{`"resource_provider_generation":2`}},
		{name: "aggregates 1.19", ver: "1.19", method: "PUT", path: "/resource_providers/" + cn1 + "/aggregates",
			body: `{"resource_provider_generation":2,"aggregates":["` + agg + `"]}`, status: 200, contains: []string{agg, `"resource_provider_generation":3`}},
		{name: "aggregates 1.1 list body", ver: "1.1", method: "PUT", path: "/resource_providers/" + cn2 + "/aggregates",
			body: `["` + agg + `"]`, status: 200},
		{name: "filter member_of+required", ver: "1.18", method: "GET", path: "/resource_providers?member_of=" + agg + "&required=CUSTOM_FAST", status: 200, contains: []string{cn1}},
		{name: "filter resources", ver: "1.4", method: "GET", path: "/resource_providers?resources=VCPU:10", status: 200, contains: []string{cn1}},
		{name: "sharing disk", ver: "1.20", method: "POST", path: "/resource_providers", body: `{"name":"ssp","uuid":"` + ssp + `"}`, status: 200},
		{name: "ssp inv", method: "PUT", path: "/resource_providers/" + ssp + "/inventories",
			body: `{"resource_provider_generation":0,"inventories":{"DISK_GB":{"total":1000}}}`, status: 200},
		{name: "ssp trait", ver: "1.6", method: "PUT", path: "/resource_providers/" + ssp + "/traits",
			body: `{"resource_provider_generation":1,"traits":["MISC_SHARES_VIA_AGGREGATE"]}`, status: 200},
		{name: "ssp agg", ver: "1.19", method: "PUT", path: "/resource_providers/" + ssp + "/aggregates",
			body: `{"resource_provider_generation":2,"aggregates":["` + agg + `"]}`, status: 200},
		{name: "candidates", ver: "1.34", method: "GET", path: "/allocation_candidates?resources=VCPU:1,MEMORY_MB:512,DISK_GB:10", status: 200,
			contains: []string{`"mappings":{"":[`, ssp, `"capacity":16`}},
		{name: "candidates required", ver: "1.17", method: "GET", path: "/allocation_candidates?resources=VCPU:1&required=CUSTOM_FAST", status: 200, contains: []string{cn1}},
		{name: "candidates bad resources", ver: "1.23", method: "GET", path: "/allocation_candidates?resources=VCPU", status: 400, contains: []string{"placement.query.bad_value"}},
		{name: "candidates granular needs group_policy", ver: "1.25", method: "GET", path: "/allocation_candidates?resources1=VCPU:1&resources2=MEMORY_MB:1", status: 400},
		{name: "candidates granular", ver: "1.25", method: "GET", path: "/allocation_candidates?resources1=VCPU:1&resources2=MEMORY_MB:1&group_policy=none&limit=1", status: 200, contains: []string{"allocation_requests"}},
		{name: "candidates 1.9 absent", ver: "1.9", method: "GET", path: "/allocation_candidates?resources=VCPU:1", status: 404},
		{name: "allocate", ver: "1.28", method: "PUT", path: "/allocations/" + inst,
			body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":2,"MEMORY_MB":1024}},"` + ssp + `":{"resources":{"DISK_GB":20}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, status: 204},
		{name: "allocate again null gen", ver: "1.28", method: "PUT", path: "/allocations/" + inst,
			body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":2}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, status: 409, contains: []string{"placement.concurrent_update"}},
		{name: "show allocations", ver: "1.38", method: "GET", path: "/allocations/" + inst, status: 200, contains: []string{`"consumer_generation":0`, `"project_id":"p1"`, `"consumer_type":"unknown"`}},
		{name: "over capacity", ver: "1.28", method: "PUT", path: "/allocations/" + ins2,
			body: `{"allocations":{"` + cn1 + `":{"resources":{"VCPU":15}}},"project_id":"p1","user_id":"u1","consumer_generation":null}`, status: 409},
		{name: "1.0 list form", method: "PUT", path: "/allocations/" + ins2,
			body: `{"allocations":[{"resource_provider":{"uuid":"` + cn2 + `"},"resources":{"VCPU":1}}]}`, status: 204},
		{name: "1.8 needs project", ver: "1.8", method: "PUT", path: "/allocations/" + ins2,
			body: `{"allocations":[{"resource_provider":{"uuid":"` + cn2 + `"},"resources":{"VCPU":1}}]}`, status: 400},
		{name: "post allocations", ver: "1.28", method: "POST", path: "/allocations",
			body: `{"` + ins2 + `":{"allocations":{},"project_id":"p1","user_id":"u1","consumer_generation":0},"` + cn2[:35] + `9":{"allocations":{"` + cn2 + `":{"resources":{"VCPU":1}}},"project_id":"p2","user_id":"u2","consumer_generation":null}}`, status: 204},
		{name: "own usages as project reader", tok: "user", ver: "1.9", method: "GET", path: "/usages?project_id=p-user", status: 200},
		{name: "others' usages as project reader", tok: "user", ver: "1.9", method: "GET", path: "/usages?project_id=p1", status: 403},
		{name: "usages", ver: "1.9", method: "GET", path: "/usages?project_id=p1", status: 200, contains: []string{`"VCPU":2`}},
		{name: "rp usages", method: "GET", path: "/resource_providers/" + cn1 + "/usages", status: 200, contains: []string{`"VCPU":2`}},
		{name: "rp allocations", method: "GET", path: "/resource_providers/" + cn1 + "/allocations", status: 200, contains: []string{inst}},
		{name: "inventory in use", ver: "1.23", method: "DELETE", path: "/resource_providers/" + cn1 + "/inventories/VCPU", status: 409, contains: []string{"placement.inventory.inuse"}},
		{name: "rp in use", ver: "1.23", method: "DELETE", path: "/resource_providers/" + cn1, status: 409, contains: []string{"placement.resource_provider.inuse"}},
		{name: "class", ver: "1.2", method: "POST", path: "/resource_classes", body: `{"name":"CUSTOM_GPU"}`, status: 201},
		{name: "class put", ver: "1.7", method: "PUT", path: "/resource_classes/CUSTOM_GPU", status: 204},
		{name: "class rename 1.6", ver: "1.6", method: "PUT", path: "/resource_classes/CUSTOM_GPU", body: `{"name":"CUSTOM_GPU2"}`, status: 200, contains: []string{"CUSTOM_GPU2"}},
		{name: "class list", ver: "1.2", method: "GET", path: "/resource_classes", status: 200, contains: []string{"CUSTOM_GPU", "VCPU"}},
		{name: "class taken", ver: "1.23", method: "POST", path: "/resource_classes", body: `{"name":"CUSTOM_GPU2"}`, status: 409, contains: []string{"placement.duplicate_name", "Conflicting resource class already exists: CUSTOM_GPU2"}},
		{name: "class", ver: "1.2", method: "POST", path: "/resource_classes", body: `{"name":"CUSTOM_GPU3"}`, status: 201},
		{name: "class rename to a taken name", ver: "1.6", method: "PUT", path: "/resource_classes/CUSTOM_GPU3", body: `{"name":"CUSTOM_GPU2"}`, status: 409, contains: []string{"Resource class already exists: CUSTOM_GPU2"}},
		{name: "class delete", ver: "1.2", method: "DELETE", path: "/resource_classes/CUSTOM_GPU3", status: 204},
		{name: "class delete twice", ver: "1.23", method: "DELETE", path: "/resource_classes/CUSTOM_GPU3", status: 404, contains: []string{"placement.undefined_code", "No such resource class CUSTOM_GPU3."}},
		{name: "trait delete missing", ver: "1.23", method: "DELETE", path: "/traits/CUSTOM_NONE", status: 404, contains: []string{"No such trait(s): CUSTOM_NONE."}},
		{name: "reshape", ver: "1.30", method: "POST", path: "/reshaper",
			body: `{"inventories":{"` + cn2 + `":{"resource_provider_generation":99,"inventories":{}}},"allocations":{}}`, status: 409},
		{name: "delete allocations", method: "DELETE", path: "/allocations/" + inst, status: 204},
		{name: "delete allocations twice", method: "DELETE", path: "/allocations/" + inst, status: 404},
		{name: "404 provider", ver: "1.23", method: "GET", path: "/resource_providers/" + inst, status: 404, contains: []string{"placement.resource_provider.not_found"}},
		{name: "trailing slash", method: "GET", path: "/resource_providers/", status: 200},
	})
}

func TestErrorBodyAndVersions(t *testing.T) {
	srv := setup(t)
	get := func(path, ver string) (int, http.Header, map[string]any) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-Auth-Token", "admin")
		if ver != "" {
			req.Header.Set("OpenStack-API-Version", "placement "+ver)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, resp.Header, m
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
