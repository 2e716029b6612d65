package attachments_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

const latest = "3.60"

// volume stores an available volume of token's project on the backend
// double's pool (below the API: these tests are about attachments, not
// about building volumes), changed by mod.
func volume(t *testing.T, c *bstest.Cloud, token string, mod func(v *blockstorage.Volume)) string {
	t.Helper()
	id := uuid.NewString()
	v := &blockstorage.Volume{ID: id, ProjectID: bstest.Project(token), UserID: "u-" + token, SizeGB: 1,
		Status: blockstorage.StatusAvailable, AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova",
		Host: bstest.Host, ProviderLocation: "/volumes/" + id, ConsumesQuota: true}
	if mod != nil {
		mod(v)
	}
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// state reads a volume's status and attach_status from the store.
func state(t *testing.T, c *bstest.Cloud, id string) (string, string) {
	t.Helper()
	var v *blockstorage.Volume
	err := c.Svc.Store().View(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		v, err = tx.GetVolume(ctx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v.Status, v.AttachStatus
}

func wantState(t *testing.T, c *bstest.Cloud, id, status, attach string) {
	t.Helper()
	if s, a := state(t, c, id); s != status || a != attach {
		t.Errorf("volume %s: status %s/%s, want %s/%s", id, s, a, status, attach)
	}
}

func calls(c *bstest.Cloud, method string) int {
	n := 0
	for _, m := range c.Backend.Calls {
		if m == method {
			n++
		}
	}
	return n
}

func attachment(body map[string]any) map[string]any {
	a, _ := body["attachment"].(map[string]any)
	return a
}

var connector = map[string]any{"host": "compute1", "initiator": "iqn.x", "multipath": false, "mountpoint": "/dev/vdb"}

// Nova's flow: reserve without a connector, update with it, complete,
// delete; the volume goes reserved, attaching, in-use, available.
func TestNovaFlow(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", nil)
	server := uuid.NewString()

	st, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{
		"volume_uuid": vol, "instance_uuid": server}}, latest)
	a := attachment(body)
	if st != 200 || a["status"] != "reserved" || a["instance"] != server || a["volume_id"] != vol {
		t.Fatalf("create: %d %v", st, body)
	}
	for k, want := range map[string]any{"attach_mode": "null", "attached_at": "", "detached_at": ""} {
		if a[k] != want {
			t.Errorf("create: %s = %v, want %v", k, a[k], want)
		}
	}
	if ci, ok := a["connection_info"].(map[string]any); !ok || len(ci) != 0 {
		t.Errorf("create: connection_info = %v, want {}", a["connection_info"])
	}
	wantState(t, c, vol, "reserved", "reserved")
	id := a["id"].(string)

	// A non-multiattach volume cannot be reserved twice.
	st, body = c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{
		"volume_uuid": vol, "instance_uuid": uuid.NewString()}}, latest)
	if want := "Invalid volume: Volume " + vol + " status must be available to reserve, but the current status is reserved."; st != 400 || bstest.Fault(body) != want {
		t.Errorf("second create: %d %q, want 400 %q", st, bstest.Fault(body), want)
	}

	st, body = c.Call(t, "alice", "PUT", "/v3/attachments/"+id, map[string]any{"attachment": map[string]any{"connector": connector}}, latest)
	a = attachment(body)
	ci, _ := a["connection_info"].(map[string]any)
	if st != 200 || a["status"] != "attaching" || a["attach_mode"] != "rw" {
		t.Fatalf("update: %d %v", st, body)
	}
	for k, want := range map[string]any{"driver_volume_type": "file", "device_path": "/volumes/" + vol, "access_mode": "rw",
		"attachment_id": id, "encrypted": false, "qos_specs": nil} {
		if v, ok := ci[k]; !ok || v != want {
			t.Errorf("update: connection_info[%s] = %v, want %v", k, v, want)
		}
	}
	wantState(t, c, vol, "attaching", "attaching")
	if calls(c, "Connect") != 1 {
		t.Errorf("Connect calls = %d, want 1", calls(c, "Connect"))
	}

	if st, body = c.Call(t, "alice", "POST", "/v3/attachments/"+id+"/action", map[string]any{"os-complete": nil}, latest); st != 204 {
		t.Fatalf("complete: %d %v", st, body)
	}
	wantState(t, c, vol, "in-use", "attached")
	st, body = c.Call(t, "alice", "GET", "/v3/attachments/"+id, nil, latest)
	if a = attachment(body); st != 200 || a["status"] != "attached" || a["attached_at"] == "" {
		t.Errorf("show after complete: %d %v", st, body)
	}
	// The volume shows the device and host Nova's connector named.
	_, body = c.Call(t, "", "GET", "/v3/volumes/"+vol, nil, latest)
	v, _ := body["volume"].(map[string]any)
	if l, _ := v["attachments"].([]any); len(l) != 1 || l[0].(map[string]any)["device"] != "/dev/vdb" || l[0].(map[string]any)["host_name"] != "compute1" {
		t.Errorf("volume attachments: %v", v["attachments"])
	}

	// Another server cannot take the in-use volume.
	st, body = c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{
		"volume_uuid": vol, "instance_uuid": uuid.NewString()}}, latest)
	if want := "Invalid volume: Volume " + vol + " status must be available to reserve, but the current status is in-use."; st != 400 || bstest.Fault(body) != want {
		t.Errorf("create on in-use: %d %q, want 400 %q", st, bstest.Fault(body), want)
	}

	st, body = c.Call(t, "alice", "DELETE", "/v3/attachments/"+id, nil, latest)
	if l, ok := body["attachments"].([]any); st != 200 || !ok || len(l) != 0 {
		t.Fatalf("delete: %d %v", st, body)
	}
	wantState(t, c, vol, "available", "detached")
	if calls(c, "Disconnect") != 1 {
		t.Errorf("Disconnect calls = %d, want 1", calls(c, "Disconnect"))
	}
	if st, _ = c.Call(t, "alice", "GET", "/v3/attachments/"+id, nil, latest); st != 404 {
		t.Errorf("show after delete: %d, want 404", st)
	}
}

