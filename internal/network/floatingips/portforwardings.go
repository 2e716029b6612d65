package floatingips

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/routers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Protocols are the protocols a port forwarding may name.
var Protocols = []string{"tcp", "udp", "udplite", "sctp"}

// PortForwardingChange is a create (every field set) or update request.
type PortForwardingChange struct {
	Protocol       *string
	ExternalPort   *int
	InternalPortID *string
	InternalIP     *netip.Addr
	InternalPort   *int
	Description    *string
}

// pfBadRequest is Neutron's BadRequest(resource='port_forwarding').
func pfBadRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Bad port_forwarding request: "+format+".", args...).WithType("BadRequest")
}

// pfNotFound is Neutron's PortForwardingNotFound.
func pfNotFound(id string) *apierr.Error {
	return apierr.NotFound("Port Forwarding %s could not be found.", id).WithType("PortForwardingNotFound")
}

// CreatePortForwarding adds a port forwarding to a floating IP of the
// scope.
func (s *Service) CreatePortForwarding(ctx context.Context, sc network.Scope, fipID string, c PortForwardingChange) (*network.PortForwarding, error) {
	pf := &network.PortForwarding{ID: uuid.NewString(), FloatingIPID: fipID}
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		f, err := s.visibleFloatingIP(ctx, tx, sc, fipID)
		if err != nil {
			return err
		}
		if err := s.applyPortForwarding(ctx, tx, sc, f, pf, c); err != nil {
			return err
		}
		if err := tx.InsertPortForwarding(ctx, pf); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return duplicatePortForwarding(pf, true)
			}
			return err
		}
		return s.touchFloatingIP(ctx, tx, f)
	})
	if err != nil {
		return nil, err
	}
	return pf, nil
}

// applyPortForwarding validates c and applies it to pf, a port
// forwarding of f, giving f the router that reaches the internal port.
func (s *Service) applyPortForwarding(ctx context.Context, tx network.Tx, sc network.Scope, f *network.FloatingIP, pf *network.PortForwarding, c PortForwardingChange) error {
	network.Set(&pf.Protocol, c.Protocol)
	network.Set(&pf.ExternalPort, c.ExternalPort)
	network.Set(&pf.InternalPortID, c.InternalPortID)
	network.Set(&pf.InternalIP, c.InternalIP)
	network.Set(&pf.InternalPort, c.InternalPort)
	network.Set(&pf.Description, c.Description)
	if !slices.Contains(Protocols, pf.Protocol) {
		return network.BadRequest("Invalid input for protocol. Reason: '%s' is not in %s.", pf.Protocol, pyList(Protocols))
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"internal_port", pf.InternalPort}, {"external_port", pf.ExternalPort}} {
		if p.v < 1 || p.v > 65535 {
			return network.BadRequest("Invalid input for %s. Reason: Invalid port '%d', the port must be in range 1 to 65535.", p.name, p.v)
		}
	}
	if len(pf.Description) > 255 {
		return network.BadRequest("Invalid input for description. Reason: '%s' exceeds maximum length of 255.", pf.Description)
	}
	if f.PortID != nil {
		return pfBadRequest("The floating IP %s is associated with port %s and cannot have port forwardings", f.ID, *f.PortID)
	}
	p, err := s.net.VisiblePort(ctx, tx, sc, pf.InternalPortID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.FixedIPs, func(x network.FixedIP) bool { return x.IP == pf.InternalIP })
	if i < 0 {
		return pfBadRequest("The internal IP address %s does not belong to port %s", pf.InternalIP, p.ID)
	}
	if !pf.InternalIP.Is4() {
		return pfBadRequest("The internal IP address %s is not an IPv4 address", pf.InternalIP)
	}
	bound, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"port_id": {p.ID}}})
	if err != nil {
		return err
	}
	if len(bound) > 0 {
		return network.Conflict("PortHasBindingFloatingIP", "Cannot create port forwarding to floating IP %s (%s) with port %s using fixed IP %s, as that port already has a binding floating IP.",
			bound[0].Address, bound[0].ID, p.ID, pf.InternalIP)
	}
	sn, err := tx.GetSubnet(ctx, p.FixedIPs[i].SubnetID)
	if err != nil {
		return err
	}
	router, err := routers.New(s.net).RouterFor(ctx, tx, p, sn, f.NetworkID)
	if err != nil {
		return err
	}
	// Every port forwarding of a floating IP goes through one router.
	if f.RouterID != nil && *f.RouterID != router && slices.ContainsFunc(f.PortForwardings, func(o network.PortForwarding) bool { return o.ID != pf.ID }) {
		return pfBadRequest("The internal port %s is not reachable through router %s, which the floating IP %s forwards through", p.ID, *f.RouterID, f.ID)
	}
	f.RouterID = &router
	return checkSockets(ctx, tx, pf)
}

