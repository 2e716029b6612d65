package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// nova answers os-server-external-events as the compute API does: each
// event with its code, 207 when one was refused, and a keyed fault for
// a token it refuses.
func nova(t *testing.T, seen *http.Header) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*seen = r.Header.Clone()
		if r.Method != http.MethodPost || r.URL.Path != "/v2.1/os-server-external-events" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("X-Auth-Token") != "svc" {
			httpapi.KeyedFaults{}.Write(w, r, apierr.Forbidden("Policy doesn't allow os_compute_api:os-server-external-events:create to be performed."))
			return
		}
		var body struct {
			Events []Event `json:"events"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		status := http.StatusOK
		for i, e := range body.Events {
			body.Events[i].Code = http.StatusOK
			if e.ServerID == "gone" {
				body.Events[i].Code, status = http.StatusNotFound, http.StatusMultiStatus
			}
		}
		httpapi.WriteJSON(w, status, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestExternalEvents(t *testing.T) {
	var seen http.Header
	srv := nova(t, &seen)
	ctx := context.Background()

	c := New(srv.URL+"/v2.1/", "2.51", nil)
	got, err := c.ExternalEvents(ctx, "svc", []Event{
		{Name: "volume-extended", ServerID: "s1", Tag: "v1"},
		{Name: "volume-extended", ServerID: "gone", Tag: "v1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Name: "volume-extended", ServerID: "s1", Tag: "v1", Code: 200},
		{Name: "volume-extended", ServerID: "gone", Tag: "v1", Code: 404},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if seen.Get("OpenStack-API-Version") != "compute 2.51" || seen.Get("X-OpenStack-Nova-API-Version") != "2.51" {
		t.Errorf("microversion headers %v", seen)
	}

	// Without a version the client asks for none: the base 2.1.
	if _, err := New(srv.URL+"/v2.1", "", nil).ExternalEvents(ctx, "svc", []Event{{Name: "network-changed", ServerID: "s1"}}); err != nil {
		t.Fatal(err)
	}
	if v := seen.Get("OpenStack-API-Version"); v != "" {
		t.Errorf("OpenStack-API-Version %q sent without a version", v)
	}

	_, err = c.ExternalEvents(ctx, "user", []Event{{Name: "network-changed", ServerID: "s1"}})
	e, ok := apierr.As(err)
	if !ok || e.Code != http.StatusForbidden || e.Type != "forbidden" ||
		e.Message != "Policy doesn't allow os_compute_api:os-server-external-events:create to be performed." {
		t.Errorf("refused: %#v", err)
	}
}
