package volumes_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// images is an in-memory image service.
type images struct {
	mu   sync.Mutex
	imgs map[string]*blockstorage.Image
}

func (f *images) Get(ctx context.Context, token, id string) (*blockstorage.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	img, ok := f.imgs[id]
	if !ok {
		return nil, fmt.Errorf("%w: image %s", apierr.ErrNotFound, id)
	}
	cp := *img
	return &cp, nil
}

func (f *images) Create(ctx context.Context, token string, img *blockstorage.Image) (*blockstorage.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := *img
	cp.ID, cp.Status = uuid.NewString(), "queued"
	f.imgs[cp.ID] = &cp
	return &cp, nil
}

func (f *images) Delete(ctx context.Context, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.imgs, id)
	return nil
}

func (f *images) add(img blockstorage.Image) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	img.ID = uuid.NewString()
	f.imgs[img.ID] = &img
	return img.ID
}

// start serves the API with the image double.
func start(t *testing.T) (*bstest.Cloud, *images) {
	t.Helper()
	imgs := &images{imgs: map[string]*blockstorage.Image{}}
	return bstest.StartWith(t, blockstorage.Config{Images: imgs}, "alice", "bob"), imgs
}

// create makes an available volume of alice's and returns its id.
func create(t *testing.T, c *bstest.Cloud, token string, body map[string]any) string {
	t.Helper()
	if body["size"] == nil {
		body["size"] = 1
	}
	st, resp := c.Call(t, token, "POST", "/v3/volumes", map[string]any{"volume": body})
	if st != 202 {
		t.Fatalf("create %v: %d %v", body, st, resp)
	}
	id := resp["volume"].(map[string]any)["id"].(string)
	c.Wait(t, token, "/v3/volumes/"+id, "volume", "available")
	return id
}

