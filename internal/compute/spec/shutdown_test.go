package spec

import (
	"context"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
)

// When gostack stops, the operator is told how many guests keep running
// (running or paused, on every host of the process) and how to take them
// back or stop them.
func TestKeptGuests(t *testing.T) {
	ctx := context.Background()
	hosts := fake.NewHosts(2, fake.Options{Delay: fake.Instant})
	var drivers []driver.Driver
	for _, h := range hosts {
		if err := h.Start(ctx); err != nil {
			t.Fatal(err)
		}
		drivers = append(drivers, h)
	}
	spawn := func(d driver.Driver, uuid string) {
		t.Helper()
		if err := d.Spawn(ctx, driver.Spec{UUID: uuid, Name: "instance-" + uuid, Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 64, RootGB: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := keptGuests(ctx, drivers); n != 0 {
		t.Fatalf("no guests: %d kept", n)
	}
	spawn(drivers[0], "a")
	spawn(drivers[0], "b")
	spawn(drivers[1], "c")
	spawn(drivers[1], "d")
	if err := drivers[0].PowerOff(ctx, "b", 0); err != nil {
		t.Fatal(err)
	}
	if err := drivers[1].Pause(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	n, names := keptGuests(ctx, drivers)
	if n != 3 || len(names) != 1 || names[0] != "fake" {
		t.Errorf("keptGuests = %d %v, want 3 [fake] (a, c and the paused d; b is off)", n, names)
	}

	for _, tc := range []struct {
		n         int
		simulated bool
		want      []string
	}{
		{0, false, nil},
		{1, false, []string{"compute: 1 guest keeps running (as nova-compute", "'gostack up --data-dir /d' takes them back", "openstack server stop SERVER"}},
		{3, false, []string{"compute: 3 guests keep running", "xargs -r openstack server stop"}},
		{3, true, []string{"3 guests keep running on the fake driver (simulated"}},
	} {
		got := keptGuestsNote(tc.n, "/d", tc.simulated)
		if tc.want == nil && got != "" {
			t.Errorf("note for %d: %q, want none", tc.n, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("note for %d (simulated %v) lacks %q: %q", tc.n, tc.simulated, w, got)
			}
		}
	}
}
