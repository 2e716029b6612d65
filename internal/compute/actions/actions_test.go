package actions_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/actions"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestActions(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if _, err := e.Actions.Act(ctx, e.User, id, actions.Action{Kind: "reboot", RebootType: "SOFT"}); computetest.ErrKind(err) != "409" {
		t.Errorf("reboot while building: %v", err)
	}
	e.Activate(t, id)

	steps := []struct {
		name   string
		caller compute.Caller
		action actions.Action
		want   string
		task   string
		op     compute.OpKind
	}{
		{"soft reboot", e.User, actions.Action{Kind: "reboot", RebootType: "SOFT"}, "", compute.TaskRebooting, compute.OpReboot},
		{"second soft reboot", e.User, actions.Action{Kind: "reboot", RebootType: "SOFT"}, "409", compute.TaskRebooting, compute.OpReboot},
		{"hard reboot over soft", e.User, actions.Action{Kind: "reboot", RebootType: "HARD"}, "", compute.TaskRebootingHard, compute.OpReboot},
		{"stop while rebooting", e.User, actions.Action{Kind: "os-stop"}, "409", compute.TaskRebootingHard, compute.OpReboot},
	}
	for i, s := range steps {
		// Each API request has its own request id (one action row each).
		s.caller.RequestID = fmt.Sprintf("req-step-%d", i)
		_, err := e.Actions.Act(ctx, s.caller, id, s.action)
		if got := computetest.ErrKind(err); got != s.want {
			t.Fatalf("%s: got %s (%v), want %s", s.name, got, err, s.want)
		}
		inst, _ := e.Servers.Get(ctx, e.Admin, id)
		if inst.TaskState != s.task || e.Conductor.LastOp().Kind != s.op {
			t.Errorf("%s: task %q op %q", s.name, inst.TaskState, e.Conductor.LastOp().Kind)
		}
	}
	// req gives each later request its own request id, as the API does.
	n := 0
	req := func(c compute.Caller) compute.Caller {
		n++
		c.RequestID = fmt.Sprintf("req-later-%d", n)
		return c
	}
	e.Activate(t, id)
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "lock"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "os-stop"}); err == nil || apierr.Message(err) != "Instance "+id+" is locked" {
		t.Errorf("stop locked: %v", err)
	}
	if err := e.Actions.Delete(ctx, req(e.User), id); computetest.ErrKind(err) != "409" {
		t.Errorf("delete locked: %v", err)
	}
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "unlock"}); err != nil {
		t.Fatal(err)
	}
	r, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "createImage", Name: "snap", Metadata: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := e.Images.Get(ctx, "", r.ImageID)
	if img == nil || img.Properties["image_type"] != "snapshot" || img.Properties["instance_uuid"] != id || img.Properties["a"] != "b" || e.Conductor.LastOp().ImageID != r.ImageID {
		t.Errorf("snapshot image %+v, op %+v", img, e.Conductor.LastOp())
	}
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "createImage", Name: "snap2"}); computetest.ErrKind(err) != "409" {
		t.Errorf("second snapshot: %v", err)
	}
	if e.Images.Len() != 4 {
		t.Errorf("refused snapshot left its image: %d images", e.Images.Len())
	}
	e.Activate(t, id)
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "resize", FlavorRef: "1"}); err == nil || apierr.Message(err) != "When resizing, instances must change flavor!" {
		t.Errorf("resize to same flavor: %v", err)
	}
	if _, err := e.Actions.Act(ctx, req(e.User), id, actions.Action{Kind: "resize", FlavorRef: "2"}); err != nil {
		t.Fatal(err)
	}
	op := e.Conductor.LastOp()
	m, err := e.Store.GetMigration(ctx, op.MigrationUUID)
	if err != nil || m.Type != "resize" || m.Status != "pre-migrating" || op.Flavor.ID != "2" {
		t.Errorf("resize migration %+v, %v; op %+v", m, err, op)
	}
	if _, err := e.Actions.Act(ctx, req(e.Admin), id, actions.Action{Kind: "evacuate"}); err == nil || apierr.Message(err) != "Compute service of h1 is still in use." {
		t.Errorf("evacuate from a live host: %v", err)
	}
	e.Activate(t, id)
	if err := e.Actions.Delete(ctx, req(e.User), id); err != nil {
		t.Fatal(err)
	}
	if inst, _ := e.Servers.Get(ctx, e.User, id); inst.TaskState != compute.TaskDeleting || e.Conductor.LastOp().Kind != compute.OpDelete {
		t.Errorf("after delete: task %q, op %q", inst.TaskState, e.Conductor.LastOp().Kind)
	}
	acts, err := e.Servers.InstanceActions(ctx, e.User, id, compute.ActionFilter{})
	if err != nil || len(acts) < 5 {
		t.Errorf("InstanceActions = %d, %v", len(acts), err)
	}
}