// tx runs fn in a transaction of the service's store.
func tx(t *testing.T, c *bstest.Cloud, fn func(ctx context.Context, tx blockstorage.Tx) error) {
	t.Helper()
	if err := c.Svc.Store().Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func TestCreateShowListDelete(t *testing.T) {
	c, _ := start(t)
	st, body := c.Call(t, "alice", "POST", "/v3/p-alice/volumes", map[string]any{"volume": map[string]any{"size": 1, "name": "v1", "metadata": map[string]any{"Type": "Test"}}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, body)
	}
	created := body["volume"].(map[string]any)
	// Tempest's create schema allows none of the extensions' attributes.
	for _, k := range []string{"os-vol-tenant-attr:tenant_id", "os-vol-host-attr:host", "volume_image_metadata", "migration_status"} {
		if _, ok := created[k]; ok {
			t.Errorf("create answers %s", k)
		}
	}
	id := created["id"].(string)
	v := c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "available")
	if v["size"] != 1.0 || v["name"] != "v1" || v["bootable"] != "false" || v["volume_type"] != "__DEFAULT__" ||
		v["os-vol-tenant-attr:tenant_id"] != "p-alice" || v["replication_status"] != "disabled" {
		t.Errorf("volume %v", v)
	}
	if _, ok := v["os-vol-host-attr:host"]; ok {
		t.Errorf("a member sees the host: %v", v)
	}
	_, adm := c.Call(t, "", "GET", "/v3/volumes/"+id, nil)
	if a := adm["volume"].(map[string]any); a["os-vol-host-attr:host"] != bstest.Host || !keys(a)["os-vol-mig-status-attr:migstat"] {
		t.Errorf("admin's view %v", a)
	}
	if st, _ := c.Call(t, "bob", "GET", "/v3/volumes/"+id, nil); st != 404 {
		t.Errorf("bob sees alice's volume: %d", st)
	}
	st, body = c.Call(t, "alice", "GET", "/v3/p-alice/volumes", nil)
	if vs, _ := body["volumes"].([]any); st != 200 || len(vs) != 1 || len(vs[0].(map[string]any)) != 3 {
		t.Errorf("list: %d %v", st, body)
	}
	st, body = c.Call(t, "alice", "GET", "/v3/volumes/detail", nil)
	if vs, _ := body["volumes"].([]any); st != 200 || len(vs) != 1 || fmt.Sprint(vs[0]) != fmt.Sprint(v) {
		t.Errorf("detail: %d %v, want %v", st, body, v)
	}
	if st, body := c.Call(t, "alice", "DELETE", "/v3/volumes/"+id, nil); st != 202 {
		t.Fatalf("delete: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "deleted")
	if len(c.Backend.Volumes) != 0 {
		t.Errorf("backend still holds %v", c.Backend.Volumes)
	}
}

func TestCreateRefused(t *testing.T) {
	c, imgs := start(t)
	src := create(t, c, "alice", map[string]any{"size": 2})
	inactive := imgs.add(blockstorage.Image{Name: "deactivated", Status: "deactivated", SizeBytes: 1 << 20})
	bigDisk := imgs.add(blockstorage.Image{Name: "big", Status: "active", SizeBytes: 1 << 20, MinDisk: 2})
	missing := uuid.NewString()
	for _, tc := range []struct {
		name    string
		token   string
		body    map[string]any
		version string
		want    int
	}{
		{"size not a number", "alice", map[string]any{"size": "#$%"}, "", 400},
		{"size empty", "alice", map[string]any{"size": ""}, "", 400},
		{"size zero", "alice", map[string]any{"size": "0"}, "", 400},
		{"size negative", "alice", map[string]any{"size": "-1"}, "", 400},
		{"no size", "alice", map[string]any{"name": "x"}, "", 400},
		{"unknown type", "alice", map[string]any{"size": 1, "volume_type": missing}, "", 404},
		{"unknown snapshot", "alice", map[string]any{"size": 1, "snapshot_id": missing}, "", 404},
		{"unknown source", "alice", map[string]any{"size": 1, "source_volid": missing}, "", 404},
		{"source not a uuid", "alice", map[string]any{"size": 1, "source_volid": "nope"}, "", 400},
		{"another project's source", "bob", map[string]any{"size": 2, "source_volid": src}, "", 404},
		{"smaller than its source", "alice", map[string]any{"size": 1, "source_volid": src}, "", 400},
		{"unknown zone", "alice", map[string]any{"size": 1, "availability_zone": "mars"}, "", 400},
		{"multiattach flag", "alice", map[string]any{"size": 1, "multiattach": true}, "", 400},
		{"unknown image", "alice", map[string]any{"size": 1, "imageRef": missing}, "", 400},
		{"inactive image", "alice", map[string]any{"size": 1, "imageRef": inactive}, "", 400},
		{"smaller than min_disk", "alice", map[string]any{"size": 1, "imageRef": bigDisk}, "", 400},
		{"unknown backup", "alice", map[string]any{"size": 1, "backup_id": missing}, "3.47", 404},
		{"unknown attribute from 3.53", "alice", map[string]any{"size": 1, "color": "red"}, "3.53", 400},
		{"over the volumes quota", "alice", map[string]any{"size": 1001}, "", 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st int
			var body map[string]any
			if tc.version != "" {
				st, body = c.Call(t, tc.token, "POST", "/v3/volumes", map[string]any{"volume": tc.body}, tc.version)
			} else {
				st, body = c.Call(t, tc.token, "POST", "/v3/volumes", map[string]any{"volume": tc.body})
			}
			if st != tc.want {
				t.Errorf("%d %v, want %d", st, body, tc.want)
			}
		})
	}
	// An unknown attribute before 3.53 is ignored, as Cinder did.
	create(t, c, "alice", map[string]any{"color": "red"})
}

func TestCreateFromSources(t *testing.T) {
	c, imgs := start(t)
	img := imgs.add(blockstorage.Image{Name: "cirros", Status: "active", SizeBytes: 16 << 20, DiskFormat: "qcow2",
		ContainerFormat: "bare", Checksum: "abc", Properties: map[string]string{"hw_disk_bus": "virtio"}})
	boot := create(t, c, "alice", map[string]any{"imageRef": img})
	_, body := c.Call(t, "alice", "GET", "/v3/volumes/"+boot, nil)
	v := body["volume"].(map[string]any)
	meta, _ := v["volume_image_metadata"].(map[string]any)
	if v["bootable"] != "true" || meta["image_id"] != img || meta["image_name"] != "cirros" || meta["hw_disk_bus"] != "virtio" || meta["disk_format"] != "qcow2" {
		t.Errorf("volume from image: %v", v)
	}

	clone := create(t, c, "alice", map[string]any{"source_volid": boot, "size": 2})
	_, body = c.Call(t, "alice", "GET", "/v3/volumes/"+clone, nil)
	v = body["volume"].(map[string]any)
	if v["source_volid"] != boot || v["size"] != 2.0 || v["bootable"] != "true" {
		t.Errorf("clone: %v", v)
	}

	snapID := uuid.NewString()
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateSnapshot(ctx, &blockstorage.Snapshot{ID: snapID, VolumeID: boot, ProjectID: "p-alice", UserID: "u-alice",
			Status: blockstorage.SnapStatusAvailable, SizeGB: 1, ProviderLocation: "/snapshots/" + snapID})
	})
	fromSnap := create(t, c, "alice", map[string]any{"snapshot_id": snapID})
	_, body = c.Call(t, "alice", "GET", "/v3/volumes/"+fromSnap, nil)
	if v := body["volume"].(map[string]any); v["snapshot_id"] != snapID || v["size"] != 1.0 {
		t.Errorf("from snapshot: %v", v)
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"snapshot_id": snapID, "size": 0}}); st != 400 {
		t.Errorf("from snapshot, size 0: %d %v", st, body)
	}

	backupID := uuid.NewString()
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateBackup(ctx, &blockstorage.Backup{ID: backupID, VolumeID: boot, ProjectID: "p-alice", UserID: "u-alice",
			Status: blockstorage.BackupAvailable, SizeGB: 1, Container: "c", Location: "/backups/" + backupID})
	})
	st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"backup_id": backupID}}, "3.47")
	if st != 202 {
		t.Fatalf("from backup: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+body["volume"].(map[string]any)["id"].(string), "volume", "available")
	restored := false
	for _, call := range c.Backend.Calls {
		restored = restored || call == "Restore"
	}
	if !restored {
		t.Errorf("backend calls %v: no Restore", c.Backend.Calls)
	}
}

func TestCreateBackendFailure(t *testing.T) {
	c, _ := start(t)
	c.Backend.Fail("CreateVolume", apierr.New(500, "disk on fire"))
	st, body := c.Call(t, "alice", "POST", "/v3/volumes", map[string]any{"volume": map[string]any{"size": 1}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, body)
	}
	id := body["volume"].(map[string]any)["id"].(string)
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "error")
	var msgs []*blockstorage.Message
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		msgs, err = tx.ListMessages(ctx, blockstorage.MessageFilter{Project: "p-alice"})
		return err
	})
	if len(msgs) != 1 || msgs[0].ResourceUUID != id {
		t.Errorf("messages %v", msgs)
	}
	// A volume in error is deleted; one never scheduled goes at once.
	if st, body := c.Call(t, "alice", "DELETE", "/v3/volumes/"+id, nil); st != 202 {
		t.Fatalf("delete: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "deleted")
}

func TestListFilters(t *testing.T) {
	c, _ := start(t)
	a := create(t, c, "alice", map[string]any{"name": "a", "metadata": map[string]any{"Type": "work"}})
	b := create(t, c, "alice", map[string]any{"name": "b"})
	create(t, c, "bob", map[string]any{"name": "bobs"})
	c.Call(t, "alice", "POST", "/v3/volumes/"+b+"/action", map[string]any{"os-set_bootable": map[string]any{"bootable": true}})
	for _, tc := range []struct {
		name, token, query, version string
		want                        []string // ids, or nil for a status other than 200
		status                      int
	}{
		{"all", "alice", "", "", []string{a, b}, 200},
		{"by name", "alice", "?name=a", "", []string{a}, 200},
		{"by unknown name", "alice", "?name=zz", "", []string{}, 200},
		{"by status", "alice", "?status=available", "", []string{a, b}, 200},
		{"by status null", "alice", "?status=null", "", []string{}, 200},
		{"by bootable", "alice", "?bootable=false", "", []string{a}, 200},
		{"by bootable, strict from 3.2", "alice", "?bootable=maybe", "3.2", nil, 400},
		{"by metadata as Python", "alice", "?metadata=%7B%27Type%27%3A+%27work%27%7D", "", []string{a}, 200},
		{"by metadata as JSON", "alice", `?metadata={"Type":"work"}`, "", []string{a}, 200},
		{"by zone", "alice", "?availability_zone=nova", "", []string{a, b}, 200},
		{"unknown filter ignored before 3.31", "alice", "?color=red", "", []string{a, b}, 200},
		{"unknown filter refused from 3.31", "alice", "?color=red", "3.31", nil, 400},
		{"all_tenants ignored for a member", "alice", "?all_tenants=1", "3.31", []string{a, b}, 200},
		{"sorted, limited", "alice", "?sort=name:asc&limit=1", "", []string{a}, 200},
		{"marker", "alice", "?sort=name:asc&marker=" + a, "", []string{b}, 200},
		{"admin, one project", "", "?all_tenants=1&project_id=p-alice", "", []string{a, b}, 200},
		{"admin, on an attribute volumes lack", "", "?all_tenants=1&color=red", "", []string{}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st int
			var body map[string]any
			if tc.version != "" {
				st, body = c.Call(t, tc.token, "GET", "/v3/volumes/detail"+tc.query, nil, tc.version)
			} else {
				st, body = c.Call(t, tc.token, "GET", "/v3/volumes/detail"+tc.query, nil)
			}
			if st != tc.status {
				t.Fatalf("%d %v, want %d", st, body, tc.status)
			}
			if tc.want == nil {
				return
			}
			got := map[string]bool{}
			for _, v := range body["volumes"].([]any) {
				got[v.(map[string]any)["id"].(string)] = true
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, id := range tc.want {
				if !got[id] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	st, body := c.Call(t, "alice", "GET", "/v3/volumes/summary", nil, "3.36")
	s, _ := body["volume-summary"].(map[string]any)
	if st != 200 || s["total_count"] != 2.0 || s["total_size"] != 2.0 || fmt.Sprint(s["metadata"]) != "map[Type:[work]]" {
		t.Errorf("summary: %d %v", st, body)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/volumes/summary", nil, "3.11"); st != 404 {
		t.Errorf("summary at 3.11: %d", st)
	}
}

func TestUpdateAndMetadata(t *testing.T) {
	c, _ := start(t)
	id := create(t, c, "alice", map[string]any{"name": "v", "metadata": map[string]any{"Type": "Test"}})
	path := "/v3/volumes/" + id
	steps := []struct {
		method, path string
		body         any
		status       int
		want         string // the answer's printed form, when set
	}{
		{"PUT", path, map[string]any{"volume": map[string]any{"name": "w", "description": "d"}}, 200, ""},
		{"PUT", path, map[string]any{"volume": map[string]any{"color": "red"}}, 400, ""},
		{"POST", path + "/metadata", map[string]any{"metadata": map[string]any{"key1": "value1", "key4": "<value&special_chars>"}}, 200, "map[metadata:map[Type:Test key1:value1 key4:<value&special_chars>]]"},
		{"PUT", path + "/metadata", map[string]any{"metadata": map[string]any{"key4": "value4", "key1": "value1_update"}}, 200, "map[metadata:map[key1:value1_update key4:value4]]"},
		{"GET", path + "/metadata", nil, 200, "map[metadata:map[key1:value1_update key4:value4]]"},
		{"PUT", path + "/metadata/key4", map[string]any{"meta": map[string]any{"key4": "v4"}}, 200, "map[meta:map[key4:v4]]"},
		{"PUT", path + "/metadata/key4", map[string]any{"meta": map[string]any{"other": "v4"}}, 400, ""},
		{"GET", path + "/metadata/key4", nil, 200, "map[meta:map[key4:v4]]"},
		{"DELETE", path + "/metadata/key1", nil, 200, ""},
		{"GET", path + "/metadata/key1", nil, 404, ""},
		{"DELETE", path + "/metadata/key1", nil, 404, ""},
		{"POST", path + "/metadata", map[string]any{"metadata": map[string]any{"": "empty key"}}, 400, ""},
		{"GET", "/v3/volumes/" + uuid.NewString() + "/metadata", nil, 404, ""},
		{"PUT", "/v3/volumes/nope", map[string]any{"volume": map[string]any{"name": "n"}}, 404, ""},
	}
	for i, s := range steps {
		st, body := c.Call(t, "alice", s.method, s.path, s.body)
		if st != s.status || (s.want != "" && fmt.Sprint(body) != s.want) {
			t.Errorf("step %d %s %s: %d %v, want %d %s", i, s.method, s.path, st, body, s.status, s.want)
		}
	}
	_, body := c.Call(t, "alice", "GET", path, nil)
	if v := body["volume"].(map[string]any); v["name"] != "w" || v["description"] != "d" {
		t.Errorf("after update: %v", v)
	}
}

func action(t *testing.T, c *bstest.Cloud, token, id string, body map[string]any, version ...string) (int, map[string]any) {
	t.Helper()
	return c.Call(t, token, "POST", "/v3/volumes/"+id+"/action", body, version...)
}

func TestActions(t *testing.T) {
	c, imgs := start(t)
	id := create(t, c, "alice", map[string]any{})
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"extend to 0", "alice", map[string]any{"os-extend": map[string]any{"new_size": 0}}, 400},
		{"extend to abc", "alice", map[string]any{"os-extend": map[string]any{"new_size": "abc"}}, 400},
		{"extend to null", "alice", map[string]any{"os-extend": map[string]any{"new_size": nil}}, 400},
		{"extend to the same size", "alice", map[string]any{"os-extend": map[string]any{"new_size": 1}}, 400},
		{"reset by a member", "alice", map[string]any{"os-reset_status": map[string]any{"status": "error"}}, 403},
		{"reset to nonsense", "", map[string]any{"os-reset_status": map[string]any{"status": "nonsense"}}, 400},
		{"reset to nothing", "", map[string]any{"os-reset_status": map[string]any{}}, 400},
		{"reset to in-use without attachments", "", map[string]any{"os-reset_status": map[string]any{"status": "in-use"}}, 400},
		{"bootable not a boolean", "alice", map[string]any{"os-set_bootable": map[string]any{"bootable": "maybe"}}, 400},
		{"force delete by a member", "alice", map[string]any{"os-force_delete": map[string]any{}}, 403},
		{"retype to an unknown type", "alice", map[string]any{"os-retype": map[string]any{"new_type": "nope"}}, 404},
		{"retype to the same type", "alice", map[string]any{"os-retype": map[string]any{"new_type": "__DEFAULT__"}}, 400},
		{"unset unknown image metadata", "alice", map[string]any{"os-unset_image_metadata": map[string]any{"key": "nope"}}, 404},
		{"revert before 3.40", "alice", map[string]any{"revert": map[string]any{"snapshot_id": nil}}, 400},
		{"unmanage by a member", "alice", map[string]any{"os-unmanage": map[string]any{}}, 403},
		{"migrate to an unknown host", "", map[string]any{"os-migrate_volume": map[string]any{"host": "elsewhere@lvm#lvm"}}, 400},
		{"unknown action", "alice", map[string]any{"os-dance": map[string]any{}}, 400},
		{"bob's action on alice's volume", "bob", map[string]any{"os-set_bootable": map[string]any{"bootable": true}}, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, body := action(t, c, tc.token, id, tc.body); st != tc.status {
				t.Errorf("%d %v, want %d", st, body, tc.status)
			}
		})
	}
	if st, body := action(t, c, "alice", id, map[string]any{"revert": map[string]any{"snapshot_id": nil}}, "3.40"); st != 400 || bstest.Fault(body) != "Volume "+id+" doesn't have any snapshots." {
		t.Errorf("revert without snapshots: %d %v", st, body)
	}
	if st, body := action(t, c, "alice", uuid.NewString(), map[string]any{"os-extend": map[string]any{"new_size": 2}}); st != 404 {
		t.Errorf("extend of an unknown volume: %d %v", st, body)
	}

	// Extend, bootable, readonly, image metadata.
	if st, body := action(t, c, "alice", id, map[string]any{"os-extend": map[string]any{"new_size": 2}}); st != 202 {
		t.Fatalf("extend: %d %v", st, body)
	}
	if v := c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "available"); v["size"] != 2.0 {
		t.Errorf("extended: %v", v)
	}
	for _, b := range []bool{true, false} {
		if st, body := action(t, c, "alice", id, map[string]any{"os-set_bootable": map[string]any{"bootable": b}}); st != 200 {
			t.Fatalf("bootable: %d %v", st, body)
		}
		if st, body := action(t, c, "alice", id, map[string]any{"os-update_readonly_flag": map[string]any{"readonly": b}}); st != 202 {
			t.Fatalf("readonly: %d %v", st, body)
		}
		_, body := c.Call(t, "alice", "GET", "/v3/volumes/"+id, nil)
		v := body["volume"].(map[string]any)
		if v["bootable"] != fmt.Sprint(b) || v["metadata"].(map[string]any)["readonly"] != map[bool]string{true: "True", false: "False"}[b] {
			t.Errorf("bootable/readonly %v: %v", b, v)
		}
	}
	st, body := action(t, c, "alice", id, map[string]any{"os-set_image_metadata": map[string]any{"metadata": map[string]any{"image_name": "image", "ramdisk_id": "somedisk"}}})
	if st != 200 || fmt.Sprint(body) != "map[metadata:map[image_name:image ramdisk_id:somedisk]]" {
		t.Errorf("set image metadata: %d %v", st, body)
	}
	if st, body := action(t, c, "alice", id, map[string]any{"os-unset_image_metadata": map[string]any{"key": "ramdisk_id"}}); st != 200 {
		t.Errorf("unset image metadata: %d %v", st, body)
	}
	if _, body := action(t, c, "alice", id, map[string]any{"os-show_image_metadata": nil}); fmt.Sprint(body) != "map[metadata:map[image_name:image]]" {
		t.Errorf("show image metadata: %v", body)
	}

	// Retype to a type of the same backend.
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateType(ctx, &blockstorage.VolumeType{ID: uuid.NewString(), Name: "volume-type-2", IsPublic: true})
	})
	if st, body := action(t, c, "alice", id, map[string]any{"os-retype": map[string]any{"new_type": "volume-type-2", "migration_policy": "never"}}); st != 202 {
		t.Fatalf("retype: %d %v", st, body)
	}
	_, body = c.Call(t, "", "GET", "/v3/volumes/"+id, nil)
	if v := body["volume"].(map[string]any); v["volume_type"] != "volume-type-2" || v["os-vol-host-attr:host"] != bstest.Host || v["migration_status"] != nil {
		t.Errorf("retyped: %v", v)
	}

	// Upload to an image.
	st, body = action(t, c, "alice", id, map[string]any{"os-volume_upload_image": map[string]any{"image_name": "up", "disk_format": "qcow2"}})
	if st != 202 {
		t.Fatalf("upload: %d %v", st, body)
	}
	up := body["os-volume_upload_image"].(map[string]any)
	img, err := imgs.Get(context.Background(), "", fmt.Sprint(up["image_id"]))
	if err != nil || img.Name != "up" || img.DiskFormat != "qcow2" || up["status"] != "uploading" || up["volume_type"].(map[string]any)["name"] != "volume-type-2" {
		t.Errorf("upload: %v, image %v %v", up, img, err)
	}
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "available")

	// Reset, then force delete.
	if st, body := action(t, c, "", id, map[string]any{"os-reset_status": map[string]any{"status": "maintenance"}}); st != 202 {
		t.Fatalf("reset: %d %v", st, body)
	}
	if st, body := c.Call(t, "alice", "DELETE", "/v3/volumes/"+id, nil); st != 400 {
		t.Errorf("delete in maintenance: %d %v", st, body)
	}
	if st, body := action(t, c, "", id, map[string]any{"os-force_delete": map[string]any{}}); st != 202 {
		t.Fatalf("force delete: %d %v", st, body)
	}
	c.Wait(t, "alice", "/v3/volumes/"+id, "volume", "deleted")

	// Unmanage forgets the volume and keeps its data.
	other := create(t, c, "alice", map[string]any{})
	if st, body := action(t, c, "", other, map[string]any{"os-unmanage": map[string]any{}}); st != 202 {
		t.Fatalf("unmanage: %d %v", st, body)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/volumes/"+other, nil); st != 404 {
		t.Errorf("unmanaged volume still shown: %d", st)
	}
	if _, ok := c.Backend.Volumes[other]; !ok {
		t.Errorf("unmanage removed the data")
	}
}

