package qemu

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
)

// requireTap skips the test unless QEMU can create tap devices (root
// with /dev/net/tun).
func requireTap(t *testing.T) {
	t.Helper()
	requireQEMU(t)
	if os.Geteuid() != 0 {
		t.Skip("creating tap devices needs root")
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skip("no /dev/net/tun")
	}
}

// tapName is a tap device name unique to this test process (at most 15
// bytes, as Linux allows).
func tapName(i int) string { return fmt.Sprintf("tgs%d-%d", os.Getpid()%100000, i) }

func tapExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// pciParent returns the QEMU id of the port (or "pci.0"-level "") the
// device id is plugged into, and whether it is plugged at all.
func pciParent(t *testing.T, d *Driver, uuid, id string) (string, bool) {
	t.Helper()
	d.mu.Lock()
	in := d.insts[uuid]
	d.mu.Unlock()
	q, err := d.qmp(in)
	if err != nil {
		t.Fatal(err)
	}
	type dev struct {
		QDevID string `json:"qdev_id"`
		Bridge *struct {
			Devices []dev `json:"devices"`
		} `json:"pci_bridge"`
	}
	var buses []struct {
		Devices []dev `json:"devices"`
	}
	if err := q.Run(t.Context(), "query-pci", nil, &buses); err != nil {
		t.Fatal(err)
	}
	var find func(parent string, devs []dev) (string, bool)
	find = func(parent string, devs []dev) (string, bool) {
		for _, x := range devs {
			if x.QDevID == id {
				return parent, true
			}
			if x.Bridge != nil {
				if p, ok := find(x.QDevID, x.Bridge.Devices); ok {
					return p, ok
				}
			}
		}
		return "", false
	}
	for _, b := range buses {
		if p, ok := find("", b.Devices); ok {
			return p, true
		}
	}
	return "", false
}

func ports(t *testing.T, d *Driver, uuid string) []string {
	t.Helper()
	info, err := d.Info(t.Context(), uuid)
	if err != nil {
		t.Fatal(err)
	}
	return info.Ports
}

