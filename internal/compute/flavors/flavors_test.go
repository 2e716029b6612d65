package flavors

import "testing"

func TestCheckExtraSpec(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		ok         bool
	}{
		{"hw:cpu_policy", "dedicated", true},
		{"hw:cpu_policy", "maybe", false},
		{"trait:HW_CPU_X86_AVX", "required", true},
		{"trait:HW_CPU_X86_AVX", "yes", false},
		{"resources:VGPU", "1", true},
		{"resources1:VGPU", "1", true},
		{"resources:VGPU", "-1", false},
		{"hw:numa_nodes", "0", false},
		{"hw:mem_page_size", "2MB", true},
		{"custom:anything", "goes", true},
		{"bad key!", "x", false},
	} {
		if err := checkExtraSpec(tc.key, tc.value); (err == nil) != tc.ok {
			t.Errorf("checkExtraSpec(%q, %q) = %v", tc.key, tc.value, err)
		}
	}
}
