package instdir

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// values returns the values of every occurrence of flag in args.
func values(args []string, flag string) []string {
	var out []string
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			out = append(out, args[i+1])
		}
	}
	return out
}

func TestArgs(t *testing.T) {
	host := Host{Machine: "q35", Accel: "tcg", Listen: "127.0.0.1"}
	base := Record{
		Spec: driver.Spec{UUID: "u-1", Name: "web,1",
			Flavor: driver.Flavor{VCPUs: 2, MemoryMB: 512, EphemeralGB: 1, SwapMB: 16}},
		RootFormat: "qcow2",
	}
	for _, tc := range []struct {
		name     string
		host     Host
		rec      func(*Record)
		incoming string
		flag     string
		want     []string
	}{
		{name: "name commas doubled", flag: "-name", want: []string{"guest=web,,1,debug-threads=on"}},
		{name: "TCG CPU", flag: "-cpu", want: []string{"qemu64"}},
		{name: "KVM CPU", host: Host{Machine: "q35", Accel: "kvm"}, flag: "-cpu", want: []string{"host"}},
		{name: "disks", flag: "-drive", want: []string{
			"if=none,id=drive-root,file=/i/disk,format=qcow2,discard=unmap",
			"if=none,id=drive-eph0,file=/i/disk.eph0,format=qcow2,discard=unmap",
			"if=none,id=drive-swap,file=/i/disk.swap,format=raw,discard=unmap",
		}},
		// On pc, whose NICs need no root ports, -device is the disks alone.
		{name: "rescue boots first", host: Host{Machine: "pc", Accel: "tcg"}, rec: func(r *Record) { r.Rescued = true; r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0 }, flag: "-device", want: []string{
			"virtio-scsi-pci,id=scsi0",
			"virtio-blk-pci,drive=drive-rescue,id=drive-rescue-dev,bootindex=1",
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev",
		}},
		{name: "boot volume and a plugged one", rec: func(r *Record) {
			r.RootFormat, r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = "", 0, 0
			r.Spec.BlockDevices = []driver.BlockDevice{
				{VolumeID: "v-boot", Path: "/dev/vg/boot", BootIndex: 0},
				{VolumeID: "v-data", Path: "/dev/vg/data", Format: "qcow2", BootIndex: -1, ReadOnly: true},
			}
		}, flag: "-blockdev", want: []string{
			"node-name=" + DevID("vol", "v-data") + ",driver=qcow2,file.driver=file,file.filename=/dev/vg/data,read-only=on",
		}},
		{name: "tap NIC", rec: func(r *Record) {
			r.Spec.NICs = []driver.NIC{{PortID: "p-1", MAC: "fa:16:3e:00:00:01", Tap: "tap1", MTU: 1450}}
		}, flag: "-netdev", want: []string{"tap,id=net-" + DevID("nic", "p-1") + ",ifname=tap1,script=no,downscript=no,vhost=off"}},
		{name: "q35 NICs on root ports, the record's spare ports for hot-plug", rec: func(r *Record) {
			r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0
			r.HotplugPorts = 3
			r.Spec.NICs = []driver.NIC{
				{PortID: "p-1", MAC: "fa:16:3e:00:00:01", Tap: "tap1", MTU: 1450},
				{PortID: "p-2", MAC: "fa:16:3e:00:00:02", Model: "e1000", MTU: 1450},
			}
		}, flag: "-device", want: append(append(ports(2+3), scsiPort),
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev,bootindex=1",
			"virtio-net-pci,id="+DevID("nic", "p-1")+",mac=fa:16:3e:00:00:01,bus=hp0,netdev=net-"+DevID("nic", "p-1")+",host_mtu=1450",
			"e1000,id="+DevID("nic", "p-2")+",mac=fa:16:3e:00:00:02,bus=hp1",
		)},
		// The SCSI controller only with volumes that go on it (or once
		// one was plugged since the boot), on its own root port.
		{name: "q35 SCSI controller for a data volume", rec: func(r *Record) {
			r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0
			r.HotplugPorts = 1
			r.Spec.BlockDevices = []driver.BlockDevice{{VolumeID: "v-data", Path: "/dev/vg/data", BootIndex: -1}}
		}, flag: "-device", want: append(append(ports(1), scsiPort, "virtio-scsi-pci,id=scsi0,bus=hpscsi"),
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev,bootindex=1",
			"scsi-hd,bus=scsi0.0,drive="+DevID("vol", "v-data")+",id="+DevID("vol", "v-data"),
		)},
		{name: "q35 SCSI controller kept after its volumes left", rec: func(r *Record) {
			r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0
			r.HotplugPorts, r.SCSI = 1, true
		}, flag: "-device", want: append(append(ports(1), scsiPort, "virtio-scsi-pci,id=scsi0,bus=hpscsi"),
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev,bootindex=1",
		)},
		{name: "q35 boot volume needs no SCSI controller", rec: func(r *Record) {
			r.RootFormat, r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = "", 0, 0
			r.HotplugPorts = 1
			r.Spec.BlockDevices = []driver.BlockDevice{{VolumeID: "v-boot", Path: "/dev/vg/boot", BootIndex: 0}}
		}, flag: "-device", want: append(append(ports(1), scsiPort),
			"virtio-blk-pci,drive="+DevID("vol", "v-boot")+",id="+DevID("vol", "v-boot")+"-dev,bootindex=1",
		)},
		// A record from before the number was kept: its guest was launched
		// with eight, and a resume or migration must build that machine.
		{name: "q35 legacy record: eight spare ports", rec: func(r *Record) {
			r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0
			r.Spec.NICs = []driver.NIC{
				{PortID: "p-1", MAC: "fa:16:3e:00:00:01", Tap: "tap1", MTU: 1450},
				{PortID: "p-2", MAC: "fa:16:3e:00:00:02", Model: "e1000", MTU: 1450},
			}
		}, flag: "-device", want: append(append([]string{"virtio-scsi-pci,id=scsi0"}, ports(2+8)...),
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev,bootindex=1",
			"virtio-net-pci,id="+DevID("nic", "p-1")+",mac=fa:16:3e:00:00:01,bus=hp0,netdev=net-"+DevID("nic", "p-1")+",host_mtu=1450",
			"e1000,id="+DevID("nic", "p-2")+",mac=fa:16:3e:00:00:02,bus=hp1",
		)},
		{name: "q35 native PCIe hot-plug", flag: "-global", want: []string{"ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"}},
		{name: "pc NIC on the root bus", host: Host{Machine: "pc", Accel: "tcg"}, rec: func(r *Record) {
			r.Spec.Flavor.EphemeralGB, r.Spec.Flavor.SwapMB = 0, 0
			r.Spec.NICs = []driver.NIC{{PortID: "p-1", MAC: "fa:16:3e:00:00:01"}}
		}, flag: "-device", want: []string{
			"virtio-scsi-pci,id=scsi0",
			"virtio-blk-pci,drive=drive-root,id=drive-root-dev,bootindex=1",
			"virtio-net-pci,id=" + DevID("nic", "p-1") + ",mac=fa:16:3e:00:00:01",
		}},
		{name: "pc: ACPI hot-plug", host: Host{Machine: "pc", Accel: "tcg"}, flag: "-global", want: nil},
		{name: "kernel", rec: func(r *Record) { r.Spec.Image = driver.Image{KernelPath: "/k", RamdiskPath: "/r"} }, flag: "-append", want: []string{"console=ttyS0 root=/dev/vda"}},
		{name: "incoming", incoming: "defer", flag: "-incoming", want: []string{"defer"}},
		{name: "no incoming", flag: "-incoming", want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := host
			if tc.host != (Host{}) {
				h = tc.host
			}
			rec := base
			if tc.rec != nil {
				tc.rec(&rec)
			}
			args := Args(h, "/i", rec, tc.incoming)
			if got := values(args, tc.flag); !slices.Equal(got, tc.want) {
				t.Errorf("%s = %q, want %q", tc.flag, got, tc.want)
			}
		})
	}
}