// TestHotplugNIC plugs and unplugs NICs on tap devices of a running
// q35 guest (the boot-sector guest never powers its PCIe slots, so QEMU
// releases an unplugged device at once), and while it is off.
func TestHotplugNIC(t *testing.T) {
	requireTap(t)
	d := started(t, testOptions())
	spec := testSpec(t, 5)
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	ctx := t.Context()
	nic := driver.NIC{PortID: "port-1", MAC: "fa:16:3e:00:00:01", Tap: tapName(1), MTU: 1450}
	id := instdir.DevID("nic", nic.PortID)

	if err := d.AttachInterface(ctx, spec.UUID, nic); err != nil {
		t.Fatal(err)
	}
	if p, ok := pciParent(t, d, spec.UUID, id); !ok || p != "hp0" {
		t.Errorf("hot-plugged NIC on %q (plugged: %v), want hp0", p, ok)
	}
	if !tapExists(nic.Tap) {
		t.Errorf("QEMU did not create tap %s", nic.Tap)
	}
	if got := ports(t, d, spec.UUID); !slices.Equal(got, []string{"port-1"}) {
		t.Errorf("Info.Ports = %v, want [port-1]", got)
	}
	if err := d.AttachInterface(ctx, spec.UUID, nic); !driver.IsInvalidState(err) {
		t.Errorf("attaching port-1 twice: %v, want InvalidState", err)
	}

	// A device QEMU refuses leaves no backend and no record.
	bad := driver.NIC{PortID: "port-2", MAC: "fa:16:3e:00:00:02", Tap: tapName(2), Model: "gostack-no-such-nic"}
	if err := d.AttachInterface(ctx, spec.UUID, bad); err == nil || !strings.Contains(err.Error(), "gostack-no-such-nic") {
		t.Errorf("AttachInterface of an unknown model = %v, want QEMU's complaint", err)
	}
	if tapExists(bad.Tap) {
		t.Errorf("a failed hot-plug left tap %s", bad.Tap)
	}
	if got := ports(t, d, spec.UUID); !slices.Equal(got, []string{"port-1"}) {
		t.Errorf("Info.Ports after a failed attach = %v, want [port-1]", got)
	}
	// The same port plugs once fixed: the rollback freed its backend id.
	bad.Model = ""
	if err := d.AttachInterface(ctx, spec.UUID, bad); err != nil {
		t.Fatalf("AttachInterface after a rolled-back one: %v", err)
	}
	if p, _ := pciParent(t, d, spec.UUID, instdir.DevID("nic", bad.PortID)); p != "hp1" {
		t.Errorf("second NIC on %q, want hp1", p)
	}

	if err := d.DetachInterface(ctx, spec.UUID, nic.PortID); err != nil {
		t.Fatal(err)
	}
	if _, ok := pciParent(t, d, spec.UUID, id); ok {
		t.Error("the detached NIC is still plugged")
	}
	if tapExists(nic.Tap) {
		t.Errorf("tap %s outlived its detach", nic.Tap)
	}
	if err := d.DetachInterface(ctx, spec.UUID, nic.PortID); !driver.IsNotFound(err) {
		t.Errorf("detaching port-1 twice: %v, want NotFound", err)
	}

	// Powered off, a NIC is only recorded; the next boot plugs it.
	if err := d.PowerOff(ctx, spec.UUID, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.AttachInterface(ctx, spec.UUID, nic); err != nil {
		t.Fatalf("AttachInterface while off: %v", err)
	}
	os.Truncate(filepath.Join(d.stateDir, "instances", spec.UUID, instdir.ConsoleLog), 0)
	if err := d.PowerOn(ctx, spec.UUID); err != nil {
		t.Fatal(err)
	}
	// query-pci lists a port's devices once the firmware has numbered
	// its bus.
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	if got := ports(t, d, spec.UUID); !slices.Equal(got, []string{"port-2", "port-1"}) {
		t.Errorf("Info.Ports after boot = %v, want [port-2 port-1]", got)
	}
	for i, port := range []string{"port-2", "port-1"} {
		if p, ok := pciParent(t, d, spec.UUID, instdir.DevID("nic", port)); p != instdir.Port(i) {
			t.Errorf("%s after boot on %q (plugged: %v), want %s", port, p, ok, instdir.Port(i))
		}
	}
	// A slot plugged at boot is powered, so its unplug waits for a guest
	// OS, which this guest lacks (TestGuestImageHotplug has one): the
	// detach fails and changes nothing.
	d.mu.Lock()
	d.Unplug = 500 * time.Millisecond
	d.mu.Unlock()
	if err := d.DetachInterface(ctx, spec.UUID, "port-2"); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("DetachInterface of a boot NIC without a guest OS = %v, want a timeout", err)
	}
	if got := ports(t, d, spec.UUID); !slices.Equal(got, []string{"port-2", "port-1"}) {
		t.Errorf("Info.Ports after a failed detach = %v, want [port-2 port-1]", got)
	}
	// Rescued, neither is allowed.
	if err := d.Rescue(ctx, spec.UUID, driver.RescueSpec{}); err != nil {
		t.Fatal(err)
	}
	if err := d.AttachInterface(ctx, spec.UUID, bad); !driver.IsInvalidState(err) {
		t.Errorf("AttachInterface while rescued: %v, want InvalidState", err)
	}
	if err := d.DetachInterface(ctx, spec.UUID, "port-2"); !driver.IsInvalidState(err) {
		t.Errorf("DetachInterface while rescued: %v, want InvalidState", err)
	}
}

// TestDetachNICTimeout: a guest that does not release the device (the
// boot-sector guest on pc, whose unplug is ACPI's and needs an OS) makes
// DetachInterface fail and keeps the NIC plugged and recorded.
func TestDetachNICTimeout(t *testing.T) {
	requireTap(t)
	opts := testOptions()
	opts.Machine = "pc"
	d := started(t, opts)
	d.Unplug = 500 * time.Millisecond
	spec := testSpec(t, 6)
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	ctx := t.Context()
	nic := driver.NIC{PortID: "port-1", MAC: "fa:16:3e:00:00:01", Tap: tapName(3)}
	if err := d.AttachInterface(ctx, spec.UUID, nic); err != nil {
		t.Fatal(err)
	}
	err := d.DetachInterface(ctx, spec.UUID, nic.PortID)
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "did not release") {
		t.Fatalf("DetachInterface of a device the guest keeps = %v, want a timeout", err)
	}
	if got := ports(t, d, spec.UUID); !slices.Equal(got, []string{"port-1"}) {
		t.Errorf("Info.Ports after a failed detach = %v, want [port-1]", got)
	}
	if _, ok := pciParent(t, d, spec.UUID, instdir.DevID("nic", nic.PortID)); !ok {
		t.Error("the NIC is gone although the guest did not release it")
	}
	if !tapExists(nic.Tap) {
		t.Error("the tap backend was removed although the device stays")
	}
	if info, _ := d.Info(ctx, spec.UUID); info.PowerState != driver.Running {
		t.Errorf("power state after a failed detach = %v, want Running", info.PowerState)
	}
}

