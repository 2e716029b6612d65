package netinfo

import (
	"context"
	"net/netip"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// What Nova does to a server's ports for its deprecated server actions
// (addSecurityGroup, removeSecurityGroup, addFloatingIp,
// removeFloatingIp) and for the security groups its server view shows:
// nova.network.security_group_api and nova.network.neutron's floating
// IP calls, made with the caller's token as Nova makes them, worded as
// Nova words their failures.

// chunk bounds the ids one list query filters on, so that a long
// server list does not make an over-long URL (Nova chunks too).
const chunk = 100

// SecurityGroups is Network.SecurityGroups.
func (s *Service) SecurityGroups(ctx context.Context, c compute.Caller, ids []string) (map[string][]string, error) {
	var ports []client.Port
	for ch := range slices.Chunk(ids, chunk) {
		q := client.Query()
		for _, id := range ch {
			q.Add("device_id", id)
		}
		l, err := s.n.ListPorts(ctx, c.Token, q)
		if err != nil {
			return nil, unavailable(err)
		}
		ports = append(ports, l...)
	}
	var gids []string
	for _, p := range ports {
		for _, g := range p.SecurityGroups {
			if !contains(gids, g) {
				gids = append(gids, g)
			}
		}
	}
	names := map[string]string{}
	for ch := range slices.Chunk(gids, chunk) {
		q := client.Query()
		for _, id := range ch {
			q.Add("id", id)
		}
		l, err := s.n.ListSecurityGroups(ctx, c.Token, q)
		if notFound(err) {
			break // a service without security groups
		}
		if err != nil {
			return nil, unavailable(err)
		}
		for _, g := range l {
			// A group's name is optional in Neutron: Nova shows its id.
			names[g.ID] = cmpOr(g.Name, g.ID)
		}
	}
	out := map[string][]string{}
	for _, p := range ports {
		for _, g := range p.SecurityGroups {
			// A group the caller cannot see is left out, as Nova does.
			if n, ok := names[g]; ok {
				out[p.DeviceID] = append(out[p.DeviceID], n)
			}
		}
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// findGroup resolves a security group name or id as neutronclient's
// find_resourceid_by_name_or_id does for Nova: an id first, then a name
// among the caller's project's groups.
func (s *Service) findGroup(ctx context.Context, c compute.Caller, name string) (string, error) {
	byID, err := s.n.ListSecurityGroups(ctx, c.Token, client.Query("id", name))
	if err != nil && !notFound(err) && !badRequest(err) {
		return "", unavailable(err)
	}
	if len(byID) == 1 {
		return byID[0].ID, nil
	}
	byName, err := s.n.ListSecurityGroups(ctx, c.Token, client.Query("name", name, "project_id", c.ProjectID))
	if err != nil && !notFound(err) {
		return "", unavailable(err)
	}
	switch len(byName) {
	case 0:
		return "", apierr.NotFound("Security group %s is not found for project %s", name, c.ProjectID)
	case 1:
		return byName[0].ID, nil
	}
	return "", apierr.Conflict("Multiple security_group matches found for name '%s', use an ID to be more specific.", name)
}

func badRequest(err error) bool { return status(err) == 400 }

// serverPorts lists the instance's ports, or Nova's 404 when it has none.
func (s *Service) serverPorts(ctx context.Context, c compute.Caller, inst *compute.Instance) ([]client.Port, error) {
	ports, err := s.n.ListPorts(ctx, c.Token, client.Query("device_id", inst.ID))
	if err != nil {
		return nil, unavailable(err)
	}
	if len(ports) == 0 {
		return nil, apierr.NotFound("instance_id %s could not be found as device id on any ports", inst.ID)
	}
	return ports, nil
}

// errCannotApply is Nova's SecurityGroupCannotBeApplied.
const errCannotApply = "Network requires port_security_enabled and subnet associated in order to apply security groups."

// AddSecurityGroup is Network.AddSecurityGroup.
func (s *Service) AddSecurityGroup(ctx context.Context, c compute.Caller, inst *compute.Instance, name string) error {
	gid, err := s.findGroup(ctx, c, name)
	if err != nil {
		return err
	}
	ports, err := s.serverPorts(ctx, c, inst)
	if err != nil {
		return err
	}
	for _, p := range ports {
		// Nova's _has_security_group_requirements: port security on and
		// an address to filter.
		if (p.PortSecurity != nil && !*p.PortSecurity) || len(p.FixedIPs) == 0 {
			return apierr.BadRequest("%s", errCannotApply)
		}
	}
	for _, p := range ports {
		groups := append(slices.Clone(p.SecurityGroups), gid)
		if _, err := s.n.UpdatePort(ctx, c.Token, p.ID, map[string]any{"security_groups": groups}); err != nil {
			if status(err) == 400 {
				return apierr.BadRequest("%s", apierr.Message(err)).WithCause(err)
			}
			return unavailable(err)
		}
	}
	return nil
}

// RemoveSecurityGroup is Network.RemoveSecurityGroup.
func (s *Service) RemoveSecurityGroup(ctx context.Context, c compute.Caller, inst *compute.Instance, name string) error {
	gid, err := s.findGroup(ctx, c, name)
	if err != nil {
		return err
	}
	ports, err := s.serverPorts(ctx, c, inst)
	if err != nil {
		return err
	}
	found := false
	for _, p := range ports {
		i := slices.Index(p.SecurityGroups, gid)
		if i < 0 {
			// Nova added the group to every port; a port without it is
			// skipped, and only a group on none of them is an error.
			continue
		}
		groups := slices.Delete(slices.Clone(p.SecurityGroups), i, i+1)
		if _, err := s.n.UpdatePort(ctx, c.Token, p.ID, map[string]any{"security_groups": groups}); err != nil {
			return unavailable(err)
		}
		found = true
	}
	if !found {
		return apierr.NotFound("Security group %s not associated with the instance %s", name, inst.ID)
	}
	return nil
}

// floatingIP finds a floating IP by address (Nova's
// _get_floating_ip_by_address).
func (s *Service) floatingIP(ctx context.Context, c compute.Caller, address string) (*client.FloatingIP, error) {
	l, err := s.n.ListFloatingIPs(ctx, c.Token, client.Query("floating_ip_address", address))
	if err != nil && !notFound(err) {
		return nil, unavailable(err)
	}
	switch len(l) {
	case 0:
		return nil, apierr.NotFound("Floating IP not found for address %s.", address)
	case 1:
		return &l[0], nil
	}
	return nil, apierr.Conflict("Multiple floating IPs are found for address %s.", address)
}

// AssociateFloatingIP is Network.AssociateFloatingIP: the
// checks of Nova's addFloatingIp over the instance's network info cache,
// then the association of neutron's associate_floating_ip.
func (s *Service) AssociateFloatingIP(ctx context.Context, c compute.Caller, inst *compute.Instance, address, fixed string) (string, error) {
	info := nwinfo.Of(inst.SystemMetadata)
	if len(info) == 0 {
		return "", apierr.BadRequest("Instance network is not ready yet")
	}
	var fixedIPs []string
	for _, v := range info {
		for _, ip := range v.IPs {
			fixedIPs = append(fixedIPs, ip.Address)
		}
	}
	if len(fixedIPs) == 0 {
		return "", apierr.BadRequest("No fixed IPs associated to instance")
	}
	if fixed != "" {
		if !slices.ContainsFunc(fixedIPs, func(a string) bool { return sameIP(a, fixed) }) {
			return "", apierr.BadRequest("Specified fixed address not assigned to instance")
		}
	} else {
		i := slices.IndexFunc(fixedIPs, func(a string) bool { return version(a) == 4 })
		if i < 0 {
			return "", apierr.BadRequest("Unable to associate floating IP %s to any fixed IPs for instance %s. Instance has no fixed IPv4 addresses to associate.", address, inst.ID)
		}
		fixed = fixedIPs[i]
	}
	ports, err := s.n.ListPorts(ctx, c.Token, client.Query("device_id", inst.ID))
	if err != nil {
		return "", unavailable(err)
	}
	i := slices.IndexFunc(ports, func(p client.Port) bool { return hasIP(p, fixed) })
	if i < 0 {
		return "", apierr.BadRequest("Unable to associate floating IP %s to fixed IP %s for instance %s. Error: Fixed IP not found for address %s.", address, fixed, inst.ID, fixed)
	}
	fip, err := s.floatingIP(ctx, c, address)
	if apierr.IsNotFound(err) {
		return "", apierr.NotFound("floating IP not found")
	}
	if err != nil {
		return "", err
	}
	_, err = s.n.UpdateFloatingIP(ctx, c.Token, fip.ID, map[string]any{"port_id": ports[i].ID, "fixed_ip_address": fixed})
	switch {
	case err == nil:
	case status(err) == 409:
		return "", apierr.BadRequest("%s", apierr.Message(err)).WithCause(err)
	case status(err) == 403:
		return "", apierr.Forbidden("%s", apierr.Message(err)).WithCause(err)
	case status(err) >= 500 || status(err) == 0:
		return "", unavailable(err)
	default:
		return "", apierr.BadRequest("Unable to associate floating IP %s to fixed IP %s for instance %s. Error: %s", address, fixed, inst.ID, apierr.Message(err)).WithCause(err)
	}
	// The address may have been taken from another server, whose cache
	// the caller refreshes.
	if fip.PortID == nil || *fip.PortID == "" || *fip.PortID == ports[i].ID {
		return "", nil
	}
	p, err := s.n.GetPort(ctx, c.Token, *fip.PortID)
	if err != nil {
		return "", nil //nolint:nilerr // best effort, as Nova's refresh of the other server
	}
	return p.DeviceID, nil
}

// FloatingIPInstance is Network.FloatingIPInstance (Nova's
// get_instance_id_by_floating_address).
func (s *Service) FloatingIPInstance(ctx context.Context, c compute.Caller, address string) (string, error) {
	fip, err := s.floatingIP(ctx, c, address)
	if err != nil {
		return "", err
	}
	if fip.PortID == nil || *fip.PortID == "" {
		return "", nil
	}
	p, err := s.n.GetPort(ctx, c.Token, *fip.PortID)
	if err != nil {
		return "", unavailable(err)
	}
	return p.DeviceID, nil
}

// DisassociateFloatingIP is Network.DisassociateFloatingIP.
func (s *Service) DisassociateFloatingIP(ctx context.Context, c compute.Caller, address string) error {
	fip, err := s.floatingIP(ctx, c, address)
	if apierr.IsNotFound(err) {
		return apierr.NotFound("floating IP not found")
	}
	if err != nil {
		return err
	}
	_, err = s.n.UpdateFloatingIP(ctx, c.Token, fip.ID, map[string]any{"port_id": nil})
	if status(err) == 403 {
		return apierr.Forbidden("%s", apierr.Message(err)).WithCause(err)
	}
	return unavailable(err)
}

func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return x == y
}
