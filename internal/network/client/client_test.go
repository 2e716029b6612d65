package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestCalls(t *testing.T) {
	type seen struct{ method, uri, token, body string }
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.RequestURI(), r.Header.Get("X-Auth-Token"), string(b)}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/v2.0/ports":
			io.WriteString(w, `{"ports": [{"id": "p1", "network_id": "n1", "device_id": "srv", "binding:host_id": "h",
				"fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.3"}]}]}`)
		case r.Method == "POST" && r.URL.Path == "/v2.0/ports":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"port": {"id": "p2", "mac_address": "fa:16:3e:00:00:01"}}`)
		case r.Method == "DELETE":
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/v2.0/networks/missing":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"NeutronError": {"type": "NetworkNotFound", "message": "Network missing could not be found.", "detail": ""}}`)
		case r.URL.Path == "/v2.0/networks/broken":
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, `upstream down`)
		case r.URL.Path == "/v2.0/networks/n1":
			io.WriteString(w, `{"network": {"id": "n1", "name": "private", "mtu": 1450, "router:external": true, "extra": 1}}`)
		case r.URL.Path == "/v2.0/extensions":
			io.WriteString(w, `{"extensions": [{"alias": "auto-allocated-topology"}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := New(srv.URL+"/", nil)
	ctx := context.Background()

	ports, err := c.ListPorts(ctx, "tok", Query("device_id", "srv"))
	if err != nil || len(ports) != 1 || ports[0].HostID != "h" || ports[0].FixedIPs[0].IPAddress != "10.0.0.3" {
		t.Fatalf("ListPorts = %+v, %v", ports, err)
	}
	if got.uri != "/v2.0/ports?device_id=srv" || got.token != "tok" {
		t.Fatalf("request = %+v", got)
	}

	p, err := c.CreatePort(ctx, "tok", map[string]any{"network_id": "n1", "binding:host_id": "h"})
	if err != nil || p.ID != "p2" || p.MAC != "fa:16:3e:00:00:01" {
		t.Fatalf("CreatePort = %+v, %v", p, err)
	}
	var body map[string]map[string]any
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || body["port"]["binding:host_id"] != "h" {
		t.Fatalf("create body = %s", got.body)
	}

	if err := c.DeletePort(ctx, "tok", "p2"); err != nil || got.uri != "/v2.0/ports/p2" {
		t.Fatalf("DeletePort: %v (%+v)", err, got)
	}

	n, err := c.GetNetwork(ctx, "tok", "n1")
	if err != nil || n.Name != "private" || n.MTU != 1450 || !n.External || n.Raw["extra"] != float64(1) {
		t.Fatalf("GetNetwork = %+v, %v", n, err)
	}

	ext, err := c.Extensions(ctx, "tok")
	if err != nil || !ext["auto-allocated-topology"] {
		t.Fatalf("Extensions = %v, %v", ext, err)
	}

	tests := []struct {
		id      string
		code    int
		typ     string
		message string
	}{
		{"missing", 404, "NetworkNotFound", "Network missing could not be found."},
		{"broken", 502, "", "upstream down"},
	}
	for _, tt := range tests {
		_, err := c.GetNetwork(ctx, "tok", tt.id)
		e, ok := apierr.As(err)
		if !ok || e.Code != tt.code || e.Type != tt.typ || e.Message != tt.message {
			t.Errorf("GetNetwork(%s) error = %#v, want %d %q %q", tt.id, err, tt.code, tt.typ, tt.message)
		}
	}
	if _, err := c.GetNetwork(ctx, "tok", "missing"); !apierr.IsType(err, "NetworkNotFound") || !apierr.IsNotFound(err) {
		t.Fatalf("IsType: %v", err)
	}
}
