package hosts_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/hosts"
	"github.com/gostack/gostack/internal/blockstorage/rpc"
)

// report stores the heartbeat of an agent of node1 and of the scheduler.
func report(t *testing.T, c *bstest.Cloud) {
	t.Helper()
	ctx := context.Background()
	r := rpc.Report{Host: "node1@file",
		Services: []blockstorage.VolumeService{{Host: "node1@file", Binary: blockstorage.BinaryVolume, Zone: "nova"},
			{Host: "node1", Binary: blockstorage.BinaryBackup, Zone: "nova"}},
		Pools: []blockstorage.Pool{{Name: "node1@file#file", Backend: "file", Zone: "nova", TotalGB: 100, FreeGB: 90, AllocatedGB: 10,
			Capabilities: map[string]any{"volume_backend_name": "file", "vendor_name": "Open Source", "storage_protocol": "file",
				"driver_version": "1.0.0", "reserved_percentage": 0, "QoS_support": false}}}}
	if err := hosts.Record(ctx, c.Svc.Store(), r); err != nil {
		t.Fatal(err)
	}
	if err := hosts.Beat(ctx, c.Svc.Store(), blockstorage.VolumeService{Host: "node1", Binary: blockstorage.BinaryScheduler, Zone: "nova"}); err != nil {
		t.Fatal(err)
	}
}

func list(body map[string]any, key string) []map[string]any {
	var out []map[string]any
	items, _ := body[key].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

func TestServices(t *testing.T) {
	c := bstest.Start(t, "alice")
	report(t, c)
	for _, tc := range []struct {
		query string
		want  []string // binary host
	}{
		{"", []string{"cinder-scheduler node1", "cinder-backup node1", "cinder-volume node1@file"}},
		{"?binary=cinder-volume", []string{"cinder-volume node1@file"}},
		{"?host=node1", []string{"cinder-scheduler node1", "cinder-backup node1", "cinder-volume node1@file"}},
		{"?host=node1@file", []string{"cinder-volume node1@file"}},
		{"?host=node1&binary=cinder-scheduler", []string{"cinder-scheduler node1"}},
		{"?host=node2", nil},
	} {
		st, body := c.Call(t, "", "GET", "/v3/os-services"+tc.query, nil)
		if st != 200 {
			t.Fatalf("%s: %d %v", tc.query, st, body)
		}
		got := map[string]bool{}
		for _, s := range list(body, "services") {
			got[s["binary"].(string)+" "+s["host"].(string)] = true
			if s["state"] != "up" || s["status"] != "enabled" || s["zone"] != "nova" || s["updated_at"] == nil {
				t.Errorf("%s: service %v", tc.query, s)
			}
			_, frozen := s["frozen"]
			if frozen != (s["binary"] == "cinder-volume") {
				t.Errorf("%s: frozen shown %v for %v", tc.query, frozen, s["binary"])
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%s: missing %s in %v", tc.query, w, got)
			}
		}
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/os-services", nil); st != 403 {
		t.Errorf("a member lists services: %d, want 403", st)
	}
}

func TestUpdateService(t *testing.T) {
	c := bstest.Start(t, "alice")
	report(t, c)
	reason := "maintenance"
	for _, tc := range []struct {
		name, action string
		body         map[string]any
		status       int
		want         map[string]any
	}{
		{"disable", "disable", map[string]any{"host": "node1@file", "binary": "cinder-volume"}, 200,
			map[string]any{"status": "disabled", "disabled": true, "service": "cinder-volume", "host": "node1@file"}},
		{"disable with reason", "disable-log-reason", map[string]any{"host": "node1@file", "binary": "cinder-volume", "disabled_reason": reason}, 200,
			map[string]any{"status": "disabled", "disabled": true, "disabled_reason": reason}},
		{"enable", "enable", map[string]any{"host": "node1@file", "binary": "cinder-volume"}, 200,
			map[string]any{"status": "enabled", "disabled": false, "disabled_reason": nil}},
		{"service for binary", "disable", map[string]any{"host": "node1", "service": "cinder-scheduler"}, 200,
			map[string]any{"status": "disabled", "binary": "cinder-scheduler"}},
		{"unknown host", "enable", map[string]any{"host": "invalid_host", "binary": "cinder-volume"}, 404, nil},
		{"unknown binary", "disable", map[string]any{"host": "node1@file", "binary": "invalid_binary"}, 404, nil},
		{"no reason", "disable-log-reason", map[string]any{"host": "node1@file", "binary": "cinder-volume", "disabled_reason": nil}, 400, nil},
		{"blank reason", "disable-log-reason", map[string]any{"host": "node1@file", "binary": "cinder-volume", "disabled_reason": "  "}, 400, nil},
		{"no host", "enable", map[string]any{"binary": "cinder-volume"}, 400, nil},
		{"unknown action", "reboot", map[string]any{"host": "node1@file", "binary": "cinder-volume"}, 404, nil},
		{"freeze", "freeze", map[string]any{"host": "node1@file"}, 200, nil},
		{"thaw", "thaw", map[string]any{"host": "node1@file"}, 200, nil},
		{"freeze unknown", "freeze", map[string]any{"host": "invalid_host"}, 400, nil},
		{"thaw unknown", "thaw", map[string]any{"host": "invalid_host"}, 400, nil},
		{"failover without replication", "failover_host", map[string]any{"host": "node1@file"}, 400, nil},
		{"failover unknown", "failover_host", map[string]any{"host": "invalid_host"}, 404, nil},
	} {
		st, body := c.Call(t, "", "PUT", "/v3/os-services/"+tc.action, tc.body)
		if st != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, st, body, tc.status)
			continue
		}
		for k, v := range tc.want {
			if body[k] != v {
				t.Errorf("%s: %s = %v, want %v (%v)", tc.name, k, body[k], v, body)
			}
		}
		if tc.action == "disable" && st == 200 {
			if _, ok := body["disabled_reason"]; ok {
				t.Errorf("%s: disable answers a disabled_reason: %v", tc.name, body)
			}
		}
	}
	if st, _ := c.Call(t, "alice", "PUT", "/v3/os-services/disable", map[string]any{"host": "node1@file", "binary": "cinder-volume"}); st != 403 {
		t.Errorf("a member disables a service: %d, want 403", st)
	}
	// The freeze and disable show in the list.
	c.Call(t, "", "PUT", "/v3/os-services/freeze", map[string]any{"host": "node1"})
	_, body := c.Call(t, "", "GET", "/v3/os-services?binary=cinder-volume", nil)
	if s := list(body, "services"); len(s) != 1 || s[0]["frozen"] != true || s[0]["status"] != "enabled" {
		t.Errorf("after freeze: %v", s)
	}
}

