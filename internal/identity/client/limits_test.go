package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/quota"
)

var _ quota.LimitSource = (*Client)(nil)

func TestLimit(t *testing.T) {
	k := newKeystone(t)
	mux := http.NewServeMux()
	mux.Handle("/v3/auth/tokens", k)
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			k.mu.Lock()
			ok := k.valid[r.Header.Get("X-Auth-Token")]
			k.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /v3/services", authed(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("type") == "compute" {
			fmt.Fprint(w, `{"services": [{"id": "svc-nova", "type": "compute", "name": "nova"}]}`)
			return
		}
		fmt.Fprint(w, `{"services": []}`)
	}))
	mux.HandleFunc("GET /v3/limits", authed(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("service_id") == "svc-nova" && q.Get("project_id") == "p1" && q.Get("resource_name") == "instances" {
			fmt.Fprint(w, `{"limits": [{"id": "l1", "project_id": "p1", "service_id": "svc-nova", "resource_name": "instances", "resource_limit": 5}]}`)
			return
		}
		fmt.Fprint(w, `{"limits": []}`)
	}))
	mux.HandleFunc("GET /v3/registered_limits", authed(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("project_id") {
			t.Error("registered limits asked with a project_id")
		}
		if q.Get("service_id") == "svc-nova" && q.Get("resource_name") != "gpus" {
			fmt.Fprint(w, `{"registered_limits": [{"id": "r1", "service_id": "svc-nova", "resource_name": "x", "default_limit": 10}]}`)
			return
		}
		fmt.Fprint(w, `{"registered_limits": []}`)
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := New(srv.URL, srv.Client(), WithServiceUser(novaUser))
	tests := []struct {
		service, project, resource string
		want                       int64
		ok, err                    bool
	}{
		{"compute", "p1", "instances", 5, true, false},  // project limit
		{"compute", "p2", "instances", 10, true, false}, // registered default
		{"compute", "p1", "cores", 10, true, false},
		{"compute", "p1", "gpus", 0, false, false}, // neither
		{"dns", "p1", "zones", 0, false, true},     // no such service
	}
	for _, tt := range tests {
		got, ok, err := c.Limit(context.Background(), tt.service, tt.project, tt.resource)
		if got != tt.want || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("Limit(%s, %s, %s) = %d, %v, %v; want %d, %v, err %v",
				tt.service, tt.project, tt.resource, got, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}
