package api_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestPlacementHTTP pins the HTTP answers Placement's WSGI stack gives
// where gostack's shared defaults differ (basic-http.yaml,
// bug-1674694.yaml, microversion.yaml, microversion-bug-1724065.yaml,
// inventory.yaml): 405s naming the method, with an Allow of the path's
// own methods; errors as HTML or plain text to a client that prefers
// them; microversion-parse's refusals; a lower-case Vary; absolute
// Locations.
func TestPlacementHTTP(t *testing.T) {
	const rp = "f0000000-0000-0000-0000-000000000001"
	srv := setup(t)
	tests := []struct {
		name   string
		req    apitest.Request
		status int
		header []string // names and values the answer must have; "$URL" stands for the server's
		has    []string
	}{
		{"405 at root", apitest.Request{Method: "DELETE", Path: "/"}, 405,
			[]string{"Allow", "GET", "Content-Type", "application/json"}, []string{"The method DELETE is not allowed for this resource.", `"title":"Method Not Allowed"`}},
		{"405 on providers", apitest.Request{Method: "DELETE", Path: "/resource_providers"}, 405,
			[]string{"Allow", "GET, POST"}, []string{"The method DELETE is not allowed for this resource."}},
		{"405 OPTIONS", apitest.Request{Method: "OPTIONS", Path: "/resource_providers"}, 405,
			[]string{"Allow", "GET, POST"}, []string{"The method OPTIONS is not allowed for this resource."}},
		{"405 on a provider", apitest.Request{Method: "PATCH", Path: "/resource_providers/" + rp}, 405,
			[]string{"Allow", "GET, PUT, DELETE"}, nil},
		{"404 as html", apitest.Request{Method: "GET", Path: "/" + rp, Header: []string{"Accept", "text/html"}}, 404,
			[]string{"Content-Type", "text/html; charset=UTF-8"}, []string{"<h1>404 Not Found</h1>", "The resource could not be found."}},
		{"404 to */*", apitest.Request{Method: "GET", Path: "/" + rp, Header: []string{"Accept", "*/*"}}, 404,
			[]string{"Content-Type", "application/json"}, []string{`"status":404`}},
		{"404 without Accept", apitest.Request{Method: "GET", Path: "/" + rp, Header: []string{"Accept", ""}}, 404,
			[]string{"Content-Type", "application/json"}, []string{`"status":404`}},
		{"406 as plain text", apitest.Request{Method: "GET", Path: "/resource_providers", Header: []string{"Accept", "text/plain"}}, 406,
			[]string{"Content-Type", "text/plain; charset=UTF-8"}, []string{"406 Not Acceptable", "Only application/json is provided"}},
		{"unacceptable version", apitest.Request{Method: "GET", Path: "/", Version: "0.5"}, 406,
			[]string{"Content-Type", "application/json"}, []string{"Unacceptable version header: 0.5", `"title":"Not Acceptable"`}},
		{"unacceptable version as html", apitest.Request{Method: "GET", Path: "/", Version: "0.5", Header: []string{"Accept", "text/html"}}, 406,
			[]string{"Content-Type", "text/html; charset=UTF-8"}, []string{"Unacceptable version header: 0.5"}},
		{"no Accept, out of range", apitest.Request{Method: "GET", Path: "/resource_providers", Version: "0.9", Header: []string{"Accept", ""}}, 406,
			[]string{"Content-Type", "application/json"}, []string{"Unacceptable version header"}},
		{"bad version string", apitest.Request{Method: "GET", Path: "/", Version: "pony.horse"}, 400,
			nil, []string{"invalid version string: pony.horse", `"title":"Bad Request"`}},
		{"multidot version", apitest.Request{Method: "GET", Path: "/", Version: "1.2.3"}, 400,
			nil, []string{"invalid version string: 1.2.3"}},
		{"vary", apitest.Request{Method: "GET", Path: "/", Version: "latest"}, 200,
			[]string{"Vary", "openstack-api-version", "OpenStack-API-Version", "placement 1.39"}, nil},
		{"provider", apitest.Request{Method: "POST", Path: "/resource_providers", Body: `{"name":"rp","uuid":"` + rp + `"}`}, 201,
			[]string{"Location", "$URL/resource_providers/" + rp}, nil},
		{"inventory", apitest.Request{Method: "POST", Path: "/resource_providers/" + rp + "/inventories",
			Body: `{"resource_provider_generation":0,"resource_class":"DISK_GB","total":2048}`}, 201,
			[]string{"Location", "$URL/resource_providers/" + rp + "/inventories/DISK_GB"}, nil},
		{"trait", apitest.Request{Method: "PUT", Path: "/traits/CUSTOM_AAA", Version: "1.6"}, 201,
			[]string{"Location", "$URL/traits/CUSTOM_AAA"}, nil},
		{"class", apitest.Request{Method: "PUT", Path: "/resource_classes/CUSTOM_GOLD", Version: "1.7"}, 201,
			[]string{"Location", "$URL/resource_classes/CUSTOM_GOLD"}, nil},
	}
	for _, tt := range tests {
		tt.req.Token = apitest.Admin
		res := srv.Do(t, tt.req)
		if res.Status != tt.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", tt.name, tt.req.Method, tt.req.Path, res.Status, tt.status, res.Body)
			continue
		}
		for i := 0; i+1 < len(tt.header); i += 2 {
			want := strings.ReplaceAll(tt.header[i+1], "$URL", srv.URL)
			if got := res.Header.Get(tt.header[i]); got != want {
				t.Errorf("%s: %s = %q, want %q", tt.name, tt.header[i], got, want)
			}
		}
		for _, s := range tt.has {
			if !strings.Contains(string(res.Body), s) {
				t.Errorf("%s: body lacks %q: %s", tt.name, s, res.Body)
			}
		}
	}
}

