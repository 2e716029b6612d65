package network

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
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

// NetworkCreate is a create request; nil fields take Neutron's defaults.
type NetworkCreate struct {
	ProjectID    string
	Name         string
	Description  string
	AdminStateUp *bool
	Shared       *bool
	External     *bool
	IsDefault    *bool
	MTU          *int
	PortSecurity *bool
	NetworkType  *string
	Physnet      *string
	SegmentID    *int64
	DNSDomain    *string
	AZHints      []string
	QoSPolicyID  *string
}

// NetworkUpdate holds the attributes a PUT may change.
type NetworkUpdate struct {
	Name         *string
	Description  *string
	AdminStateUp *bool
	Shared       *bool
	External     *bool
	IsDefault    *bool
	MTU          *int
	PortSecurity *bool
	DNSDomain    *string
	QoSPolicyID  **string
	// Revision, when set, is the If-Match revision_number the update
	// requires (412 otherwise).
	Revision *int64
}

func orBool(p *bool, d bool) bool {
	if p == nil {
		return d
	}
	return *p
}

// CreateNetwork creates a network and its segment.
func (s *Service) CreateNetwork(ctx context.Context, c NetworkCreate) (*Network, error) {
	now := db.Now()
	n := &Network{
		Std:          Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		AdminStateUp: orBool(c.AdminStateUp, true),
		Status:       "ACTIVE",
		Shared:       orBool(c.Shared, false),
		External:     orBool(c.External, false),
		IsDefault:    orBool(c.IsDefault, false),
		PortSecurity: orBool(c.PortSecurity, true),
		AZHints:      c.AZHints,
		QoSPolicyID:  c.QoSPolicyID,
	}
	if n.AZHints == nil {
		n.AZHints = []string{}
	}
	if c.DNSDomain != nil {
		n.DNSDomain = *c.DNSDomain
	}
	typ := s.cfg.TenantType
	if c.NetworkType != nil {
		typ = *c.NetworkType
	} else if c.Physnet != nil {
		typ = "flat"
		if c.SegmentID != nil {
			typ = "vlan"
		}
	}
	n.NetworkType = typ
	switch typ {
	case "flat":
		if c.Physnet == nil || *c.Physnet == "" {
			return nil, InvalidInput("physical_network required for flat provider network")
		}
		if c.SegmentID != nil {
			return nil, InvalidInput("segmentation_id requires physical_network for VLAN provider network")
		}
		n.MTU = 1500
	case "vlan":
		n.MTU = 1500
		if c.SegmentID != nil && (*c.SegmentID < 1 || *c.SegmentID > 4094) {
			return nil, InvalidInput("segmentation_id out of range (1 through 4094)")
		}
	case "vxlan":
		n.MTU = 1450
		if c.Physnet != nil {
			return nil, InvalidInput("provider:physical_network specified for vxlan network")
		}
		if c.SegmentID != nil && (*c.SegmentID < 1 || *c.SegmentID > 1<<24-1) {
			return nil, InvalidInput("segmentation_id out of range (1 through 16777215)")
		}
	case "local":
		n.MTU = 1500
		if c.Physnet != nil || c.SegmentID != nil {
			return nil, InvalidInput("provider:physical_network and provider:segmentation_id prohibited for local provider network")
		}
	default:
		return nil, InvalidInput("network_type value '%s' not supported", typ)
	}
	if c.MTU != nil {
		if *c.MTU < 68 || *c.MTU > n.MTU {
			return nil, InvalidInput("Requested MTU is too big, maximum is %d", n.MTU)
		}
		n.MTU = *c.MTU
	}
	if err := s.CheckAZHints(ctx, "network", n.AZHints); err != nil {
		return nil, err
	}
	limit, err := s.Limit(ctx, n.ProjectID, "network")
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.CheckQuota(ctx, tx, n.ProjectID, "network", 1, limit); err != nil {
			return err
		}
		// The segment first: the network row is written with it.
		if err := s.allocateSegment(ctx, tx, n, c); err != nil {
			return err
		}
		return tx.InsertNetwork(ctx, n)
	})
	if err != nil {
		return nil, err
	}
	n.Subnets = []string{}
	return n, nil
}

