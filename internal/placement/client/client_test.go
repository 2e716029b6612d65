package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/placement"
	plapi "github.com/gostack/gostack/internal/placement/api"
	"github.com/gostack/gostack/internal/placement/client"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/policy"
)

type validator struct{}

func (validator) Validate(context.Context, string) (*auth.Credentials, error) {
	return &auth.Credentials{UserID: "nova", ProjectID: "service", Roles: []string{"service"}}, nil
}

func TestClient(t *testing.T) {
	ctx := context.Background()
	svc, err := placement.New(ctx, placement.Config{}, plstore.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	pol, _ := policy.New(placement.PolicyDefaults())
	srv := httptest.NewServer(plapi.New(svc, pol, validator{}, slog.New(slog.DiscardHandler)).Handler())
	defer srv.Close()
	c := client.New(srv.URL, nil, func(context.Context) (string, error) { return "tok", nil })

	const node = "11111111-2222-3333-4444-555555555555"
	const inst = "99999999-2222-3333-4444-555555555555"
	p, err := c.CreateProvider(ctx, node, "host1", "")
	if err != nil || p.UUID != node {
		t.Fatalf("create: %+v %v", p, err)
	}
	gen, err := c.SetInventories(ctx, node, p.Generation, map[string]client.Inventory{
		"VCPU": {Total: 8, AllocationRatio: 16}, "MEMORY_MB": {Total: 16384, Reserved: 512}, "DISK_GB": {Total: 100},
	})
	if err != nil || gen != 1 {
		t.Fatalf("inventories: %d %v", gen, err)
	}
	if _, err := c.SetInventories(ctx, node, 0, nil); !client.IsConflict(err, client.CodeConcurrentUpdate) {
		t.Fatalf("stale generation: %v", err)
	}
	if err := c.EnsureTrait(ctx, "CUSTOM_FAKE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetTraits(ctx, node, gen, []string{"CUSTOM_FAKE", "COMPUTE_NODE"}); err != nil {
		t.Fatal(err)
	}
	cands, err := c.AllocationCandidates(ctx, client.CandidateRequest{Groups: []client.Group{{
		Resources: map[string]int64{"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 10}, Required: []string{"COMPUTE_NODE"},
	}}})
	if err != nil || len(cands.Requests) != 1 || cands.Summaries[node].Resources["VCPU"].Capacity != 128 {
		t.Fatalf("candidates: %+v %v", cands, err)
	}
	// Several root traits travel in one root_required, which Placement
	// accepts once only.
	rooted, err := c.AllocationCandidates(ctx, client.CandidateRequest{
		Groups:       []client.Group{{Resources: map[string]int64{"VCPU": 1}}},
		RootRequired: []string{"COMPUTE_NODE", "!HW_NUMA_ROOT"},
	})
	if err != nil || len(rooted.Requests) != 1 {
		t.Fatalf("candidates with root traits: %+v %v", rooted, err)
	}
	if err := c.PutAllocations(ctx, inst, client.Allocations{Resources: cands.Requests[0].Allocations, ProjectID: "p", UserID: "u"}); err != nil {
		t.Fatal(err)
	}
	a, err := c.Allocations(ctx, inst)
	if err != nil || a.ConsumerGeneration == nil || *a.ConsumerGeneration != 1 || a.Resources[node]["VCPU"] != 2 {
		t.Fatalf("allocations: %+v %v", a, err)
	}
	if err := c.PutAllocations(ctx, inst, client.Allocations{Resources: cands.Requests[0].Allocations, ProjectID: "p", UserID: "u"}); !client.IsConflict(err, client.CodeConcurrentUpdate) {
		t.Fatalf("new-consumer put on existing consumer: %v", err)
	}
	u, _, err := c.Usages(ctx, node)
	if err != nil || u["MEMORY_MB"] != 2048 {
		t.Fatalf("usages: %v %v", u, err)
	}
	if pu, err := c.ProjectUsages(ctx, "p", ""); err != nil || pu["VCPU"] != 2 {
		t.Fatalf("project usages: %v %v", pu, err)
	}
	if err := c.DeleteProvider(ctx, node); !client.IsConflict(err, client.CodeProviderInUse) {
		t.Fatalf("delete in use: %v", err)
	}
	if err := c.DeleteAllocations(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteProvider(ctx, node); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Provider(ctx, node); !client.IsNotFound(err) {
		t.Fatalf("gone: %v", err)
	}
}

// TestErrors checks how an error answer comes back: an *apierr.Error
// with Placement's status, detail and code, which also carries the wire
// *Error that callers match; and a bare *Error, as fakes build it, that
// the helpers read alike.
func TestErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"errors": [{"status": 409, "detail": "in use", "code": "placement.inventory.inuse"}]}`))
	}))
	defer srv.Close()
	err := client.New(srv.URL, nil, nil).DeleteInventories(t.Context(), "x")
	e, ok := apierr.As(err)
	if !ok || e.Code != http.StatusConflict || e.Message != "in use" || e.Type != client.CodeInventoryInUse {
		t.Fatalf("err = %#v", err)
	}
	var wire *client.Error
	if !errors.As(err, &wire) || wire.Status != http.StatusConflict || wire.Code != client.CodeInventoryInUse || wire.Detail != "in use" {
		t.Fatalf("wire error = %#v", wire)
	}
	if !client.IsConflict(err, client.CodeInventoryInUse) || client.IsConflict(err, client.CodeConcurrentUpdate) || client.IsNotFound(err) {
		t.Error("IsConflict/IsNotFound misread the answer")
	}

	bare := fmt.Errorf("wrapped: %w", &client.Error{Status: http.StatusNotFound, Code: "placement.undefined_code", Detail: "gone"})
	if !client.IsNotFound(bare) || client.IsConflict(bare, "") || apierr.Status(bare) != http.StatusNotFound {
		t.Errorf("a bare *Error is not read as its status: %v", bare)
	}
}