func TestDeleteRules(t *testing.T) {
	c, _ := start(t)
	withSnaps := create(t, c, "alice", map[string]any{})
	attached := create(t, c, "alice", map[string]any{})
	var snaps []string
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		for range 2 {
			id := uuid.NewString()
			snaps = append(snaps, id)
			if err := tx.CreateSnapshot(ctx, &blockstorage.Snapshot{ID: id, VolumeID: withSnaps, ProjectID: "p-alice",
				Status: blockstorage.SnapStatusAvailable, SizeGB: 1}); err != nil {
				return err
			}
		}
		vol, err := tx.GetVolume(ctx, attached)
		if err != nil {
			return err
		}
		vol.Status, vol.AttachStatus = blockstorage.StatusInUse, blockstorage.AttachAttached
		if err := tx.UpdateVolume(ctx, vol); err != nil {
			return err
		}
		return tx.CreateAttachment(ctx, &blockstorage.Attachment{ID: uuid.NewString(), VolumeID: attached, ProjectID: "p-alice",
			InstanceID: uuid.NewString(), Mountpoint: "/dev/vdb", Status: blockstorage.AttachAttached, Mode: blockstorage.ModeRW, AttachedAt: time.Now()})
	})
	_, body := c.Call(t, "alice", "GET", "/v3/volumes/"+attached, nil)
	atts, _ := body["volume"].(map[string]any)["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["device"] != "/dev/vdb" || atts[0].(map[string]any)["id"] != attached {
		t.Errorf("attachments %v", body)
	}
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"in use", "/v3/volumes/" + attached, 400},
		{"in use, forced", "/v3/volumes/" + attached + "?force=true", 400},
		{"with snapshots", "/v3/volumes/" + withSnaps, 400},
		{"bad cascade", "/v3/volumes/" + withSnaps + "?cascade=maybe", 400},
		{"unknown", "/v3/volumes/" + uuid.NewString(), 404},
		{"with snapshots, cascade", "/v3/volumes/" + withSnaps + "?cascade=true", 202},
	} {
		if st, body := c.Call(t, "alice", "DELETE", tc.path, nil); st != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, st, body, tc.status)
		}
	}
	c.Wait(t, "alice", "/v3/volumes/"+withSnaps, "volume", "deleted")
	tx(t, c, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, id := range snaps {
			if _, err := tx.GetSnapshot(ctx, id); !errors.Is(err, apierr.ErrNotFound) {
				t.Errorf("snapshot %s: %v", id, err)
			}
		}
		return nil
	})
}

// A resource path with an empty id is Cinder's 404, not the collection.
func TestEmptyID(t *testing.T) {
	c := bstest.Start(t, "alice")
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if st, body := c.Call(t, "alice", m, "/v3/p-alice/volumes/", nil); st != 404 {
			t.Errorf("%s /volumes/: %d %v", m, st, body)
		}
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/p-alice/volumes", nil); st != 200 {
		t.Errorf("GET /volumes: %d", st)
	}
}