// checkSockets refuses pf when another port forwarding has its external
// socket (floating IP, protocol, port) or its internal one (port,
// protocol, address, port). The table's unique constraints are the guard
// against a concurrent writer; this check gives the answer that names
// the conflict, which a failed INSERT cannot on PostgreSQL (the
// transaction runs no further statement).
func checkSockets(ctx context.Context, tx network.Tx, pf *network.PortForwarding) error {
	mine, err := tx.PortForwardings(ctx, pf.FloatingIPID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(mine, func(o network.PortForwarding) bool {
		return o.ID != pf.ID && o.Protocol == pf.Protocol && o.ExternalPort == pf.ExternalPort
	}) {
		return duplicatePortForwarding(pf, true)
	}
	theirs, err := tx.PortForwardingsTo(ctx, pf.InternalPortID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(theirs, func(o network.PortForwarding) bool {
		return o.ID != pf.ID && o.Protocol == pf.Protocol && o.InternalIP == pf.InternalIP && o.InternalPort == pf.InternalPort
	}) {
		return duplicatePortForwarding(pf, false)
	}
	return nil
}

// duplicatePortForwarding is Neutron's answer to a taken socket, naming
// the external one or the internal one.
func duplicatePortForwarding(pf *network.PortForwarding, external bool) error {
	msg := fmt.Sprintf("{'floatingip_id': '%s', 'protocol': '%s', 'external_port': %d}", pf.FloatingIPID, pf.Protocol, pf.ExternalPort)
	if !external {
		msg = fmt.Sprintf("{'internal_port_id': '%s', 'protocol': '%s', 'internal_ip_address': '%s', 'internal_port': %d}",
			pf.InternalPortID, pf.Protocol, pf.InternalIP, pf.InternalPort)
	}
	return pfBadRequest("A duplicate port forwarding entry with same attributes already exists, conflicting values are %s", msg)
}

// touchFloatingIP writes f after a change of its port forwardings: its
// router is kept while it has some, and its status follows.
func (s *Service) touchFloatingIP(ctx context.Context, tx network.Tx, f *network.FloatingIP) error {
	pfs, err := tx.PortForwardings(ctx, f.ID)
	if err != nil {
		return err
	}
	f.PortForwardings = pfs
	switch {
	case f.PortID != nil:
	case len(pfs) > 0:
		f.Status = "ACTIVE"
	default:
		f.RouterID, f.Status = nil, "DOWN"
	}
	f.UpdatedAt = db.Now()
	f.Revision++
	return tx.UpdateFloatingIP(ctx, f)
}

// visiblePortForwarding reads a port forwarding of a floating IP of the
// scope (404 otherwise).
func (s *Service) visiblePortForwarding(ctx context.Context, tx network.Tx, sc network.Scope, fipID, id string) (*network.FloatingIP, *network.PortForwarding, error) {
	f, err := s.visibleFloatingIP(ctx, tx, sc, fipID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(f.PortForwardings, func(pf network.PortForwarding) bool { return pf.ID == id })
	if i < 0 {
		return nil, nil, pfNotFound(id)
	}
	pf := f.PortForwardings[i]
	return f, &pf, nil
}

// GetPortForwarding returns a port forwarding of a floating IP.
func (s *Service) GetPortForwarding(ctx context.Context, sc network.Scope, fipID, id string) (*network.PortForwarding, error) {
	var pf *network.PortForwarding
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		_, pf, err = s.visiblePortForwarding(ctx, tx, sc, fipID, id)
		return err
	})
	return pf, err
}

// ListPortForwardings returns the port forwardings of a floating IP.
func (s *Service) ListPortForwardings(ctx context.Context, sc network.Scope, fipID string) ([]network.PortForwarding, error) {
	var out []network.PortForwarding
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		f, err := s.visibleFloatingIP(ctx, tx, sc, fipID)
		if err != nil {
			return err
		}
		out = f.PortForwardings
		return nil
	})
	return out, err
}

// UpdatePortForwarding changes a port forwarding.
func (s *Service) UpdatePortForwarding(ctx context.Context, sc network.Scope, fipID, id string, c PortForwardingChange) (*network.PortForwarding, error) {
	var pf *network.PortForwarding
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		f, cur, err := s.visiblePortForwarding(ctx, tx, sc, fipID, id)
		if err != nil {
			return err
		}
		pf = cur
		if c.InternalPortID != nil && c.InternalIP == nil && *c.InternalPortID != pf.InternalPortID {
			return pfBadRequest("The internal_ip_address must be given with a new internal_port_id")
		}
		if err := s.applyPortForwarding(ctx, tx, sc, f, pf, c); err != nil {
			return err
		}
		if err := tx.UpdatePortForwarding(ctx, pf); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return duplicatePortForwarding(pf, true)
			}
			return err
		}
		return s.touchFloatingIP(ctx, tx, f)
	})
	return pf, err
}

// DeletePortForwarding deletes a port forwarding; the floating IP leaves
// its router with the last one.
func (s *Service) DeletePortForwarding(ctx context.Context, sc network.Scope, fipID, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		f, pf, err := s.visiblePortForwarding(ctx, tx, sc, fipID, id)
		if err != nil {
			return err
		}
		if err := tx.DeletePortForwarding(ctx, pf.ID); err != nil {
			return err
		}
		return s.touchFloatingIP(ctx, tx, f)
	})
}

// pyList renders strings as a Python list, as Neutron's messages do.
func pyList(ss []string) string {
	out := "["
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += "'" + s + "'"
	}
	return out + "]"
}
