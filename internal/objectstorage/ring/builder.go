package ring

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"
)

// maxBalance is the balance Swift shows for a device with partitions but
// no weight.
const maxBalance = 999.99

// maxGatherCount bounds the gather-and-place rounds of one rebalance.
const maxGatherCount = 3

// ErrTooFewDevices is wrapped by Rebalance when there are fewer weighted
// devices than replicas.
var ErrTooFewDevices = errors.New("too few devices")

// bdev is a device as the builder tracks it.
type bdev struct {
	Device
	parts       int
	partsWanted int
	tiers       [4]tier
}

// Builder builds a ring: it keeps the devices, the current assignment
// and when each partition last moved, and rebalances on demand.
type Builder struct {
	partPower    int
	replicas     int
	minPartHours int
	overload     float64

	devs       []*bdev // by id; nil for free ids
	removeDevs []int   // ids marked for removal at the next rebalance
	r2p2d      [][]uint16

	// lastPartMoves counts the hours since each partition last moved,
	// saturating at 255, as of lastPartMovesEpoch.
	lastPartMoves      []byte
	lastPartMovesEpoch int64
	lastGatherStart    int
	version            int
	devsChanged        bool
	dispersion         float64

	moved []bool // partitions moved in the current rebalance
	rng   *rand.Rand
	now   func() time.Time
}

// NewBuilder returns an empty builder for 2^partPower partitions of
// replicas replicas, moving a partition at most once per minPartHours.
func NewBuilder(partPower, replicas, minPartHours int) (*Builder, error) {
	switch {
	case partPower < 1 || partPower > 24:
		// Above 24 the assignment table no longer fits a sensible file.
		return nil, fmt.Errorf("part_power must be between 1 and 24, not %d", partPower)
	case replicas < 1:
		return nil, fmt.Errorf("replicas must be at least 1, not %d", replicas)
	case minPartHours < 0 || minPartHours > 255:
		return nil, fmt.Errorf("min_part_hours must be between 0 and 255, not %d", minPartHours)
	}
	return &Builder{
		partPower:     partPower,
		replicas:      replicas,
		minPartHours:  minPartHours,
		lastPartMoves: make([]byte, 1<<partPower),
		devsChanged:   true,
	}, nil
}

func (b *Builder) parts() int { return 1 << b.partPower }

// PartPower returns the partition power.
func (b *Builder) PartPower() int { return b.partPower }

// Replicas returns the replica count.
func (b *Builder) Replicas() int { return b.replicas }

// MinPartHours returns the minimum hours between moves of a partition.
func (b *Builder) MinPartHours() int { return b.minPartHours }

// Overload returns the overload fraction (0.1 is 10%).
func (b *Builder) Overload() float64 { return b.overload }

// Dispersion returns the percentage of partition-replicas that the last
// rebalance left in a failure domain holding more than its share.
func (b *Builder) Dispersion() float64 { return b.dispersion }

// Version counts the builder's changes.
func (b *Builder) Version() int { return b.version }

// SetOverload lets devices take up to the fraction f more partitions
// than their weight earns, when that buys wider dispersion.
func (b *Builder) SetOverload(f float64) error {
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("overload must be a non-negative number, not %v", f)
	}
	b.overload = f
	b.version++
	return nil
}

// SetSeed makes the next rebalances deterministic (for tests and
// reproducible builds).
func (b *Builder) SetSeed(seed uint64) { b.rng = rand.New(rand.NewPCG(seed, seed^0x5eed)) }

// PretendMinPartHoursPassed lets every partition move at the next
// rebalance, as swift-ring-builder's pretend_min_part_hours_passed.
func (b *Builder) PretendMinPartHoursPassed() {
	b.lastPartMovesEpoch = 0
	for i := range b.lastPartMoves {
		b.lastPartMoves[i] = 0xff
	}
}

// DeviceInfo is a device with the partitions it holds and its balance.
type DeviceInfo struct {
	Device
	Parts   int
	Balance float64
}

// Devices returns the builder's devices in id order, with their
// partition counts and balance.
func (b *Builder) Devices() []DeviceInfo {
	wop, _ := b.weightOfOnePart()
	var out []DeviceInfo
	for _, d := range b.devs {
		if d != nil {
			out = append(out, DeviceInfo{Device: d.Device, Parts: d.parts, Balance: devBalance(d, wop)})
		}
	}
	return out
}