// A create with a connector connects at once; a multiattach volume takes
// a second server and stays in-use until its last attachment goes.
func TestMultiattachWithConnector(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", func(v *blockstorage.Volume) { v.Multiattach = true })
	var ids []string
	for range 2 {
		st, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{
			"volume_uuid": vol, "instance_uuid": uuid.NewString(), "connector": connector}}, latest)
		a := attachment(body)
		ci, _ := a["connection_info"].(map[string]any)
		if st != 200 || a["status"] != "attaching" || ci["driver_volume_type"] != "file" {
			t.Fatalf("create: %d %v", st, body)
		}
		id := a["id"].(string)
		if st, body = c.Call(t, "alice", "POST", "/v3/attachments/"+id+"/action", map[string]any{"os-complete": nil}, latest); st != 204 {
			t.Fatalf("complete: %d %v", st, body)
		}
		wantState(t, c, vol, "in-use", "attached")
		ids = append(ids, id)
	}
	st, body := c.Call(t, "alice", "DELETE", "/v3/attachments/"+ids[0], nil, latest)
	l, _ := body["attachments"].([]any)
	if st != 200 || len(l) != 1 || l[0].(map[string]any)["id"] != ids[1] {
		t.Fatalf("delete first: %d %v", st, body)
	}
	wantState(t, c, vol, "in-use", "attached")
	if st, _ = c.Call(t, "alice", "DELETE", "/v3/attachments/"+ids[1], nil, latest); st != 200 {
		t.Fatalf("delete second: %d", st)
	}
	wantState(t, c, vol, "available", "detached")
}

// Bad requests get Cinder's 4xx, and nothing is written.
func TestCreateErrors(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", nil)
	broken := volume(t, c, "alice", func(v *blockstorage.Volume) { v.Status = blockstorage.StatusError })
	for _, tc := range []struct {
		name    string
		token   string
		version string
		body    any
		status  int
		msg     string
	}{
		{"unknown volume", "alice", latest, map[string]any{"volume_uuid": uuid.NewString()}, 404, "could not be found"},
		{"another project's volume", "bob", latest, map[string]any{"volume_uuid": vol}, 404, "could not be found"},
		{"volume in error", "alice", latest, map[string]any{"volume_uuid": broken}, 400, "can not be created if the volume is in an error state"},
		{"no volume", "alice", latest, map[string]any{"instance_uuid": uuid.NewString()}, 400, "'volume_uuid' is a required property"},
		{"volume not a uuid", "alice", latest, map[string]any{"volume_uuid": "x"}, 400, "not a 'uuid'"},
		{"instance not a uuid", "alice", latest, map[string]any{"volume_uuid": vol, "instance_uuid": "x"}, 400, "not a 'uuid'"},
		{"unknown attribute", "alice", latest, map[string]any{"volume_uuid": vol, "color": "red"}, 400, "'color' was unexpected"},
		{"mode before 3.54", "alice", "3.53", map[string]any{"volume_uuid": vol, "mode": "ro"}, 400, "'mode' was unexpected"},
		{"bad mode", "alice", latest, map[string]any{"volume_uuid": vol, "mode": "rx"}, 400, "is not one of"},
		{"connector not an object", "alice", latest, map[string]any{"volume_uuid": vol, "connector": "x"}, 400, "not of type"},
		{"before 3.27", "alice", "3.26", map[string]any{"volume_uuid": vol}, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, tc.token, "POST", "/v3/attachments", map[string]any{"attachment": tc.body}, tc.version)
			if st != tc.status || !strings.Contains(bstest.Fault(body), tc.msg) {
				t.Errorf("%d %q, want %d with %q", st, bstest.Fault(body), tc.status, tc.msg)
			}
		})
	}
	if st, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"nope": 1}, latest); st != 400 {
		t.Errorf("no envelope: %d %v, want 400", st, body)
	}
	wantState(t, c, vol, "available", "detached")
	st, body := c.Call(t, "", "GET", "/v3/attachments?all_tenants=1", nil, latest)
	if l, _ := body["attachments"].([]any); st != 200 || len(l) != 0 {
		t.Errorf("attachments after the refused creates: %d %v, want none", st, body)
	}
}

