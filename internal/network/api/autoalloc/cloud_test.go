package autoalloc_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/testcloud"
)

// TestAutoNetworkEndToEnd boots servers with "networks": "auto" at
// microversion 2.37 as a project without networks, as Tempest's
// AutoAllocateNetworkTest does: they all get a port on the project's
// auto-allocated network.
func TestAutoNetworkEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cloud")
	}
	tc := testcloud.Start(t, func(c *config.Config) { c.Compute.FakeDelay = -1 })
	compute := strings.TrimSuffix(tc.Env.URLs["compute"], "/v2.1")
	netURL := tc.Env.URLs["network"]
	do := func(method, url, token string, body any, want int) map[string]any {
		t.Helper()
		st, out := doMV(t, tc, method, url, token, body)
		if st != want {
			t.Fatalf("%s %s: %d %v, want %d", method, url, st, out, want)
		}
		return out
	}
	admin := tc.AdminToken(t)

	// The operator's side: a default external network and a default
	// subnet pool.
	ext := do("POST", netURL+"/v2.0/networks", admin, map[string]any{"network": map[string]any{"name": "public", "router:external": true, "is_default": true}}, 201)
	extID := ext["network"].(map[string]any)["id"]
	do("POST", netURL+"/v2.0/subnets", admin, map[string]any{"subnet": map[string]any{"network_id": extID, "cidr": "172.24.4.0/24", "ip_version": 4}}, 201)
	do("POST", netURL+"/v2.0/subnetpools", admin, map[string]any{"subnetpool": map[string]any{"name": "default", "prefixes": []string{"10.0.0.0/16"},
		"default_prefixlen": 26, "is_default": true, "shared": true}}, 201)

	// A fresh project with a member user, a flavor and an image.
	p := do("POST", tc.AuthURL+"/projects", admin, map[string]any{"project": map[string]any{"name": "p1"}}, 201)
	project := p["project"].(map[string]any)["id"].(string)
	u := do("POST", tc.AuthURL+"/users", admin, map[string]any{"user": map[string]any{"name": "u1", "password": "u1-secret", "default_project_id": project}}, 201)
	roles := do("GET", tc.AuthURL+"/roles?name=member", admin, nil, 200)
	role := roles["roles"].([]any)[0].(map[string]any)["id"].(string)
	do("PUT", tc.AuthURL+"/projects/"+project+"/users/"+u["user"].(map[string]any)["id"].(string)+"/roles/"+role, admin, nil, 204)
	member := tc.Token(t, "u1", "u1-secret", "p1")
	fl := do("POST", compute+"/v2.1/flavors", admin, map[string]any{"flavor": map[string]any{"name": "small", "ram": 64, "vcpus": 1, "disk": 1}}, 200)
	img := do("POST", tc.Env.URLs["image"]+"/v2/images", admin, map[string]any{"name": "img", "disk_format": "raw", "container_format": "bare", "visibility": "public"}, 201)
	upload, _ := http.NewRequest("PUT", tc.Env.URLs["image"]+"/v2/images/"+img["id"].(string)+"/file", bytes.NewReader(make([]byte, 1024)))
	upload.Header.Set("Content-Type", "application/octet-stream")
	upload.Header.Set("X-Auth-Token", admin)
	if resp, err := http.DefaultClient.Do(upload); err != nil || resp.StatusCode != 204 {
		t.Fatalf("image upload: %v %v", resp, err)
	}

	// Three servers in one request, as Tempest's multi-create test.
	do("POST", compute+"/v2.1/servers", member, map[string]any{"server": map[string]any{"name": "vm", "imageRef": img["id"],
		"flavorRef": fl["flavor"].(map[string]any)["id"], "networks": "auto", "min_count": 3}}, 202)
	topo := do("GET", netURL+"/v2.0/auto-allocated-topology/"+project, member, nil, 200)
	netID := topo["auto_allocated_topology"].(map[string]any)["id"].(string)

	deadline := time.Now().Add(30 * time.Second)
	for {
		list := do("GET", compute+"/v2.1/servers/detail", member, nil, 200)["servers"].([]any)
		active := 0
		for _, s := range list {
			if st := s.(map[string]any)["status"]; st == "ACTIVE" {
				active++
			} else if st == "ERROR" {
				t.Fatalf("server in ERROR: %v", s)
			}
		}
		if len(list) == 3 && active == 3 {
			for _, s := range list {
				id := s.(map[string]any)["id"].(string)
				ports := do("GET", netURL+"/v2.0/ports?device_id="+id, member, nil, 200)["ports"].([]any)
				if len(ports) != 1 || ports[0].(map[string]any)["network_id"] != netID {
					t.Errorf("server %s ports: %v, want one on %s", id, ports, netID)
				}
				if a, _ := s.(map[string]any)["addresses"].(map[string]any); len(a) != 1 || a["auto_allocated_network"] == nil {
					t.Errorf("server %s addresses: %v", id, a)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("servers not ACTIVE: %v", list)
		}
		time.Sleep(20 * time.Millisecond)
	}
	nets := do("GET", netURL+"/v2.0/networks?project_id="+project+"&shared=false&admin_state_up=true", member, nil, 200)["networks"].([]any)
	if len(nets) != 1 || nets[0].(map[string]any)["id"] != netID {
		t.Errorf("the project's networks: %v, want only %s", nets, netID)
	}
}

// doMV sends a request at compute microversion 2.37 (other services
// ignore the header) and returns the status and decoded body.
func doMV(t *testing.T, tc *testcloud.Cloud, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-OpenStack-Nova-API-Version", "2.37")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
