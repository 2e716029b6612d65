package conductor_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/compute/volinfo"
	cvolumes "github.com/gostack/gostack/internal/compute/volumes"
)

func withVolumes(v compute.Volumes) envOpt {
	return func(c *conductor.Config) { c.Volumes = v }
}

// reserve does what the attach use case does before the conductor: the
// mapping stored, the volume reserved.
func reserve(t *testing.T, e *env, vols *computetest.Volumes, inst *compute.Instance, volID string) {
	t.Helper()
	att, _, err := vols.AttachmentCreate(context.Background(), "tok", volID, inst.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	minus := -1
	if _, err := e.store.UpdateInstance(context.Background(), inst.ID, false, func(i *compute.Instance) error {
		i.BlockDevices = append(i.BlockDevices, compute.BlockDeviceMapping{ID: uuid.NewString(), SourceType: "volume",
			DestinationType: "volume", UUID: volID, VolumeID: volID, AttachmentID: att, DeviceName: "/dev/vdb", BootIndex: &minus})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestAttachDetachVolume(t *testing.T) {
	vols := computetest.NewVolumes(volinfo.Volume{ID: "v1", Status: "available", SizeGB: 1})
	e := newEnv(t, 1, 0, withVolumes(vols))
	inst := e.active(1)[0]
	reserve(t, e, vols, inst, "v1")

	got := e.act(compute.Op{Kind: compute.OpAttachVolume, InstanceID: inst.ID, VolumeID: "v1"}, "")
	if s := vols.Status("v1"); s != "in-use" {
		t.Fatalf("volume is %s after the attach\nlog:\n%s", s, e.log)
	}
	b := got.BlockDevices[volinfo.Find(got.BlockDevices, "v1")]
	if b.Connection.Path() == "" || b.ConnectedHost != inst.Host {
		t.Errorf("mapping after attach: %+v", b)
	}
	if g := e.guests(inst.Host)[inst.ID]; !slices.Contains(g.Volumes, "v1") {
		t.Errorf("guest volumes %v, want v1", g.Volumes)
	}

	if _, err := e.store.UpdateInstance(context.Background(), inst.ID, false, func(i *compute.Instance) error {
		i.BlockDevices[volinfo.Find(i.BlockDevices, "v1")].Detaching = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got = e.act(compute.Op{Kind: compute.OpDetachVolume, InstanceID: inst.ID, VolumeID: "v1"}, "")
	if s := vols.Status("v1"); s != "available" {
		t.Errorf("volume is %s after the detach", s)
	}
	if len(volinfo.Attached(got.BlockDevices)) != 0 {
		t.Errorf("mappings after detach: %+v", got.BlockDevices)
	}
	if g := e.guests(inst.Host)[inst.ID]; slices.Contains(g.Volumes, "v1") {
		t.Errorf("guest still has v1")
	}
}

func TestAttachVolumeFailureRollsBack(t *testing.T) {
	vols := computetest.NewVolumes(volinfo.Volume{ID: "v1", Status: "available", SizeGB: 1})
	e := newEnv(t, 1, 0, withVolumes(vols))
	inst := e.active(1)[0]
	reserve(t, e, vols, inst, "v1")
	// The host lost the guest: the plug fails.
	if err := e.hosts[inst.Host].Destroy(context.Background(), inst.ID); err != nil {
		t.Fatal(err)
	}
	got := e.act(compute.Op{Kind: compute.OpAttachVolume, InstanceID: inst.ID, VolumeID: "v1"}, "")
	if s := vols.Status("v1"); s != "available" {
		t.Errorf("volume is %s after a failed attach, want available", s)
	}
	if len(got.BlockDevices) != 0 || got.Fault == nil {
		t.Errorf("after a failed attach: mappings %+v, fault %+v", got.BlockDevices, got.Fault)
	}
	if got.VMState != compute.VMActive {
		t.Errorf("vm_state %s, want active", got.VMState)
	}
}

func TestBootFromVolumeAndDelete(t *testing.T) {
	vols := computetest.NewVolumes(volinfo.Volume{ID: "keep", Status: "available", SizeGB: 1})
	var specs []scheduler.RequestSpec
	record := func(c *conductor.Config) {
		c.Scheduler = specRecorder{c.Scheduler, func(s scheduler.RequestSpec) { specs = append(specs, s) }}
	}
	e := newEnv(t, 1, 0, withVolumes(vols), record)
	zero, minus := 0, -1
	inst := e.active(1, func(i *compute.Instance) {
		i.ImageRef = ""
		i.BlockDevices = []compute.BlockDeviceMapping{
			{ID: "root", SourceType: "image", DestinationType: "volume", UUID: "cirros", VolumeSize: 1, BootIndex: &zero, DeleteOnTermination: true},
			{ID: "data", SourceType: "volume", DestinationType: "volume", UUID: "keep", VolumeID: "keep", BootIndex: &minus},
		}
	})[0]
	root := inst.BlockDevices[0]
	if root.VolumeID == "" || !root.Created || root.Connection == nil || root.DeviceName != "/dev/vda" {
		t.Fatalf("root mapping after the build: %+v", root)
	}
	if s := vols.Status(root.VolumeID); s != "in-use" {
		t.Errorf("root volume is %s", s)
	}
	if s := vols.Status("keep"); s != "in-use" {
		t.Errorf("data volume is %s", s)
	}
	// Placement: no root disk for a volume-backed server.
	if len(specs) != 1 || !specs[0].BootFromVolume {
		t.Errorf("scheduler requests %+v, want one BootFromVolume", specs)
	}
	e.act(compute.Op{Kind: compute.OpDelete, InstanceID: inst.ID}, compute.TaskDeleting)
	if _, err := vols.GetVolume(context.Background(), "", root.VolumeID); err == nil {
		t.Error("the root volume (delete_on_termination) is still there")
	}
	if s := vols.Status("keep"); s != "available" {
		t.Errorf("data volume is %s after the delete, want available", s)
	}
}

// specRecorder passes what the conductor asks the scheduler to see.
type specRecorder struct {
	conductor.Scheduler
	see func(scheduler.RequestSpec)
}

func (r specRecorder) Select(ctx context.Context, spec scheduler.RequestSpec) (scheduler.Selection, []scheduler.Selection, error) {
	r.see(spec)
	return r.Scheduler.Select(ctx, spec)
}

// grownVolumes is the block-storage service after it grew volume "v1" to
// 3 GB.
type grownVolumes struct{ *computetest.Volumes }

func (g grownVolumes) GetVolume(ctx context.Context, token, id string) (*volinfo.Volume, error) {
	v, err := g.Volumes.GetVolume(ctx, token, id)
	if err == nil && id == "v1" {
		v.SizeGB = 3
	}
	return v, err
}

// TestExtendVolume: on volume-extended the host grows the attached
// volume to the size the block-storage service gives it, and the mapping
// records it; a volume the instance does not have is left alone.
func TestExtendVolume(t *testing.T) {
	vols := computetest.NewVolumes(volinfo.Volume{ID: "v1", Status: "available", SizeGB: 1})
	e := newEnv(t, 1, 0, withVolumes(grownVolumes{vols}))
	inst := e.active(1)[0]
	reserve(t, e, vols, inst, "v1")
	e.act(compute.Op{Kind: compute.OpAttachVolume, InstanceID: inst.ID, VolumeID: "v1"}, "")

	got := e.act(compute.Op{Kind: cvolumes.OpExtend, InstanceID: inst.ID, VolumeID: "v1"}, "")
	if n := e.hosts[inst.Host].VolumeSize(inst.ID, "v1"); n != 3<<30 {
		t.Errorf("the host grew v1 to %d bytes, want %d\nlog:\n%s", n, int64(3)<<30, e.log)
	}
	if b := got.BlockDevices[volinfo.Find(got.BlockDevices, "v1")]; b.VolumeSize != 3 {
		t.Errorf("mapping volume_size %d after the extend, want 3", b.VolumeSize)
	}
	evs := e.store.eventsOf(inst.ID, "req-"+string(cvolumes.OpExtend))
	if len(evs) != 1 || evs[0].Event != "compute_extend_volume" || evs[0].Result != "Success" {
		t.Errorf("action events of the extend: %+v", evs)
	}

	// An event for a volume the server does not have: nothing to do.
	e.act(compute.Op{Kind: cvolumes.OpExtend, InstanceID: inst.ID, VolumeID: "v2"}, "")
	if n := e.hosts[inst.Host].VolumeSize(inst.ID, "v2"); n != 0 {
		t.Errorf("the host grew a volume the server does not have: %d", n)
	}
}
