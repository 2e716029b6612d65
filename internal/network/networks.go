package network

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Network is a Neutron network with its one provider segment.
type Network struct {
	Std
	AdminStateUp bool
	Status       string
	Shared       bool
	External     bool
	IsDefault    bool
	MTU          int
	PortSecurity bool
	// Provider segment: flat, vlan, vxlan or local.
	NetworkType string
	Physnet     *string
	SegmentID   *int64
	DNSDomain   string
	AZHints     []string
	QoSPolicyID *string
	// Subnets are the ids of the network's subnets (read only).
	Subnets []string
}

// NetworkTx is the networks' part of a transaction.
type NetworkTx interface {
	InsertNetwork(ctx context.Context, n *Network) error
	// GetNetwork returns apierr.ErrNotFound for a missing id.
	GetNetwork(ctx context.Context, id string) (*Network, error)
	// ListNetworks lists the networks f's scope sees: its project's, the
	// shared and the external ones (all for an admin).
	ListNetworks(ctx context.Context, f Filter) ([]*Network, error)
	// UpdateNetwork writes n, bumping its revision and updated_at.
	UpdateNetwork(ctx context.Context, n *Network) error
	DeleteNetwork(ctx context.Context, id string) error
	// AllocateSegment takes a segmentation id for network: want when set
	// (apierr.ErrDuplicate when taken), else the lowest free one in
	// [lo, hi] (apierr.ErrNotFound when none is).
	AllocateSegment(ctx context.Context, typ, physnet string, want *int64, lo, hi int64, network string) (int64, error)
	// ReleaseSegments frees the segmentation ids of network.
	ReleaseSegments(ctx context.Context, network string) error
}

// OrBool is *p, or d when p is nil: an optional flag with its default.
func OrBool(p *bool, d bool) bool {
	if p == nil {
		return d
	}
	return *p
}

// VisibleNetwork reads a network the scope may see: its own, a shared or
// an external one, or one an RBAC policy shares with the project.
func (s *Service) VisibleNetwork(ctx context.Context, tx Tx, sc Scope, id string) (*Network, error) {
	n, err := tx.GetNetwork(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, NotFound("Network", id)
	}
	if err != nil || sc.Sees(n.ProjectID) || n.Shared || n.External {
		return n, err
	}
	acts, err := tx.RBACActions(ctx, "network", id, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	if len(acts) == 0 {
		return nil, NotFound("Network", id)
	}
	return n, nil
}

// Set assigns *p to *dst when p is set.
func Set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// CheckRevision enforces If-Match: revision_number=N (412 on a mismatch).
func CheckRevision(want *int64, have int64) error {
	if want != nil && *want != have {
		return apierr.New(412, "Constrained to revision %d but current revision is %d", *want, have).WithType("RevisionNumberConstraintFailed")
	}
	return nil
}
