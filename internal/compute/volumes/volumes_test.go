package volumes_test

import (
	"context"

	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/compute/volumes"
)

// env is an ACTIVE server of p1 on h1 and volumes v1, v2 (available), busy
// (in-use), multi (multiattach).
type env struct {
	*computetest.Env
	vols   *computetest.Volumes
	svc    *volumes.Service
	server string
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{Env: computetest.New(t), vols: computetest.NewVolumes(
		volinfo.Volume{ID: "v1", Status: "available", SizeGB: 1, Bootable: true},
		volinfo.Volume{ID: "blank", Status: "available", SizeGB: 1},
		volinfo.Volume{ID: "v2", Status: "available", SizeGB: 1},
		volinfo.Volume{ID: "busy", Status: "in-use", SizeGB: 1},
		volinfo.Volume{ID: "multi", Status: "available", SizeGB: 1, Multiattach: true},
	)}
	deps := compute.Deps{Conductor: e.Conductor, Images: e.Images, Volumes: e.vols}
	e.svc = volumes.New(e.Store, deps)
	res, err := e.Servers.Create(context.Background(), e.User, servers.CreateRequest{Name: "s", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.server = res.Instances[0].ID
	e.Activate(t, e.server)
	return e
}

// req is the user with a request id of its own (each records an
// instance action).
func (e *env) req() compute.Caller {
	c := e.User
	c.RequestID = uuid.NewString()
	return c
}

func TestAttach(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	b, err := e.svc.Attach(ctx, e.req(), e.server, volumes.AttachRequest{VolumeID: "v1", DeleteOnTermination: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.DeviceName != "/dev/vdb" || b.AttachmentID == "" || b.VolumeID != "v1" || !b.DeleteOnTermination || b.ID == "" {
		t.Fatalf("mapping = %+v", b)
	}
	if got := e.vols.Status("v1"); got != "reserved" {
		t.Errorf("volume status %q, want reserved", got)
	}
	op := e.Conductor.LastOp()
	if op.Kind != compute.OpAttachVolume || op.VolumeID != "v1" || op.InstanceID != e.server {
		t.Errorf("conductor op = %+v", op)
	}
	b2, err := e.svc.Attach(ctx, e.req(), e.server, volumes.AttachRequest{VolumeID: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if b2.DeviceName != "/dev/vdc" {
		t.Errorf("second device %q, want /dev/vdc", b2.DeviceName)
	}
	l, err := e.svc.List(ctx, e.User, e.server)
	if err != nil || len(l) != 2 {
		t.Fatalf("List = %v, %v", l, err)
	}
	if _, err := e.svc.Show(ctx, e.User, e.server, "v2"); err != nil {
		t.Errorf("Show: %v", err)
	}
	if _, err := e.svc.Show(ctx, e.User, e.server, "busy"); computetest.ErrKind(err) != "404" {
		t.Errorf("Show of a volume not attached: %v", err)
	}
	other := compute.Caller{UserID: "u2", ProjectID: "p2"}
	if _, err := e.svc.List(ctx, other, e.server); computetest.ErrKind(err) != "404" {
		t.Errorf("List by another project: %v", err)
	}
}

func TestAttachRefused(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.svc.Attach(ctx, e.req(), e.server, volumes.AttachRequest{VolumeID: "v1"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  volumes.AttachRequest
		want string
	}{
		{"missing volume", volumes.AttachRequest{VolumeID: "nope"}, "404"},
		{"already attached here", volumes.AttachRequest{VolumeID: "v1"}, "400"},
		{"in use elsewhere", volumes.AttachRequest{VolumeID: "busy"}, "400"},
		{"bad device", volumes.AttachRequest{VolumeID: "v2", Device: "/dev/!"}, "400"},
		{"device in use", volumes.AttachRequest{VolumeID: "v2", Device: "/dev/vdb"}, "400"},
		{"multiattach before 2.60", volumes.AttachRequest{VolumeID: "multi"}, "400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Attach(ctx, e.req(), e.server, tc.req)
			if got := computetest.ErrKind(err); got != tc.want {
				t.Fatalf("err %v (%s), want %s", err, got, tc.want)
			}
		})
	}
	// A refused attach leaves nothing behind.
	l, _ := e.svc.List(ctx, e.User, e.server)
	if len(l) != 1 {
		t.Errorf("mappings after refusals: %+v", l)
	}
	if got := e.vols.Status("v2"); got != "available" {
		t.Errorf("v2 is %s after refused attaches", got)
	}
	// A server still building cannot take a volume.
	res, err := e.Servers.Create(ctx, e.User, servers.CreateRequest{Name: "b", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Attach(ctx, e.req(), res.Instances[0].ID, volumes.AttachRequest{VolumeID: "v2"}); computetest.ErrKind(err) != "409" {
		t.Errorf("attach to a building server: %v", err)
	}
}

func TestDetachAndUpdate(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.svc.Attach(ctx, e.req(), e.server, volumes.AttachRequest{VolumeID: "v1"}); err != nil {
		t.Fatal(err)
	}
	// Not in-use yet: the conductor has not connected it.
	if err := e.svc.Detach(ctx, e.req(), e.server, "v1"); computetest.ErrKind(err) != "400" {
		t.Errorf("detach of a reserved volume: %v", err)
	}
	b, _ := e.svc.Show(ctx, e.User, e.server, "v1")
	if err := e.vols.AttachmentComplete(ctx, "", b.AttachmentID); err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, tc := range []struct {
		name   string
		volume string
		req    volumes.UpdateRequest
		want   string
	}{
		{"delete_on_termination", "v1", volumes.UpdateRequest{VolumeID: "v1", DeleteOnTermination: &yes}, ""},
		{"swap", "v1", volumes.UpdateRequest{VolumeID: "v2"}, "400"},
		{"swap to a missing volume", "v1", volumes.UpdateRequest{VolumeID: "nope"}, "400"},
		{"swap of a missing volume", "nope", volumes.UpdateRequest{VolumeID: "v2"}, "404"},
		{"device is not mutable", "v1", volumes.UpdateRequest{VolumeID: "v1", Device: new(string)}, "400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.Update(ctx, e.User, e.server, tc.volume, tc.req)
			if got := computetest.ErrKind(err); got != tc.want {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if b, _ := e.svc.Show(ctx, e.User, e.server, "v1"); !b.DeleteOnTermination {
		t.Error("delete_on_termination not updated")
	}
	if err := e.svc.Detach(ctx, e.req(), e.server, "v2"); computetest.ErrKind(err) != "404" {
		t.Errorf("detach of a volume not attached: %v", err)
	}
	if err := e.svc.Detach(ctx, e.req(), e.server, "v1"); err != nil {
		t.Fatal(err)
	}
	if op := e.Conductor.LastOp(); op.Kind != compute.OpDetachVolume || op.VolumeID != "v1" {
		t.Errorf("conductor op = %+v", op)
	}
	if err := e.svc.Detach(ctx, e.req(), e.server, "v1"); computetest.ErrKind(err) != "400" {
		t.Errorf("second detach: %v", err)
	}
}

func TestDetachRoot(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	zero := 0
	_, err := e.Store.UpdateInstance(ctx, e.server, false, func(i *compute.Instance) error {
		i.BlockDevices = append(i.BlockDevices, compute.BlockDeviceMapping{ID: "b", SourceType: "volume", DestinationType: "volume",
			BootIndex: &zero, VolumeID: "busy", UUID: "busy", DeviceName: "/dev/vda", AttachmentID: "a"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Detach(ctx, e.req(), e.server, "busy"); computetest.ErrKind(err) != "400" {
		t.Errorf("detach of the root volume: %v", err)
	}
}

func TestDeviceName(t *testing.T) {
	for _, tc := range []struct {
		name string
		inst compute.Instance
		want string
	}{
		{"first", compute.Instance{}, "/dev/vdb"},
		{"after ephemeral and swap", compute.Instance{Flavor: compute.Flavor{Ephemeral: 1, Swap: 512}}, "/dev/vdd"},
		{"a gap", compute.Instance{BlockDevices: []compute.BlockDeviceMapping{{DeviceName: "/dev/vdc"}}}, "/dev/vdb"},
		{"scsi root", compute.Instance{RootDeviceName: "/dev/sda"}, "/dev/sdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := volumes.DeviceName(&tc.inst, "")
			if err != nil || got != tc.want {
				t.Fatalf("DeviceName = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPrepareBoot(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	zero := 0
	flavor := &compute.Flavor{ID: "z", RAM: 512, VCPUs: 1}
	for _, tc := range []struct {
		name   string
		bdm    compute.BlockDeviceMapping
		count  int
		want   string
		backed bool
		size   int
	}{
		{"from an image", compute.BlockDeviceMapping{SourceType: "image", DestinationType: "volume", UUID: "img", BootIndex: &zero, VolumeSize: 1}, 1, "", true, 1},
		{"from an image, size from the image", compute.BlockDeviceMapping{SourceType: "image", DestinationType: "volume", UUID: "img", BootIndex: &zero}, 1, "", true, 1},
		{"image too big for the size", compute.BlockDeviceMapping{SourceType: "image", DestinationType: "volume", UUID: "big", BootIndex: &zero, VolumeSize: 1}, 1, "400", false, 0},
		{"missing image", compute.BlockDeviceMapping{SourceType: "image", DestinationType: "volume", UUID: "nope", BootIndex: &zero, VolumeSize: 1}, 1, "400", false, 0},
		{"existing volume", compute.BlockDeviceMapping{SourceType: "volume", UUID: "v1", BootIndex: &zero}, 1, "", true, 1},
		{"volume in use", compute.BlockDeviceMapping{SourceType: "volume", UUID: "busy", BootIndex: &zero}, 1, "400", false, 0},
		{"volume not bootable", compute.BlockDeviceMapping{SourceType: "volume", UUID: "blank", BootIndex: &zero}, 1, "400", false, 0},
		{"missing volume", compute.BlockDeviceMapping{SourceType: "volume", UUID: "nope", BootIndex: &zero}, 1, "400", false, 0},
		{"one volume, two servers", compute.BlockDeviceMapping{SourceType: "volume", UUID: "v1", BootIndex: &zero}, 2, "400", false, 0},
		{"snapshot", compute.BlockDeviceMapping{SourceType: "snapshot", UUID: "snap", BootIndex: &zero}, 1, "", true, 2},
		{"blank without size", compute.BlockDeviceMapping{SourceType: "blank", DestinationType: "volume", BootIndex: &zero}, 1, "400", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := e.svc.PrepareBoot(ctx, e.User, flavor, "", []compute.BlockDeviceMapping{tc.bdm}, tc.count)
			if got := computetest.ErrKind(err); got != tc.want {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if err != nil {
				return
			}
			if b.VolumeBacked != tc.backed || b.ImageRef != "" || b.Devices[0].ID == "" || b.Devices[0].VolumeSize != tc.size {
				t.Fatalf("boot = %+v", b)
			}
		})
	}
	// An image-backed server keeps the flavor's checks.
	if _, err := e.svc.PrepareBoot(ctx, e.User, flavor, "img", nil, 1); computetest.ErrKind(err) != "403" {
		t.Errorf("zero-disk flavor, image-backed: %v", err)
	}
}
