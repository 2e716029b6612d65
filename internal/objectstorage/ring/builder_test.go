package ring

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func dev(region, zone int, ip, name string, weight float64) Device {
	return Device{ID: -1, Region: region, Zone: zone, IP: ip, Port: 6200, Device: name, Weight: weight}
}

func testBuilder(t testing.TB, partPower, replicas int, devs []Device) *Builder {
	t.Helper()
	b, err := NewBuilder(partPower, replicas, 1)
	if err != nil {
		t.Fatal(err)
	}
	b.SetSeed(7)
	for _, d := range devs {
		if _, err := b.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	return b
}

// checkDistinct fails unless every partition has its replicas on
// distinct devices.
func checkDistinct(t *testing.T, b *Builder) {
	t.Helper()
	for p := range b.parts() {
		seen := map[uint16]bool{}
		for _, p2d := range b.r2p2d {
			id := p2d[p]
			if id == noDev || seen[id] {
				t.Fatalf("partition %d: replicas %v", p, column(b, p))
			}
			seen[id] = true
		}
	}
}

func column(b *Builder, p int) []uint16 {
	var out []uint16
	for _, p2d := range b.r2p2d {
		out = append(out, p2d[p])
	}
	return out
}

func TestThreeDevicesThreeReplicas(t *testing.T) {
	b := testBuilder(t, 6, 3, []Device{
		dev(1, 1, "10.0.0.1", "sda", 100), dev(1, 1, "10.0.0.1", "sdb", 100), dev(1, 1, "10.0.0.1", "sdc", 100),
	})
	r, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	for p := range r.Partitions() {
		if n := r.Nodes(p); len(n) != 3 {
			t.Fatalf("partition %d on %v", p, n)
		}
	}
	if b.Balance() != 0 {
		t.Errorf("balance %v", b.Balance())
	}
}

func TestRebalanceNeedsDevices(t *testing.T) {
	b, _ := NewBuilder(4, 3, 1)
	b.Add(dev(1, 1, "10.0.0.1", "sda", 100))
	b.Add(dev(1, 1, "10.0.0.1", "sdb", 0))
	b.Add(dev(1, 1, "10.0.0.1", "sdc", 100))
	if _, _, err := b.Rebalance(); !errors.Is(err, ErrTooFewDevices) {
		t.Errorf("err = %v", err)
	}
	if _, err := b.Ring(); err == nil {
		t.Error("a never balanced builder made a ring")
	}
}

func TestBuilderValidation(t *testing.T) {
	for _, args := range [][3]int{{0, 3, 1}, {25, 3, 1}, {8, 0, 1}, {8, 3, -1}} {
		if _, err := NewBuilder(args[0], args[1], args[2]); err == nil {
			t.Errorf("NewBuilder%v accepted", args)
		}
	}
	b, _ := NewBuilder(4, 1, 1)
	id, err := b.Add(dev(1, 1, "10.0.0.1", "sda", 1))
	if err != nil || id != 0 {
		t.Fatal(id, err)
	}
	for name, d := range map[string]Device{
		"same device":  dev(1, 1, "10.0.0.1", "sda", 1),
		"negative":     dev(1, 1, "10.0.0.1", "sdx", -1),
		"no ip":        dev(1, 1, "", "sdx", 1),
		"duplicate id": {ID: 0, IP: "10.0.0.9", Port: 1, Device: "x", Weight: 1},
		"no such port": {ID: -1, IP: "10.0.0.9", Port: 70000, Device: "x", Weight: 1},
	} {
		if _, err := b.Add(d); err == nil {
			t.Errorf("Add(%s) accepted", name)
		}
	}
	if err := b.SetWeight(9, 1); err == nil {
		t.Error("SetWeight of unknown device")
	}
	if err := b.Remove(0); err != nil {
		t.Fatal(err)
	}
	if err := b.SetWeight(0, 5); err == nil {
		t.Error("SetWeight of a device marked for removal")
	}
	if err := b.Remove(0); err == nil {
		t.Error("removed twice")
	}
	// A freed id is reused.
	b2, _ := NewBuilder(4, 1, 1)
	b2.Add(dev(1, 1, "10.0.0.1", "sda", 1))
	b2.Add(dev(1, 1, "10.0.0.1", "sdb", 1))
	b2.Rebalance()
	b2.Remove(0)
	b2.Rebalance()
	if id, _ := b2.Add(dev(1, 1, "10.0.0.1", "sdc", 1)); id != 0 {
		t.Errorf("new id %d, want the freed 0", id)
	}
}

// randomTopology returns devices over regions, zones and servers with
// random weights.
func randomTopology(r *rand.Rand) []Device {
	var devs []Device
	regions := 1 + r.IntN(2)
	for reg := 1; reg <= regions; reg++ {
		zones := 1 + r.IntN(4)
		for z := 1; z <= zones; z++ {
			servers := 1 + r.IntN(3)
			for s := 1; s <= servers; s++ {
				disks := 1 + r.IntN(4)
				for d := range disks {
					w := []float64{50, 100, 100, 200}[r.IntN(4)]
					devs = append(devs, dev(reg, z, fmt.Sprintf("10.%d.%d.%d", reg, z, s), fmt.Sprintf("sd%c", 'a'+d), w))
				}
			}
		}
	}
	return devs
}

// TestRebalanceProperties checks, over many random clusters, that every
// partition has its replicas on distinct devices and that all replicas
// are assigned.
func TestRebalanceProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		devs := randomTopology(r)
		replicas := 1 + r.IntN(3)
		if len(devs) < replicas {
			continue
		}
		b, _ := NewBuilder(6+r.IntN(4), replicas, 1)
		b.SetSeed(uint64(i))
		for _, d := range devs {
			if _, err := b.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := b.Rebalance(); err != nil {
			t.Fatalf("cluster %d (%d devs, %d replicas): %v", i, len(devs), replicas, err)
		}
		checkDistinct(t, b)
		total := 0
		for _, d := range b.Devices() {
			total += d.Parts
		}
		if total != b.parts()*replicas {
			t.Fatalf("cluster %d: %d parts assigned, want %d", i, total, b.parts()*replicas)
		}
		// Change a weight and remove a device; the invariants hold.
		b.PretendMinPartHoursPassed()
		b.SetWeight(0, 300)
		if len(devs) > replicas+1 {
			b.Remove(len(devs) - 1)
		}
		if _, _, err := b.Rebalance(); err != nil {
			t.Fatalf("cluster %d second rebalance: %v", i, err)
		}
		checkDistinct(t, b)
	}
}

