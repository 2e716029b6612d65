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
		"-device", "virtio-scsi-pci,id=scsi0",
		"-boot", "strict=on",
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
	for _, n := range s.NICs {
		id := DevID("nic", n.PortID)
		model := n.Model
		if model == "" || model == "virtio" {
			model = "virtio-net-pci"
		}
		dev := model + ",id=" + id + ",mac=" + n.MAC
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
