package node

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/ring"
)

// TestEnsureRings: the first start builds the rings of the node's own
// devices; a later start on other ports moves the devices without moving
// a partition; rings an operator built are never touched.
func TestEnsureRings(t *testing.T) {
	dir := t.TempDir()
	l := Local{Devices: []string{"d1", "d2", "d3"}, IP: "127.0.0.1", Ports: map[string]int{"account": 6202, "container": 6201, "object": 6200}, PartPower: 6, Replicas: 3}
	if err := EnsureRings(dir, l); err != nil {
		t.Fatal(err)
	}
	before, err := ring.Load(filepath.Join(dir, "object.ring.gz"))
	if err != nil {
		t.Fatal(err)
	}
	l.Ports = map[string]int{"account": 7202, "container": 7201, "object": 7200}
	if err := EnsureRings(dir, l); err != nil {
		t.Fatal(err)
	}
	after, err := ring.Load(filepath.Join(dir, "object.ring.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for part := range 1 << 6 {
		x, y := before.Nodes(part), after.Nodes(part)
		for i := range x {
			if x[i].ID != y[i].ID || y[i].Port != 7200 {
				t.Fatalf("partition %d: %+v → %+v; want the same devices on port 7200", part, x[i], y[i])
			}
		}
	}

	// An operator's rings (no mark) stay as they are.
	op := t.TempDir()
	b, err := ring.NewBuilder(6, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: 1, IP: "10.0.0.5", Port: 6200, Device: "d1", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(filepath.Join(op, "object.builder")); err != nil {
		t.Fatal(err)
	}
	if err := EnsureRings(op, l); err != nil {
		t.Fatal(err)
	}
	got, err := ring.LoadBuilder(filepath.Join(op, "object.builder"))
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Devices()[0]; d.IP != "10.0.0.5" || d.Port != 6200 {
		t.Errorf("an operator's device was moved to %s:%d", d.IP, d.Port)
	}
	if _, err := os.Stat(filepath.Join(op, "account.builder")); err == nil {
		t.Error("rings were added beside an operator's")
	}
}