// TestContentLengthNotInteger: a Content-Length that is not an integer
// is Placement's 400. net/http's server answers such a request itself
// (a bare "400 Bad Request") before any handler, so this serves it in
// process.
func TestContentLengthNotInteger(t *testing.T) {
	h := setup(t).Config.Handler
	for cl, want := range map[string]int{"hi mom": 400, "1.5": 400, "0x10": 400, "2": 400, "": 400} {
		r := httptest.NewRequest("POST", "/resource_providers", strings.NewReader(`{"uuid":"x"}`))
		r.Header.Set("X-Auth-Token", apitest.Admin)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Content-Length", cl)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		integer := strings.Contains(w.Body.String(), "content-length header must be an integer")
		if w.Code != want || integer != (cl != "" && cl != "2") {
			t.Errorf("Content-Length %q: %d %s", cl, w.Code, w.Body)
		}
	}
}

// TestSummaryTraitOrder: a provider's traits in provider_summaries come
// in Placement's order (by trait id): standard traits before custom ones.
// TestAppendCandidatesMatchesMarshal keeps the two renderings alike.
func TestSummaryTraitOrder(t *testing.T) {
	const rp = "f0000000-0000-0000-0000-000000000002"
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "provider", Version: "1.20", Method: "POST", Path: "/resource_providers", Body: `{"name":"numa","uuid":"` + rp + `"}`, Status: 200},
		{Name: "inventory", Method: "PUT", Path: "/resource_providers/" + rp + "/inventories", Body: `{"resource_provider_generation":0,"inventories":{"VCPU":{"total":8}}}`, Status: 200},
		{Name: "custom trait", Version: "1.6", Method: "PUT", Path: "/traits/CUSTOM_AAA", Status: 201},
		{Name: "traits", Version: "1.6", Method: "PUT", Path: "/resource_providers/" + rp + "/traits",
			Body: `{"resource_provider_generation":1,"traits":["CUSTOM_AAA","HW_NUMA_ROOT","COMPUTE_VOLUME_MULTI_ATTACH"]}`, Status: 200},
	})
	want := []string{"COMPUTE_VOLUME_MULTI_ATTACH", "HW_NUMA_ROOT", "CUSTOM_AAA"}
	for _, v := range []string{"1.17", "1.29", "1.39"} {
		res := srv.Do(t, apitest.Request{Method: "GET", Path: "/allocation_candidates?resources=VCPU:1", Token: apitest.Admin, Version: v})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", v, res.Status, res.Body)
		}
		var got []string
		sums, _ := res.JSON()["provider_summaries"].(map[string]any)
		s, _ := sums[rp].(map[string]any)
		ts, _ := s["traits"].([]any)
		for _, x := range ts {
			got = append(got, x.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: traits %v, want %v", v, got, want)
		}
	}
}
