package api_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/policies"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func setupVolumes(t *testing.T) (*apitest.Server, *computetest.Volumes) {
	t.Helper()
	st := cstore.New(dbtest.Open(t))
	vols := computetest.NewVolumes(
		volinfo.Volume{ID: "11111111-1111-1111-1111-111111111111", Status: "available", SizeGB: 1, Name: "one"},
		volinfo.Volume{ID: "22222222-2222-2222-2222-222222222222", Status: "available", SizeGB: 1},
	)
	deps := compute.Deps{
		Conductor: &fakeConductor{store: st},
		Images: &fakeImages{images: map[string]compute.ImageMeta{testImage: {
			ID: testImage, Name: "cirros", Status: "active", DiskFormat: "qcow2", ContainerFormat: "bare", Size: 1 << 20,
		}}},
		Volumes: vols,
	}
	srv := serve(t, st, deps, apitest.Policy(t, policies.Defaults()), apitest.Tokens("user", "other"))
	srv.Run(t, []apitest.Step{{Name: "flavor", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"m1.tiny","id":"1","ram":512,"vcpus":1,"disk":1}}`, Status: 200}})
	return srv, vols
}

func TestVolumeAttachments(t *testing.T) {
	srv, vols := setupVolumes(t)
	const v1, v2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	id := createServer(t, srv, "user", "", "")
	path := "/v2.1/servers/" + id + "/os-volume_attachments"

	code, m, _ := call(t, srv, "user", "2.1", "POST", path, `{"volumeAttachment":{"volumeId":"`+v1+`"}}`)
	if code != 200 {
		t.Fatalf("attach = %d %v", code, m)
	}
	want := map[string]any{"id": v1, "volumeId": v1, "serverId": id, "device": "/dev/vdb"}
	if got := m["volumeAttachment"].(map[string]any); !sameKeys(got, want) {
		t.Errorf("attach at 2.1 = %v, want %v", got, want)
	}
	code, m, _ = call(t, srv, "user", "2.79", "POST", path, `{"volumeAttachment":{"volumeId":"`+v2+`","tag":"data","delete_on_termination":true}}`)
	if code != 200 {
		t.Fatalf("attach at 2.79 = %d %v", code, m)
	}
	got := m["volumeAttachment"].(map[string]any)
	if got["tag"] != "data" || got["delete_on_termination"] != true || got["device"] != "/dev/vdc" {
		t.Errorf("attach at 2.79 = %v", got)
	}

	for _, tc := range []struct {
		name, ver, body string
		status          int
	}{
		{"tag before 2.49", "2.48", `{"volumeAttachment":{"volumeId":"` + v2 + `","tag":"x"}}`, 400},
		{"not a uuid", "2.1", `{"volumeAttachment":{"volumeId":"nope"}}`, 400},
		{"no volumeId", "2.1", `{"volumeAttachment":{}}`, 400},
		{"unknown volume", "2.1", `{"volumeAttachment":{"volumeId":"33333333-3333-3333-3333-333333333333"}}`, 404},
		{"already attached", "2.1", `{"volumeAttachment":{"volumeId":"` + v1 + `"}}`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, m, _ := call(t, srv, "user", tc.ver, "POST", path, tc.body); code != tc.status {
				t.Errorf("= %d %v, want %d", code, m, tc.status)
			}
		})
	}

	code, m, _ = call(t, srv, "user", "2.89", "GET", path, "")
	list := m["volumeAttachments"].([]any)
	if code != 200 || len(list) != 2 {
		t.Fatalf("list = %d %v", code, m)
	}
	first := list[0].(map[string]any)
	if _, ok := first["id"]; ok || first["attachment_id"] == nil || first["bdm_uuid"] == nil {
		t.Errorf("list at 2.89 = %v", first)
	}
	if code, m, _ := call(t, srv, "user", "2.1", "GET", path+"?limit=1&offset=1", ""); code != 200 || len(m["volumeAttachments"].([]any)) != 1 {
		t.Errorf("limit/offset = %d %v", code, m)
	}
	if code, m, _ := call(t, srv, "user", "2.1", "GET", path+"/"+v1, ""); code != 200 || m["volumeAttachment"].(map[string]any)["serverId"] != id {
		t.Errorf("show = %d %v", code, m)
	}
	if code, _, _ := call(t, srv, "other", "2.1", "GET", path+"/"+v1, ""); code != 404 {
		t.Errorf("show by another project = %d", code)
	}

	code, m, _ = call(t, srv, "user", "2.3", "GET", "/v2.1/servers/"+id, "")
	att := m["server"].(map[string]any)["os-extended-volumes:volumes_attached"].([]any)
	if code != 200 || len(att) != 2 || att[1].(map[string]any)["delete_on_termination"] != true {
		t.Errorf("volumes_attached = %v", att)
	}

	// The swap rule is the admin's; a 2.85 update of the flag is the user's.
	if code, _, _ := call(t, srv, "user", "2.85", "PUT", path+"/"+v1, `{"volumeAttachment":{"volumeId":"`+v2+`"}}`); code != 403 {
		t.Errorf("swap by a user = %d, want 403", code)
	}
	if code, m, _ := call(t, srv, "user", "2.85", "PUT", path+"/"+v1, `{"volumeAttachment":{"volumeId":"`+v1+`","delete_on_termination":true}}`); code != 202 {
		t.Errorf("update = %d %v", code, m)
	}

	// Reserved, not in-use yet (the fake conductor connects nothing):
	// Cinder's begin_detaching refuses.
	if code, _, _ := call(t, srv, "user", "2.1", "DELETE", path+"/"+v1, ""); code != 400 {
		t.Errorf("detach of a reserved volume = %d, want 400", code)
	}
	if err := vols.AttachmentComplete(context.Background(), "", "att-1"); err != nil {
		t.Fatal(err)
	}
	if code, m, _ := call(t, srv, "user", "2.1", "DELETE", path+"/"+v1, ""); code != 202 {
		t.Errorf("detach = %d %v", code, m)
	}
}

func TestVolumeProxy(t *testing.T) {
	srv, _ := setupVolumes(t)
	code, m, _ := call(t, srv, "user", "2.35", "GET", "/v2.1/os-volumes/detail", "")
	if code != 200 || len(m["volumes"].([]any)) != 0 {
		// The fake lists nothing; the shape is what matters.
		t.Fatalf("list = %d %v", code, m)
	}
	code, m, _ = call(t, srv, "user", "2.1", "GET", "/v2.1/os-volumes/11111111-1111-1111-1111-111111111111", "")
	if code != 200 {
		t.Fatalf("show = %d %v", code, m)
	}
	v := m["volume"].(map[string]any)
	want := map[string]any{"id": 0, "status": 0, "size": 0, "availabilityZone": 0, "createdAt": 0, "attachments": 0,
		"displayName": 0, "displayDescription": 0, "volumeType": 0, "snapshotId": 0, "metadata": 0}
	if !sameKeys(v, want) || v["displayName"] != "one" {
		t.Errorf("show = %v", v)
	}
	if a := v["attachments"].([]any); len(a) != 1 || len(a[0].(map[string]any)) != 0 {
		t.Errorf("attachments of a free volume = %v, want [{}]", a)
	}
	for _, tc := range []struct {
		name, ver, method, path, body string
		status                        int
	}{
		{"gone at 2.36", "2.36", "GET", "/v2.1/os-volumes", "", 404},
		{"missing", "2.1", "GET", "/v2.1/os-volumes/33333333-3333-3333-3333-333333333333", "", 404},
		{"no id", "2.1", "GET", "/v2.1/os-volumes/", "", 404},
		{"delete no id", "2.1", "DELETE", "/v2.1/os-volumes/", "", 404},
		{"size not a number", "2.1", "POST", "/v2.1/os-volumes", `{"volume":{"size":"#$%"}}`, 400},
		{"size empty", "2.1", "POST", "/v2.1/os-volumes", `{"volume":{"size":""}}`, 400},
		{"size zero", "2.1", "POST", "/v2.1/os-volumes", `{"volume":{"size":"0"}}`, 400},
		{"snapshot missing", "2.1", "GET", "/v2.1/os-snapshots/33333333-3333-3333-3333-333333333333", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, m, _ := call(t, srv, "user", tc.ver, tc.method, tc.path, tc.body); code != tc.status {
				t.Errorf("= %d %v, want %d", code, m, tc.status)
			}
		})
	}
	code, m, _ = call(t, srv, "user", "2.1", "POST", "/v2.1/os-volumes", `{"volume":{"size":1,"display_name":"new"}}`)
	if code != 200 || m["volume"].(map[string]any)["size"] != float64(1) {
		t.Errorf("create = %d %v", code, m)
	}
}

// sameKeys reports whether got has exactly want's keys.
func sameKeys(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			return false
		}
	}
	return true
}