// Another project neither sees nor changes an attachment; its admin
// does.
func TestAttachmentVisibility(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", nil)
	_, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{"volume_uuid": vol}}, latest)
	id := attachment(body)["id"].(string)
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v3/attachments/" + id, nil},
		{"PUT", "/v3/attachments/" + id, map[string]any{"attachment": map[string]any{"connector": connector}}},
		{"POST", "/v3/attachments/" + id + "/action", map[string]any{"os-complete": nil}},
		{"DELETE", "/v3/attachments/" + id, nil},
	} {
		if st, body := c.Call(t, "bob", tc.method, tc.path, tc.body, latest); st != 404 ||
			bstest.Fault(body) != "Volume attachment could not be found with filter: attachment_id = "+id+"." {
			t.Errorf("bob %s %s: %d %v, want 404", tc.method, tc.path, st, body)
		}
	}
	st, body := c.Call(t, "bob", "GET", "/v3/attachments", nil, latest)
	if l, _ := body["attachments"].([]any); st != 200 || len(l) != 0 {
		t.Errorf("bob's list: %d %v", st, body)
	}
	if st, _ := c.Call(t, "", "GET", "/v3/attachments/"+id, nil, latest); st != 200 {
		t.Errorf("admin show: %d", st)
	}
	if st, _ := c.Call(t, "", "DELETE", "/v3/attachments/"+id, nil, latest); st != 200 {
		t.Errorf("admin delete: %d", st)
	}
	wantState(t, c, vol, "available", "detached")
}

