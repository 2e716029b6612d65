// Package ring holds Swift's partition rings and their builder. A ring
// maps a hash_path to one of 2^part_power partitions (the top bits of
// the md5) and each partition to the devices of its replicas; for a
// failed primary it names handoffs in Swift's get_more_nodes order
// (another region first, then zone, then server, then any device). The
// Builder assigns partitions to devices by weight while spreading each
// partition's replicas over failure domains, moving as little as it can.
package ring

import (
	"compress/gzip"
	"crypto/md5"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Device is one disk of a storage node as the ring knows it.
type Device struct {
	ID              int     `json:"id"`
	Region          int     `json:"region"`
	Zone            int     `json:"zone"`
	IP              string  `json:"ip"`
	Port            int     `json:"port"`
	ReplicationIP   string  `json:"replication_ip"`
	ReplicationPort int     `json:"replication_port"`
	Device          string  `json:"device"`
	Weight          float64 `json:"weight"`
	Meta            string  `json:"meta"`
}

// noDev marks an unassigned replica slot.
const noDev = 0xffff

// maxDevID is the largest device id a ring holds: assignments are
// uint16, with noDev reserved.
const maxDevID = noDev - 1

// Ring is an immutable, loaded ring; it is safe for concurrent use.
type Ring struct {
	partPower int
	partShift uint
	devs      []*Device  // by id; nil for ids not in use
	r2p2d     [][]uint16 // replica → partition → device id

	// Counts of failure domains holding at least one partition, which
	// let Handoffs stop early once every domain has been named.
	numRegions, numZones, numIPs, numAssigned int
}

// file is the on-disk form of a ring: gzipped JSON.
type file struct {
	PartPower        int        `json:"part_power"`
	Replicas         int        `json:"replicas"`
	Devs             []*Device  `json:"devs"`
	Replica2Part2Dev [][]uint16 `json:"replica2part2dev"`
}

// newRing checks the assignment table and builds the bookkeeping.
func newRing(partPower int, devs []*Device, r2p2d [][]uint16) (*Ring, error) {
	if partPower < 0 || partPower > 32 {
		return nil, fmt.Errorf("ring: part power %d out of range", partPower)
	}
	if len(r2p2d) == 0 {
		return nil, errors.New("ring: no replicas")
	}
	parts := 1 << partPower
	for r, p2d := range r2p2d {
		if len(p2d) != parts {
			return nil, fmt.Errorf("ring: replica %d has %d partitions, want %d", r, len(p2d), parts)
		}
		for p, d := range p2d {
			if int(d) >= len(devs) || devs[d] == nil {
				return nil, fmt.Errorf("ring: partition %d replica %d names unknown device %d", p, r, d)
			}
		}
	}
	for i, d := range devs {
		if d != nil && d.ID != i {
			return nil, fmt.Errorf("ring: device at index %d has id %d", i, d.ID)
		}
	}
	r := &Ring{partPower: partPower, partShift: uint(32 - partPower), devs: devs, r2p2d: r2p2d}
	used := make([]bool, len(devs))
	for _, p2d := range r2p2d {
		for _, d := range p2d {
			used[d] = true
		}
	}
	type zone struct{ r, z int }
	type server struct {
		r, z int
		ip   string
	}
	regions, zones, ips := map[int]bool{}, map[zone]bool{}, map[server]bool{}
	for id, d := range devs {
		if d == nil || !used[id] {
			continue
		}
		r.numAssigned++
		regions[d.Region] = true
		zones[zone{d.Region, d.Zone}] = true
		ips[server{d.Region, d.Zone, d.IP}] = true
	}
	r.numRegions, r.numZones, r.numIPs = len(regions), len(zones), len(ips)
	return r, nil
}

// Load reads a ring file written by Save.
func Load(path string) (*Ring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("ring %s: %w", path, err)
	}
	var data file
	if err := json.NewDecoder(zr).Decode(&data); err != nil {
		return nil, fmt.Errorf("ring %s: %w", path, err)
	}
	if data.Replicas != len(data.Replica2Part2Dev) {
		return nil, fmt.Errorf("ring %s: %d replicas but %d assignment rows", path, data.Replicas, len(data.Replica2Part2Dev))
	}
	r, err := newRing(data.PartPower, data.Devs, data.Replica2Part2Dev)
	if err != nil {
		return nil, fmt.Errorf("ring %s: %w", path, err)
	}
	return r, nil
}

// Save writes the ring to path atomically: a crash leaves either the old
// ring or the new one.
func (r *Ring) Save(path string) error {
	return writeAtomic(path, func(w *os.File) error {
		zw := gzip.NewWriter(w)
		data := file{PartPower: r.partPower, Replicas: len(r.r2p2d), Devs: r.devs, Replica2Part2Dev: r.r2p2d}
		if err := json.NewEncoder(zw).Encode(&data); err != nil {
			return err
		}
		return zw.Close()
	})
}

// writeAtomic writes a file through a temporary file in the same
// directory, synced and renamed into place, then syncs the directory.
func writeAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// PartPower returns the ring's partition power.
func (r *Ring) PartPower() int { return r.partPower }

// Partitions returns the number of partitions, 2^PartPower.
func (r *Ring) Partitions() int { return len(r.r2p2d[0]) }

// Replicas returns the replica count.
func (r *Ring) Replicas() int { return len(r.r2p2d) }

