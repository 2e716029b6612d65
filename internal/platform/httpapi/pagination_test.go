package httpapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func req(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Host = "cloud.example:8774"
	return r
}

func status(err error) int {
	var he *apierr.Error
	if errors.As(err, &he) {
		return he.Code
	}
	return 0
}

func TestParsePage(t *testing.T) {
	opts := httpapi.PageOptions{DefaultLimit: 25, MaxLimit: 100}
	tests := []struct {
		query  string
		opts   httpapi.PageOptions
		want   httpapi.Page
		status int
	}{
		{"", opts, httpapi.Page{Limit: 25}, 0},
		{"?limit=10&marker=abc", opts, httpapi.Page{Limit: 10, Marker: "abc"}, 0},
		{"?limit=1000", opts, httpapi.Page{Limit: 100}, 0},
		{"?limit=0", opts, httpapi.Page{Limit: 100}, 0},
		{"?limit=5&limit=7", opts, httpapi.Page{Limit: 7}, 0},
		{"", httpapi.PageOptions{}, httpapi.Page{Limit: 1000}, 0},
		{"", httpapi.PageOptions{DefaultLimit: 500, MaxLimit: 50}, httpapi.Page{Limit: 50}, 0},
		{"?limit=-1", opts, httpapi.Page{}, 400},
		{"?limit=ten", opts, httpapi.Page{}, 400},
		{"?limit=1.5", opts, httpapi.Page{}, 400},
		{"?limit=", opts, httpapi.Page{}, 400},
	}
	for _, tt := range tests {
		got, err := httpapi.ParsePage(req("/v2.1/servers"+tt.query), tt.opts)
		if status(err) != tt.status || (tt.status == 0 && err != nil) {
			t.Errorf("%q: err = %v, want status %d", tt.query, err, tt.status)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: page (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestParseSort(t *testing.T) {
	opts := httpapi.SortOptions{
		Allowed: []string{"name", "created_at", "id"},
		Default: []httpapi.Sort{{Key: "created_at", Dir: "desc"}, {Key: "id", Dir: "desc"}},
	}
	asc := opts
	asc.DefaultDir = "asc"
	tests := []struct {
		query  string
		opts   httpapi.SortOptions
		want   []httpapi.Sort
		status int
	}{
		{"", opts, opts.Default, 0},
		{"?sort_key=name&sort_dir=asc", opts, []httpapi.Sort{{"name", "asc"}}, 0},
		{"?sort_key=name&sort_key=id&sort_dir=asc", opts, []httpapi.Sort{{"name", "asc"}, {"id", "desc"}}, 0},
		{"?sort_key=name", asc, []httpapi.Sort{{"name", "asc"}}, 0},
		{"?sort_key=name,id&sort_dir=DESC,asc", opts, []httpapi.Sort{{"name", "desc"}, {"id", "asc"}}, 0},
		{"?sort_key=name&sort_key=name", opts, []httpapi.Sort{{"name", "desc"}}, 0},
		{"?sort=name:asc,created_at", opts, []httpapi.Sort{{"name", "asc"}, {"created_at", "desc"}}, 0},
		{"?sort=id:desc&sort=name:asc", opts, []httpapi.Sort{{"id", "desc"}, {"name", "asc"}}, 0},
		{"?sort_key=password", opts, nil, 400},
		{"?sort_key=name&sort_dir=up", opts, nil, 400},
		{"?sort_key=name&sort_dir=asc&sort_dir=desc", opts, nil, 400},
		{"?sort_dir=asc", opts, nil, 400},
		{"?sort=name:sideways", opts, nil, 400},
		{"?sort=name&sort_key=id", opts, nil, 400},
		{"?sort=name&sort_dir=asc", opts, nil, 400},
	}
	for _, tt := range tests {
		got, err := httpapi.ParseSort(req("/v2/images"+tt.query), tt.opts)
		if status(err) != tt.status || (tt.status == 0 && err != nil) {
			t.Errorf("%q: err = %v, want status %d", tt.query, err, tt.status)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: sort (-want +got):\n%s", tt.query, diff)
		}
	}
	// The defaults handed back are a copy.
	got, _ := httpapi.ParseSort(req("/v2/images"), opts)
	got[0].Key = "changed"
	if opts.Default[0].Key != "created_at" {
		t.Error("ParseSort returned the caller's default slice")
	}
}

func TestNextLinks(t *testing.T) {
	tests := []struct {
		name   string
		target string
		page   httpapi.Page
		n      int
		last   string
		links  []httpapi.Link
		glance string
	}{
		{"full page", "/v2.1/servers?limit=2&name=web", httpapi.Page{Limit: 2}, 2, "id2",
			[]httpapi.Link{{Rel: "next", Href: "http://cloud.example:8774/v2.1/servers?limit=2&marker=id2&name=web"}},
			"/v2.1/servers?limit=2&marker=id2&name=web"},
		{"marker replaced", "/v2/images?marker=old&limit=3", httpapi.Page{Limit: 3, Marker: "old"}, 3, "new",
			[]httpapi.Link{{Rel: "next", Href: "http://cloud.example:8774/v2/images?limit=3&marker=new"}},
			"/v2/images?limit=3&marker=new"},
		{"implicit limit made explicit", "/v2.0/networks", httpapi.Page{Limit: 1}, 1, "n1",
			[]httpapi.Link{{Rel: "next", Href: "http://cloud.example:8774/v2.0/networks?limit=1&marker=n1"}},
			"/v2.0/networks?limit=1&marker=n1"},
		{"short page is the last", "/v2.1/servers?limit=5", httpapi.Page{Limit: 5}, 4, "id4", nil, ""},
		{"empty page", "/v2.1/servers?limit=5", httpapi.Page{Limit: 5}, 0, "", nil, ""},
		{"escaping", "/v2.1/servers?name=a%20b", httpapi.Page{Limit: 1}, 1, "x&y",
			[]httpapi.Link{{Rel: "next", Href: "http://cloud.example:8774/v2.1/servers?limit=1&marker=x%26y&name=a+b"}},
			"/v2.1/servers?limit=1&marker=x%26y&name=a+b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req(tt.target)
			if diff := cmp.Diff(tt.links, httpapi.NextLinks(r, tt.page, tt.n, tt.last)); diff != "" {
				t.Errorf("NextLinks (-want +got):\n%s", diff)
			}
			if got := httpapi.NextPath(r, tt.page, tt.n, tt.last); got != tt.glance {
				t.Errorf("NextPath = %q, want %q", got, tt.glance)
			}
		})
	}
	r := req("/v2.1/servers")
	r.Header.Set("X-Forwarded-Proto", "https")
	links := httpapi.NextLinks(r, httpapi.Page{Limit: 1}, 1, "a")
	if len(links) != 1 || links[0].Href != "https://cloud.example:8774/v2.1/servers?limit=1&marker=a" {
		t.Errorf("behind a TLS proxy: %v", links)
	}
}

func TestPageSlice(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	tests := []struct {
		page   httpapi.Page
		want   []string
		status int
	}{
		{httpapi.Page{Limit: 2}, []string{"a", "b"}, 0},
		{httpapi.Page{Limit: 2, Marker: "b"}, []string{"c", "d"}, 0},
		{httpapi.Page{Limit: 2, Marker: "d"}, []string{"e"}, 0},
		{httpapi.Page{Limit: 2, Marker: "e"}, []string{}, 0},
		{httpapi.Page{Limit: 0}, items, 0},
		{httpapi.Page{Limit: 10, Marker: "zz"}, nil, 400},
	}
	for _, tt := range tests {
		got, err := httpapi.PageSlice(items, tt.page, id)
		if status(err) != tt.status {
			t.Errorf("%+v: err = %v, want status %d", tt.page, err, tt.status)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v: (-want +got):\n%s", tt.page, diff)
		}
	}
}
