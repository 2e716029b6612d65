package attachments_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func ids(as []*blockstorage.Attachment) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// Attachment rows round-trip with their JSON connector and connection,
// list by volume (live ones only), filter by project, volume, instance
// and status, report missing and duplicate rows with the store
// sentinels, and go with their volume.
func TestAttachmentRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	stamp := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	atts := []*blockstorage.Attachment{
		{ID: "a1", VolumeID: "v1", ProjectID: "p1", InstanceID: "i1", Status: blockstorage.AttachReserved},
		{ID: "a2", VolumeID: "v1", ProjectID: "p1", InstanceID: "i2", Status: blockstorage.AttachAttached, Mode: "ro",
			Mountpoint: "/dev/vdb", Host: "h", Connector: map[string]any{"host": "c1", "multipath": false},
			Connection: &blockstorage.Connection{DriverVolumeType: "file", Data: map[string]any{"device_path": "/x"}},
			AttachedAt: stamp},
		{ID: "a3", VolumeID: "v2", ProjectID: "p2", InstanceID: "i1", Status: blockstorage.AttachAttaching, Mode: "rw"},
		{ID: "a4", VolumeID: "v2", ProjectID: "p2", Status: blockstorage.AttachDetached, Mode: "rw", DetachedAt: stamp},
	}
	err := st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		for _, v := range []*blockstorage.Volume{{ID: "v1", ProjectID: "p1", SizeGB: 1, Status: "in-use", AttachStatus: "attached", AvailabilityZone: "nova"},
			{ID: "v2", ProjectID: "p2", SizeGB: 1, Status: "attaching", AttachStatus: "attaching", AvailabilityZone: "nova"}} {
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		for _, a := range atts {
			if err := tx.CreateAttachment(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		got, err := tx.GetAttachment(ctx, "a2")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(atts[1], got, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
			t.Errorf("GetAttachment(a2) (-want +got):\n%s", diff)
		}
		if got, _ := tx.GetAttachment(ctx, "a1"); got.Connector != nil || got.Connection != nil || got.Mode != "" {
			t.Errorf("a1: connector %v, connection %v, mode %q, want none", got.Connector, got.Connection, got.Mode)
		}
		if _, err := tx.GetAttachment(ctx, "nope"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("GetAttachment(nope) = %v, want ErrNotFound", err)
		}
		for _, tc := range []struct {
			name    string
			volumes []string
			want    []string
		}{
			{"one volume", []string{"v1"}, []string{"a1", "a2"}},
			{"detached left out", []string{"v1", "v2"}, []string{"a1", "a2", "a3"}},
			{"none asked", nil, []string{}},
		} {
			got, err := tx.ListAttachments(ctx, tc.volumes)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(tc.want, ids(got), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("ListAttachments %s (-want +got):\n%s", tc.name, diff)
			}
		}
		for _, tc := range []struct {
			name string
			f    blockstorage.AttachmentFilter
			want []string
		}{
			{"own project", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, []string{"a1", "a2"}},
			{"all projects needs admin", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, AllProjects: true}, []string{"a1", "a2"}},
			{"admin, all projects", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p9", Admin: true}, AllProjects: true}, []string{"a1", "a2", "a3"}},
			{"admin, own project", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p2", Admin: true}}, []string{"a3"}},
			{"instance", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, InstanceID: "i1"}, []string{"a1", "a3"}},
			{"volume", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, VolumeID: "v1"}, []string{"a1", "a2"}},
			{"status", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, Status: "attached"}, []string{"a2"}},
			{"detached when asked", blockstorage.AttachmentFilter{Scope: blockstorage.Scope{ProjectID: "p2"}, Status: "detached"}, []string{"a4"}},
		} {
			got, err := tx.FindAttachments(ctx, tc.f)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(tc.want, ids(got), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("FindAttachments %s (-want +got):\n%s", tc.name, diff)
			}
		}
		unsettled, err := tx.UnsettledAttachments(ctx)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]string{"a3"}, ids(unsettled)); diff != "" {
			t.Errorf("UnsettledAttachments (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A failed statement aborts a PostgreSQL transaction: the duplicate
	// ends its own.
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateAttachment(ctx, &blockstorage.Attachment{ID: "a1", VolumeID: "v1", ProjectID: "p1", Status: "reserved"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("CreateAttachment(a1 again) = %v, want ErrDuplicate", err)
	}

	// Update writes every column; delete of one, then of a volume's all.
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		a, err := tx.GetAttachment(ctx, "a1")
		if err != nil {
			return err
		}
		a.Status, a.Mode, a.Mountpoint = blockstorage.AttachAttaching, "rw", "/dev/vdc"
		a.Connector = map[string]any{"host": "c2"}
		a.Connection = &blockstorage.Connection{DriverVolumeType: "file", Data: map[string]any{"k": "v"}}
		if err := tx.UpdateAttachment(ctx, a); err != nil {
			return err
		}
		got, err := tx.GetAttachment(ctx, "a1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(a, got, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
			t.Errorf("after UpdateAttachment (-want +got):\n%s", diff)
		}
		if err := tx.UpdateAttachment(ctx, &blockstorage.Attachment{ID: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("UpdateAttachment(nope) = %v, want ErrNotFound", err)
		}
		if err := tx.DeleteAttachment(ctx, "a1"); err != nil {
			return err
		}
		if err := tx.DeleteAttachment(ctx, "a1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("DeleteAttachment(a1 again) = %v, want ErrNotFound", err)
		}
		if err := tx.DeleteAttachments(ctx, "v2"); err != nil {
			return err
		}
		if err := tx.DeleteAttachments(ctx, "v2"); err != nil {
			t.Errorf("DeleteAttachments(v2 again) = %v, want nil", err)
		}
		if err := tx.DeleteVolume(ctx, "v1"); err != nil {
			return err
		}
		left, err := tx.FindAttachments(ctx, blockstorage.AttachmentFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true})
		if err != nil {
			return err
		}
		if len(left) != 0 {
			t.Errorf("after the deletes: %v left, want none (a volume's delete takes its attachments)", ids(left))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