// Add adds a device and returns its id. A device given a negative ID
// takes the lowest free id. The device joins the ring at the next
// rebalance.
func (b *Builder) Add(d Device) (int, error) {
	if d.ID < 0 {
		d.ID = len(b.devs)
		for i, x := range b.devs {
			if x == nil {
				d.ID = i
				break
			}
		}
	}
	switch {
	case d.ID > maxDevID:
		return 0, fmt.Errorf("device id %d is too large", d.ID)
	case d.ID < len(b.devs) && b.devs[d.ID] != nil:
		return 0, fmt.Errorf("duplicate device id: %d", d.ID)
	case d.Weight < 0 || math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0):
		return 0, fmt.Errorf("invalid weight %v", d.Weight)
	case d.IP == "" || d.Device == "" || d.Port <= 0 || d.Port > 65535:
		return 0, fmt.Errorf("a device needs an ip, a port and a device name")
	}
	if d.ReplicationIP == "" {
		d.ReplicationIP = d.IP
	}
	if d.ReplicationPort == 0 {
		d.ReplicationPort = d.Port
	}
	for _, x := range b.devs {
		if x != nil && x.IP == d.IP && x.Port == d.Port && x.Device.Device == d.Device {
			return 0, fmt.Errorf("device %d already uses %s:%d/%s", x.ID, d.IP, d.Port, d.Device)
		}
	}
	for d.ID >= len(b.devs) {
		b.devs = append(b.devs, nil)
	}
	b.devs[d.ID] = &bdev{Device: d}
	b.devsChanged = true
	b.version++
	return d.ID, nil
}

func (b *Builder) dev(id int) (*bdev, error) {
	if id < 0 || id >= len(b.devs) || b.devs[id] == nil {
		return nil, fmt.Errorf("no device with id %d", id)
	}
	return b.devs[id], nil
}

// Remove marks a device for removal: it loses its weight now and leaves
// the ring at the next rebalance, which moves all its partitions.
func (b *Builder) Remove(id int) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if slices.Contains(b.removeDevs, id) {
		return fmt.Errorf("device %d is already marked for removal", id)
	}
	d.Weight = 0
	b.removeDevs = append(b.removeDevs, id)
	b.devsChanged = true
	b.version++
	return nil
}

// SetWeight changes a device's weight.
func (b *Builder) SetWeight(id int, w float64) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if slices.Contains(b.removeDevs, id) {
		return fmt.Errorf("can not set weight of dev_id %d because it is marked for removal", id)
	}
	if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return fmt.Errorf("invalid weight %v", w)
	}
	d.Weight = w
	b.devsChanged = true
	b.version++
	return nil
}

// SetAddress moves a device to another address (swift-ring-builder's
// set_info): the same disk served from a new IP or port keeps its
// partitions, so nothing moves; the next Ring carries the address.
func (b *Builder) SetAddress(id int, ip string, port int) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if ip == "" || port <= 0 || port > 65535 {
		return fmt.Errorf("invalid address %s:%d", ip, port)
	}
	for _, x := range b.devs {
		if x != nil && x.ID != id && x.IP == ip && x.Port == port && x.Device.Device == d.Device.Device {
			return fmt.Errorf("device %d already uses %s:%d/%s", x.ID, ip, port, d.Device.Device)
		}
	}
	if d.ReplicationIP == d.IP && d.ReplicationPort == d.Port {
		d.ReplicationIP, d.ReplicationPort = ip, port
	}
	d.IP, d.Port = ip, port
	b.version++
	return nil
}

// Balance returns the ring's balance: the largest percentage by which a
// device holds more or fewer partitions than its weight earns.
func (b *Builder) Balance() float64 {
	wop, err := b.weightOfOnePart()
	if err != nil {
		return 0
	}
	most := 0.0
	for _, d := range b.devs {
		if d != nil {
			most = math.Max(most, math.Abs(devBalance(d, wop)))
		}
	}
	return most
}

func devBalance(d *bdev, wop float64) float64 {
	if d.Weight == 0 {
		if d.parts > 0 {
			return maxBalance
		}
		return 0
	}
	return 100*float64(d.parts)/(d.Weight*wop) - 100
}

