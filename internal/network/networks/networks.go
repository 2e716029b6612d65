package networks

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/network/ports"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/subnets"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Create is a create request; nil fields take Neutron's defaults.
type Create struct {
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

// Update holds the attributes a PUT may change.
type Update struct {
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

// CreateNetwork creates a network and its segment.
func (s *Service) CreateNetwork(ctx context.Context, c Create) (*network.Network, error) {
	n, err := s.newNetwork(c)
	if err != nil {
		return nil, err
	}
	if err := s.net.CheckAZHints(ctx, "network", n.AZHints); err != nil {
		return nil, err
	}
	limit, err := s.net.Limit(ctx, n.ProjectID, "network")
	if err != nil {
		return nil, err
	}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := s.net.CheckQuota(ctx, tx, n.ProjectID, "network", 1, limit); err != nil {
			return err
		}
		return s.insert(ctx, tx, n, c)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// AddNetwork creates a network inside the caller's transaction (the
// auto-allocated topology's); the caller has checked quota and AZ hints.
func (s *Service) AddNetwork(ctx context.Context, tx network.Tx, c Create) (*network.Network, error) {
	n, err := s.newNetwork(c)
	if err != nil {
		return nil, err
	}
	return n, s.insert(ctx, tx, n, c)
}

// insert writes n with its segment: the segment first, the network row
// is written with it.
func (s *Service) insert(ctx context.Context, tx network.Tx, n *network.Network, c Create) error {
	if err := s.allocateSegment(ctx, tx, n, c); err != nil {
		return err
	}
	if err := tx.InsertNetwork(ctx, n); err != nil {
		return err
	}
	n.Subnets = []string{}
	return nil
}

// newNetwork is the network c asks for, validated, with Neutron's
// defaults: the tenant network type unless provider attributes say
// otherwise, and its MTU.
func (s *Service) newNetwork(c Create) (*network.Network, error) {
	now := db.Now()
	n := &network.Network{
		Std:          network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		AdminStateUp: network.OrBool(c.AdminStateUp, true),
		Status:       "ACTIVE",
		Shared:       network.OrBool(c.Shared, false),
		External:     network.OrBool(c.External, false),
		IsDefault:    network.OrBool(c.IsDefault, false),
		PortSecurity: network.OrBool(c.PortSecurity, true),
		AZHints:      c.AZHints,
		QoSPolicyID:  c.QoSPolicyID,
	}
	if n.AZHints == nil {
		n.AZHints = []string{}
	}
	if c.DNSDomain != nil {
		n.DNSDomain = *c.DNSDomain
	}
	typ := s.net.Config().TenantType
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
			return nil, network.InvalidInput("physical_network required for flat provider network")
		}
		if c.SegmentID != nil {
			return nil, network.InvalidInput("segmentation_id requires physical_network for VLAN provider network")
		}
		n.MTU = 1500
	case "vlan":
		n.MTU = 1500
		if c.SegmentID != nil && (*c.SegmentID < 1 || *c.SegmentID > 4094) {
			return nil, network.InvalidInput("segmentation_id out of range (1 through 4094)")
		}
	case "vxlan":
		n.MTU = 1450
		if c.Physnet != nil {
			return nil, network.InvalidInput("provider:physical_network specified for vxlan network")
		}
		if c.SegmentID != nil && (*c.SegmentID < 1 || *c.SegmentID > 1<<24-1) {
			return nil, network.InvalidInput("segmentation_id out of range (1 through 16777215)")
		}
	case "local":
		n.MTU = 1500
		if c.Physnet != nil || c.SegmentID != nil {
			return nil, network.InvalidInput("provider:physical_network and provider:segmentation_id prohibited for local provider network")
		}
	default:
		return nil, network.InvalidInput("network_type value '%s' not supported", typ)
	}
	if c.MTU != nil {
		if *c.MTU < 68 || *c.MTU > n.MTU {
			return nil, network.InvalidInput("Requested MTU is too big, maximum is %d", n.MTU)
		}
		n.MTU = *c.MTU
	}
	return n, nil
}

// allocateSegment gives n its segmentation id from the configured ranges,
// or the requested one.
func (s *Service) allocateSegment(ctx context.Context, tx network.Tx, n *network.Network, c Create) error {
	var physnet string
	var lo, hi int64
	vlans, vni := s.net.Segments()
	switch n.NetworkType {
	case "local":
		return nil
	case "flat":
		physnet = *c.Physnet
		zero := int64(0)
		if _, err := tx.AllocateSegment(ctx, "flat", physnet, &zero, 0, 0, n.ID); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return network.Conflict("FlatNetworkInUse", "Unable to create the flat network. Physical network %s is in use.", physnet)
			}
			return err
		}
		n.Physnet = &physnet
		return nil
	case "vlan":
		if c.Physnet != nil {
			physnet = *c.Physnet
		} else {
			names := make([]string, 0, len(vlans))
			for k := range vlans {
				names = append(names, k)
			}
			slices.Sort(names)
			if len(names) == 0 {
				return network.Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
			}
			physnet = names[0]
		}
		r, ok := vlans[physnet]
		if !ok && c.SegmentID == nil {
			return network.Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
		}
		lo, hi = r[0], r[1]
	case "vxlan":
		lo, hi = vni[0], vni[1]
		if hi == 0 && c.SegmentID == nil {
			return network.Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
		}
	}
	id, err := tx.AllocateSegment(ctx, n.NetworkType, physnet, c.SegmentID, lo, hi, n.ID)
	switch {
	case errors.Is(err, apierr.ErrDuplicate) && n.NetworkType == "vlan":
		return network.Conflict("VlanIdInUse", "Unable to create the network. The VLAN %d on physical network %s is in use.", *c.SegmentID, physnet)
	case errors.Is(err, apierr.ErrDuplicate):
		return network.Conflict("TunnelIdInUse", "Unable to create the network. The tunnel ID %d is in use.", *c.SegmentID)
	case errors.Is(err, apierr.ErrNotFound):
		return network.Conflict("NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
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
func (s *Service) GetNetwork(ctx context.Context, sc network.Scope, id string) (*network.Network, error) {
	var n *network.Network
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		n, err = s.net.VisibleNetwork(ctx, tx, sc, id)
		return err
	})
	return n, err
}