// TestGuestImageHotplug hot-plugs a NIC into the real guest of
// tools/guestimage (when GOSTACK_GUEST_IMAGE names its output directory)
// and unplugs it: Linux's pciehp must release it within the detach
// timeout, and the tap backend goes with it.
func TestGuestImageHotplug(t *testing.T) {
	dir := os.Getenv("GOSTACK_GUEST_IMAGE")
	if dir == "" {
		t.Skip("GOSTACK_GUEST_IMAGE is not set (tools/guestimage/build.sh prints it)")
	}
	requireTap(t)
	d := started(t, testOptions())
	spec := testSpec(t, 7)
	spec.Flavor.MemoryMB = 256
	spec.Image = driver.Image{ID: "guest", Path: filepath.Join(dir, "disk.qcow2"), Format: "qcow2"}
	spec.ConfigDrive = map[string][]byte{"openstack/latest/meta_data.json": []byte(`{"uuid":"` + spec.UUID + `","hostname":"vm"}`)}
	// A NIC it boots with, whose slot the guest powers at boot.
	spec.NICs = []driver.NIC{{PortID: "port-0", MAC: "fa:16:3e:00:00:00", Tap: tapName(9), MTU: 1450}}
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, "GOSTACK-GUEST: ready", 5*time.Minute)
	ctx := t.Context()
	if p, ok := pciParent(t, d, spec.UUID, instdir.DevID("nic", "port-0")); p != "hp0" {
		t.Errorf("port-0 on %q (plugged: %v), want hp0", p, ok)
	}
	for i, port := range []string{"port-1", "port-2"} {
		nic := driver.NIC{PortID: port, MAC: fmt.Sprintf("fa:16:3e:00:00:%02x", i+1), Tap: tapName(10 + i), MTU: 1450}
		if err := d.AttachInterface(ctx, spec.UUID, nic); err != nil {
			t.Fatal(err)
		}
		if p, ok := pciParent(t, d, spec.UUID, instdir.DevID("nic", port)); p != instdir.Port(i+1) {
			t.Errorf("%s on %q (plugged: %v), want %s", port, p, ok, instdir.Port(i+1))
		}
	}
	for i, port := range []string{"port-1", "port-0", "port-2"} {
		start := time.Now()
		if err := d.DetachInterface(ctx, spec.UUID, port); err != nil {
			t.Fatal(err)
		}
		t.Logf("guest released %s in %v", port, time.Since(start))
		if _, ok := pciParent(t, d, spec.UUID, instdir.DevID("nic", port)); ok {
			t.Errorf("%s still plugged after its detach", port)
		}
		if tapExists(tapName([]int{10, 9, 11}[i])) {
			t.Errorf("the tap of %s outlived its detach", port)
		}
	}
	if got := ports(t, d, spec.UUID); len(got) != 0 {
		t.Errorf("Info.Ports after the detaches = %v, want none", got)
	}
}

// TestSCSIControllerOnDemand: a q35 guest boots without the virtio-scsi
// controller (it costs every boot time) unless it has volumes for it;
// the first volume plugged brings the controller, on its own port, and
// it stays after the volume leaves until the next boot drops it.
func TestSCSIControllerOnDemand(t *testing.T) {
	requireQEMU(t)
	ctx := t.Context()
	d := started(t, testOptions())
	spec := testSpec(t, 8)
	if err := d.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	if _, ok := pciParent(t, d, spec.UUID, "scsi0"); ok {
		t.Fatal("a guest without volumes booted with a SCSI controller")
	}
	vol := filepath.Join(t.TempDir(), "vol")
	if err := os.WriteFile(vol, nil, 0o600); err != nil || os.Truncate(vol, 1<<20) != nil {
		t.Fatal(err)
	}
	bd := driver.BlockDevice{VolumeID: "vol-1", Path: vol, Format: "raw"}
	if err := d.AttachVolume(ctx, spec.UUID, bd); err != nil {
		t.Fatal(err)
	}
	if p, ok := pciParent(t, d, spec.UUID, "scsi0"); p != instdir.SCSIPort {
		t.Fatalf("SCSI controller after the first volume on %q (plugged: %v), want %s", p, ok, instdir.SCSIPort)
	}
	rec := func() instdir.Record {
		r, err := instdir.Load(filepath.Join(d.stateDir, "instances", spec.UUID))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if !rec().SCSI {
		t.Error("the record does not say the controller was plugged")
	}
	if err := d.DetachVolume(ctx, spec.UUID, "vol-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := pciParent(t, d, spec.UUID, "scsi0"); !ok {
		t.Error("the controller left with its last volume; it stays until the next boot")
	}
	if err := d.PowerOff(ctx, spec.UUID, 0); err != nil {
		t.Fatal(err)
	}
	os.Truncate(filepath.Join(d.stateDir, "instances", spec.UUID, instdir.ConsoleLog), 0)
	if err := d.PowerOn(ctx, spec.UUID); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	if _, ok := pciParent(t, d, spec.UUID, "scsi0"); ok || rec().SCSI {
		t.Error("the next boot kept the controller of no volume")
	}
}