// ports is the -device values of n root ports.
func ports(n int) []string {
	return values(rootPorts(n), "-device")
}

func TestRootPorts(t *testing.T) {
	got := ports(10)
	want := map[int]string{
		0: "pcie-root-port,id=hp0,chassis=1,bus=pcie.0,addr=0x10.0x0,io-reserve=0,multifunction=on",
		7: "pcie-root-port,id=hp7,chassis=8,bus=pcie.0,addr=0x10.0x7,io-reserve=0",
		8: "pcie-root-port,id=hp8,chassis=9,bus=pcie.0,addr=0x11.0x0,io-reserve=0,multifunction=on",
	}
	if len(got) != 10 {
		t.Fatalf("rootPorts(10) has %d ports", len(got))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("port %d = %q, want %q", i, got[i], w)
		}
	}
}

func TestRecordAndScan(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "u-1")
	os.Mkdir(dir, 0o700)
	rec := Record{Spec: driver.Spec{UUID: "u-1", Name: "a"}, RootFormat: "raw", Power: driver.Running, StartedAt: time.Now().UTC()}
	if err := Save(dir, rec); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got.Spec.UUID != "u-1" || got.Power != driver.Running || !got.StartedAt.Equal(rec.StartedAt) {
		t.Fatalf("Load = %+v, %v; want what Save wrote", got, err)
	}
	got.Stopped()
	if got.Power != driver.Shutdown || !got.StartedAt.IsZero() {
		t.Errorf("Stopped left %v, %v", got.Power, got.StartedAt)
	}
	// Spawns that never finished: no record, or a record without a power state.
	os.Mkdir(filepath.Join(root, "u-2"), 0o700)
	os.Mkdir(filepath.Join(root, "u-3"), 0o700)
	Save(filepath.Join(root, "u-3"), Record{Spec: driver.Spec{UUID: "u-3"}})
	// An incoming live migration has no power state yet but is kept.
	os.Mkdir(filepath.Join(root, "u-4"), 0o700)
	Save(filepath.Join(root, "u-4"), Record{Spec: driver.Spec{UUID: "u-4"}, Incoming: true})
	recs, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for d := range recs {
		kept = append(kept, filepath.Base(d))
	}
	slices.Sort(kept)
	if !slices.Equal(kept, []string{"u-1", "u-4"}) {
		t.Errorf("Scan kept %v, want u-1 and u-4", kept)
	}
	for _, gone := range []string{"u-2", "u-3"} {
		if _, err := os.Stat(filepath.Join(root, gone)); !os.IsNotExist(err) {
			t.Errorf("Scan left the unfinished spawn %s", gone)
		}
	}
}

func TestConsole(t *testing.T) {
	dir := t.TempDir()
	if out, err := Console(dir, 10); err != nil || len(out) != 0 {
		t.Errorf("Console of a guest that never ran = %q, %v; want nothing", out, err)
	}
	os.WriteFile(filepath.Join(dir, ConsoleLog), []byte(strings.Repeat("x", 20)+"tail"), 0o600)
	if out, _ := Console(dir, 4); string(out) != "tail" {
		t.Errorf("Console(4) = %q, want tail", out)
	}
	if out, _ := Console(dir, 0); len(out) != 24 {
		t.Errorf("Console(0) = %d bytes, want all 24", len(out))
	}
}

// scsiPort is the -device value of a q35 guest's SCSI controller port.
const scsiPort = "pcie-root-port,id=hpscsi,chassis=255,bus=pcie.0,addr=0x1e.0x0,io-reserve=0"
