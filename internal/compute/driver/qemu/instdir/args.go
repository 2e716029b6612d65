package instdir

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
)

// Host is what a command line takes from the driver's settings.
type Host struct {
	Machine  string // QEMU machine type, e.g. q35
	Accel    string // kvm or tcg
	CPUModel string // -cpu; "" for host under KVM, qemu64 under TCG
	Listen   string // address the VNC server listens on
}

// Args is the QEMU command line of the instance in dir described by rec.
// incoming is "" or the -incoming argument (a resumed suspend, a live
// migration's destination). Disks are virtio-blk, but volumes plugged
// after the boot volume go on the virtio-scsi controller, whose unplug
// needs no help from the guest.
func Args(h Host, dir string, rec Record, incoming string) []string {
	path := func(name string) string { return filepath.Join(dir, name) }
	s := &rec.Spec
	cpu := h.CPUModel
	if cpu == "" {
		cpu = "qemu64"
		if h.Accel == "kvm" {
			cpu = "host"
		}
	}
	a := []string{
		"-name", "guest=" + nameOr(s.Name, s.UUID) + ",debug-threads=on",
		"-uuid", s.UUID,
		"-machine", h.Machine + ",accel=" + h.Accel,
		"-cpu", cpu,
		"-m", strconv.Itoa(max(s.Flavor.MemoryMB, 16)),
		"-smp", strconv.Itoa(max(s.Flavor.VCPUs, 1)),
		"-nodefaults", "-no-user-config",
		"-display", "none",
		"-vnc", h.Listen + ":0,to=4000",
		"-daemonize", "-pidfile", path(PIDFile),
		// A relative path: the socket is created in the instance directory
		// (QEMU's working directory until it daemonizes), which keeps it
		// under the 108-byte limit of unix socket paths.
		"-qmp", "unix:" + QMPSocket + ",server=on,wait=off",
		"-chardev", "file,id=serial0,path=" + path(ConsoleLog) + ",append=on",
		"-serial", "chardev:serial0",
	}
	const scsi = "virtio-scsi-pci,id=scsi0"
	if !h.PCIe() || rec.Legacy() {
		a = append(a, "-device", scsi)
	}
	a = append(a, "-boot", "strict=on")
	if h.PCIe() {
		a = append(a, rootPorts(len(s.NICs)+rec.Ports())...)
		if !rec.Legacy() {
			a = append(a, "-device", "pcie-root-port,id="+SCSIPort+",chassis=255,bus=pcie.0,addr=0x1e.0x0,io-reserve=0")
			if rec.SCSI || rec.SCSIVolumes() {
				a = append(a, "-device", scsi+",bus="+SCSIPort)
			}
		}
	}
	disk := func(id, file, format string, boot int, ro bool) {
		drive := "if=none,id=" + id + ",file=" + file + ",format=" + format + ",discard=unmap"
		if ro {
			drive += ",readonly=on"
		}
		dev := "virtio-blk-pci,drive=" + id + ",id=" + id + "-dev"
		if boot > 0 {
			dev += ",bootindex=" + strconv.Itoa(boot)
		}
		a = append(a, "-drive", drive, "-device", dev)
	}
	image := s.Image
	boot := 1
	if rec.Rescued {
		image = rec.Rescue
		disk("drive-rescue", path(RescueDisk), "qcow2", 1, false)
		boot = 0
	}
	if rec.RootFormat != "" {
		disk("drive-root", path(RootDisk), rec.RootFormat, boot, false)
	}
	if s.Flavor.EphemeralGB > 0 {
		disk("drive-eph0", path(EphDisk), "qcow2", 0, false)
	}
	if s.Flavor.SwapMB > 0 {
		disk("drive-swap", path(SwapDisk), "raw", 0, false)
	}
	for _, bd := range s.BlockDevices {
		id := DevID("vol", bd.VolumeID)
		f := bd.Format
		if f == "" {
			f = "raw"
		}
		if bd.BootIndex == 0 && rec.RootFormat == "" {
			disk(id, bd.Path, f, boot, bd.ReadOnly)
			continue
		}
		node := "node-name=" + id + ",driver=" + f + ",file.driver=file,file.filename=" + bd.Path
		if bd.ReadOnly {
			node += ",read-only=on"
		}
		a = append(a, "-blockdev", node, "-device", "scsi-hd,bus=scsi0.0,drive="+id+",id="+id)
	}
	if rec.HasConfig {
		a = append(a, "-drive", "if=none,id=drive-config,file="+path(ConfigISO)+",format=raw,readonly=on,media=cdrom",
			"-device", "ide-cd,drive=drive-config,id=config,bus=ide.0")
	}
	for i, n := range s.NICs {
		id := DevID("nic", n.PortID)
		model := NICModel(n.Model)
		dev := model + ",id=" + id + ",mac=" + n.MAC
		if h.PCIe() {
			dev += ",bus=" + Port(i)
		}
		if n.Tap != "" {
			// No vhost: the kernel's vhost-net is not used on this host.
			a = append(a, "-netdev", "tap,id=net-"+id+",ifname="+n.Tap+",script=no,downscript=no,vhost=off")
			dev += ",netdev=net-" + id
		}
		if n.MTU > 0 && model == "virtio-net-pci" {
			dev += ",host_mtu=" + strconv.Itoa(n.MTU)
		}
		a = append(a, "-device", dev)
	}
	if image.KernelPath != "" {
		a = append(a, "-kernel", image.KernelPath)
		if image.RamdiskPath != "" {
			a = append(a, "-initrd", image.RamdiskPath)
		}
		args := image.KernelArgs
		if args == "" {
			args = "console=ttyS0 root=/dev/vda"
		}
		a = append(a, "-append", args)
	}
	if incoming != "" {
		a = append(a, "-incoming", incoming)
	}
	return a
}

