package servers_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/compute/volumes"
)

// TestVolumeExtendedEvent: the block-storage service's volume-extended
// event for a server on a host records the action extend_volume and
// hands the conductor the extend of the tagged volume; one without a tag
// or for a server on no host is refused in its own answer.
func TestVolumeExtendedEvent(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	created, err := e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := created.Instances[0].ID
	pending, err := e.Servers.ExternalEvents(ctx, e.Admin, []servers.ExternalEvent{{Name: "volume-extended", ServerID: id, Tag: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if pending[0].Code != 422 {
		t.Errorf("volume-extended for a server on no host: code %d, want 422", pending[0].Code)
	}
	e.Activate(t, id)
	out, err := e.Servers.ExternalEvents(ctx, e.Admin, []servers.ExternalEvent{
		{Name: "volume-extended", ServerID: id, Tag: "v1"},
		{Name: "volume-extended", ServerID: id},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Code != 200 || out[0].Status != "completed" || out[1].Code != 400 {
		t.Fatalf("answers: %+v", out)
	}
	if op := e.Conductor.LastOp(); op.Kind != volumes.OpExtend || op.InstanceID != id || op.VolumeID != "v1" {
		t.Errorf("conductor got %+v, want the extend of v1", op)
	}
	if a, err := e.Store.GetAction(ctx, id, e.Admin.RequestID); err != nil || a.Action != "extend_volume" {
		t.Errorf("action of the event: %+v, %v", a, err)
	}
}