// TestBalanceFollowsWeight: in a large ring whose failure domains do not
// constrain it, every device holds its weight's share to within 1%.
func TestBalanceFollowsWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5 {
		var devs []Device
		for z := 1; z <= 4; z++ {
			for s := 1; s <= 3; s++ {
				devs = append(devs, dev(1, z, fmt.Sprintf("10.0.%d.%d", z, s), "sda", float64(80+r.IntN(60))))
			}
		}
		b, _ := NewBuilder(14, 3, 1)
		b.SetSeed(uint64(i))
		for _, d := range devs {
			b.Add(d)
		}
		if _, bal, err := b.Rebalance(); err != nil || bal > 1 {
			t.Errorf("topology %d: balance %.3f%%, err %v", i, bal, err)
			for _, d := range b.Devices() {
				t.Logf("dev %d zone %d weight %v parts %d balance %.2f", d.ID, d.Zone, d.Weight, d.Parts, d.Balance)
			}
		}
	}
}

// TestZonesSpread: with at least as many equal zones as replicas, no
// partition has two replicas in one zone; with regions, none has all in
// one region.
func TestZonesSpread(t *testing.T) {
	var devs []Device
	for reg := 1; reg <= 2; reg++ {
		for z := 1; z <= 3; z++ {
			for d := range 3 {
				devs = append(devs, dev(reg, z, fmt.Sprintf("10.%d.%d.1", reg, z), fmt.Sprintf("sd%c", 'a'+d), 100))
			}
		}
	}
	b := testBuilder(t, 10, 3, devs)
	for p := range b.parts() {
		zones := map[[2]int]bool{}
		regions := map[int]bool{}
		for _, id := range column(b, p) {
			d := b.devs[id]
			if zones[[2]int{d.Region, d.Zone}] {
				t.Fatalf("partition %d has two replicas in region %d zone %d", p, d.Region, d.Zone)
			}
			zones[[2]int{d.Region, d.Zone}] = true
			regions[d.Region] = true
		}
		if len(regions) != 2 {
			t.Fatalf("partition %d in one region", p)
		}
	}
	if b.Dispersion() != 0 {
		t.Errorf("dispersion %v", b.Dispersion())
	}
}

// TestAddingDeviceMovesItsShare: a new device takes about its weight's
// share of partition-replicas, no partition moves more than one replica,
// and the other devices give up what they must and no more.
func TestAddingDeviceMovesItsShare(t *testing.T) {
	var devs []Device
	for z := 1; z <= 5; z++ {
		devs = append(devs, dev(1, z, fmt.Sprintf("10.0.0.%d", z), "sda", 100), dev(1, z, fmt.Sprintf("10.0.0.%d", z), "sdb", 100))
	}
	b := testBuilder(t, 12, 3, devs)
	before := cloneTable(b.r2p2d)
	id, _ := b.Add(dev(1, 6, "10.0.0.6", "sda", 100))
	b.PretendMinPartHoursPassed()
	changed, _, err := b.Rebalance()
	if err != nil {
		t.Fatal(err)
	}
	share := float64(b.parts()*3) / 11
	got := b.Devices()[id].Parts
	if math.Abs(float64(got)-share) > share*0.02 {
		t.Errorf("new device has %d parts, want about %.0f", got, share)
	}
	if float64(changed) > share*1.05 {
		t.Errorf("%d partition-replicas moved for a share of %.0f", changed, share)
	}
	for p := range b.parts() {
		moved := 0
		for r := range 3 {
			if before[r][p] != b.r2p2d[r][p] {
				moved++
			}
		}
		if moved > 1 {
			t.Fatalf("partition %d moved %d replicas in one rebalance", p, moved)
		}
	}
	checkDistinct(t, b)
}

