package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/candidates"
)

// BenchmarkAllocationCandidates measures one scheduling query (load and
// core) over 10,000 compute nodes.
func BenchmarkAllocationCandidates(b *testing.B) {
	ctx := context.Background()
	svc := newService(b)
	for i := range 10000 {
		id := fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		if _, err := svc.CreateProvider(ctx, id, fmt.Sprintf("host%d", i), ""); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SetInventories(ctx, id, 0, []placement.Inventory{
			{ResourceClass: "VCPU", Total: 16, AllocationRatio: 4},
			{ResourceClass: "MEMORY_MB", Total: 65536},
			{ResourceClass: "DISK_GB", Total: 1000},
		}, true); err != nil {
			b.Fatal(err)
		}
	}
	q := candidates.Query{Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 1}}}, Limit: 1000}
	b.ResetTimer()
	for b.Loop() {
		cands, _, err := candidates.List(ctx, svc, q)
		if err != nil || len(cands) != 1000 {
			b.Fatal(len(cands), err)
		}
	}
}