// Lists filter by volume, instance and status; the summary has Cinder's
// four keys, the detail four more; all_tenants is an admin's.
func TestList(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	v1, v2 := volume(t, c, "alice", nil), volume(t, c, "alice", nil)
	v3 := volume(t, c, "bob", nil)
	server := uuid.NewString()
	mk := func(token, vol, instance string, conn map[string]any) string {
		in := map[string]any{"volume_uuid": vol, "instance_uuid": instance}
		if conn != nil {
			in["connector"] = conn
		}
		st, body := c.Call(t, token, "POST", "/v3/attachments", map[string]any{"attachment": in}, latest)
		if st != 200 {
			t.Fatalf("create: %d %v", st, body)
		}
		return attachment(body)["id"].(string)
	}
	a1 := mk("alice", v1, server, nil)
	a2 := mk("alice", v2, uuid.NewString(), connector)
	a3 := mk("bob", v3, server, nil)
	for _, tc := range []struct {
		name, token, query string
		want               []string
	}{
		{"own", "alice", "", []string{a1, a2}},
		{"by volume", "alice", "?volume_id=" + v2, []string{a2}},
		{"by instance", "alice", "?instance_id=" + server, []string{a1}},
		{"by status", "alice", "?status=attaching", []string{a2}},
		{"by attach_status", "alice", "?attach_status=reserved", []string{a1}},
		{"all_tenants of a member", "alice", "?all_tenants=1", []string{a1, a2}},
		{"all_tenants of an admin", "", "?all_tenants=1&instance_id=" + server, []string{a1, a3}},
	} {
		for _, path := range []string{"/v3/attachments", "/v3/attachments/detail"} {
			st, body := c.Call(t, tc.token, "GET", path+tc.query, nil, latest)
			l, _ := body["attachments"].([]any)
			var got []string
			for _, it := range l {
				m := it.(map[string]any)
				got = append(got, m["id"].(string))
				keys := []string{"id", "instance", "status", "volume_id"}
				if strings.HasSuffix(path, "detail") {
					keys = append(keys, "attach_mode", "attached_at", "connection_info", "detached_at")
				}
				var have []string
				for k := range m {
					have = append(have, k)
				}
				slices.Sort(keys)
				slices.Sort(have)
				if !slices.Equal(keys, have) {
					t.Errorf("%s %s: keys %v, want %v", tc.name, path, have, keys)
				}
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if st != 200 || !slices.Equal(got, tc.want) {
				t.Errorf("%s %s: %d %v, want %v", tc.name, path, st, got, tc.want)
			}
		}
	}
	st, body := c.Call(t, "alice", "GET", "/v3/attachments?limit=1", nil, latest)
	if l, _ := body["attachments"].([]any); st != 200 || len(l) != 1 || body["attachments_links"] == nil {
		t.Errorf("limit=1: %d %v", st, body)
	}
}

// The 3.54 mode and the read-only flag decide attach_mode and the
// connection's access_mode; os-complete is 3.44's.
func TestModes(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", nil)
	ro := volume(t, c, "alice", func(v *blockstorage.Volume) { v.AdminMetadata = map[string]string{"readonly": "True"} })
	for _, tc := range []struct {
		name, vol, mode, connMode, want string
	}{
		{"mode asked", vol, "ro", "", "ro"},
		{"connector's mode", vol, "", "ro", "ro"},
		{"default", vol, "", "", "rw"},
		{"read-only volume", ro, "rw", "", "ro"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"volume_uuid": tc.vol}
			if tc.mode != "" {
				in["mode"] = tc.mode
			}
			conn := map[string]any{"host": "h"}
			if tc.connMode != "" {
				conn["mode"] = tc.connMode
			}
			_, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": in}, latest)
			id, _ := attachment(body)["id"].(string)
			st, body := c.Call(t, "alice", "PUT", "/v3/attachments/"+id, map[string]any{"attachment": map[string]any{"connector": conn}}, latest)
			a := attachment(body)
			ci, _ := a["connection_info"].(map[string]any)
			if st != 200 || a["attach_mode"] != tc.want || ci["access_mode"] != tc.want {
				t.Errorf("%d %v, want mode %s", st, body, tc.want)
			}
			c.Call(t, "alice", "DELETE", "/v3/attachments/"+id, nil, latest)
		})
	}
	_, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{"volume_uuid": vol}}, latest)
	id := attachment(body)["id"].(string)
	if st, body := c.Call(t, "alice", "POST", "/v3/attachments/"+id+"/action", map[string]any{"os-complete": nil}, "3.43"); st != 400 {
		t.Errorf("os-complete at 3.43: %d %v, want 400", st, body)
	}
	for _, bad := range []any{map[string]any{}, map[string]any{"connector": map[string]any{}}, map[string]any{"connector": connector, "x": 1}} {
		if st, body := c.Call(t, "alice", "PUT", "/v3/attachments/"+id, map[string]any{"attachment": bad}, latest); st != 400 {
			t.Errorf("update with %v: %d %v, want 400", bad, st, body)
		}
	}
}

// A backend that fails to connect leaves the attachment error_attaching
// and the volume reserved; one that fails to disconnect leaves the
// attachment as it was.
func TestBackendFailures(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", nil)
	_, body := c.Call(t, "alice", "POST", "/v3/attachments", map[string]any{"attachment": map[string]any{"volume_uuid": vol}}, latest)
	id := attachment(body)["id"].(string)
	c.Backend.Fail("Connect", apierr.Unavailable("backend down"))
	if st, body := c.Call(t, "alice", "PUT", "/v3/attachments/"+id, map[string]any{"attachment": map[string]any{"connector": connector}}, latest); st != 503 {
		t.Fatalf("update with a failing backend: %d %v, want 503", st, body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/attachments/"+id, nil, latest)
	if a := attachment(body); a["status"] != "error_attaching" {
		t.Errorf("after the failure: %v, want error_attaching", a)
	}
	wantState(t, c, vol, "reserved", "reserved")

	// A retry succeeds; a failing disconnect keeps the attachment.
	if st, body := c.Call(t, "alice", "PUT", "/v3/attachments/"+id, map[string]any{"attachment": map[string]any{"connector": connector}}, latest); st != 200 {
		t.Fatalf("retry: %d %v", st, body)
	}
	c.Call(t, "alice", "POST", "/v3/attachments/"+id+"/action", map[string]any{"os-complete": nil}, latest)
	c.Backend.Fail("Disconnect", apierr.Unavailable("backend down"))
	if st, body := c.Call(t, "alice", "DELETE", "/v3/attachments/"+id, nil, latest); st != 503 {
		t.Fatalf("delete with a failing backend: %d %v, want 503", st, body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/attachments/"+id, nil, latest)
	if a := attachment(body); a["status"] != "attached" {
		t.Errorf("after the failed delete: %v, want attached", a)
	}
	wantState(t, c, vol, "in-use", "attached")
	if st, _ := c.Call(t, "alice", "DELETE", "/v3/attachments/"+id, nil, latest); st != 200 {
		t.Errorf("delete retried: %d", st)
	}
	wantState(t, c, vol, "available", "detached")
}
