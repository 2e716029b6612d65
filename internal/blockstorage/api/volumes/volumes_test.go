package volumes_test

import (
	"testing"

	"github.com/gostack/gostack/internal/blockstorage/bstest"
)

func TestCreateShowListDelete(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	st, body := c.Call(t, "alice", "POST", "/v3/p-alice/volumes", map[string]any{"volume": map[string]any{"size": 1, "name": "v1"}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, body)
	}
	id := body["volume"].(map[string]any)["id"].(string)
	v := c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "available")
	if v["size"] != 1.0 || v["name"] != "v1" {
		t.Errorf("volume %v", v)
	}
	if st, _ := c.Call(t, "bob", "GET", "/v3/volumes/"+id, nil); st != 404 {
		t.Errorf("bob sees alice's volume: %d", st)
	}
	st, body = c.Call(t, "alice", "GET", "/v3/p-alice/volumes", nil)
	if vs, _ := body["volumes"].([]any); st != 200 || len(vs) != 1 {
		t.Errorf("list: %d %v", st, body)
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"size": 0}}); st != 400 {
		t.Errorf("size 0: %d %v", st, body)
	}
	if st, body := c.Call(t, "alice", "DELETE", "/v3/volumes/"+id, nil); st != 202 {
		t.Fatalf("delete: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "deleted")
	if len(c.Backend.Volumes) != 0 {
		t.Errorf("backend still holds %v", c.Backend.Volumes)
	}
}

func TestVersions(t *testing.T) {
	c := bstest.Start(t)
	if st, body := c.Call(t, "-", "GET", "/", nil); st != 300 || body["versions"] == nil {
		t.Errorf("GET /: %d %v", st, body)
	}
}