// TestDeletedServerActions checks that a deleted server's instance
// actions are still listed and shown to its owner (Nova 2.21+), while the
// server itself is gone.
func TestDeletedServerActions(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	del := e.User
	del.RequestID = "req-delete"
	if err := e.Actions.Delete(ctx, del, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.UpdateInstance(ctx, id, false, func(i *compute.Instance) error {
		i.Deleted, i.VMState, i.TaskState = true, compute.VMDeleted, ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Servers.Get(ctx, e.User, id); computetest.ErrKind(err) != "404" {
		t.Fatalf("deleted server shown: %v", err)
	}
	acts, err := e.Servers.InstanceActions(ctx, e.User, id, compute.ActionFilter{})
	if err != nil {
		t.Fatalf("actions of a deleted server: %v", err)
	}
	var names []string
	for _, a := range acts {
		names = append(names, a.Action)
	}
	if diff := cmp.Diff([]string{"delete", "create"}, names); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	if _, err := e.Servers.InstanceAction(ctx, e.User, id, "req-delete"); err != nil {
		t.Errorf("delete action of a deleted server: %v", err)
	}
	other := compute.Caller{UserID: "u2", ProjectID: "p2"}
	if _, err := e.Servers.InstanceActions(ctx, other, id, compute.ActionFilter{}); computetest.ErrKind(err) != "404" {
		t.Errorf("another project's deleted server: %v", err)
	}
}

// TestDiskConfigAndSystemMetadata checks OS-DCF:diskConfig (MANUAL by
// default, changed by rebuild and resize) and the image system metadata
// kept at create and replaced at rebuild.
func TestDiskConfigAndSystemMetadata(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	e.Images.Add(compute.ImageMeta{ID: "alt", Status: "active", DiskFormat: "qcow2", ContainerFormat: "bare",
		MinRAM: 128, Properties: map[string]string{"hw_disk_bus": "scsi", "auto_disk_config": "true"}})
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1",
		AccessIPv6: "0000:0000:0000:0000:0000:babe:220.12.22.2"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	got, _ := e.Servers.Get(ctx, e.User, id)
	if got.DiskConfig != compute.DiskConfigManual || got.AccessIPv6 != "::babe:dc0c:1602" {
		t.Errorf("created: diskConfig %q, accessIPv6 %q", got.DiskConfig, got.AccessIPv6)
	}
	want := map[string]string{"image_min_ram": "64", "image_min_disk": "1", "image_disk_format": "raw",
		"image_container_format": "bare", "image_base_image_ref": "img"}
	if diff := cmp.Diff(want, got.SystemMetadata); diff != "" {
		t.Errorf("system metadata at create (-want +got):\n%s", diff)
	}
	if img := sysmeta.Image(got); img == nil || img.ID != "img" || img.MinRAM != 64 || img.DiskFormat != "raw" {
		t.Errorf("image from system metadata: %+v", img)
	}
	e.Activate(t, id)

	// Each request has its own request id (one action row each).
	n := 0
	user := func() compute.Caller {
		n++
		c := e.User
		c.RequestID = fmt.Sprintf("req-step-%d", n)
		return c
	}
	if _, err := e.Actions.Act(ctx, user(), id, actions.Action{Kind: "rebuild", ImageRef: "alt", DiskConfig: "AUTO"}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.Servers.Get(ctx, e.User, id)
	if got.DiskConfig != compute.DiskConfigAuto || got.SystemMetadata["image_hw_disk_bus"] != "scsi" ||
		got.SystemMetadata["image_base_image_ref"] != "alt" || got.SystemMetadata["image_min_ram"] != "128" {
		t.Errorf("rebuilt: diskConfig %q, system metadata %v", got.DiskConfig, got.SystemMetadata)
	}
	e.Activate(t, id)
	// A rebuild without diskConfig keeps it.
	if _, err := e.Actions.Act(ctx, user(), id, actions.Action{Kind: "rebuild", ImageRef: "img"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.Servers.Get(ctx, e.User, id); got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("rebuild without diskConfig: %q", got.DiskConfig)
	}
	if _, ok := got.SystemMetadata["image_hw_disk_bus"]; ok {
		t.Errorf("the old image's properties are left: %v", got.SystemMetadata)
	}
	e.Activate(t, id)
	if _, err := e.Actions.Act(ctx, user(), id, actions.Action{Kind: "resize", FlavorRef: "2", DiskConfig: "MANUAL"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.Servers.Get(ctx, e.User, id); got.DiskConfig != compute.DiskConfigManual {
		t.Errorf("resized: diskConfig %q", got.DiskConfig)
	}

	if _, err := e.Servers.Update(ctx, e.User, id, servers.UpdateRequest{DiskConfig: ptr("AUTO")}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.Servers.Get(ctx, e.User, id); got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("updated: diskConfig %q", got.DiskConfig)
	}
	res, err = e.Servers.Create(context.Background(), user(), servers.CreateRequest{Name: "asked", ImageRef: "img", FlavorRef: "1", DiskConfig: "AUTO"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Instances[0]; got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("created with AUTO: %q", got.DiskConfig)
	}

	// An image asking for auto_disk_config makes AUTO the default.
	res, err = e.Servers.Create(context.Background(), user(), servers.CreateRequest{Name: "auto", ImageRef: "alt", FlavorRef: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Instances[0]; got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("created from an auto_disk_config image: %q", got.DiskConfig)
	}
}

func ptr[T any](v T) *T { return &v }
