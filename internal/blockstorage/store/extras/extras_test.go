package extras_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func TestUsage(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	now := db.Now()
	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.CreateType(ctx, &blockstorage.VolumeType{ID: "t1", Name: "gold", IsPublic: true}); err != nil {
			return err
		}
		for _, v := range []*blockstorage.Volume{
			{ID: "v1", ProjectID: "p1", SizeGB: 3, TypeID: "t1", ConsumesQuota: true},
			{ID: "v2", ProjectID: "p1", SizeGB: 2, ConsumesQuota: true},
			{ID: "v3", ProjectID: "p1", SizeGB: 7, TypeID: "t1"}, // a migration's temporary volume
			{ID: "v4", ProjectID: "p2", SizeGB: 5, TypeID: "t1", ConsumesQuota: true},
		} {
			v.Status, v.AttachStatus, v.AvailabilityZone = "available", "detached", "nova"
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		q := tx.Querier()
		if _, err := q.ExecContext(ctx, `INSERT INTO snapshots (id, volume_id, project_id, status, size_gb, created_at, updated_at)
			VALUES ('s1', 'v1', 'p1', 'available', 3, $1, $1)`, now); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, `INSERT INTO backups (id, volume_id, project_id, status, size_gb, data_timestamp, created_at, updated_at)
			VALUES ('b1', 'v2', 'p1', 'available', 2, $1, $1, $1)`, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		resource string
		want     int64
	}{
		{"volumes", 2}, {"gigabytes", 8}, {"snapshots", 1}, {"backups", 1}, {"backup_gigabytes", 2}, {"groups", 0},
		{"volumes_gold", 1}, {"gigabytes_gold", 6}, {"snapshots_gold", 1}, {"volumes_silver", 0},
		{"per_volume_gigabytes", 0},
	} {
		var got int64
		err := st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			var err error
			got, err = tx.Usage(ctx, "p1", tc.resource)
			return err
		})
		if err != nil || got != tc.want {
			t.Errorf("Usage(%s) = %d %v, want %d", tc.resource, got, err, tc.want)
		}
	}
}

func TestMessagesAndClasses(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	now := db.Now()
	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, m := range []*blockstorage.Message{
			{ID: "m1", ProjectID: "p1", EventID: "e", Level: "ERROR", CreatedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)},
			{ID: "m2", ProjectID: "p2", EventID: "e", Level: "ERROR", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{ID: "m3", ProjectID: "p1", EventID: "e", Level: "ERROR", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)},
		} {
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return tx.SetQuotaClass(ctx, "c", "volumes", 3)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, tc := range []struct {
			f    blockstorage.MessageFilter
			want int
		}{{blockstorage.MessageFilter{}, 2}, {blockstorage.MessageFilter{Project: "p1"}, 1}} {
			ms, err := tx.ListMessages(ctx, tc.f)
			if err != nil || len(ms) != tc.want {
				t.Errorf("ListMessages(%+v) = %d %v, want %d", tc.f, len(ms), err, tc.want)
			}
		}
		if _, err := tx.GetMessage(ctx, "m3"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("expired message: %v", err)
		}
		if m, err := tx.GetMessage(ctx, "m1"); err != nil || !m.CreatedAt.Equal(now.Add(-time.Minute)) {
			t.Errorf("message = %v %v", m, err)
		}
		if err := tx.DeleteExpiredMessages(ctx, now); err != nil {
			return err
		}
		var n int
		if err := tx.Querier().QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&n); err != nil || n != 2 {
			t.Errorf("messages after prune = %d %v", n, err)
		}
		if err := tx.DeleteMessage(ctx, "m9"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("delete absent: %v", err)
		}
		if err := tx.SetQuotaClass(ctx, "c", "volumes", 4); err != nil {
			return err
		}
		c, err := tx.QuotaClass(ctx, "c")
		if err != nil || c["volumes"] != 4 || len(c) != 1 {
			t.Errorf("class = %v %v", c, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