func cloneTable(t [][]uint16) [][]uint16 {
	out := make([][]uint16, len(t))
	for i := range t {
		out[i] = append([]uint16(nil), t[i]...)
	}
	return out
}

// TestMinPartHours: right after a rebalance nothing moves for a weight
// change, but a removed device's partitions move at once.
func TestMinPartHours(t *testing.T) {
	var devs []Device
	for z := 1; z <= 4; z++ {
		devs = append(devs, dev(1, z, fmt.Sprintf("10.0.0.%d", z), "sda", 100))
	}
	b := testBuilder(t, 8, 3, devs)
	b.Add(dev(1, 5, "10.0.0.5", "sda", 100))
	changed, _, err := b.Rebalance()
	if err != nil || changed != 0 {
		t.Errorf("within min_part_hours: %d moved, %v", changed, err)
	}
	held := b.Devices()[1].Parts
	if err := b.Remove(1); err != nil {
		t.Fatal(err)
	}
	changed, _, err = b.Rebalance()
	if err != nil || changed != held {
		t.Errorf("removal moved %d, want the %d device 1 held (%v)", changed, held, err)
	}
	for _, d := range b.Devices() {
		if d.ID == 1 {
			t.Error("removed device still there")
		}
	}
	checkDistinct(t, b)
	// A weight change waits for min_part_hours.
	if err := b.SetWeight(0, 200); err != nil {
		t.Fatal(err)
	}
	if changed, _, err := b.Rebalance(); err != nil || changed != 0 {
		t.Errorf("weight change within min_part_hours: %d moved, %v", changed, err)
	}
	later := time.Unix(b.lastPartMovesEpoch+3601, 0)
	b.now = func() time.Time { return later }
	if changed, _, err := b.Rebalance(); err != nil || changed == 0 {
		t.Errorf("after min_part_hours: %d moved, %v", changed, err)
	}
	checkDistinct(t, b)
}

func TestBuilderSaveLoad(t *testing.T) {
	b := testBuilder(t, 6, 2, []Device{dev(1, 1, "10.0.0.1", "sda", 100), dev(1, 2, "10.0.0.2", "sda", 50), dev(1, 3, "10.0.0.3", "sdb", 100)})
	b.Remove(2)
	b.SetOverload(0.1)
	path := filepath.Join(t.TempDir(), "object.builder")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadBuilder(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.PartPower() != 6 || back.Replicas() != 2 || back.MinPartHours() != 1 || back.Overload() != 0.1 ||
		len(back.Devices()) != 3 || back.Devices()[1].Weight != 50 || len(back.removeDevs) != 1 {
		t.Errorf("loaded builder differs: %+v", back.Devices())
	}
	r1, _ := b.Ring()
	r2, _ := back.Ring()
	for p := range 64 {
		if fmt.Sprint(r1.Nodes(p)) != fmt.Sprint(r2.Nodes(p)) {
			t.Fatalf("partition %d differs", p)
		}
	}
	back.SetSeed(1)
	if _, _, err := back.Rebalance(); err != nil {
		t.Fatal(err)
	}
	checkDistinct(t, back)
}

// TestBalanceMatchesSwift: on random clusters our builder reaches the
// balance and dispersion Swift's RingBuilder reaches
// (testdata/builder_golden.json, from testdata/gen_builder_golden.py).
func TestBalanceMatchesSwift(t *testing.T) {
	raw, err := os.ReadFile("testdata/builder_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Devs       []Device
		Balance    float64
		Dispersion float64
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		b, _ := NewBuilder(10, 3, 1)
		b.SetSeed(1)
		for _, d := range c.Devs {
			d.ID = -1
			if _, err := b.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		_, bal, err := b.Rebalance()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if bal > c.Balance+0.5 || b.Dispersion() > c.Dispersion+0.5 {
			t.Errorf("case %d (%d devices): balance %.2f dispersion %.2f, Swift reaches %.2f %.2f",
				i, len(c.Devs), bal, b.Dispersion(), c.Balance, c.Dispersion)
		}
		checkDistinct(t, b)
	}
}

// TestSetAddress: a device moved to another port keeps its partitions,
// and the ring built next names the new address.
func TestSetAddress(t *testing.T) {
	b, err := NewBuilder(6, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := b.Add(Device{ID: -1, Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: 6200, Device: fmt.Sprintf("d%d", i+1), Weight: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	before, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetAddress(1, "127.0.0.1", 7200); err != nil {
		t.Fatal(err)
	}
	if err := b.SetAddress(9, "127.0.0.1", 7200); err == nil {
		t.Error("SetAddress of a device that does not exist succeeded")
	}
	after, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	for part := range 1 << 6 {
		x, y := before.Nodes(part), after.Nodes(part)
		for i := range x {
			if x[i].ID != y[i].ID {
				t.Fatalf("partition %d moved: %v → %v", part, x[i].ID, y[i].ID)
			}
			if y[i].ID == 1 && (y[i].Port != 7200 || y[i].ReplicationPort != 7200) {
				t.Fatalf("device 1 in the new ring: %+v", y[i])
			}
		}
	}
}