// LegacyHotplugPorts is how many empty PCIe root ports a q35 guest got
// for NICs plugged while it runs, besides the one port of each NIC it
// boots with (q35's root bus takes no hot-plugged device), before the
// number was a setting kept in the record (qemu.Options.HotplugPorts).
const LegacyHotplugPorts = 8

// SCSIPort is the QEMU id of a q35 guest's root port for its SCSI
// controller (Record.SCSI): always there, so that the controller sits in
// the same place whether it was plugged at boot or later.
const SCSIPort = "hpscsi"

// PCIe reports whether the machine type is PCI Express (q35), whose NICs
// sit on root ports of their own so that each can be unplugged.
func (h Host) PCIe() bool { return strings.Contains(h.Machine, "q35") }

// Port is the QEMU id of the guest's i-th PCIe root port; NIC i of the
// record is plugged into it at boot.
func Port(i int) string { return "hp" + strconv.Itoa(i) }

// rootPorts are the arguments of n PCIe root ports, packed eight to a
// slot of the root bus from slot 0x10, at fixed addresses so that the
// devices QEMU places itself never take them. Hot-plug is native PCIe
// (the guest's pciehp driver), not ACPI: QEMU then removes at once a
// device from a slot the guest never powered (a guest still in its
// firmware, or without an OS), where an ACPI unplug would wait forever.
// The ports reserve no I/O space, which the firmware has too little of
// for many bridges; virtio devices on PCIe need none.
func rootPorts(n int) []string {
	a := []string{"-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"}
	for i := range n {
		dev := fmt.Sprintf("pcie-root-port,id=%s,chassis=%d,bus=pcie.0,addr=0x%x.0x%x,io-reserve=0", Port(i), i+1, 0x10+i/8, i%8)
		if i%8 == 0 {
			dev += ",multifunction=on"
		}
		a = append(a, "-device", dev)
	}
	return a
}

// NICModel is the QEMU device of a NIC model: virtio-net-pci for virtio
// (the default), else the model as named (e1000, …).
func NICModel(model string) string {
	if model == "" || model == "virtio" {
		return "virtio-net-pci"
	}
	return model
}

// nameOr is the guest name QEMU shows: the instance's name with its
// commas doubled (QEMU's option syntax), or one made from its uuid.
func nameOr(name, uuid string) string {
	if name == "" {
		return "instance-" + uuid
	}
	return strings.ReplaceAll(name, ",", ",,")
}

// DevID is a short, stable QEMU id for a volume or port id, the same on
// the command line and in the hot-plug commands that name the device.
func DevID(prefix, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s-%08x", prefix, h.Sum32())
}
