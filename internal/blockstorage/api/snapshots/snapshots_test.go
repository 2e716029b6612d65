package snapshots_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// volume stores a volume of a persona's project on the backend double,
// in status, without going through the volumes API.
func volume(t *testing.T, c *bstest.Cloud, token, status string, size int) string {
	t.Helper()
	v := &blockstorage.Volume{ID: uuid.NewString(), ProjectID: bstest.Project(token), UserID: "u-" + token, SizeGB: size,
		Status: status, AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova", Host: bstest.Host, ConsumesQuota: true}
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

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func create(t *testing.T, c *bstest.Cloud, token string, body map[string]any) string {
	t.Helper()
	st, out := c.Call(t, token, "POST", "/v3/snapshots", map[string]any{"snapshot": body})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	id := out["snapshot"].(map[string]any)["id"].(string)
	c.Wait(t, token, "/v3/snapshots/"+id, "snapshot", "available")
	return id
}

// The attributes of each answer are Tempest's schemas' (which refuse
// any other) at 3.0, and grow with the microversion.
func TestRendering(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", "available", 2)
	summary := []string{"created_at", "description", "id", "metadata", "name", "size", "status", "updated_at", "volume_id"}
	detail := append(slices.Clone(summary), "os-extended-snapshot-attributes:progress", "os-extended-snapshot-attributes:project_id")
	slices.Sort(detail)

	st, out := c.Call(t, "alice", "POST", "/v3/p-alice/snapshots", map[string]any{"snapshot": map[string]any{"volume_id": vol, "name": "s"}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	snap := out["snapshot"].(map[string]any)
	if diff := cmp.Diff(summary, keys(snap)); diff != "" {
		t.Errorf("create attributes (-want +got):\n%s", diff)
	}
	id := snap["id"].(string)
	got := c.Wait(t, "alice", "/v3/snapshots/"+id, "snapshot", "available")
	if diff := cmp.Diff(detail, keys(got)); diff != "" {
		t.Errorf("show attributes (-want +got):\n%s", diff)
	}
	if got["size"] != 2.0 || got["os-extended-snapshot-attributes:progress"] != "100%" || got["os-extended-snapshot-attributes:project_id"] != "p-alice" {
		t.Errorf("show: %v", got)
	}
	for _, tc := range []struct {
		path, version string
		want          []string
	}{
		{"/v3/snapshots", "", summary},
		{"/v3/snapshots/detail", "", detail},
		{"/v3/snapshots", "3.14", append(slices.Clone(summary), "group_snapshot_id")},
		{"/v3/snapshots/detail", "3.41", append(slices.Clone(detail), "group_snapshot_id", "user_id")},
	} {
		st, out := c.Call(t, "alice", "GET", tc.path, nil, tc.version)
		list, _ := out["snapshots"].([]any)
		if st != 200 || len(list) != 1 {
			t.Fatalf("%s at %q: %d %v", tc.path, tc.version, st, out)
		}
		slices.Sort(tc.want)
		if diff := cmp.Diff(tc.want, keys(list[0].(map[string]any))); diff != "" {
			t.Errorf("%s at %q (-want +got):\n%s", tc.path, tc.version, diff)
		}
	}
	if c.Backend.Snapshots[id] != vol {
		t.Errorf("backend snapshots %v", c.Backend.Snapshots)
	}
}

func TestCreateRules(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	avail := volume(t, c, "alice", "available", 1)
	inUse := volume(t, c, "alice", "in-use", 1)
	busy := volume(t, c, "alice", "extending", 1)
	c.Run(t, []apitest.Step{
		{Name: "no volume_id", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"name": "x"}}`, Status: 404},
		{Name: "unknown volume", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + uuid.NewString() + `"}}`, Status: 404},
		{Name: "another project's volume", Token: "bob", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + avail + `"}}`, Status: 404},
		{Name: "no body", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{}`, Status: 400},
		{Name: "in-use without force", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + inUse + `", "force": false}}`, Status: 400},
		{Name: "bad force", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + inUse + `", "force": "maybe"}}`, Status: 400},
		{Name: "extending", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + busy + `", "force": true}}`, Status: 400},
		{Name: "blank metadata key", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + avail + `", "metadata": {"": "v"}}}`, Status: 400},
		{Name: "in-use with force", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + inUse + `", "force": "True"}}`, Status: 202},
		{Name: "available, display_name", Token: "alice", Method: "POST", Path: "/v3/snapshots", Body: `{"snapshot": {"volume_id": "` + avail + `", "display_name": "dn"}}`, Status: 202, Contains: []string{`"name":"dn"`}},
	})
}

func TestQuota(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", "available", 400)
	create(t, c, "alice", map[string]any{"volume_id": vol})
	// 400 GB of volume and 400 of snapshot: a second snapshot passes the
	// 1000 GB quota.
	st, out := c.Call(t, "alice", "POST", "/v3/snapshots", map[string]any{"snapshot": map[string]any{"volume_id": vol}})
	if st != 413 {
		t.Errorf("over quota: %d %v", st, out)
	}
}

func TestListFilters(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	v1 := volume(t, c, "alice", "available", 1)
	v2 := volume(t, c, "alice", "available", 1)
	a := create(t, c, "alice", map[string]any{"volume_id": v1, "name": "a", "metadata": map[string]string{"k": "1"}})
	b := create(t, c, "alice", map[string]any{"volume_id": v1, "name": "b"})
	d := create(t, c, "alice", map[string]any{"volume_id": v2, "name": "c"})
	create(t, c, "bob", map[string]any{"volume_id": volume(t, c, "bob", "available", 1), "name": "a"})
	for _, tc := range []struct {
		name, token, query string
		want               []string
		status             int
	}{
		{"newest first", "alice", "", []string{d, b, a}, 200},
		{"by name", "alice", "?name=a", []string{a}, 200},
		{"by status", "alice", "?status=available&volume_id=" + v1, []string{b, a}, 200},
		{"by volume", "alice", "?volume_id=" + v2, []string{d}, 200},
		{"by metadata", "alice", "?metadata=%7B%27k%27%3A+%271%27%7D", []string{a}, 200},
		{"sort by display_name", "alice", "?sort_key=display_name&sort_dir=asc", []string{a, b, d}, 200},
		{"sort by name desc", "alice", "?sort=name:desc", []string{d, b, a}, 200},
		{"limit", "alice", "?limit=1", []string{d}, 200},
		{"limit 0", "alice", "?limit=0", []string{}, 200},
		{"offset", "alice", "?offset=2&limit=3", []string{a}, 200},
		{"marker", "alice", "?marker=" + b, []string{a}, 200},
		{"all_tenants ignored for a member", "alice", "?all_tenants=1", []string{d, b, a}, 200},
		{"admin, all tenants, by name", "", "?all_tenants=1&name=a", nil, 200},
		{"invalid sort key", "alice", "?sort_key=invalid", nil, 400},
		{"invalid limit", "alice", "?limit=invalid", nil, 400},
		{"unknown marker", "alice", "?marker=" + uuid.NewString(), nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out := c.Call(t, tc.token, "GET", "/v3/snapshots"+tc.query, nil)
			if st != tc.status {
				t.Fatalf("%d %v", st, out)
			}
			if st != 200 {
				return
			}
			got := []string{}
			for _, s := range out["snapshots"].([]any) {
				got = append(got, s.(map[string]any)["id"].(string))
			}
			if tc.want == nil {
				if len(got) != 2 {
					t.Errorf("got %v, want both projects' snapshot a", got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateAndMetadata(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	id := create(t, c, "alice", map[string]any{"volume_id": volume(t, c, "alice", "available", 1), "metadata": map[string]string{"k1": "v1"}})
	p := "/v3/snapshots/" + id
	c.Run(t, []apitest.Step{
		{Name: "rename", Token: "alice", Method: "PUT", Path: p, Body: `{"snapshot": {"name": "n2", "description": "d2"}}`, Status: 200, Contains: []string{`"name":"n2"`, `"description":"d2"`}},
		{Name: "display_description", Token: "alice", Method: "PUT", Path: p, Body: `{"snapshot": {"display_description": "d3"}}`, Status: 200, Contains: []string{`"name":"n2"`, `"description":"d3"`}},
		{Name: "empty update", Token: "alice", Method: "PUT", Path: p, Body: `{"snapshot": {}}`, Status: 400},
		{Name: "bob cannot", Token: "bob", Method: "PUT", Path: p, Body: `{"snapshot": {"name": "x"}}`, Status: 404},
		{Name: "show metadata", Token: "alice", Method: "GET", Path: p + "/metadata", Status: 200, Contains: []string{`{"metadata":{"k1":"v1"}}`}},
		{Name: "merge", Token: "alice", Method: "POST", Path: p + "/metadata", Body: `{"metadata": {"k2": "v2", "k3": "v3"}}`, Status: 200, Contains: []string{`{"metadata":{"k1":"v1","k2":"v2","k3":"v3"}}`}},
		{Name: "replace", Token: "alice", Method: "PUT", Path: p + "/metadata", Body: `{"metadata": {"k3": "x", "k4": "v4"}}`, Status: 200, Contains: []string{`{"metadata":{"k3":"x","k4":"v4"}}`}},
		{Name: "show key", Token: "alice", Method: "GET", Path: p + "/metadata/k3", Status: 200, Contains: []string{`{"meta":{"k3":"x"}}`}},
		{Name: "show missing key", Token: "alice", Method: "GET", Path: p + "/metadata/nope", Status: 404},
		{Name: "set key", Token: "alice", Method: "PUT", Path: p + "/metadata/k3", Body: `{"meta": {"k3": "y"}}`, Status: 200, Contains: []string{`{"meta":{"k3":"y"}}`}},
		{Name: "key mismatch", Token: "alice", Method: "PUT", Path: p + "/metadata/k3", Body: `{"meta": {"k9": "y"}}`, Status: 400},
		{Name: "two keys", Token: "alice", Method: "PUT", Path: p + "/metadata/k3", Body: `{"meta": {"k3": "y", "k4": "z"}}`, Status: 400},
		{Name: "delete key", Token: "alice", Method: "DELETE", Path: p + "/metadata/k3", Status: 200},
		{Name: "delete missing key", Token: "alice", Method: "DELETE", Path: p + "/metadata/k3", Status: 404},
		{Name: "after", Token: "alice", Method: "GET", Path: p, Status: 200, Contains: []string{`"metadata":{"k4":"v4"}`}},
		{Name: "clear", Token: "alice", Method: "PUT", Path: p + "/metadata", Body: `{"metadata": {}}`, Status: 200, Contains: []string{`{"metadata":{}}`}},
		{Name: "metadata not a map", Token: "alice", Method: "POST", Path: p + "/metadata", Body: `{"metadata": ["a"]}`, Status: 400},
	})
}

func TestActionsAndDelete(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", "available", 1)
	id := create(t, c, "alice", map[string]any{"volume_id": vol})
	p := "/v3/snapshots/" + id
	act := p + "/action"
	c.Run(t, []apitest.Step{
		{Name: "reset needs admin", Token: "alice", Method: "POST", Path: act, Body: `{"os-reset_status": {"status": "creating"}}`, Status: 403},
		{Name: "reset to nonsense", Method: "POST", Path: act, Body: `{"os-reset_status": {"status": "nonsense"}}`, Status: 400},
		{Name: "reset", Method: "POST", Path: act, Body: `{"os-reset_status": {"status": "creating"}}`, Status: 202},
		{Name: "delete while creating", Token: "alice", Method: "DELETE", Path: p, Status: 400},
		{Name: "driver reports error", Token: "alice", Method: "POST", Path: act, Body: `{"os-update_snapshot_status": {"status": "error", "progress": "80%"}}`, Status: 202},
		{Name: "shown", Method: "GET", Path: p, Status: 200, Contains: []string{`"status":"error"`, `"os-extended-snapshot-attributes:progress":"80%"`}},
		{Name: "no update from error", Token: "alice", Method: "POST", Path: act, Body: `{"os-update_snapshot_status": {"status": "available"}}`, Status: 400},
		{Name: "bob sees nothing", Token: "bob", Method: "POST", Path: act, Body: `{"os-update_snapshot_status": {"status": "available"}}`, Status: 404},
		{Name: "reset to creating", Method: "POST", Path: act, Body: `{"os-reset_status": {"status": "creating"}}`, Status: 202},
		{Name: "creating to deleting refused", Token: "alice", Method: "POST", Path: act, Body: `{"os-update_snapshot_status": {"status": "deleting"}}`, Status: 400},
		{Name: "force delete needs admin", Token: "alice", Method: "POST", Path: act, Body: `{"os-force_delete": {}}`, Status: 403},
		{Name: "force delete", Method: "POST", Path: act, Body: `{"os-force_delete": {}}`, Status: 202},
	})
	c.Wait(t, "alice", p, "snapshot", "deleted")
	if _, ok := c.Backend.Snapshots[id]; ok {
		t.Error("the backend still holds the snapshot")
	}

	// A backend that fails the delete leaves the snapshot error_deleting.
	id = create(t, c, "alice", map[string]any{"volume_id": vol})
	c.Backend.Fail("DeleteSnapshot", apierr.New(500, "disk gone"))
	if st, out := c.Call(t, "alice", "DELETE", "/v3/snapshots/"+id, nil); st != 202 {
		t.Fatalf("delete: %d %v", st, out)
	}
	c.Wait(t, "alice", "/v3/snapshots/"+id, "snapshot", "error_deleting")
	if st, _ := c.Call(t, "alice", "DELETE", "/v3/snapshots/"+id, nil); st != 400 {
		t.Errorf("delete of error_deleting by a member: %d", st)
	}
	if st, _ := c.Call(t, "", "POST", "/v3/snapshots/"+id+"/action", map[string]any{"os-force_delete": map[string]any{}}); st != 202 {
		t.Errorf("force delete: %d", st)
	}
	c.Wait(t, "alice", "/v3/snapshots/"+id, "snapshot", "deleted")

	// A backend that fails the create leaves the snapshot in error.
	c.Backend.Fail("CreateSnapshot", errors.New("no space"))
	st, out := c.Call(t, "alice", "POST", "/v3/snapshots", map[string]any{"snapshot": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	c.Wait(t, "alice", "/v3/snapshots/"+out["snapshot"].(map[string]any)["id"].(string), "snapshot", "error")
}
