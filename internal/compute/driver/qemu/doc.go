// Package qemu is the compute driver that runs each instance as its own
// QEMU process on this host.
//
//	agent ──► Driver ──► disk (qemu-img, genisoimage) ──► StateDir/instances/<uuid>/ (instdir)
//	            │
//	            ├──► vm: qemu-system-x86_64 -daemonize … (one per instance)
//	            │         ▲
//	            └── qmp ──┘ one monitor connection per instance
//
// The Driver keeps the instances' state machine (which operation may run
// in which state, one at a time) and their resources; its subpackages do
// the rest: qmp is its own QMP client, vm starts, re-attaches and stops
// QEMU processes, instdir is an instance directory's files, record and
// command line, hotplug plugs devices into running guests, disk makes
// the disks and the config drive, imagecache keeps Glance images on the
// host, probe finds out whether KVM really runs guests, proc reads /proc.
//
// Start re-attaches to the guests a previous agent left running (their
// QEMU outlives it); a guest whose process is gone is reported Shutdown,
// and directories of spawns that never finished are removed.
//
// Guest changes the driver did not ask for arrive as QMP events: a
// guest-initiated SHUTDOWN followed by the process exiting is
// EventStopped, an exit without one is EventCrashed, STOP/RESUME outside
// an operation are EventPaused/EventResumed. Info and ListInstances also
// check the process, so a crash is seen at once.
//
// A boot volume is virtio-blk; package hotplug says how other volumes
// and NICs (tap devices of the network agent) are plugged while the
// guest runs, and why a NIC's unplug may fail.
//
// Migration: cold migration moves the directory to StateDir/migrating
// and the destination copies its disks, so both drivers must see the
// same file system (one machine, or a shared instances path). Live
// migration starts the destination with -incoming defer on a free port,
// then the source runs QMP migrate with blk+inc (block migration of the
// overlays over a shared base image; deprecated after QEMU 8 but present
// in 7.2) and quits once it completes.
package qemu
