package compute_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
)

// TestDeletedServerActions checks that a deleted server's instance
// actions are still listed and shown to its owner (Nova 2.21+), while the
// server itself is gone.
func TestDeletedServerActions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	res, err := e.create(t, e.user, compute.CreateServer{Name: "vm", ImageRef: "img", FlavorRef: "1"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	del := e.user
	del.RequestID = "req-delete"
	if err := e.svc.DeleteServer(ctx, del, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UpdateInstance(ctx, id, false, func(i *compute.Instance) error {
		i.Deleted, i.VMState, i.TaskState = true, compute.VMDeleted, ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Server(ctx, e.user, id); errKind(err) != "404" {
		t.Fatalf("deleted server shown: %v", err)
	}
	acts, err := e.svc.InstanceActions(ctx, e.user, id, compute.ActionFilter{})
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
	if _, err := e.svc.InstanceAction(ctx, e.user, id, "req-delete"); err != nil {
		t.Errorf("delete action of a deleted server: %v", err)
	}
	other := compute.Caller{UserID: "u2", ProjectID: "p2"}
	if _, err := e.svc.InstanceActions(ctx, other, id, compute.ActionFilter{}); errKind(err) != "404" {
		t.Errorf("another project's deleted server: %v", err)
	}
}

// TestDiskConfigAndSystemMetadata checks OS-DCF:diskConfig (MANUAL by
// default, changed by rebuild and resize) and the image system metadata
// kept at create and replaced at rebuild.
func TestDiskConfigAndSystemMetadata(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.images.images["alt"] = &compute.ImageMeta{ID: "alt", Status: "active", DiskFormat: "qcow2", ContainerFormat: "bare",
		MinRAM: 128, Properties: map[string]string{"hw_disk_bus": "scsi", "auto_disk_config": "true"}}
	res, err := e.create(t, e.user, compute.CreateServer{Name: "vm", ImageRef: "img", FlavorRef: "1",
		AccessIPv6: "0000:0000:0000:0000:0000:babe:220.12.22.2"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	got, _ := e.svc.Server(ctx, e.user, id)
	if got.DiskConfig != compute.DiskConfigManual || got.AccessIPv6 != "::babe:dc0c:1602" {
		t.Errorf("created: diskConfig %q, accessIPv6 %q", got.DiskConfig, got.AccessIPv6)
	}
	want := map[string]string{"image_min_ram": "64", "image_min_disk": "1", "image_disk_format": "raw",
		"image_container_format": "bare", "image_base_image_ref": "img"}
	if diff := cmp.Diff(want, got.SystemMetadata); diff != "" {
		t.Errorf("system metadata at create (-want +got):\n%s", diff)
	}
	if img := compute.ImageFromSystemMetadata(got); img == nil || img.ID != "img" || img.MinRAM != 64 || img.DiskFormat != "raw" {
		t.Errorf("image from system metadata: %+v", img)
	}
	e.activate(t, id)

	// Each request has its own request id (one action row each).
	n := 0
	user := func() compute.Caller {
		n++
		c := e.user
		c.RequestID = fmt.Sprintf("req-step-%d", n)
		return c
	}
	if _, err := e.svc.Act(ctx, user(), id, compute.ServerAction{Kind: "rebuild", ImageRef: "alt", DiskConfig: "AUTO"}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.svc.Server(ctx, e.user, id)
	if got.DiskConfig != compute.DiskConfigAuto || got.SystemMetadata["image_hw_disk_bus"] != "scsi" ||
		got.SystemMetadata["image_base_image_ref"] != "alt" || got.SystemMetadata["image_min_ram"] != "128" {
		t.Errorf("rebuilt: diskConfig %q, system metadata %v", got.DiskConfig, got.SystemMetadata)
	}
	e.activate(t, id)
	// A rebuild without diskConfig keeps it.
	if _, err := e.svc.Act(ctx, user(), id, compute.ServerAction{Kind: "rebuild", ImageRef: "img"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Server(ctx, e.user, id); got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("rebuild without diskConfig: %q", got.DiskConfig)
	}
	if _, ok := got.SystemMetadata["image_hw_disk_bus"]; ok {
		t.Errorf("the old image's properties are left: %v", got.SystemMetadata)
	}
	e.activate(t, id)
	if _, err := e.svc.Act(ctx, user(), id, compute.ServerAction{Kind: "resize", FlavorRef: "2", DiskConfig: "MANUAL"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Server(ctx, e.user, id); got.DiskConfig != compute.DiskConfigManual {
		t.Errorf("resized: diskConfig %q", got.DiskConfig)
	}

	if _, err := e.svc.UpdateServer(ctx, e.user, id, compute.ServerUpdate{DiskConfig: ptr("AUTO")}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Server(ctx, e.user, id); got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("updated: diskConfig %q", got.DiskConfig)
	}
	res, err = e.create(t, user(), compute.CreateServer{Name: "asked", ImageRef: "img", FlavorRef: "1", DiskConfig: "AUTO"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Instances[0]; got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("created with AUTO: %q", got.DiskConfig)
	}

	// An image asking for auto_disk_config makes AUTO the default.
	res, err = e.create(t, user(), compute.CreateServer{Name: "auto", ImageRef: "alt", FlavorRef: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Instances[0]; got.DiskConfig != compute.DiskConfigAuto {
		t.Errorf("created from an auto_disk_config image: %q", got.DiskConfig)
	}
}

func ptr[T any](v T) *T { return &v }
