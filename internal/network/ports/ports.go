package ports

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/secgroups"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Create is a port create request (nil/zero fields take Neutron's
// defaults).
type Create struct {
	ProjectID, NetworkID, Name, Description, DeviceID, DeviceOwner string
	MAC                                                            *string
	AdminStateUp, PortSecurity                                     *bool
	// FixedIPs nil is one address from the IPv4 subnets and one from the
	// stateful IPv6 subnets, per Neutron's rules; [] is none. Either way a
	// port that is not a router interface also gets its EUI-64 address on
	// every SLAAC or DHCPv6-stateless subnet, as in Neutron.
	FixedIPs       []network.FixedIPRequest
	HostID         *string
	VNICType       *string
	Profile        map[string]any
	AddressPairs   []network.AddressPair
	ExtraDHCPOpts  []network.DHCPOpt
	SecurityGroups *[]string
	DNSName        *string
	QoSPolicyID    *string
}

// Update holds what a PUT may change; nil fields stay.
type Update struct {
	Name, Description, DeviceID, DeviceOwner, MAC, HostID, VNICType, DNSName *string
	AdminStateUp, PortSecurity                                               *bool
	FixedIPs                                                                 *[]network.FixedIPRequest
	Profile                                                                  *map[string]any
	AddressPairs                                                             *[]network.AddressPair
	// ExtraDHCPOpts are merged into the port's options by name and IP
	// version; an option with a nil value is removed.
	ExtraDHCPOpts  []DHCPOptChange
	SecurityGroups *[]string
	QoSPolicyID    **string
	// Revision is the If-Match revision_number the update requires.
	Revision *int64
}

// DHCPOptChange is an extra DHCP option of an update: a nil Value
// removes the option.
type DHCPOptChange struct {
	Name      string
	Value     *string
	IPVersion int
}

// maxAddressPairs is Neutron's max_allowed_address_pair default.
const maxAddressPairs = 10

// AddPort creates a port inside the caller's transaction (quota checked
// by the caller, with the limit read before the tx).
func (s *Service) AddPort(ctx context.Context, tx network.Tx, c Create) (*network.Port, error) {
	n, err := tx.GetNetwork(ctx, c.NetworkID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, network.NotFound("Network", c.NetworkID)
	}
	if err != nil {
		return nil, err
	}
	now := db.Now()
	p := &network.Port{
		Std:          network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		NetworkID:    n.ID,
		AdminStateUp: network.OrBool(c.AdminStateUp, true),
		DeviceID:     c.DeviceID,
		DeviceOwner:  c.DeviceOwner,
		PortSecurity: network.OrBool(c.PortSecurity, n.PortSecurity),
		VNICType:     "normal",
		Profile:      c.Profile,
		QoSPolicyID:  c.QoSPolicyID,
	}
	if c.VNICType != nil {
		p.VNICType = *c.VNICType
	}
	if c.HostID != nil {
		p.HostID = *c.HostID
	}
	if c.DNSName != nil {
		p.DNSName = *c.DNSName
	}
	if err := checkPortFields(p); err != nil {
		return nil, err
	}
	if p.MAC, err = s.portMAC(ctx, tx, n.ID, c.MAC); err != nil {
		return nil, err
	}
	if p.AddressPairs, err = checkAddressPairs(c.AddressPairs, p); err != nil {
		return nil, err
	}
	if p.ExtraDHCPOpts, err = checkDHCPOpts(c.ExtraDHCPOpts); err != nil {
		return nil, err
	}
	subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {n.ID}}})
	if err != nil {
		return nil, err
	}
	reqs, explicit := c.FixedIPs, c.FixedIPs != nil
	if p.FixedIPs, err = s.allocateIPs(ctx, tx, p, n.ID, subs, reqs, explicit); err != nil {
		return nil, err
	}
	s.bind(p, "")
	if err := tx.InsertPort(ctx, p); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, macInUse(n.ID, p.MAC)
		}
		return nil, err
	}
	if err := secgroups.Bind(ctx, tx, p, c.SecurityGroups, true); err != nil {
		return nil, err
	}
	p.Tags = []string{}
	return p, nil
}

// RemovePort deletes a port and releases its addresses inside the
// caller's transaction.
func (s *Service) RemovePort(ctx context.Context, tx network.Tx, p *network.Port) error {
	// Floating IPs on the port are disassociated and its port
	// forwardings go with it.
	if err := s.net.PortDeleted(ctx, tx, p.ID); err != nil {
		return err
	}
	if err := releaseIPs(ctx, tx, p.FixedIPs); err != nil {
		return err
	}
	if err := tx.SetTags(ctx, "ports", p.ID, nil); err != nil {
		return err
	}
	return tx.DeletePort(ctx, p.ID)
}