// Ring returns the ring the builder's last rebalance made.
func (b *Builder) Ring() (*Ring, error) {
	if b.r2p2d == nil {
		return nil, errors.New("the builder has never been rebalanced")
	}
	devs := make([]*Device, len(b.devs))
	for i, d := range b.devs {
		if d != nil {
			c := d.Device
			devs[i] = &c
		}
	}
	r2p2d := make([][]uint16, len(b.r2p2d))
	for i, p2d := range b.r2p2d {
		r2p2d[i] = slices.Clone(p2d)
	}
	return newRing(b.partPower, devs, r2p2d)
}

// builderFile is the builder's saved state.
type builderFile struct {
	PartPower          int        `json:"part_power"`
	Replicas           int        `json:"replicas"`
	MinPartHours       int        `json:"min_part_hours"`
	Overload           float64    `json:"overload"`
	Devs               []*devFile `json:"devs"`
	RemoveDevs         []int      `json:"remove_devs"`
	Replica2Part2Dev   [][]uint16 `json:"replica2part2dev"`
	LastPartMoves      []byte     `json:"last_part_moves"`
	LastPartMovesEpoch int64      `json:"last_part_moves_epoch"`
	LastGatherStart    int        `json:"last_part_gather_start"`
	Version            int        `json:"version"`
	DevsChanged        bool       `json:"devs_changed"`
	Dispersion         float64    `json:"dispersion"`
}

type devFile struct {
	Device
	Parts int `json:"parts"`
}

// Save writes the builder's state to path atomically.
func (b *Builder) Save(path string) error {
	f := builderFile{
		PartPower: b.partPower, Replicas: b.replicas, MinPartHours: b.minPartHours, Overload: b.overload,
		RemoveDevs: b.removeDevs, Replica2Part2Dev: b.r2p2d, LastPartMoves: b.lastPartMoves,
		LastPartMovesEpoch: b.lastPartMovesEpoch, LastGatherStart: b.lastGatherStart,
		Version: b.version, DevsChanged: b.devsChanged, Dispersion: b.dispersion,
	}
	f.Devs = make([]*devFile, len(b.devs))
	for i, d := range b.devs {
		if d != nil {
			f.Devs[i] = &devFile{Device: d.Device, Parts: d.parts}
		}
	}
	return writeAtomic(path, func(w *os.File) error {
		return json.NewEncoder(w).Encode(&f)
	})
}

// LoadBuilder reads a builder saved by Save.
func LoadBuilder(path string) (*Builder, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f builderFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("builder %s: %w", path, err)
	}
	b, err := NewBuilder(f.PartPower, f.Replicas, f.MinPartHours)
	if err != nil {
		return nil, fmt.Errorf("builder %s: %w", path, err)
	}
	b.overload, b.removeDevs, b.lastPartMovesEpoch = f.Overload, f.RemoveDevs, f.LastPartMovesEpoch
	b.lastGatherStart, b.version, b.devsChanged, b.dispersion = f.LastGatherStart, f.Version, f.DevsChanged, f.Dispersion
	if len(f.LastPartMoves) == b.parts() {
		b.lastPartMoves = f.LastPartMoves
	}
	b.devs = make([]*bdev, len(f.Devs))
	for i, d := range f.Devs {
		if d == nil {
			continue
		}
		if d.ID != i {
			return nil, fmt.Errorf("builder %s: device at index %d has id %d", path, i, d.ID)
		}
		b.devs[i] = &bdev{Device: d.Device, parts: d.Parts}
	}
	if f.Replica2Part2Dev != nil {
		if len(f.Replica2Part2Dev) != f.Replicas {
			return nil, fmt.Errorf("builder %s: %d assignment rows for %d replicas", path, len(f.Replica2Part2Dev), f.Replicas)
		}
		for _, p2d := range f.Replica2Part2Dev {
			if len(p2d) != b.parts() {
				return nil, fmt.Errorf("builder %s: assignment row of %d partitions, want %d", path, len(p2d), b.parts())
			}
			for _, id := range p2d {
				if id != noDev && (int(id) >= len(b.devs) || b.devs[id] == nil) {
					return nil, fmt.Errorf("builder %s: assignment names unknown device %d", path, id)
				}
			}
		}
		b.r2p2d = f.Replica2Part2Dev
	}
	return b, nil
}
