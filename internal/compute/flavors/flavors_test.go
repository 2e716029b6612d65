package flavors

import "testing"

// TestCheckExtraSpec covers the two layers of extra-spec checks: the
// request schema's (every microversion) and Nova's validators (2.86 and
// later only), so that a value Nova stores before 2.86 is stored here too.
func TestCheckExtraSpec(t *testing.T) {
	for _, tc := range []struct {
		key, value     string
		schema, strict bool
	}{
		{"hw:cpu_policy", "dedicated", true, true},
		{"hw:cpu_policy", "maybe", true, false},
		{"hw:cpu_policy", "CPU-POLICY", true, false},
		{"trait:HW_CPU_X86_AVX", "required", true, true},
		{"trait:HW_CPU_X86_AVX", "yes", true, false},
		{"resources:VGPU", "1", true, true},
		{"resources1:VGPU", "1", true, true},
		{"resources:VGPU", "-1", true, false},
		{"hw:numa_nodes", "0", true, false},
		{"hw:mem_page_size", "2MB", true, true},
		{"custom:anything", "goes", true, true},
		{"bad key!", "x", false, false},
	} {
		err := checkExtraSpec(tc.key, tc.value)
		if (err == nil) != tc.schema {
			t.Errorf("checkExtraSpec(%q, %q) = %v", tc.key, tc.value, err)
		}
		if err == nil {
			err = validateExtraSpec(tc.key, tc.value)
		}
		if (err == nil) != tc.strict {
			t.Errorf("strict check of (%q, %q) = %v", tc.key, tc.value, err)
		}
	}
}
