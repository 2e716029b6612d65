package standard

import (
	"slices"
	"testing"
)

func TestCompareTraits(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"CUSTOM_FOO", "HW_NUMA_ROOT"}, []string{"HW_NUMA_ROOT", "CUSTOM_FOO"}},
		{[]string{"CUSTOM_A", "MISC_SHARES_VIA_AGGREGATE", "COMPUTE_VOLUME_MULTI_ATTACH", "CUSTOM_B"},
			[]string{"COMPUTE_VOLUME_MULTI_ATTACH", "MISC_SHARES_VIA_AGGREGATE", "CUSTOM_A", "CUSTOM_B"}},
		{[]string{"CUSTOM_Z", "CUSTOM_A"}, []string{"CUSTOM_A", "CUSTOM_Z"}},
		{nil, nil},
	}
	for _, tt := range tests {
		got := slices.Clone(tt.in)
		slices.SortFunc(got, CompareTraits)
		if !slices.Equal(got, tt.want) {
			t.Errorf("sorted %v = %v, want %v", tt.in, got, tt.want)
		}
	}
}
