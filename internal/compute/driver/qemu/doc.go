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
// an operation are EventPaused/EventResumed; Info checks the process too.
//
// The console log is capped (instdir.Trimmer); hosts sharing the machine
// split it in Placement (inventory.Share).
//
// A boot volume is virtio-blk; package hotplug plugs other volumes and
// NICs into running guests (instdir.Record says which machine a guest has).
//
// Migration moves disks over the network, never a shared path (package
// nbd). Cold migration and resize: the source stops the guest, moves its
// directory to StateDir/migrating and serves its files read-only with
// qemu-storage-daemon; the destination pulls them with qemu-img convert
// (the root overlay rebased onto its own cached image, or folded in when
// it has none); confirm or revert stops the server. Live migration starts
// the destination paused (-S, -incoming defer) with its writable disks
// exported on its own NBD server; the source mirrors each disk into them
// (write-blocking), sends the memory without block migration (removed in
// QEMU 9.1), ends the mirrors once that completed and hands its console
// log over; the destination stops its NBD server and continues the guest.
package qemu
