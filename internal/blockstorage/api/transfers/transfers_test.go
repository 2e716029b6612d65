package transfers_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// volume stores an available volume of a persona's project without
// going through the volumes API.
func volume(t *testing.T, c *bstest.Cloud, token string, size int) string {
	t.Helper()
	v := &blockstorage.Volume{ID: uuid.NewString(), ProjectID: bstest.Project(token), UserID: "u-" + token, SizeGB: size,
		Status: "available", AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova", Host: bstest.Host, ConsumesQuota: true}
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
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

// Both collections serve the same transfers; the attributes follow
// Tempest's schemas: the original ones on os-volume-transfer, and on
// volume-transfers no_snapshots from 3.55 and the projects and accepted
// from 3.57.
func TestAttributes(t *testing.T) {
	c := bstest.Start(t, "alice")
	base := []string{"created_at", "id", "links", "name", "volume_id"}
	for _, tc := range []struct {
		path, version string
		extra         []string
	}{
		{"/v3/os-volume-transfer", "", nil},
		{"/v3/os-volume-transfer", "3.57", nil},
		{"/v3/volume-transfers", "3.55", []string{"no_snapshots"}},
		{"/v3/volume-transfers", "3.57", []string{"accepted", "destination_project_id", "no_snapshots", "source_project_id"}},
	} {
		t.Run(tc.path+"@"+tc.version, func(t *testing.T) {
			vol := volume(t, c, "alice", 1)
			st, out := c.Call(t, "alice", "POST", tc.path, map[string]any{"transfer": map[string]any{"volume_id": vol, "name": "t"}}, tc.version)
			if st != 202 {
				t.Fatalf("create: %d %v", st, out)
			}
			tr := out["transfer"].(map[string]any)
			want := append(slices.Clone(base), tc.extra...)
			created := append(slices.Clone(want), "auth_key")
			slices.Sort(created)
			slices.Sort(want)
			if diff := cmp.Diff(created, keys(tr)); diff != "" {
				t.Errorf("create (-want +got):\n%s", diff)
			}
			id := tr["id"].(string)
			st, out = c.Call(t, "alice", "GET", tc.path+"/"+id, nil, tc.version)
			if diff := cmp.Diff(want, keys(out["transfer"].(map[string]any))); st != 200 || diff != "" {
				t.Errorf("show %d (-want +got):\n%s", st, diff)
			}
			st, out = c.Call(t, "alice", "GET", tc.path, nil, tc.version)
			list, _ := out["transfers"].([]any)
			if diff := cmp.Diff([]string{"id", "links", "name", "volume_id"}, keys(list[0].(map[string]any))); st != 200 || diff != "" {
				t.Errorf("list %d (-want +got):\n%s", st, diff)
			}
			st, out = c.Call(t, "alice", "GET", tc.path+"/detail", nil, tc.version)
			list, _ = out["transfers"].([]any)
			if diff := cmp.Diff(want, keys(list[0].(map[string]any))); st != 200 || diff != "" {
				t.Errorf("detail %d (-want +got):\n%s", st, diff)
			}
			if st, _ := c.Call(t, "alice", "DELETE", tc.path+"/"+id, nil, tc.version); st != 202 {
				t.Errorf("delete: %d", st)
			}
		})
	}
	if st, _ := c.Call(t, "alice", "GET", "/v3/volume-transfers", nil, "3.54"); st != 404 {
		t.Errorf("volume-transfers at 3.54: %d", st)
	}
}

func TestAcceptAndDelete(t *testing.T) {
	c := bstest.Start(t, "alice", "bob", "carol")
	vol := volume(t, c, "alice", 1)
	st, out := c.Call(t, "alice", "POST", "/v3/snapshots", map[string]any{"snapshot": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("snapshot: %d %v", st, out)
	}
	snap := out["snapshot"].(map[string]any)["id"].(string)
	c.Wait(t, "alice", "/v3/snapshots/"+snap, "snapshot", "available")

	st, out = c.Call(t, "alice", "POST", "/v3/os-volume-transfer", map[string]any{"transfer": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	tr := out["transfer"].(map[string]any)
	id, key := tr["id"].(string), tr["auth_key"].(string)
	c.Run(t, []apitest.Step{
		{Name: "awaiting", Token: "alice", Method: "GET", Path: "/v3/volumes/" + vol, Status: 200, Contains: []string{`"status":"awaiting-transfer"`}},
		{Name: "second transfer", Token: "alice", Method: "POST", Path: "/v3/os-volume-transfer", Body: `{"transfer": {"volume_id": "` + vol + `"}}`, Status: 400},
		{Name: "no volume_id", Token: "alice", Method: "POST", Path: "/v3/os-volume-transfer", Body: `{"transfer": {}}`, Status: 400},
		{Name: "another project's volume", Token: "bob", Method: "POST", Path: "/v3/os-volume-transfer", Body: `{"transfer": {"volume_id": "` + volume(t, c, "carol", 1) + `"}}`, Status: 404},
		{Name: "bob cannot see it", Token: "bob", Method: "GET", Path: "/v3/os-volume-transfer/" + id, Status: 404},
		{Name: "bob lists none", Token: "bob", Method: "GET", Path: "/v3/os-volume-transfer", Status: 200, Contains: []string{`{"transfers":[]}`}},
		{Name: "wrong key", Token: "bob", Method: "POST", Path: "/v3/os-volume-transfer/" + id + "/accept", Body: `{"accept": {"auth_key": "nope"}}`, Status: 400},
		{Name: "no key", Token: "bob", Method: "POST", Path: "/v3/os-volume-transfer/" + id + "/accept", Body: `{"accept": {}}`, Status: 400},
		{Name: "unknown transfer", Token: "bob", Method: "POST", Path: "/v3/os-volume-transfer/" + uuid.NewString() + "/accept", Body: `{"accept": {"auth_key": "` + key + `"}}`, Status: 404},
		{Name: "accept", Token: "bob", Method: "POST", Path: "/v3/os-volume-transfer/" + id + "/accept", Body: `{"accept": {"auth_key": "` + key + `"}}`, Status: 202, Contains: []string{`"volume_id":"` + vol + `"`}},
		{Name: "bob's now", Token: "bob", Method: "GET", Path: "/v3/volumes/" + vol, Status: 200, Contains: []string{`"status":"available"`, `"user_id":"u-bob"`, `"os-vol-tenant-attr:tenant_id":"p-bob"`}},
		{Name: "with its snapshot", Token: "bob", Method: "GET", Path: "/v3/snapshots/" + snap, Status: 200},
		{Name: "alice lost it", Token: "alice", Method: "GET", Path: "/v3/volumes/" + vol, Status: 404},
		{Name: "used up", Token: "carol", Method: "POST", Path: "/v3/os-volume-transfer/" + id + "/accept", Body: `{"accept": {"auth_key": "` + key + `"}}`, Status: 404},
	})

	// no_snapshots leaves the snapshots behind; a withdrawn offer frees
	// the volume.
	st, out = c.Call(t, "bob", "POST", "/v3/volume-transfers", map[string]any{"transfer": map[string]any{"volume_id": vol, "no_snapshots": true}}, "3.55")
	if st != 202 || out["transfer"].(map[string]any)["no_snapshots"] != true {
		t.Fatalf("create: %d %v", st, out)
	}
	id2, key2 := out["transfer"].(map[string]any)["id"].(string), out["transfer"].(map[string]any)["auth_key"].(string)
	c.Run(t, []apitest.Step{
		{Name: "accept without snapshots", Token: "carol", Version: "3.55", Method: "POST", Path: "/v3/volume-transfers/" + id2 + "/accept", Body: `{"accept": {"auth_key": "` + key2 + `"}}`, Status: 202},
		{Name: "carol's volume", Token: "carol", Method: "GET", Path: "/v3/volumes/" + vol, Status: 200},
		{Name: "bob's snapshot still", Token: "bob", Method: "GET", Path: "/v3/snapshots/" + snap, Status: 200},
	})
	other := volume(t, c, "alice", 1)
	st, out = c.Call(t, "alice", "POST", "/v3/os-volume-transfer", map[string]any{"transfer": map[string]any{"volume_id": other}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	c.Run(t, []apitest.Step{
		{Name: "bob cannot withdraw", Token: "bob", Method: "DELETE", Path: "/v3/os-volume-transfer/" + out["transfer"].(map[string]any)["id"].(string), Status: 404},
		{Name: "withdraw", Token: "alice", Method: "DELETE", Path: "/v3/os-volume-transfer/" + out["transfer"].(map[string]any)["id"].(string), Status: 202},
		{Name: "available again", Token: "alice", Method: "GET", Path: "/v3/volumes/" + other, Status: 200, Contains: []string{`"status":"available"`}},
	})
}

func TestAcceptQuota(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", 600)
	volume(t, c, "bob", 500)
	st, out := c.Call(t, "alice", "POST", "/v3/os-volume-transfer", map[string]any{"transfer": map[string]any{"volume_id": vol}})
	if st != 202 {
		t.Fatalf("create: %d %v", st, out)
	}
	tr := out["transfer"].(map[string]any)
	st, out = c.Call(t, "bob", "POST", "/v3/os-volume-transfer/"+tr["id"].(string)+"/accept", map[string]any{"accept": map[string]any{"auth_key": tr["auth_key"]}})
	if st != 413 {
		t.Errorf("accept past bob's gigabytes: %d %v", st, out)
	}
	c.Wait(t, "alice", "/v3/volumes/"+vol, "volume", "awaiting-transfer")
}
