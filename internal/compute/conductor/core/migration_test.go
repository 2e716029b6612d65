package core

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/compute"
)

// A move keeps a server in the zone it asked for, and only there: one
// that asked for none and landed in a zone of an aggregate may move out
// of it, as Nova's RequestSpec.availability_zone decides (Tempest's
// test_cold_migration beside test_aggregate_add_host_create_server_with_az).
func TestMoveSpecZone(t *testing.T) {
	b := &Base{Cfg: Config{DefaultAZ: "nova"}}
	for _, tc := range []struct {
		name, requested, in, want string
	}{
		{"asked for none, landed in an aggregate's zone", "", "az1", ""},
		{"asked for a zone", "az1", "az1", "az1"},
		{"asked for the default zone", "nova", "nova", ""},
		{"asked for none, in the default zone", "", "nova", ""},
	} {
		inst := &compute.Instance{ID: "i", RequestedAZ: tc.requested, AvailabilityZone: tc.in, Host: "h1"}
		if got := b.MoveSpec(context.Background(), inst, inst.Flavor, "", []string{"h1"}).AZ; got != tc.want {
			t.Errorf("%s: spec zone %q, want %q", tc.name, got, tc.want)
		}
	}
}
