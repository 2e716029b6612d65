// Package scheduler chooses compute hosts for instances, as Nova's
// filter scheduler does: allocation candidates from Placement, then
// filters and weighers over the candidate hosts, then a claim in
// Placement for the chosen one, with alternates for retries.
//
//	RequestSpec ─► Placement GET /allocation_candidates ─► HostStates
//	            ─► filters ─► weighers ─► claim (PUT /allocations/{instance})
//	            ─► Selection (host, node, allocation) + alternates
package scheduler

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

// Placement is what the scheduler asks of Placement
// (*client.Client implements it).
type Placement interface {
	AllocationCandidates(ctx context.Context, r client.CandidateRequest) (*client.Candidates, error)
	// PutAllocations claims; a 409 (someone else took the room) makes the
	// scheduler try the next candidate.
	PutAllocations(ctx context.Context, consumer string, a client.Allocations) error
	DeleteAllocations(ctx context.Context, consumer string) error
}

// Hosts is the scheduler's view of the compute hosts (compute.Store
// implements it): services (enabled/disabled, forced down), nodes
// (provider uuids), aggregates (zones, metadata), and where instances are
// (affinity).
type Hosts interface {
	ListServices(ctx context.Context, host, binary string) ([]compute.HostService, error)
	ListNodes(ctx context.Context, host, hostnamePattern string) ([]compute.ComputeNode, error)
	ListAggregates(ctx context.Context) ([]compute.Aggregate, error)
	ListInstances(ctx context.Context, f compute.InstanceFilter) ([]compute.Instance, error)
	GetServerGroup(ctx context.Context, id string) (*compute.ServerGroup, error)
}

// Liveness says whether a host's compute agent is up.
type Liveness = compute.Liveness

// RequestSpec is what one instance needs.
type RequestSpec struct {
	InstanceID string
	ProjectID  string
	UserID     string
	Flavor     compute.Flavor
	// Image properties matter to the image-properties filter
	// (hw_architecture, img_hv_type, hw_vm_mode) and to required traits
	// (trait:X=required in image properties).
	Image *compute.ImageMeta
	// AZ is the availability zone asked for ("" = any).
	AZ string
	// ForceHost/ForceNode come from "zone:host:node" or 2.74's host and
	// hypervisor_hostname; they restrict the candidates to that host.
	ForceHost string
	ForceNode string
	// Hints: same_host, different_host (lists of instance uuids), group.
	Hints map[string][]string
	Group *compute.ServerGroup // resolved hint "group", with its members
	// IgnoreHosts are hosts not to use (retries, migrations away).
	IgnoreHosts []string
	// NumInstances is how many are built together (anti-affinity must
	// place them apart).
	NumInstances int
	// Extra resources beyond the flavor's (PCPU, ...) and traits from
	// flavor extra specs (resources:X=N, trait:Y=required|forbidden) are
	// read from Flavor.ExtraSpecs by the scheduler.
}

// Selection is a host chosen for an instance, with the allocation
// claimed for it.
type Selection struct {
	Host       string // service host
	Node       string // hypervisor hostname
	ProviderID string // compute node uuid = resource provider uuid
	AZ         string
	// Allocation is what was claimed in Placement (provider → class →
	// amount), for the consumer RequestSpec.InstanceID.
	Allocation map[string]map[string]int64
}

// NoValidHost is the error when no host fits, with Nova's message
// "No valid host was found. <reason>".
type NoValidHost struct{ Reason string }

func (e *NoValidHost) Error() string {
	if e.Reason == "" {
		return "No valid host was found. "
	}
	return "No valid host was found. " + e.Reason
}

// Config tunes the scheduler.
type Config struct {
	// MaxCandidates is the limit of allocation candidates asked for
	// (Nova's max_placement_results, 1000).
	MaxCandidates int
	// HostSubsetSize picks randomly among the best N hosts (1 = always
	// the best), which spreads concurrent builds.
	HostSubsetSize int
	// Alternates is how many alternate hosts come with each selection
	// (Nova's max_attempts - 1).
	Alternates int
	// Weights multiply the weighers (RAM, CPU, disk, soft affinity);
	// zero means 1.0 each.
	RAMWeight, CPUWeight, DiskWeight, SoftAffinityWeight, SoftAntiAffinityWeight float64
}

// Scheduler chooses hosts. It is safe for concurrent use.
type Scheduler struct {
	cfg       Config
	placement Placement
	hosts     Hosts
	live      Liveness
}

// New returns a scheduler.
func New(cfg Config, p Placement, h Hosts, live Liveness) *Scheduler {
	return &Scheduler{cfg: cfg, placement: p, hosts: h, live: live}
}

// Select picks a host for spec, claims the allocation in Placement for
// spec.InstanceID, and returns it with up to cfg.Alternates alternates
// (not claimed; the conductor claims one when the first build fails,
// after deleting the first claim). A *NoValidHost says why nothing fit.
func (s *Scheduler) Select(ctx context.Context, spec RequestSpec) (sel Selection, alternates []Selection, err error) {
	return Selection{}, nil, &NoValidHost{Reason: "scheduler not built yet"}
}

// Claim claims alt for consumer (used for alternates and for moves,
// where the consumer is the instance and the migration holds the source
// allocation).
func (s *Scheduler) Claim(ctx context.Context, consumer, projectID, userID string, alt Selection) error {
	return &NoValidHost{Reason: "scheduler not built yet"}
}
