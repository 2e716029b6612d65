package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// TestConcurrentClaims races many consumers for one provider: the
// provider is never over-committed, and every refusal is a 409.
func TestConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	if _, err := svc.CreateProvider(ctx, rp1, "node1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetInventories(ctx, rp1, 0, []placement.Inventory{{ResourceClass: "VCPU", Total: 10}}, true); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- svc.WriteAllocations(ctx, []placement.ConsumerAllocations{{
				Consumer:        placement.Consumer{UUID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), ProjectID: "p", UserID: "u"},
				CheckGeneration: true,
				Allocations:     []placement.Allocation{{ProviderUUID: rp1, ResourceClass: "VCPU", Used: 1}},
			}})
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		if !apierr.IsConflict(err) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	u, _, err := svc.ProviderUsages(ctx, rp1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of 24 claims succeeded", ok)
	if u["VCPU"] != int64(ok) || ok > 10 || ok == 0 {
		t.Fatalf("succeeded %d, usage %d", ok, u["VCPU"])
	}
}
