package inventory

import (
	"encoding/json"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
)

func TestClaim(t *testing.T) {
	h := Host{Dir: t.TempDir(), Config: Config{VCPUs: 2, MemoryMB: 1024, DiskGB: 10,
		ReservedMemoryMB: 512, CPURatio: 2, RAMRatio: 1, DiskRatio: 1}}
	small := driver.Flavor{VCPUs: 2, MemoryMB: 256, RootGB: 5}
	for i, want := range []bool{true, true, false} {
		err := h.Claim(small)
		if (err == nil) != want {
			t.Fatalf("claim %d: %v, want success %v", i+1, err, want)
		}
	}
	r, err := h.Resources()
	if err != nil {
		t.Fatal(err)
	}
	if r.VCPU.Used != 4 || r.MemoryMB.Used != 512 || r.DiskGB.Used != 10 {
		t.Errorf("used %+v %+v %+v, want 4 VCPU, 512 MB, 10 GB", r.VCPU, r.MemoryMB, r.DiskGB)
	}
	h.Release(small)
	h.Count(driver.Flavor{VCPUs: 8}) // found at start: counted even though it does not fit
	if r, _ := h.Resources(); r.VCPU.Used != 10 {
		t.Errorf("VCPU used %d after a release and a count, want 10", r.VCPU.Used)
	}
}

// TestHostFacts reads this host's own totals and description.
func TestHostFacts(t *testing.T) {
	h := Host{Dir: t.TempDir(), Config: Config{CPURatio: 4, RAMRatio: 1, DiskRatio: 1}}
	r, err := h.Resources()
	if err != nil {
		t.Fatal(err)
	}
	if r.VCPU.Total <= 0 || r.MemoryMB.Total <= 0 || r.HypervisorType != "QEMU" {
		t.Errorf("Resources = %+v", r)
	}
	var info struct {
		Arch     string         `json:"arch"`
		Topology map[string]int `json:"topology"`
	}
	if err := json.Unmarshal([]byte(r.CPUInfo), &info); err != nil || info.Arch == "" || info.Topology["cores"] != int(r.VCPU.Total) {
		t.Errorf("CPUInfo %s: %+v, %v", r.CPUInfo, info, err)
	}
}

func TestShareSplit(t *testing.T) {
	for _, tc := range []struct {
		share Share
		total int64
		want  int64
	}{
		{Share{}, 7, 7},
		{Share{Index: 0, Of: 1}, 7, 7},
		{Share{Index: 0, Of: 2}, 7, 4}, // the remainder goes to the first host
		{Share{Index: 1, Of: 2}, 7, 3},
		{Share{Index: 2, Of: 3}, 24, 8},
		{Share{Index: 0, Of: 3}, 2, 2}, // two cores among three hosts
		{Share{Index: 2, Of: 3}, 2, 1}, // never 0: Placement refuses it
		{Share{Index: 5, Of: 3}, 9, 9}, // not one of the hosts: the whole
	} {
		if got := tc.share.Split(tc.total); got != tc.want {
			t.Errorf("%+v.Split(%d) = %d, want %d", tc.share, tc.total, got, tc.want)
		}
	}
}

// TestSharedMachine checks that the hosts of one machine report it once
// between them: their totals add up to what one host alone reports,
// while configured totals are each host's own.
func TestSharedMachine(t *testing.T) {
	dir := t.TempDir()
	whole := Host{Dir: dir, Config: Config{CPURatio: 4, RAMRatio: 1, DiskRatio: 1}}
	all, err := whole.Resources()
	if err != nil {
		t.Fatal(err)
	}
	const hosts = 2
	var vcpu, mem, disk int64
	for i := range hosts {
		h := Host{Dir: dir, Config: Config{CPURatio: 4, RAMRatio: 1, DiskRatio: 1, Share: Share{Index: i, Of: hosts}}}
		r, err := h.Resources()
		if err != nil {
			t.Fatal(err)
		}
		if r.VCPU.Total >= all.VCPU.Total && all.VCPU.Total >= hosts {
			t.Errorf("host %d of %d reports %d vCPUs, the whole machine's %d", i, hosts, r.VCPU.Total, all.VCPU.Total)
		}
		vcpu, mem, disk = vcpu+r.VCPU.Total, mem+r.MemoryMB.Total, disk+r.DiskGB.Total
	}
	if all.VCPU.Total >= hosts && vcpu != all.VCPU.Total || mem != all.MemoryMB.Total || disk != all.DiskGB.Total && all.DiskGB.Total >= hosts {
		t.Errorf("%d hosts report %d vCPUs, %d MB, %d GB; the machine has %d, %d, %d",
			hosts, vcpu, mem, disk, all.VCPU.Total, all.MemoryMB.Total, all.DiskGB.Total)
	}
	fixed := Host{Dir: dir, Config: Config{VCPUs: 3, MemoryMB: 1000, DiskGB: 5, CPURatio: 4, RAMRatio: 1, DiskRatio: 1, Share: Share{Index: 1, Of: hosts}}}
	if r, err := fixed.Resources(); err != nil || r.VCPU.Total != 3 || r.MemoryMB.Total != 1000 || r.DiskGB.Total != 5 {
		t.Errorf("configured totals with a share: %+v %+v %+v, %v; want 3, 1000, 5", r.VCPU, r.MemoryMB, r.DiskGB, err)
	}
}