// bind binds a port with the configured mechanism driver. A port
// without a host is unbound and DOWN. noop binds a port given a host at
// once as a tap device and reports it ACTIVE (there is no agent to
// report it up). linuxbridge binds it as a bridge VIF, DOWN until the
// host's network agent has plugged its device and reports it ACTIVE; a
// bound port keeps the status the agent gave it.
func (s *Service) bind(p *network.Port, prevHost string) {
	if p.HostID == "" {
		p.VIFType, p.VIFDetails, p.Status = network.VIFUnbound, map[string]any{}, "DOWN"
		return
	}
	if s.net.Config().Mechanism != network.MechLinuxBridge {
		p.VIFType, p.Status = network.VIFTap, "ACTIVE"
		p.VIFDetails = map[string]any{"port_filter": false, "connectivity": "l2"}
		return
	}
	if p.VIFType != network.VIFBridge || p.HostID != prevHost {
		p.Status = "DOWN"
	}
	p.VIFType = network.VIFBridge
	p.VIFDetails = map[string]any{"port_filter": true, "connectivity": "l2"}
}

// CreatePorts creates ports, all or none, in one transaction: one port is
// a POST, several a bulk POST.
func (s *Service) CreatePorts(ctx context.Context, cs []Create) ([]*network.Port, error) {
	limits := map[string]int64{}
	want := map[string]int64{}
	for _, c := range cs {
		if _, ok := limits[c.ProjectID]; !ok {
			lim, err := s.net.Limit(ctx, c.ProjectID, "port")
			if err != nil {
				return nil, err
			}
			limits[c.ProjectID] = lim
		}
		want[c.ProjectID]++
	}
	var out []*network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		out = out[:0]
		for project, n := range want {
			if err := s.net.CheckQuota(ctx, tx, project, "port", n, limits[project]); err != nil {
				return err
			}
		}
		for _, c := range cs {
			p, err := s.AddPort(ctx, tx, c)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// GetPort returns a port the scope sees (404 otherwise).
func (s *Service) GetPort(ctx context.Context, sc network.Scope, id string) (*network.Port, error) {
	var p *network.Port
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		p, err = s.net.VisiblePort(ctx, tx, sc, id)
		return err
	})
	return p, err
}

// ListPorts lists the ports the scope sees, narrowed by f.
func (s *Service) ListPorts(ctx context.Context, f network.Filter) ([]*network.Port, error) {
	var ps []*network.Port
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		ps, err = tx.ListPorts(ctx, f)
		return err
	})
	return ps, err
}

// UpdatePort changes a port.
func (s *Service) UpdatePort(ctx context.Context, sc network.Scope, id string, u Update) (*network.Port, error) {
	var p *network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if p, err = s.net.VisiblePort(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, p.Revision); err != nil {
			return err
		}
		return s.changePort(ctx, tx, p, u)
	})
	return p, err
}

// ChangePort applies u to p inside the caller's transaction (the l3
// area changes its interface ports through it).
func (s *Service) ChangePort(ctx context.Context, tx network.Tx, p *network.Port, u Update) error {
	return s.changePort(ctx, tx, p, u)
}

func (s *Service) changePort(ctx context.Context, tx network.Tx, p *network.Port, u Update) error {
	network.Set(&p.Name, u.Name)
	network.Set(&p.Description, u.Description)
	network.Set(&p.AdminStateUp, u.AdminStateUp)
	network.Set(&p.DeviceID, u.DeviceID)
	network.Set(&p.DeviceOwner, u.DeviceOwner)
	network.Set(&p.VNICType, u.VNICType)
	network.Set(&p.DNSName, u.DNSName)
	network.Set(&p.QoSPolicyID, u.QoSPolicyID)
	if u.Profile != nil {
		p.Profile = *u.Profile
	}
	if err := checkPortFields(p); err != nil {
		return err
	}
	if u.MAC != nil {
		mac, err := normalMAC(*u.MAC)
		if err != nil {
			return err
		}
		if mac != p.MAC {
			if p.HostID != "" && p.Status == "ACTIVE" {
				return network.Conflict("PortBound", "Unable to complete operation on port %s, port is already bound, port type: %s, old_mac %s, new_mac %s.", p.ID, p.VIFType, p.MAC, mac)
			}
			if used, err := tx.MACInUse(ctx, p.NetworkID, mac); err != nil {
				return err
			} else if used {
				return macInUse(p.NetworkID, mac)
			}
			p.MAC = mac
		}
	}
	if u.PortSecurity != nil {
		p.PortSecurity = *u.PortSecurity
	}
	pairs := p.AddressPairs
	if u.AddressPairs != nil {
		pairs = *u.AddressPairs
	}
	var err error
	if p.AddressPairs, err = checkAddressPairs(pairs, p); err != nil {
		return err
	}
	if u.ExtraDHCPOpts != nil {
		if p.ExtraDHCPOpts, err = mergeDHCPOpts(p.ExtraDHCPOpts, u.ExtraDHCPOpts); err != nil {
			return err
		}
	}
	if u.FixedIPs != nil {
		if err := s.reallocateIPs(ctx, tx, p, *u.FixedIPs); err != nil {
			return err
		}
	}
	prevHost := p.HostID
	if u.HostID != nil {
		p.HostID = *u.HostID
	}
	s.bind(p, prevHost)
	p.UpdatedAt = db.Now()
	p.Revision++
	if err := tx.UpdatePort(ctx, p); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return macInUse(p.NetworkID, p.MAC)
		}
		return err
	}
	if u.SecurityGroups == nil && u.PortSecurity != nil && !p.PortSecurity && len(p.SecurityGroups) > 0 {
		return network.Conflict("PortSecurityPortHasSecurityGroup", "Port has security group associated. Cannot disable port security or ip address until security group is removed")
	}
	return secgroups.Bind(ctx, tx, p, u.SecurityGroups, false)
}

