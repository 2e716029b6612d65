package servers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestCreateServerRefusals(t *testing.T) {
	e := computetest.New(t)
	ok := servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1}
	for _, tc := range []struct {
		name   string
		caller compute.Caller
		edit   func(*servers.CreateRequest)
		want   string
		msg    string
	}{
		{"unknown flavor", e.User, func(r *servers.CreateRequest) { r.FlavorRef = "nope" }, "400", "Flavor nope could not be found."},
		{"unknown image", e.User, func(r *servers.CreateRequest) { r.ImageRef = "nope" }, "400", "Image nope could not be found."},
		{"queued image", e.User, func(r *servers.CreateRequest) { r.ImageRef = "queued" }, "400", "Image queued is not active."},
		{"min disk", e.User, func(r *servers.CreateRequest) { r.ImageRef = "big" }, "400", ""},
		{"keypair", e.User, func(r *servers.CreateRequest) { r.KeyName = "other" }, "400", "Invalid key_name provided."},
		{"zone", e.User, func(r *servers.CreateRequest) { r.AvailabilityZone = "elsewhere" }, "400", "The requested availability zone is not available"},
		{"forced host", e.User, func(r *servers.CreateRequest) { r.AvailabilityZone = "nova:h1" }, "403", ""},
		{"network", e.User, func(r *servers.CreateRequest) {
			r.Networks = compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "n1"}}}
		}, "400", "Network n1 could not be found."},
		{"volume", e.User, func(r *servers.CreateRequest) {
			r.BlockDevices = []compute.BlockDeviceMapping{{SourceType: "volume", DestinationType: "volume", UUID: "v"}}
		}, "400", ""},
		{"group", e.User, func(r *servers.CreateRequest) { r.Hints = map[string][]string{"group": {"g"}} }, "400", "Instance group g could not be found."},
		{"counts", e.User, func(r *servers.CreateRequest) { r.MinCount, r.MaxCount = 3, 2 }, "400", "min_count must be <= max_count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := ok
			tc.edit(&req)
			_, err := e.Servers.Create(context.Background(), tc.caller, req)
			if got := computetest.ErrKind(err); got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, err, tc.want)
			}
			if tc.msg != "" && apierr.Message(err) != tc.msg {
				t.Errorf("message %q, want %q", apierr.Message(err), tc.msg)
			}
		})
	}
}

func TestCreateServersAndQuota(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	if _, err := e.Quotas.Update(ctx, "p1", "", map[string]int64{"instances": 3}, true); err != nil {
		t.Fatal(err)
	}
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "web server", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 5, KeyName: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != 3 || len(res.AdminPass) != 12 || len(res.ReservationID) != 10 {
		t.Fatalf("created %d, pass %q, reservation %q", len(res.Instances), res.AdminPass, res.ReservationID)
	}
	for i, inst := range res.Instances {
		wantName := "web server-" + string(rune('1'+i))
		wantHost := "web-server-" + string(rune('1'+i))
		if inst.Name != wantName || inst.Hostname != wantHost || inst.LaunchIndex != i ||
			inst.VMState != compute.VMBuilding || inst.TaskState != compute.TaskScheduling || inst.KeyData == "" {
			t.Errorf("instance %d: %+v", i, inst)
		}
	}
	if len(e.Conductor.Builds()) != 1 || len(e.Conductor.Builds()[0].InstanceIDs) != 3 {
		t.Errorf("builds = %+v", e.Conductor.Builds())
	}
	_, err = e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: "x", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if want := "Quota exceeded for instances: Requested 1, but already used 3 of 3 instances"; err == nil || apierr.Message(err) != want {
		t.Errorf("over quota: %v, want %q", err, want)
	}
	u, err := e.Quotas.Usage(ctx, "p1", "")
	if err != nil || u["instances"] != 3 || u["cores"] != 3 || u["ram"] != 1536 {
		t.Errorf("Usage = %v, %v", u, err)
	}
	other := compute.Caller{UserID: "u2", ProjectID: "p2"}
	if _, err := e.Servers.Get(ctx, other, res.Instances[0].ID); computetest.ErrKind(err) != "404" {
		t.Errorf("other project's server: %v", err)
	}
	list, err := e.Servers.List(ctx, other, compute.InstanceFilter{})
	if err != nil || len(list) != 0 {
		t.Errorf("other project's list = %d, %v", len(list), err)
	}
	if _, err := e.Servers.List(ctx, e.User, compute.InstanceFilter{VMStates: []string{compute.VMDeleted}}); computetest.ErrKind(err) != "403" {
		t.Errorf("non-admin deleted list: %v", err)
	}
}

func TestMetadataAndTags(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if _, err := e.Servers.ReplaceTags(ctx, e.User, id, []string{"a"}, true); computetest.ErrKind(err) != "409" {
		t.Errorf("tag while building: %v", err)
	}
	e.Activate(t, id)
	if _, err := e.Servers.ReplaceTags(ctx, e.User, id, []string{"a", "b"}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.Servers.DeleteTag(ctx, e.User, id, "zz"); computetest.ErrKind(err) != "404" {
		t.Errorf("delete missing tag: %v", err)
	}
	if tags, _ := e.Servers.Tags(ctx, e.User, id); len(tags) != 2 {
		t.Errorf("tags = %v", tags)
	}
	if _, err := e.Quotas.Update(ctx, "p1", "", map[string]int64{"metadata_items": 2}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Servers.SetMetadata(ctx, e.User, id, map[string]string{"a": "1", "b": "2"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Servers.SetMetadata(ctx, e.User, id, map[string]string{"c": "3"}, false); err == nil || apierr.Message(err) != "Maximum number of metadata items exceeds 2" {
		t.Errorf("over metadata quota: %v", err)
	}
	md, err := e.Servers.SetMetadata(ctx, e.User, id, map[string]string{"c": "3"}, true)
	if err != nil || len(md) != 1 {
		t.Errorf("replace = %v, %v", md, err)
	}
	if err := e.Servers.DeleteMetadata(ctx, e.User, id, "a"); computetest.ErrKind(err) != "404" {
		t.Errorf("delete missing key: %v", err)
	}
}

func TestPassword(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	res, err := e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if pw, err := e.Servers.Password(ctx, e.User, id); err != nil || pw != "" {
		t.Fatalf("before any post: %q, %v", pw, err)
	}
	// What the metadata API does when the guest posts (long enough to
	// span Nova's 255-character chunks).
	long := strings.Repeat("p", 600)
	if err := (metadata.Passwords{Store: e.Store}).SetPassword(ctx, id, long); err != nil {
		t.Fatal(err)
	}
	if pw, err := e.Servers.Password(ctx, e.User, id); err != nil || pw != long {
		t.Fatalf("after the post: %d characters, %v", len(pw), err)
	}
	other := compute.Caller{ProjectID: "someone-else", UserID: "u2"}
	if _, err := e.Servers.Password(ctx, other, id); computetest.ErrKind(err) != "404" {
		t.Errorf("another project read the password: %v", err)
	}
	if err := e.Servers.ClearPassword(ctx, e.User, id); err != nil {
		t.Fatal(err)
	}
	if pw, _ := e.Servers.Password(ctx, e.User, id); pw != "" {
		t.Errorf("after clear: %q", pw)
	}
}
