package backups_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// volume stores a volume of a persona's project on the backend double,
// in status, without going through the volumes API.
func volume(t *testing.T, c *bstest.Cloud, token, status string, size int, meta map[string]string) string {
	t.Helper()
	v := &blockstorage.Volume{ID: uuid.NewString(), ProjectID: bstest.Project(token), UserID: "u-" + token, SizeGB: size,
		Status: status, AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova", Host: bstest.Host,
		ConsumesQuota: true, Metadata: meta, Bootable: meta != nil}
	if status == blockstorage.StatusInUse {
		v.AttachStatus = blockstorage.AttachAttached
	}
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Backend.Volumes[v.ID] = size
	return v.ID
}

func backup(t *testing.T, c *bstest.Cloud, token string, body map[string]any) string {
	t.Helper()
	st, out := c.Call(t, token, "POST", "/v3/backups", map[string]any{"backup": body})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	id := out["backup"].(map[string]any)["id"].(string)
	c.Wait(t, token, "/v3/backups/"+id, "backup", "available")
	return id
}

func TestCreateShowRestoreDelete(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", "available", 1, map[string]string{"k": "v"})
	st, out := c.Call(t, "alice", "POST", "/v3/backups", map[string]any{"backup": map[string]any{"volume_id": vol, "name": "b", "container": "c"}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	b := out["backup"].(map[string]any)
	if len(b) != 3 || b["name"] != "b" {
		t.Errorf("create answer %v, want id, name, links", b)
	}
	id := b["id"].(string)
	got := c.Wait(t, "alice", "/v3/backups/"+id, "backup", "available")
	if got["container"] != "c" || got["size"] != 1.0 || got["is_incremental"] != false || got["object_count"] != 1.0 {
		t.Errorf("show: %v", got)
	}
	if _, ok := got["os-backup-project-attr:project_id"]; ok {
		t.Errorf("a member sees the project attribute: %v", got)
	}
	c.Wait(t, "alice", "/v3/volumes/"+vol, "volume", "available")

	c.Run(t, []apitest.Step{
		{Name: "bob cannot see", Token: "bob", Method: "GET", Path: "/v3/backups/" + id, Status: 404},
		{Name: "list", Token: "alice", Method: "GET", Path: "/v3/backups", Status: 200, Contains: []string{`"name":"b"`}, Lacks: []string{`"status"`}},
		{Name: "detail", Token: "alice", Method: "GET", Path: "/v3/backups/detail?name=b", Status: 200, Contains: []string{`"status":"available"`}},
		{Name: "admin sees the project at 3.18", Method: "GET", Path: "/v3/backups/" + id, Version: "3.18", Status: 200, Contains: []string{`"os-backup-project-attr:project_id":"p-alice"`}, Lacks: []string{`"user_id"`}},
		{Name: "and the user at 3.56", Method: "GET", Path: "/v3/backups/" + id, Version: "3.56", Status: 200, Contains: []string{`"user_id":"u-alice"`, `"metadata":{}`}},
		{Name: "update needs 3.9", Token: "alice", Method: "PUT", Path: "/v3/backups/" + id, Body: `{"backup": {"name": "b2"}}`, Status: 404},
		{Name: "update", Token: "alice", Method: "PUT", Path: "/v3/backups/" + id, Version: "3.9", Body: `{"backup": {"name": "b2", "description": "d"}}`, Status: 200, Contains: []string{`"name":"b2"`}},
		{Name: "metadata needs 3.43", Token: "alice", Method: "PUT", Path: "/v3/backups/" + id, Version: "3.9", Body: `{"backup": {"metadata": {"a": "b"}}}`, Status: 400},
		{Name: "metadata", Token: "alice", Method: "PUT", Path: "/v3/backups/" + id, Version: "3.43", Body: `{"backup": {"metadata": {"a": "b"}}}`, Status: 200},
		{Name: "shown", Token: "alice", Method: "GET", Path: "/v3/backups/" + id, Version: "3.43", Status: 200, Contains: []string{`"metadata":{"a":"b"}`, `"description":"d"`}},
		{Name: "invalid sort", Token: "alice", Method: "GET", Path: "/v3/backups?sort_key=nope", Status: 400},
	})

	st, out = c.Call(t, "alice", "POST", "/v3/backups/"+id+"/restore", map[string]any{"restore": map[string]any{}})
	if st != 202 {
		t.Fatalf("restore: %d %v", st, out)
	}
	r := out["restore"].(map[string]any)
	if r["backup_id"] != id || r["volume_name"] != "restore_backup_"+id {
		t.Errorf("restore: %v", r)
	}
	c.Wait(t, "alice", "/v3/backups/"+id, "backup", "available")
	restored := c.Wait(t, "alice", "/v3/volumes/"+r["volume_id"].(string), "volume", "available")
	if m, _ := restored["metadata"].(map[string]any); m["k"] != "v" || restored["bootable"] != "true" {
		t.Errorf("restored volume: %v", restored)
	}

	small := volume(t, c, "alice", "available", 1, nil)
	c.Run(t, []apitest.Step{
		{Name: "restore onto bob's volume", Token: "bob", Method: "POST", Path: "/v3/backups/" + id + "/restore", Body: `{"restore": {"volume_id": "` + small + `"}}`, Status: 404},
		{Name: "restore onto a volume", Token: "alice", Method: "POST", Path: "/v3/backups/" + id + "/restore", Body: `{"restore": {"volume_id": "` + small + `"}}`, Status: 202, Contains: []string{small}},
	})
	c.Wait(t, "alice", "/v3/volumes/"+small, "volume", "available")
	c.Wait(t, "alice", "/v3/backups/"+id, "backup", "available")

	if st, out := c.Call(t, "alice", "DELETE", "/v3/backups/"+id, nil); st != 202 {
		t.Fatalf("delete: %d %v", st, out)
	}
	c.Wait(t, "alice", "/v3/backups/"+id, "backup", "deleted")
	if len(c.Backend.Backups) != 0 {
		t.Errorf("backend still holds %v", c.Backend.Backups)
	}
}

func TestCreateRules(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	avail := volume(t, c, "alice", "available", 1, nil)
	inUse := volume(t, c, "alice", "in-use", 1, nil)
	busy := volume(t, c, "alice", "extending", 1, nil)
	c.Run(t, []apitest.Step{
		{Name: "no volume_id", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"name": "x"}}`, Status: 400},
		{Name: "unknown volume", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + uuid.NewString() + `"}}`, Status: 404},
		{Name: "another project's volume", Token: "bob", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + avail + `"}}`, Status: 404},
		{Name: "in-use without force", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + inUse + `"}}`, Status: 400},
		{Name: "busy volume", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + busy + `", "force": true}}`, Status: 400},
		{Name: "incremental without a full one", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + avail + `", "incremental": true}}`, Status: 400},
		{Name: "unknown snapshot", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + avail + `", "snapshot_id": "` + uuid.NewString() + `"}}`, Status: 404},
		{Name: "metadata before 3.43", Token: "alice", Method: "POST", Path: "/v3/backups", Body: `{"backup": {"volume_id": "` + avail + `", "metadata": {"a": "b"}}}`, Status: 400},
	})
	// An in-use volume is backed up with force, and is in-use again after.
	backup(t, c, "alice", map[string]any{"volume_id": inUse, "force": true})
	c.Wait(t, "alice", "/v3/volumes/"+inUse, "volume", "in-use")
}

func TestIncrementalAndSnapshot(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", "available", 1, nil)
	full := backup(t, c, "alice", map[string]any{"volume_id": vol})
	c.Wait(t, "alice", "/v3/volumes/"+vol, "volume", "available")
	incr := backup(t, c, "alice", map[string]any{"volume_id": vol, "incremental": true})
	c.Run(t, []apitest.Step{
		{Name: "incremental", Token: "alice", Method: "GET", Path: "/v3/backups/" + incr, Status: 200, Contains: []string{`"is_incremental":true`}},
		{Name: "full has a dependent", Token: "alice", Method: "GET", Path: "/v3/backups/" + full, Status: 200, Contains: []string{`"has_dependent_backups":true`}},
		{Name: "full cannot go first", Token: "alice", Method: "DELETE", Path: "/v3/backups/" + full, Status: 400},
		{Name: "nor by force", Method: "POST", Path: "/v3/backups/" + full + "/action", Body: `{"os-force_delete": {}}`, Status: 400},
		{Name: "incremental goes", Token: "alice", Method: "DELETE", Path: "/v3/backups/" + incr, Status: 202},
	})
	c.Wait(t, "alice", "/v3/backups/"+incr, "backup", "deleted")

	st, out := c.Call(t, "alice", "POST", "/v3/snapshots", map[string]any{"snapshot": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("snapshot: %d %v", st, out)
	}
	snap := out["snapshot"].(map[string]any)["id"].(string)
	c.Wait(t, "alice", "/v3/snapshots/"+snap, "snapshot", "available")
	id := backup(t, c, "alice", map[string]any{"volume_id": vol, "snapshot_id": snap})
	c.Wait(t, "alice", "/v3/snapshots/"+snap, "snapshot", "available")
	c.Run(t, []apitest.Step{
		{Name: "of the snapshot", Token: "alice", Method: "GET", Path: "/v3/backups/" + id, Status: 200, Contains: []string{`"snapshot_id":"` + snap + `"`, `"volume_id":"` + vol + `"`}},
	})
}

func TestAdmin(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", "available", 1, nil)
	id := backup(t, c, "alice", map[string]any{"volume_id": vol, "name": "orig"})
	c.Run(t, []apitest.Step{
		{Name: "export needs admin", Token: "alice", Method: "GET", Path: "/v3/backups/" + id + "/export_record", Status: 403},
		{Name: "reset needs admin", Token: "alice", Method: "POST", Path: "/v3/backups/" + id + "/action", Body: `{"os-reset_status": {"status": "error"}}`, Status: 403},
		{Name: "reset to nonsense", Method: "POST", Path: "/v3/backups/" + id + "/action", Body: `{"os-reset_status": {"status": "creating"}}`, Status: 400},
		{Name: "import garbage", Method: "POST", Path: "/v3/backups/import_record", Body: `{"backup-record": {"backup_service": "cinder.backup.drivers.posix", "backup_url": "!!"}}`, Status: 400},
		{Name: "import of another service", Method: "POST", Path: "/v3/backups/import_record", Body: `{"backup-record": {"backup_service": "cinder.backup.drivers.swift", "backup_url": ""}}`, Status: 400},
	})
	st, out := c.Call(t, "", "GET", "/v3/backups/"+id+"/export_record", nil)
	if st != 200 {
		t.Fatalf("export: %d %v", st, out)
	}
	rec := out["backup-record"].(map[string]any)
	body := map[string]any{"backup-record": rec}
	if st, out := c.Call(t, "", "POST", "/v3/backups/import_record", body); st != 400 {
		t.Errorf("import of an existing id: %d %v", st, out)
	}
	// An import under a new id (Tempest's export/import test) shares the
	// original's data: deleting the original keeps it.
	raw, err := base64.StdEncoding.DecodeString(rec["backup_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	copyID := uuid.NewString()
	fields["id"] = copyID
	raw, _ = json.Marshal(fields)
	body = map[string]any{"backup-record": map[string]any{"backup_service": rec["backup_service"], "backup_url": base64.StdEncoding.EncodeToString(raw)}}
	st, out = c.Call(t, "", "POST", "/v3/backups/import_record", body)
	if st != 201 || out["backup"].(map[string]any)["id"] != copyID {
		t.Fatalf("import: %d %v", st, out)
	}
	c.Wait(t, "", "/v3/backups/"+copyID, "backup", "available")
	if st, _ := c.Call(t, "alice", "DELETE", "/v3/backups/"+id, nil); st != 202 {
		t.Fatalf("delete: %d", st)
	}
	c.Wait(t, "alice", "/v3/backups/"+id, "backup", "deleted")
	if _, ok := c.Backend.Backups[id]; !ok {
		t.Error("deleting the original removed the data its import names")
	}
	id = copyID
	c.Run(t, []apitest.Step{
		{Name: "reset", Method: "POST", Path: "/v3/backups/" + id + "/action", Body: `{"os-reset_status": {"status": "error"}}`, Status: 202},
		{Name: "shown", Method: "GET", Path: "/v3/backups/" + id, Status: 200, Contains: []string{`"status":"error"`}},
		{Name: "force delete", Method: "POST", Path: "/v3/backups/" + id + "/action", Body: `{"os-force_delete": {}}`, Status: 202},
	})
	c.Wait(t, "", "/v3/backups/"+id, "backup", "deleted")
	if len(c.Backend.Backups) != 0 {
		t.Errorf("backend still holds %v", c.Backend.Backups)
	}

	// A failing backend leaves the backup in error with the reason.
	c.Backend.Fail("Backup", errors.New("store full"))
	st, out = c.Call(t, "alice", "POST", "/v3/backups", map[string]any{"backup": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	bad := c.Wait(t, "alice", "/v3/backups/"+out["backup"].(map[string]any)["id"].(string), "backup", "error")
	if bad["fail_reason"] != "store full" {
		t.Errorf("failed backup: %v", bad)
	}
	c.Wait(t, "alice", "/v3/volumes/"+vol, "volume", "available")
}
