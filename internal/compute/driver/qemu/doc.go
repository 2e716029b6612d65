// Package qemu is the compute driver that runs each instance as its own
// QEMU process, driven through a small QMP client of its own (the Go
// module proxy serves neither go-qemu nor go-libvirt).
//
//	agent ──► Driver ──► qemu-img (disks), genisoimage (config drive)
//	            │
//	            ├──► qemu-system-x86_64 -daemonize … (one per instance)
//	            │         ▲
//	            └── QMP ──┘ one connection per instance, re-dialled by Start
//
// Each instance lives in StateDir/instances/<uuid>/:
//
//	spec.json     the record: spec (without secrets), power state, rescue, migration flags
//	disk          root disk: qcow2 overlay on the cached image (or a raw copy)
//	disk.eph0     ephemeral disk (qcow2), disk.swap swap (raw, mkswap'd)
//	disk.config   config drive, ISO 9660 labelled config-2, on an IDE cdrom
//	disk.rescue   the rescue overlay while rescued
//	qmp.sock      the monitor; qemu.pid; console.log (serial port 0)
//	memory.state  the saved guest while suspended
//
// Process model: QEMU is started with -daemonize. The parent exits once the
// guest is set up, with start-up errors on its stderr and in its status,
// which Spawn returns; the guest process runs in its own session,
// re-parented to init, so it outlives the agent. Start scans StateDir,
// checks each pid is alive and is our QEMU (its command line holds the
// uuid), and reconnects QMP; a guest whose process is gone is reported
// Shutdown, and directories of spawns that never finished are removed.
//
// Acceleration: Options.Accel "auto" boots a 512-byte probe guest under
// KVM that prints a marker and exits QEMU through isa-debug-exit; only if
// that works is KVM used, else TCG. Opening /dev/kvm or query-kvm is not
// enough: a paravirtual /dev/kvm can create VMs that never run.
//
// Guest changes the driver did not ask for arrive as QMP events: a
// guest-initiated SHUTDOWN followed by the process exiting is
// EventStopped, an exit without one is EventCrashed, STOP/RESUME outside
// an operation are EventPaused/EventResumed. Info and ListInstances also
// check the process, so a crash is seen at once.
//
// Volumes are plugged as scsi-hd on a virtio-scsi controller, whose
// unplug needs no help from the guest; a boot volume is virtio-blk.
// Interface hot-plug is not offered: PCI(e) unplug needs the guest to
// acknowledge it, so DetachInterface cannot be made reliable (NICs given
// at spawn, tap devices owned by the network agent, are plugged without
// vhost).
//
// Migration: cold migration moves the directory to StateDir/migrating
// and the destination copies its disks, so both drivers must see the
// same file system (one machine, or a shared instances path). Live
// migration starts the destination with -incoming defer on a free port,
// then the source runs QMP migrate with blk+inc (block migration of the
// overlays over a shared base image; deprecated after QEMU 8 but present
// in 7.2) and quits once it completes.
package qemu