// allocateSegment gives n its segmentation id from the configured ranges,
// or the requested one.
func (s *Service) allocateSegment(ctx context.Context, tx Tx, n *Network, c NetworkCreate) error {
	var physnet string
	var lo, hi int64
	switch n.NetworkType {
	case "local":
		return nil
	case "flat":
		physnet = *c.Physnet
		zero := int64(0)
		if _, err := tx.AllocateSegment(ctx, "flat", physnet, &zero, 0, 0, n.ID); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return Conflict("FlatNetworkInUse", "Unable to create the flat network. Physical network %s is in use.", physnet)
			}
			return err
		}
		n.Physnet = &physnet
		return nil
	case "vlan":
		if c.Physnet != nil {
			physnet = *c.Physnet
		} else {
			names := make([]string, 0, len(s.vlans))
			for k := range s.vlans {
				names = append(names, k)
			}
			slices.Sort(names)
			if len(names) == 0 {
				return Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
			}
			physnet = names[0]
		}
		r, ok := s.vlans[physnet]
		if !ok && c.SegmentID == nil {
			return Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
		}
		lo, hi = r[0], r[1]
	case "vxlan":
		lo, hi = s.vni[0], s.vni[1]
		if hi == 0 && c.SegmentID == nil {
			return Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
		}
	}
	id, err := tx.AllocateSegment(ctx, n.NetworkType, physnet, c.SegmentID, lo, hi, n.ID)
	switch {
	case errors.Is(err, apierr.ErrDuplicate) && n.NetworkType == "vlan":
		return Conflict("VlanIdInUse", "Unable to create the network. The VLAN %d on physical network %s is in use.", *c.SegmentID, physnet)
	case errors.Is(err, apierr.ErrDuplicate):
		return Conflict("TunnelIdInUse", "Unable to create the network. The tunnel ID %d is in use.", *c.SegmentID)
	case errors.Is(err, apierr.ErrNotFound):
		return Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
	case err != nil:
		return err
	}
	if n.NetworkType == "vlan" {
		n.Physnet = &physnet
	}
	n.SegmentID = &id
	return nil
}

// GetNetwork returns a network the scope sees (404 otherwise).
func (s *Service) GetNetwork(ctx context.Context, sc Scope, id string) (*Network, error) {
	var n *Network
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		n, err = s.visibleNetwork(ctx, tx, sc, id)
		return err
	})
	return n, err
}

// visibleNetwork reads a network the scope may see: its own, a shared or
// an external one, or one an RBAC policy shares with the project.
func (s *Service) visibleNetwork(ctx context.Context, tx Tx, sc Scope, id string) (*Network, error) {
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

// ListNetworks lists the networks the scope sees, narrowed by f.
func (s *Service) ListNetworks(ctx context.Context, f Filter) ([]*Network, error) {
	var ns []*Network
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		ns, err = tx.ListNetworks(ctx, f)
		return err
	})
	return ns, err
}

// UpdateNetwork changes a network.
func (s *Service) UpdateNetwork(ctx context.Context, sc Scope, id string, u NetworkUpdate) (*Network, error) {
	var n *Network
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if n, err = s.visibleNetwork(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := CheckRevision(u.Revision, n.Revision); err != nil {
			return err
		}
		if u.Shared != nil && n.Shared && !*u.Shared {
			// Unsharing is refused while other projects have ports on it.
			others, err := tx.CountForeignPorts(ctx, n.ID, n.ProjectID)
			if err != nil {
				return err
			}
			if others > 0 {
				return Conflict("InvalidSharedSetting", "Unable to reconfigure sharing settings for network %s. Multiple tenants are using it.", n.ID)
			}
		}
		if u.External != nil && n.External && !*u.External {
			inUse, err := tx.CountFloatingIPsOn(ctx, n.ID)
			if err != nil {
				return err
			}
			if inUse > 0 {
				return Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", n.ID)
			}
		}
		if u.MTU != nil {
			if *u.MTU < 68 {
				return InvalidInput("Requested MTU is too small, minimum is 68")
			}
			n.MTU = *u.MTU
		}
		set(&n.Name, u.Name)
		set(&n.Description, u.Description)
		set(&n.AdminStateUp, u.AdminStateUp)
		set(&n.Shared, u.Shared)
		set(&n.External, u.External)
		set(&n.IsDefault, u.IsDefault)
		set(&n.PortSecurity, u.PortSecurity)
		set(&n.DNSDomain, u.DNSDomain)
		set(&n.QoSPolicyID, u.QoSPolicyID)
		n.UpdatedAt = db.Now()
		n.Revision++
		return tx.UpdateNetwork(ctx, n)
	})
	return n, err
}

// set assigns *p to *dst when p is set.
func set[T any](dst *T, p *T) {
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

// DeleteNetwork deletes a network with its subnets and its DHCP ports;
// any other port keeps it (409 NetworkInUse).
func (s *Service) DeleteNetwork(ctx context.Context, sc Scope, id string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		n, err := s.visibleNetwork(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !sc.Sees(n.ProjectID) {
			return apierr.Forbidden("Not authorized to delete network %s.", id).WithType("PolicyNotAuthorized")
		}
		// An external network's floating IPs go with it.
		if err := s.NetworkDeleting(ctx, tx, id); err != nil {
			return err
		}
		ports, err := tx.ListPorts(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"network_id": {id}}})
		if err != nil {
			return err
		}
		for _, p := range ports {
			if p.DeviceOwner != OwnerDHCP {
				return Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", id)
			}
		}
		for _, p := range ports {
			if err := s.RemovePort(ctx, tx, p); err != nil {
				return err
			}
		}
		subs, err := tx.ListSubnets(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"network_id": {id}}})
		if err != nil {
			return err
		}
		for _, sn := range subs {
			if err := s.deleteSubnet(ctx, tx, sn); err != nil {
				return err
			}
		}
		if err := tx.DeleteRBACFor(ctx, "network", id); err != nil {
			return err
		}
		if err := tx.ReleaseSegments(ctx, id); err != nil {
			return err
		}
		if err := tx.SetTags(ctx, "networks", id, nil); err != nil {
			return err
		}
		return tx.DeleteNetwork(ctx, id)
	})
}
