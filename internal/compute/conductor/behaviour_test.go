package conductor_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/sysmeta"
)

// remoteHost is a host agent reached over the network: a cancelled call
// returns at once here while the agent carries on with the spawn, as the
// bus transport does.
type remoteHost struct {
	hostrpc.Host
	spawned chan struct{}
}

func (h remoteHost) Spawn(ctx context.Context, s driver.Spec) error {
	done := make(chan error, 1)
	go func() {
		done <- h.Host.Spawn(context.WithoutCancel(ctx), s)
		close(h.spawned)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestDeleteWinsOverRemoteSpawn is Tempest's delete-while-building: the
// delete cancels the build while the agent is still spawning, and the
// host refuses to destroy a guest busy spawning. The delete must wait
// for the spawn and win, not leave the server in ERROR.
func TestDeleteWinsOverRemoteSpawn(t *testing.T) {
	spawned := make(chan struct{})
	e := newEnv(t, 1, 100*time.Millisecond, func(c *conductor.Config) {
		dial := c.Dial
		c.Dial = func(h string) hostrpc.Host { return remoteHost{Host: dial(h), spawned: spawned} }
	})
	inst := e.newInstances(1)[0]
	e.c.Build(context.Background(), compute.BuildRequest{InstanceIDs: []string{inst.ID}, Caller: compute.Caller{RequestID: "req-create"}})
	// Delete once the agent is spawning: the guest exists on the host,
	// busy. (Waiting only for task_state spawning would let the delete
	// come before the call, which then never reaches the agent.)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := e.guests(hostName(1))[inst.ID]; ok && e.get(inst.ID).TaskState == compute.TaskSpawning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("build never reached spawning")
		}
		time.Sleep(time.Millisecond)
	}
	got := e.act(compute.Op{Kind: compute.OpDelete, InstanceID: inst.ID}, compute.TaskDeleting)
	if !got.Deleted || got.VMState != compute.VMDeleted {
		t.Fatalf("after delete: %s/%s deleted=%v fault %+v\n%s", got.VMState, got.TaskState, got.Deleted, got.Fault, e.log)
	}
	<-spawned
	if _, ok := e.guests(hostName(1))[inst.ID]; ok {
		t.Fatal("guest left on the host")
	}
	if e.place.of(inst.ID) != nil {
		t.Fatal("allocation left")
	}
}

// TestResizeKeepsOldVMState checks Nova's old_vm_state: kept in system
// metadata during a resize, restored by a revert (a stopped server comes
// back stopped) and dropped by it.
func TestResizeKeepsOldVMState(t *testing.T) {
	big := compute.Flavor{ID: "2", Name: "small", RAM: 1024, VCPUs: 1, Disk: 2, ExtraSpecs: map[string]string{}}
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	e.act(compute.Op{Kind: compute.OpStop, InstanceID: inst.ID}, compute.TaskPoweringOff)
	mig := e.migration(inst, "resize", "pre-migrating")
	got := e.act(compute.Op{Kind: compute.OpResize, InstanceID: inst.ID, Flavor: &big, MigrationUUID: mig}, compute.TaskResizePrep)
	if got.VMState != compute.VMResized || got.SystemMetadata[sysmeta.OldVMState] != compute.VMStopped {
		t.Fatalf("resized: %s, system metadata %v", got.VMState, got.SystemMetadata)
	}
	got = e.act(compute.Op{Kind: compute.OpRevertResize, InstanceID: inst.ID, MigrationUUID: mig}, compute.TaskResizeReverting)
	if got.VMState != compute.VMStopped || got.PowerState != int(driver.Shutdown) {
		t.Fatalf("reverted: %s power %d", got.VMState, got.PowerState)
	}
	if _, ok := got.SystemMetadata[sysmeta.OldVMState]; ok {
		t.Fatalf("old_vm_state left: %v", got.SystemMetadata)
	}
}

// TestUnshelveUsesShelvedImageID checks that shelve records the image in
// system metadata and unshelve boots that image, whatever its name, and
// deletes it.
func TestUnshelveUsesShelvedImageID(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	img, _ := e.images.Create(context.Background(), "tok", compute.ImageMeta{Name: "renamed by its owner",
		Properties: map[string]string{"instance_uuid": inst.ID, "image_type": "snapshot"}})
	got := e.act(compute.Op{Kind: compute.OpShelve, InstanceID: inst.ID, ImageID: img.ID}, compute.TaskShelving)
	if got.VMState != compute.VMShelvedOf || got.SystemMetadata[sysmeta.ShelvedImage] != img.ID ||
		got.SystemMetadata[sysmeta.ShelvedHost] != hostName(1) {
		t.Fatalf("shelved: %s, system metadata %v", got.VMState, got.SystemMetadata)
	}
	got = e.act(compute.Op{Kind: compute.OpUnshelve, InstanceID: inst.ID}, compute.TaskUnshelving)
	if got.VMState != compute.VMActive {
		t.Fatalf("unshelved: %s (%+v)", got.VMState, got.Fault)
	}
	if _, err := e.images.Get(context.Background(), "tok", img.ID); err == nil {
		t.Fatal("the shelved image was not found by its id (not deleted)")
	}
	for _, k := range []string{sysmeta.ShelvedImage, sysmeta.ShelvedAt, sysmeta.ShelvedHost} {
		if _, ok := got.SystemMetadata[k]; ok {
			t.Errorf("%s left after unshelve: %v", k, got.SystemMetadata)
		}
	}
}