// ListNetworks lists the networks the scope sees, narrowed by f.
func (s *Service) ListNetworks(ctx context.Context, f network.Filter) ([]*network.Network, error) {
	var ns []*network.Network
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		ns, err = tx.ListNetworks(ctx, f)
		return err
	})
	return ns, err
}

// UpdateNetwork changes a network.
func (s *Service) UpdateNetwork(ctx context.Context, sc network.Scope, id string, u Update) (*network.Network, error) {
	var n *network.Network
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if n, err = s.net.VisibleNetwork(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, n.Revision); err != nil {
			return err
		}
		if u.Shared != nil && n.Shared && !*u.Shared {
			// Unsharing is refused while other projects have ports on it.
			others, err := tx.CountForeignPorts(ctx, n.ID, n.ProjectID)
			if err != nil {
				return err
			}
			if others > 0 {
				return network.Conflict("InvalidSharedSetting", "Unable to reconfigure sharing settings for network %s. Multiple tenants are using it.", n.ID)
			}
		}
		if u.External != nil && n.External && !*u.External {
			inUse, err := tx.CountFloatingIPsOn(ctx, n.ID)
			if err != nil {
				return err
			}
			if inUse > 0 {
				return network.Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", n.ID)
			}
		}
		if u.MTU != nil {
			if *u.MTU < 68 {
				return network.InvalidInput("Requested MTU is too small, minimum is 68")
			}
			n.MTU = *u.MTU
		}
		network.Set(&n.Name, u.Name)
		network.Set(&n.Description, u.Description)
		network.Set(&n.AdminStateUp, u.AdminStateUp)
		network.Set(&n.Shared, u.Shared)
		network.Set(&n.External, u.External)
		network.Set(&n.IsDefault, u.IsDefault)
		network.Set(&n.PortSecurity, u.PortSecurity)
		network.Set(&n.DNSDomain, u.DNSDomain)
		network.Set(&n.QoSPolicyID, u.QoSPolicyID)
		n.UpdatedAt = db.Now()
		n.Revision++
		return tx.UpdateNetwork(ctx, n)
	})
	return n, err
}

// DeleteNetwork deletes a network with its subnets and its DHCP ports;
// any other port keeps it (409 NetworkInUse).
func (s *Service) DeleteNetwork(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		n, err := s.net.VisibleNetwork(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !sc.Sees(n.ProjectID) {
			return apierr.Forbidden("Not authorized to delete network %s.", id).WithType("PolicyNotAuthorized")
		}
		// An external network's floating IPs go with it.
		if err := s.net.NetworkDeleting(ctx, tx, id); err != nil {
			return err
		}
		owned, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {id}}})
		if err != nil {
			return err
		}
		for _, p := range owned {
			if p.DeviceOwner != network.OwnerDHCP {
				return network.Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", id)
			}
		}
		for _, p := range owned {
			if err := ports.New(s.net).RemovePort(ctx, tx, p); err != nil {
				return err
			}
		}
		subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {id}}})
		if err != nil {
			return err
		}
		for _, sn := range subs {
			if err := subnets.New(s.net).RemoveSubnet(ctx, tx, sn); err != nil {
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