// DeletePort deletes a port the scope sees.
func (s *Service) DeletePort(ctx context.Context, sc network.Scope, id string) error {
	var p *network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if p, err = s.net.VisiblePort(ctx, tx, sc, id); err != nil {
			return err
		}
		// A router's or floating IP's own port goes with its owner.
		if err := s.net.CheckPortDelete(ctx, tx, p); err != nil {
			return err
		}
		return s.RemovePort(ctx, tx, p)
	})
	if err == nil {
		s.net.Notify(ctx, "network-vif-deleted", p)
	}
	return err
}

// checkPortFields validates what a port carries besides its addresses.
func checkPortFields(p *network.Port) error {
	switch p.VNICType {
	case "normal", "direct", "macvtap", "baremetal", "direct-physical", "virtio-forwarder", "smart-nic", "vdpa", "remote-managed":
	default:
		return network.InvalidInput("binding:vnic_type '%s' is not in [...] (valid values: normal, direct, macvtap, baremetal, direct-physical, virtio-forwarder, smart-nic, vdpa, remote-managed)", p.VNICType)
	}
	if p.DNSName != "" {
		if err := checkDNSName(p.DNSName); err != nil {
			return err
		}
	}
	if len(p.Name) > 255 {
		return network.BadRequest("Invalid input for name. Reason: '%s' exceeds maximum length of 255.", p.Name)
	}
	return nil
}

// checkDNSName validates a port's dns_name as Neutron's dns extension
// does: a host name (or a FQDN) of labels of letters, digits and hyphens.
func checkDNSName(name string) error {
	bad := func(reason string) error {
		return network.BadRequest("Invalid input for dns_name. Reason: '%s' not a valid PQDN or FQDN. Reason: %s.", name, reason)
	}
	if len(name) > 255 {
		return bad("'" + name + "' exceeds the 255 character FQDN limit")
	}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" || len(l) > 63 {
			return bad("Encountered an empty component or a component longer than 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return bad("Name '" + name + "' must not start or end with a hyphen")
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return bad("Name '" + name + "' must be 1-63 characters long, each of which can only be alphanumeric or a hyphen")
			}
		}
	}
	return nil
}

func macInUse(netID, mac string) *apierr.Error {
	return network.Conflict("MacAddressInUse", "Unable to complete operation for network %s. The mac address %s is in use.", netID, mac)
}

// normalMAC validates a MAC address and writes it as Neutron does:
// lowercase, colon separated.
func normalMAC(s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 || hw.String() == "00:00:00:00:00:00" || hw[0]&1 == 1 {
		return "", network.BadRequest("Invalid input for mac_address. Reason: '%s' is not a valid MAC address.", s)
	}
	return hw.String(), nil
}

// macTries bounds the random MACs tried for a new port: a network of
// 50,000 ports holds 0.3% of the 2^24 Neutron addresses, so a second try
// is already rare.
const macTries = 16

// portMAC validates a requested MAC (409 MacAddressInUse when the
// network has it) or generates Neutron's fa:16:3e:xx:xx:xx one that the
// network does not have.
func (s *Service) portMAC(ctx context.Context, tx network.Tx, netID string, want *string) (string, error) {
	if want != nil {
		mac, err := normalMAC(*want)
		if err != nil {
			return "", err
		}
		if used, err := tx.MACInUse(ctx, netID, mac); err != nil {
			return "", err
		} else if used {
			return "", macInUse(netID, mac)
		}
		return mac, nil
	}
	for range macTries {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		mac := fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", b[0], b[1], b[2])
		if used, err := tx.MACInUse(ctx, netID, mac); err != nil {
			return "", err
		} else if !used {
			return mac, nil
		}
	}
	return "", network.Conflict("MacAddressGenerationFailure", "Unable to generate unique mac on network %s.", netID)
}

