package volactions_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/blockstorage/volactions"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// computeDouble records the volume-extended events it is sent.
type computeDouble struct {
	mu     sync.Mutex
	events []string // "<volume> <server>,<server>"
	fail   error
}

func (c *computeDouble) VolumeExtended(ctx context.Context, volumeID string, servers []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, volumeID+" "+strings.Join(servers, ","))
	return c.fail
}

func (c *computeDouble) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// TestExtendTellsCompute covers the extend of an in-use volume: its
// servers hear of it, and a volume a host opens as a file is grown by
// that host's hypervisor rather than by the backend (which could not
// resize a file a running QEMU holds locked).
func TestExtendTellsCompute(t *testing.T) {
	tests := []struct {
		name        string
		status      string
		connection  string // the attachment's driver_volume_type; "" none (reserved, shelved)
		computeFail error
		wantBackend bool
		wantEvents  []string
		wantMessage bool
	}{
		{name: "available", status: "available", wantBackend: true},
		{name: "in-use file volume: the hypervisor grows it", status: "in-use", connection: "file",
			wantEvents: []string{"vol srv"}},
		{name: "in-use block volume: the backend grows it, the host rescans", status: "in-use", connection: "iscsi",
			wantBackend: true, wantEvents: []string{"vol srv"}},
		{name: "in-use without a connection: no host holds it", status: "in-use",
			wantBackend: true, wantEvents: []string{"vol srv"}},
		{name: "compute not told: a user message", status: "in-use", connection: "file",
			computeFail: errors.New("compute answered 500"), wantEvents: []string{"vol srv"}, wantMessage: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t)
			st := bsstore.New(d)
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			be := bstest.NewBackend()
			comp := &computeDouble{fail: tc.computeFail}
			svc, err := blockstorage.New(blockstorage.Config{Log: slog.New(slog.DiscardHandler), Compute: comp}, st, be)
			if err != nil {
				t.Fatal(err)
			}
			if err := voltypes.New(svc).EnsureDefault(ctx); err != nil {
				t.Fatal(err)
			}
			err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
				now := time.Now().UTC().Truncate(time.Second)
				if err := tx.CreateVolume(ctx, &blockstorage.Volume{ID: "vol", ProjectID: "p1", SizeGB: 1, Status: tc.status,
					Host: bstest.Host, AvailabilityZone: "nova", CreatedAt: now, UpdatedAt: now}); err != nil {
					return err
				}
				if tc.status != "in-use" {
					return nil
				}
				a := &blockstorage.Attachment{ID: "att", VolumeID: "vol", ProjectID: "p1", InstanceID: "srv",
					Status: blockstorage.AttachAttached, Mode: blockstorage.ModeRW, AttachedAt: now}
				if tc.connection != "" {
					a.Connection = &blockstorage.Connection{DriverVolumeType: tc.connection, Data: map[string]any{"device_path": "/x"}}
				}
				return tx.CreateAttachment(ctx, a)
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := blockstorage.Scope{ProjectID: "p1"}
			if err := volactions.New(svc).Extend(ctx, sc, "vol", 2, true); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close(10 * time.Second) })

			// The background half ends with the volume settled, compute
			// told and, when it could not be, the message written.
			var vol *blockstorage.Volume
			var msgs []*blockstorage.Message
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if err := st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
					var err error
					if vol, err = tx.GetVolume(ctx, "vol"); err != nil {
						return err
					}
					msgs, err = tx.ListMessages(ctx, blockstorage.MessageFilter{Project: "p1"})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				done := vol.Status != blockstorage.StatusExtending && len(comp.sent()) >= len(tc.wantEvents) &&
					(!tc.wantMessage || len(msgs) > 0)
				if done || time.Now().After(deadline) {
					break
				}
			}
			if vol.Status != tc.status || vol.SizeGB != 2 {
				t.Errorf("volume after the extend: %s, %d GB; want %s, 2 GB", vol.Status, vol.SizeGB, tc.status)
			}
			if _, ok := vol.AdminMetadata["extend_new_size"]; ok {
				t.Errorf("extend_new_size left in the admin metadata: %v", vol.AdminMetadata)
			}
			if got := slices.Contains(be.Calls, "ExtendVolume"); got != tc.wantBackend {
				t.Errorf("backend ExtendVolume called: %v, want %v (calls %v)", got, tc.wantBackend, be.Calls)
			}
			if got := comp.sent(); !slices.Equal(got, tc.wantEvents) {
				t.Errorf("events sent to compute: %q, want %q", got, tc.wantEvents)
			}
			found := slices.ContainsFunc(msgs, func(m *blockstorage.Message) bool {
				return m.ResourceUUID == "vol" && strings.Contains(m.UserMessage, "Compute service failed to extend volume")
			})
			if found != tc.wantMessage {
				t.Errorf("user message about compute: %v, want %v (%d messages)", found, tc.wantMessage, len(msgs))
			}
		})
	}
}
