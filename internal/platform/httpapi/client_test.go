package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
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

func TestPeer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/items":
			w.Write([]byte(`{"items": [{"id": "` + r.URL.RawQuery + `", "v": "` + r.Header.Get("X-Version") + `"}]}`))
		case "/ours":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"fault": {"type": "InUse", "message": "taken"}}`))
		case "/text":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte("  plain words\n"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	p := Peer{Service: "test service", Base: srv.URL, Header: map[string]string{"X-Version": "2"},
		Fault: func(b []byte, e *apierr.Error) {
			var j struct {
				Fault *struct{ Type, Message string }
			}
			if json.Unmarshal(b, &j) == nil && j.Fault != nil {
				e.Type, e.Message = j.Fault.Type, j.Fault.Message
			}
		}}
	ctx := context.Background()

	var items []struct{ ID, V string }
	if err := p.List(ctx, "tok", "/items", url.Values{"a": {"b"}}, "items", &items); err != nil ||
		len(items) != 1 || items[0].ID != "a=b" || items[0].V != "2" {
		t.Fatalf("List: %v %+v", err, items)
	}
	for path, want := range map[string]apierr.Error{
		"/ours":    {Code: 409, Type: "InUse", Message: "taken"},
		"/text":    {Code: 400, Message: "plain words"},
		"/missing": {Code: 404, Message: "Not Found"},
	} {
		err := p.Keyed(ctx, http.MethodGet, "tok", path, "", nil, nil)
		e, ok := apierr.As(err)
		if !ok || e.Code != want.Code || e.Type != want.Type || e.Message != want.Message {
			t.Errorf("%s: %#v, want %+v", path, err, want)
		}
	}
}
