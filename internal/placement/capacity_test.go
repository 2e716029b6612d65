package placement

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestCheckCapacity(t *testing.T) {
	inv := map[string]map[string]Inventory{"rp": {
		"VCPU":      Inventory{ResourceClass: "VCPU", Total: 4, AllocationRatio: 2, MinUnit: 1, MaxUnit: 4, StepSize: 1},
		"MEMORY_MB": Inventory{ResourceClass: "MEMORY_MB", Total: 1024, Reserved: 512, AllocationRatio: 1, MinUnit: 256, MaxUnit: 1024, StepSize: 256},
	}}
	used := map[string]Usage{"rp": {"VCPU": 5}}
	tests := []struct {
		name   string
		allocs []Allocation
		ok     bool
	}{
		{"fits", []Allocation{{"rp", "VCPU", 3}}, true},
		{"exceeds (total-reserved)*ratio", []Allocation{{"rp", "VCPU", 4}}, false},
		{"max_unit", []Allocation{{"rp", "MEMORY_MB", 1280}}, false},
		{"step_size", []Allocation{{"rp", "MEMORY_MB", 300}}, false},
		{"reserved counts", []Allocation{{"rp", "MEMORY_MB", 768}}, false},
		{"min_unit", []Allocation{{"rp", "MEMORY_MB", 0}}, true},
		{"no such inventory", []Allocation{{"rp", "DISK_GB", 1}}, false},
		{"sum across entries", []Allocation{{"rp", "MEMORY_MB", 256}, {"rp", "MEMORY_MB", 512}}, false},
	}
	for _, tt := range tests {
		err := CheckCapacity(tt.allocs, inv, used)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestInventoryWording pins the refusals Placement's inventory.yaml and
// with-allocations.yaml match on: classes in use are listed in resource
// class id order (standard first), and the capacity refusal names the
// provider and, from 1.26, allows reserved equal to total.
func TestInventoryWording(t *testing.T) {
	err := CheckInventoryChange("rp", nil, Usage{"DISK_GB": 1, "VCPU": 1, "CUSTOM_A": 1})
	if got, want := apierr.Message(err), "Inventory for 'VCPU, DISK_GB, CUSTOM_A' on resource provider 'rp' in use."; got != want {
		t.Errorf("in use = %q, want %q", got, want)
	}
	inv := Inventory{ResourceClass: "IPV4_ADDRESS", Total: 253}.WithDefaults()
	for _, tc := range []struct {
		reserved int64
		at126    bool
		want     string
	}{
		{253, false, "Invalid inventory for 'IPV4_ADDRESS' on resource provider 'rp'. The reserved value is greater than or equal to total."},
		{253, true, ""},
		{512, true, "Invalid inventory for 'IPV4_ADDRESS' on resource provider 'rp'. The reserved value is greater than total."},
	} {
		inv.Reserved = tc.reserved
		if got := inv.Validate("rp", tc.at126); got != tc.want {
			t.Errorf("reserved %d at 1.26 %v: %q, want %q", tc.reserved, tc.at126, got, tc.want)
		}
	}
}
