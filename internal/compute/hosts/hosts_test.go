package hosts_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gostack/gostack/internal/compute/computetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestAggregates(t *testing.T) {
	ctx := context.Background()
	e := computetest.New(t)
	a, err := e.Hosts.CreateAggregate(ctx, "agg1", "z1")
	if apierr.Status(err) == http.StatusNotImplemented {
		t.Skipf("store not ready: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Hosts.CreateAggregate(ctx, "agg1", ""); err == nil || apierr.Message(err) != "Aggregate agg1 already exists." {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := e.Hosts.AddAggregateHost(ctx, a.ID, "nohost"); computetest.ErrKind(err) != "404" {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := e.Hosts.GetAggregate(ctx, 999); computetest.ErrKind(err) != "404" {
		t.Errorf("unknown aggregate: %v", err)
	}
	if err := e.Hosts.DeleteAggregate(ctx, a.ID); err != nil {
		t.Errorf("delete empty: %v", err)
	}
}
