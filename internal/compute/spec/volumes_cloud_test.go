package spec_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/testcloud"
)

// TestVolumeAttachInCloud attaches a block-storage volume to a server
// of the whole cloud in process (fake hypervisor, file backend), then
// detaches it: the volume goes in-use, then available again.
func TestVolumeAttachInCloud(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole cloud")
	}
	c := testcloud.Start(t, func(cfg *config.Config) { cfg.Volume.Port = 0 })
	urls := c.Env.URLs
	if urls["block-storage"] == "" {
		t.Skip("no block-storage service in this cloud")
	}
	tok := c.AdminToken(t)
	compute, cinder := urls["compute"], urls["block-storage"]

	resp, body := c.Do(t, "POST", cinder+"/v3/volumes", tok, map[string]any{"volume": map[string]any{"size": 1, "name": "data"}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create volume: %d %v", resp.StatusCode, body)
	}
	vol := body["volume"].(map[string]any)["id"].(string)
	waitFor(t, func() string {
		_, b := c.Do(t, "GET", cinder+"/v3/volumes/"+vol, tok, nil)
		return b["volume"].(map[string]any)["status"].(string)
	}, "available")

	resp, body = c.Do(t, "POST", compute+"/flavors", tok, map[string]any{"flavor": map[string]any{"name": "t", "ram": 64, "vcpus": 1, "disk": 0, "id": "t"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("flavor: %d %v", resp.StatusCode, body)
	}
	// A volume-less server needs an image; the fake hypervisor boots
	// any, so boot from a volume made blank instead.
	zero := 0
	resp, body = c.Do(t, "POST", compute+"/servers", tok, map[string]any{"server": map[string]any{
		"name": "vm", "flavorRef": "t",
		"block_device_mapping_v2": []map[string]any{{"source_type": "blank", "destination_type": "volume", "volume_size": 1, "boot_index": zero, "delete_on_termination": true}},
	}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create server: %d %v", resp.StatusCode, body)
	}
	srv := body["server"].(map[string]any)["id"].(string)
	waitFor(t, func() string {
		_, b := c.Do(t, "GET", compute+"/servers/"+srv, tok, nil)
		return b["server"].(map[string]any)["status"].(string)
	}, "ACTIVE")

	resp, body = c.Do(t, "POST", compute+"/servers/"+srv+"/os-volume_attachments", tok, map[string]any{"volumeAttachment": map[string]any{"volumeId": vol}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("attach: %d %v", resp.StatusCode, body)
	}
	waitFor(t, func() string {
		_, b := c.Do(t, "GET", cinder+"/v3/volumes/"+vol, tok, nil)
		return b["volume"].(map[string]any)["status"].(string)
	}, "in-use")
	resp, _ = c.Do(t, "DELETE", compute+"/servers/"+srv+"/os-volume_attachments/"+vol, tok, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("detach: %d", resp.StatusCode)
	}
	waitFor(t, func() string {
		_, b := c.Do(t, "GET", cinder+"/v3/volumes/"+vol, tok, nil)
		return b["volume"].(map[string]any)["status"].(string)
	}, "available")
}

// waitFor polls get until it answers want, for 60 s at most.
func waitFor(t *testing.T, get func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = get(); got == want {
			return
		}
		if got == "error" || got == "ERROR" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("status %q, want %q", got, want)
}