// Devices returns the ring's devices, in id order.
func (r *Ring) Devices() []Device {
	var out []Device
	for _, d := range r.devs {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out
}

// Device returns the device with the given id.
func (r *Ring) Device(id int) (Device, bool) {
	if id < 0 || id >= len(r.devs) || r.devs[id] == nil {
		return Device{}, false
	}
	return *r.devs[id], true
}

// Part returns the partition of a hash_path given in hex (as
// swift.HashPath returns it): the top PartPower bits of the md5, as
// Swift's get_part. A malformed hash maps to partition 0.
func (r *Ring) Part(hashHex string) int {
	if len(hashHex) < 8 {
		return 0
	}
	var v uint32
	for i := 0; i < 8; i++ {
		c := hashHex[i]
		var n byte
		switch {
		case c >= '0' && c <= '9':
			n = c - '0'
		case c >= 'a' && c <= 'f':
			n = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			n = c - 'A' + 10
		default:
			return 0
		}
		v = v<<4 | uint32(n)
	}
	return int(uint64(v) >> r.partShift)
}

// PartOf returns the partition of a raw md5 digest.
func (r *Ring) PartOf(sum [md5.Size]byte) int {
	return int(uint64(binary.BigEndian.Uint32(sum[:4])) >> r.partShift)
}

// Nodes returns the primary devices of part, each once, in replica
// order. Position i is the node index Swift calls "index".
func (r *Ring) Nodes(part int) []Device {
	return r.AppendNodes(make([]Device, 0, len(r.r2p2d)), part)
}

// AppendNodes appends the primary devices of part to dst, so a caller on
// the request path can reuse a buffer.
func (r *Ring) AppendNodes(dst []Device, part int) []Device {
	if part < 0 || part >= len(r.r2p2d[0]) {
		return dst
	}
	start := len(dst)
	for _, p2d := range r.r2p2d {
		id := p2d[part]
		dup := false
		for _, d := range dst[start:] {
			if d.ID == int(id) {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, *r.devs[id])
		}
	}
	return dst
}

// PartNodes hashes account/container/object with the cluster's hash
// path prefix and suffix and returns the partition and its primaries.
func (r *Ring) PartNodes(account, container, object, prefix, suffix string) (int, []Device) {
	part := r.PartOf(swift.HashPathRaw(prefix, suffix, account, container, object))
	return part, r.Nodes(part)
}

// Handoffs yields the devices to try, in order, when primaries of part
// fail: as Swift's get_more_nodes, devices in regions no replica is in,
// then zones, then servers, then any other device, walking the
// partitions from a starting point derived from md5(part) so that the
// order is stable across ring changes.
func (r *Ring) Handoffs(part int) iter.Seq[Device] {
	return func(yield func(Device) bool) {
		if part < 0 || part >= len(r.r2p2d[0]) {
			return
		}
		type zone struct{ r, z int }
		type server struct {
			r, z int
			ip   string
		}
		used := map[int]bool{}
		regions, zones, ips := map[int]bool{}, map[zone]bool{}, map[server]bool{}
		for _, p2d := range r.r2p2d {
			d := r.devs[p2d[part]]
			used[d.ID] = true
			regions[d.Region] = true
			zones[zone{d.Region, d.Zone}] = true
			ips[server{d.Region, d.Zone, d.IP}] = true
		}
		parts := len(r.r2p2d[0])
		sum := md5.Sum([]byte(strconv.Itoa(part)))
		start := int(uint64(binary.BigEndian.Uint32(sum[:4])) >> r.partShift)
		inc := parts / 65536
		if inc == 0 {
			inc = 1
		}
		// walk visits the handoff partitions in Swift's order: from start
		// to the end in steps of inc, then around from the beginning.
		walk := func(visit func(dev *Device) (stop bool)) bool {
			for p := start; p < parts; p += inc {
				for _, p2d := range r.r2p2d {
					if visit(r.devs[p2d[p]]) {
						return true
					}
				}
			}
			for p := inc - ((parts - start) % inc); p < start; p += inc {
				for _, p2d := range r.r2p2d {
					if visit(r.devs[p2d[p]]) {
						return true
					}
				}
			}
			return false
		}
		stopped := false
		// emit yields d and records it; it reports whether the caller
		// stopped.
		emit := func(d *Device) bool {
			used[d.ID] = true
			regions[d.Region] = true
			zones[zone{d.Region, d.Zone}] = true
			ips[server{d.Region, d.Zone, d.IP}] = true
			if !yield(*d) {
				stopped = true
			}
			return stopped
		}
		passes := []struct {
			done  func() bool
			fresh func(d *Device) bool
		}{
			{func() bool { return len(regions) >= r.numRegions }, func(d *Device) bool { return !regions[d.Region] }},
			{func() bool { return len(zones) >= r.numZones }, func(d *Device) bool { return !zones[zone{d.Region, d.Zone}] }},
			{func() bool { return len(ips) >= r.numIPs }, func(d *Device) bool { return !ips[server{d.Region, d.Zone, d.IP}] }},
			{func() bool { return len(used) >= r.numAssigned }, func(d *Device) bool { return true }},
		}
		for _, pass := range passes {
			if pass.done() {
				continue
			}
			walk(func(d *Device) bool {
				if used[d.ID] || !pass.fresh(d) {
					return false
				}
				return emit(d) || pass.done()
			})
			if stopped {
				return
			}
		}
	}
}
