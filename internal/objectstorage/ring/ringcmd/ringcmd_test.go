package ringcmd

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/ring"
)

func run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Run(context.Background(), dir, args, &out)
	return out.String(), err
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}

func TestRingLifecycle(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "create", "object", "8", "3", "1")
	mustRun(t, dir, "add", "object", "r1z1-127.0.0.1:6200/sda", "100")
	mustRun(t, dir, "add", "object", "z2-127.0.0.1:6200/sdb_ssd", "100")
	mustRun(t, dir, "add", "object", "--region", "1", "--zone", "3", "--ip", "127.0.0.1", "--port", "6200", "--device", "sdc", "--weight", "100")
	out := mustRun(t, dir, "rebalance", "object")
	if !strings.Contains(out, "Reassigned 768 (100.00%) partitions. Balance is now 0.00.  Dispersion is now 0.00") {
		t.Errorf("rebalance said %q", out)
	}
	r, err := ring.Load(filepath.Join(dir, "object.ring.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Replicas() != 3 || r.PartPower() != 8 || len(r.Nodes(0)) != 3 {
		t.Errorf("ring: %d replicas, power %d", r.Replicas(), r.PartPower())
	}
	if d, _ := r.Device(1); d.Meta != "ssd" || d.Zone != 2 || d.Region != 1 {
		t.Errorf("device 1: %+v", d)
	}
	show := mustRun(t, dir, "show", "object")
	for _, want := range []string{"256 partitions, 3.000000 replicas, 1 regions, 3 zones, 3 devices, 0.00 balance", "127.0.0.1:6200", "sdc", "256"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	// Nothing to do: said, not an error.
	if out := mustRun(t, dir, "rebalance", "object"); !strings.Contains(out, "No partitions could be reassigned") {
		t.Errorf("second rebalance said %q", out)
	}
	mustRun(t, dir, "add", "object", "r1z4-127.0.0.2:6200/sda", "100")
	mustRun(t, dir, "set-weight", "object", "0", "50")
	mustRun(t, dir, "set-overload", "object", "10%")
	mustRun(t, dir, "pretend-min-part-hours-passed", "object")
	mustRun(t, dir, "rebalance", "object")
	mustRun(t, dir, "remove", "object", "d3")
	mustRun(t, dir, "rebalance", "object")
	r, _ = ring.Load(filepath.Join(dir, "object.ring.gz"))
	if _, ok := r.Device(3); ok {
		t.Error("removed device still in the ring")
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "create", "account", "6", "3", "1")
	mustRun(t, dir, "add", "account", "r1z1-10.0.0.1:6202/sda", "1")
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"frob", "object"}, "unknown command"},
		{[]string{"create", "bogus", "8", "3", "1"}, "unknown ring"},
		{[]string{"create", "account", "8", "3", "1"}, "already exists"},
		{[]string{"create", "object", "x", "3", "1"}, "not a whole number"},
		{[]string{"create", "object", "40", "3", "1"}, "part_power"},
		{[]string{"add", "container", "r1z1-10.0.0.1:6201/sda", "1"}, "run `create container"},
		{[]string{"add", "account", "r1z1-10.0.0.1/sda", "1"}, "invalid port"},
		{[]string{"add", "account", "r1-10.0.0.1:6202/sda", "1"}, "invalid device"},
		{[]string{"add", "account", "r1z1-10.0.0.1:6202/", "1"}, "invalid device name"},
		{[]string{"add", "account", "r1z1-10.0.0.1:6202/sdb", "heavy"}, "invalid weight"},
		{[]string{"add", "account", "r1z1-10.0.0.1:6202/sda", "1"}, "already uses"},
		{[]string{"add", "account", "--zone", "1"}, "required"},
		{[]string{"remove", "account", "7"}, "no device with id 7"},
		{[]string{"set-weight", "account", "0"}, "usage"},
		{[]string{"rebalance", "account"}, "replica count of 3 requires more than 1 devices"},
	}
	for _, tt := range tests {
		_, err := run(t, dir, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestParseDevice(t *testing.T) {
	tests := []struct {
		in   string
		want ring.Device
	}{
		{"r1z2-10.1.2.3:7878/sdf", ring.Device{Region: 1, Zone: 2, IP: "10.1.2.3", Port: 7878, Device: "sdf"}},
		{"z3-127.0.0.1:6200/sda_fast disk", ring.Device{Region: 1, Zone: 3, IP: "127.0.0.1", Port: 6200, Device: "sda", Meta: "fast disk"}},
		{"r2z1-10.0.0.1:6200R10.1.0.1:6300/d1", ring.Device{Region: 2, Zone: 1, IP: "10.0.0.1", Port: 6200, ReplicationIP: "10.1.0.1", ReplicationPort: 6300, Device: "d1"}},
		{"r1z1-[FE80::1]:6200/sda", ring.Device{Region: 1, Zone: 1, IP: "fe80::1", Port: 6200, Device: "sda"}},
		{"r1z1-storage1.example:6200/sda", ring.Device{Region: 1, Zone: 1, IP: "storage1.example", Port: 6200, Device: "sda"}},
	}
	for _, tt := range tests {
		got, err := ParseDevice(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDevice(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "z", "r1z1", "r1z1-:6200/sda", "r1z1-1.2.3.4:0/sda", "r1z1-1.2.3.4:6200/..", "rz1-1.2.3.4:1/a", "r1z1-bad host:1/a"} {
		if _, err := ParseDevice(bad); err == nil {
			t.Errorf("ParseDevice(%q) accepted", bad)
		}
	}
}
