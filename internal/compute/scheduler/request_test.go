package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

func TestCandidateRequest(t *testing.T) {
	tests := []struct {
		name   string
		spec   RequestSpec
		inTree string
		want   client.Group
	}{
		{
			name: "flavor",
			spec: RequestSpec{Flavor: compute.Flavor{VCPUs: 2, RAM: 2048, Disk: 20, Ephemeral: 5, Swap: 1025}},
			want: client.Group{Resources: map[string]int64{"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 27}},
		},
		{
			name: "boot from volume, zero disk left out",
			spec: RequestSpec{Flavor: compute.Flavor{VCPUs: 1, RAM: 512, Disk: 20}, BootFromVolume: true},
			want: client.Group{Resources: map[string]int64{"VCPU": 1, "MEMORY_MB": 512}},
		},
		{
			name: "extra specs override, add, remove; traits",
			spec: RequestSpec{
				Flavor: compute.Flavor{VCPUs: 4, RAM: 4096, Disk: 10, ExtraSpecs: map[string]string{
					"resources:VCPU": "0", "resources:PCPU": "4", "resources:CUSTOM_GPU": "1",
					"resources:DISK_GB": "bad", "resources1:FOO": "1",
					"trait:HW_CPU_X86_AVX2": "required", "trait:CUSTOM_SLOW": "forbidden", "trait:X": "maybe",
					"hw:cpu_policy": "dedicated",
				}},
				Image: &compute.ImageMeta{Properties: map[string]string{
					"trait:HW_CPU_X86_AVX2": "required", "trait:COMPUTE_NET_VIF_MODEL_VIRTIO": "required", "hw_disk_bus": "scsi",
				}},
			},
			inTree: "rp-1",
			want: client.Group{
				Resources: map[string]int64{"PCPU": 4, "MEMORY_MB": 4096, "DISK_GB": 10, "CUSTOM_GPU": 1},
				Required:  []string{"!CUSTOM_SLOW", "COMPUTE_NET_VIF_MODEL_VIRTIO", "HW_CPU_X86_AVX2"},
				InTree:    "rp-1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := candidateRequest(&tt.spec, 1000, tt.inTree)
			want := client.CandidateRequest{Groups: []client.Group{tt.want}, Limit: 1000}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
