package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCallKey(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = nil
		json.NewDecoder(r.Body).Decode(&got)
		switch r.URL.Path {
		case "/one":
			w.Write([]byte(`{"port": {"id": "p1"}}`))
		case "/other":
			w.Write([]byte(`{"network": {"id": "n1"}}`))
		}
	}))
	defer srv.Close()
	fail := func(*http.Response) error { t.Fatal("unexpected failure"); return nil }
	call := func(path string, in, out any) error {
		return Call{Service: "test service", Method: "POST", URL: srv.URL + path, Key: "port", In: in, Out: out, Fail: fail}.Do(context.Background(), srv.Client())
	}

	var p struct{ ID string }
	if err := call("/one", map[string]any{"name": "a"}, &p); err != nil || p.ID != "p1" {
		t.Fatalf("one: %v %+v", err, p)
	}
	if inner, _ := got["port"].(map[string]any); inner["name"] != "a" || len(got) != 1 {
		t.Errorf("body sent: %v", got)
	}
	if err := call("/one", nil, nil); err != nil || got != nil {
		t.Errorf("no body: %v, sent %v", err, got)
	}
	if err := call("/other", nil, &p); err == nil || !strings.Contains(err.Error(), `no "port" in the answer`) {
		t.Errorf("answer without the key: %v", err)
	}
}
