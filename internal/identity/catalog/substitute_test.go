package catalog

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSubstitute(t *testing.T) {
	all := []Entry{
		{Service: APIService{Type: "compute"}, Endpoints: []Endpoint{{ID: "c", URL: "http://h:8774/v2.1"}}},
		{Service: APIService{Type: "object-store"}, Endpoints: []Endpoint{
			{ID: "s1", URL: "http://h:8080/v1/AUTH_$(project_id)s"},
			{ID: "s2", URL: "http://h:8080/v1/AUTH_%(tenant_id)s", Interface: "internal"},
		}},
		{Service: APIService{Type: "empty"}},
	}
	got := substitute(all, "p1")
	want := []Entry{
		all[0],
		{Service: APIService{Type: "object-store"}, Endpoints: []Endpoint{
			{ID: "s1", URL: "http://h:8080/v1/AUTH_p1"},
			{ID: "s2", URL: "http://h:8080/v1/AUTH_p1", Interface: "internal"},
		}},
		all[2],
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("project token (-want +got):\n%s", d)
	}
	if all[1].Endpoints[0].URL != "http://h:8080/v1/AUTH_$(project_id)s" {
		t.Errorf("the store's entries were changed in place: %q", all[1].Endpoints[0].URL)
	}
	// A token without a project sees no endpoint that needs one, and not
	// the service those endpoints were all of.
	if d := cmp.Diff([]Entry{all[0], all[2]}, substitute(all, "")); d != "" {
		t.Errorf("unscoped token (-want +got):\n%s", d)
	}
	// Nothing to fill in: the same slice, no copy.
	plain := all[:1]
	if got := substitute(plain, "p1"); &got[0] != &plain[0] {
		t.Error("a catalog without placeholders was copied")
	}
}