func TestPoolsAndCapabilities(t *testing.T) {
	c := bstest.Start(t, "alice")
	report(t, c)
	st, body := c.Call(t, "", "GET", "/v3/scheduler-stats/get_pools", nil)
	if p := list(body, "pools"); st != 200 || len(p) != 1 || p[0]["name"] != "node1@file#file" || len(p[0]) != 1 {
		t.Errorf("pools: %d %v", st, body)
	}
	_, body = c.Call(t, "", "GET", "/v3/scheduler-stats/get_pools?detail=True", nil)
	p := list(body, "pools")
	if len(p) != 1 {
		t.Fatalf("pools detail: %v", body)
	}
	caps, _ := p[0]["capabilities"].(map[string]any)
	for k, want := range map[string]any{"total_capacity_gb": 100.0, "free_capacity_gb": 90.0, "vendor_name": "Open Source",
		"volume_backend_name": "file", "reserved_percentage": 0.0, "storage_protocol": "file"} {
		if caps[k] != want {
			t.Errorf("capabilities[%s] = %v, want %v", k, caps[k], want)
		}
	}
	if _, body := c.Call(t, "", "GET", "/v3/scheduler-stats/get_pools?name=other", nil, "3.28"); len(list(body, "pools")) != 0 {
		t.Errorf("name filter: %v", body)
	}

	for _, host := range []string{"node1@file", "node1@file%23file"} {
		st, body := c.Call(t, "", "GET", "/v3/capabilities/"+host, nil)
		if st != 200 || body["namespace"] != "OS::Storage::Capabilities::node1@file" || body["vendor_name"] != "Open Source" ||
			body["storage_protocol"] != "file" || body["volume_backend_name"] != "file" {
			t.Errorf("capabilities of %s: %d %v", host, st, body)
		}
	}
	if st, _ := c.Call(t, "", "GET", "/v3/capabilities/nowhere@file", nil); st != 404 {
		t.Errorf("capabilities of an unknown host: %d, want 404", st)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/scheduler-stats/get_pools", nil); st != 403 {
		t.Errorf("a member lists pools: %d, want 403", st)
	}
}

func TestHostsAndZones(t *testing.T) {
	c := bstest.Start(t, "alice")
	report(t, c)
	st, body := c.Call(t, "", "GET", "/v3/os-hosts", nil)
	hs := list(body, "hosts")
	if st != 200 || len(hs) != 3 {
		t.Fatalf("hosts: %d %v", st, body)
	}
	for _, h := range hs {
		if h["service-status"] != "available" || h["service-state"] != "enabled" || h["zone"] != "nova" || h["last-update"] == nil {
			t.Errorf("host %v", h)
		}
	}
	st, body = c.Call(t, "", "GET", "/v3/os-hosts/node1@file", nil)
	rs := list(body, "host")
	if st != 200 || len(rs) != 1 {
		t.Fatalf("host: %d %v", st, body)
	}
	res, _ := rs[0]["resource"].(map[string]any)
	if res["project"] != "(total)" || res["volume_count"] != "0" || res["host"] != "node1@file" {
		t.Errorf("host resource %v", res)
	}
	if st, _ := c.Call(t, "", "GET", "/v3/os-hosts/node9@file", nil); st != 404 {
		t.Errorf("unknown host: %d, want 404", st)
	}

	st, body = c.Call(t, "alice", "GET", "/v3/os-availability-zone", nil)
	zs := list(body, "availabilityZoneInfo")
	if st != 200 || len(zs) != 1 || zs[0]["zoneName"] != "nova" {
		t.Fatalf("zones: %d %v", st, body)
	}
	if state, _ := zs[0]["zoneState"].(map[string]any); state["available"] != true {
		t.Errorf("zone state %v", zs[0])
	}
	c.Call(t, "", "PUT", "/v3/os-services/disable", map[string]any{"host": "node1@file", "binary": "cinder-volume"})
	_, body = c.Call(t, "alice", "GET", "/v3/os-availability-zone", nil)
	if state, _ := list(body, "availabilityZoneInfo")[0]["zoneState"].(map[string]any); state["available"] != false {
		t.Errorf("zone of a disabled service: %v", body)
	}
}