// checkAddressPairs validates allowed address pairs for port p: each has
// an address or CIDR, its MAC defaults to the port's, none repeats, at
// most ten, and only with port security on.
func checkAddressPairs(pairs []network.AddressPair, p *network.Port) ([]network.AddressPair, error) {
	if len(pairs) == 0 {
		return []network.AddressPair{}, nil
	}
	if !p.PortSecurity {
		return nil, network.Conflict("AddressPairAndPortSecurityRequired", "Port Security must be enabled in order to have allowed address pairs on a port.")
	}
	if len(pairs) > maxAddressPairs {
		return nil, network.BadRequest("The number of allowed address pair exceeds the maximum %d.", maxAddressPairs).WithType("AllowedAddressPairExhausted")
	}
	out := make([]network.AddressPair, 0, len(pairs))
	seen := map[network.AddressPair]bool{}
	for _, ap := range pairs {
		if ap.IP == "" {
			return nil, network.BadRequest("AllowedAddressPair must contain ip_address").WithType("AllowedAddressPairsMissingIP")
		}
		if _, err := netip.ParseAddr(ap.IP); err != nil {
			if _, err := netip.ParsePrefix(ap.IP); err != nil {
				return nil, network.BadRequest("Invalid input for allowed_address_pairs. Reason: '%s' is not a valid IP subnet.", ap.IP)
			}
		}
		if ap.MAC == "" {
			ap.MAC = p.MAC
		} else {
			mac, err := normalMAC(ap.MAC)
			if err != nil {
				return nil, network.BadRequest("Invalid input for allowed_address_pairs. Reason: '%s' is not a valid MAC address.", ap.MAC)
			}
			ap.MAC = mac
		}
		if seen[ap] {
			return nil, network.BadRequest("Request contains duplicate address pair: mac_address %s ip_address %s.", ap.MAC, ap.IP).WithType("DuplicateAddressPairInRequest")
		}
		seen[ap] = true
		out = append(out, ap)
	}
	return out, nil
}

// checkDHCPOpts validates the extra DHCP options of a new port (IP
// version 4 unless given).
func checkDHCPOpts(opts []network.DHCPOpt) ([]network.DHCPOpt, error) {
	out := make([]network.DHCPOpt, 0, len(opts))
	for _, o := range opts {
		if o.IPVersion == 0 {
			o.IPVersion = 4
		}
		if err := checkDHCPOpt(o.Name, o.IPVersion); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func checkDHCPOpt(name string, version int) error {
	if name == "" || len(name) > 64 {
		return network.BadRequest("Invalid input for extra_dhcp_opts. Reason: invalid opt_name '%s'.", name)
	}
	if version != 4 && version != 6 {
		return network.BadRequest("Invalid input for extra_dhcp_opts. Reason: %d is not in [4, 6].", version)
	}
	return nil
}

// mergeDHCPOpts applies an update's options to cur: a value replaces the
// option of the same name and IP version, or adds it; a nil value
// removes it.
func mergeDHCPOpts(cur []network.DHCPOpt, changes []DHCPOptChange) ([]network.DHCPOpt, error) {
	out := slices.Clone(cur)
	for _, c := range changes {
		if c.IPVersion == 0 {
			c.IPVersion = 4
		}
		if err := checkDHCPOpt(c.Name, c.IPVersion); err != nil {
			return nil, err
		}
		i := slices.IndexFunc(out, func(o network.DHCPOpt) bool { return o.Name == c.Name && o.IPVersion == c.IPVersion })
		switch {
		case c.Value == nil && i >= 0:
			out = slices.Delete(out, i, i+1)
		case c.Value == nil:
		case i >= 0:
			out[i].Value = *c.Value
		default:
			out = append(out, network.DHCPOpt{Name: c.Name, Value: *c.Value, IPVersion: c.IPVersion})
		}
	}
	return out, nil
}

// DNSAssignment is one entry of a port's dns_assignment.
type DNSAssignment struct {
	Hostname, IP, FQDN string
}

// dashed maps the separators of an address to the dashes of its host
// name.
func dashed(r rune) rune {
	if r == '.' || r == ':' {
		return '-'
	}
	return r
}

// DNSAssignments are the host names a port's addresses get: its
// dns_name, or "host-" and the address with dashes.
func (s *Service) DNSAssignments(p *network.Port) []DNSAssignment {
	out := make([]DNSAssignment, 0, len(p.FixedIPs))
	domain := s.net.Config().DNSDomain
	for _, ip := range p.FixedIPs {
		addr := ip.IP.String()
		host := p.DNSName
		if host == "" {
			host = "host-" + strings.Map(dashed, addr)
		}
		out = append(out, DNSAssignment{Hostname: host, IP: addr, FQDN: host + "." + domain})
	}
	return out
}
