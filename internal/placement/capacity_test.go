package placement

import "testing"

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
