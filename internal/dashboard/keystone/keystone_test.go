package keystone

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAgainstFake checks the wire shapes the client reads and writes
// against a fake identity: the catalog's region_id (and the older region
// name), Keystone's error message, and a revoke of a gone token.
func TestAgainstFake(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			t.Errorf("a scoped token is asked without its catalog: %q", r.URL.RawQuery)
		}
		w.Header().Set("X-Subject-Token", "tok-1")
		w.WriteHeader(201)
		w.Write([]byte(`{"token":{"expires_at":"2026-12-07T11:00:00.000000Z","user":{"id":"u1","name":"alice","domain":{"id":"default","name":"Default"}},
			"project":{"id":"p1","name":"demo","domain":{"id":"default","name":"Default"}},"roles":[{"id":"r","name":"member"}],
			"catalog":[{"type":"compute","name":"nova","endpoints":[{"interface":"public","region_id":"RegionOne","url":"http://c"},
			{"interface":"admin","region":"RegionTwo","url":"http://c2"}]}]}}`))
	})
	mux.HandleFunc("DELETE /v3/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != r.Header.Get("X-Subject-Token") {
			t.Error("revoke does not present the token itself")
		}
		w.WriteHeader(404)
		w.Write([]byte(`{"error":{"code":404,"message":"Could not find token.","title":"Not Found"}}`))
	})
	mux.HandleFunc("GET /v3/auth/projects", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(srv.URL+"/v3/", nil)
	ctx := context.Background()

	tok, err := c.Scope(ctx, "unscoped", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != "tok-1" || tok.User.DomainName != "Default" || tok.Project.ID != "p1" || tok.Project.DomainID != "default" ||
		len(tok.Roles) != 1 || tok.ExpiresAt.IsZero() {
		t.Errorf("token = %+v", tok)
	}
	if len(tok.Catalog) != 2 || tok.Catalog[0].Region != "RegionOne" || tok.Catalog[1].Region != "RegionTwo" || tok.Catalog[1].Interface != "admin" {
		t.Errorf("catalog = %+v", tok.Catalog)
	}
	if err := c.Revoke(ctx, "gone"); err != nil {
		t.Errorf("revoke of a gone token: %v", err)
	}
	_, err = c.Projects(ctx, "x")
	var ke *Error
	if !errors.As(err, &ke) || ke.Status != 401 || ke.Message != "The request you have made requires authentication." {
		t.Errorf("projects error = %v", err)
	}
}
