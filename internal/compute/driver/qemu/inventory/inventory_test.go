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
