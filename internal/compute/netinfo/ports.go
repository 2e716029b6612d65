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

// portsOf lists the ports whose device_id is the instance.
func (s *Service) portsOf(ctx context.Context, token, id string) ([]client.Port, error) {
	l, err := s.n.ListPorts(ctx, token, client.Query("device_id", id))
	return l, unavailable(err)
}

// given is the set of ports the user gave the instance at create.
func given(inst *compute.Instance) map[string]bool {
	out := map[string]bool{}
	for _, e := range inst.Networks.Entries {
		if e.Port != "" {
			out[e.Port] = true
		}
	}
	for _, v := range nwinfo.Of(inst.SystemMetadata) {
		if v.Preserve {
			out[v.PortID] = true
		}
	}
	return out
}

// bind is the update that binds a port to the instance on host.
func bind(inst *compute.Instance, host string) map[string]any {
	return map[string]any{"device_id": inst.ID, "device_owner": owner(inst), "binding:host_id": host}
}

// unbind is the update that gives a user's port back.
func unbind() map[string]any {
	return map[string]any{"device_id": "", "device_owner": "", "binding:host_id": ""}
}

// Allocate is Network.Allocate.
func (s *Service) Allocate(ctx context.Context, inst *compute.Instance, host string) (nwinfo.Info, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	existing, err := s.portsOf(ctx, tok, inst.ID)
	if err != nil {
		return nil, err
	}
	mine := given(inst)
	used := map[string]bool{}
	var ports []client.Port
	var groups []string
	groupsRead := false
	for _, e := range inst.Networks.Entries {
		if e.Port != "" {
			p, err := s.n.GetPort(ctx, tok, e.Port)
			if notFound(err) {
				return nil, apierr.BadRequest("Port id %s could not be found.", e.Port)
			}
			if err != nil {
				return nil, unavailable(err)
			}
			if p.DeviceID != "" && p.DeviceID != inst.ID {
				return nil, errPortInUse(e.Port)
			}
			if p.DeviceID != inst.ID || p.HostID != host || p.DeviceOwner != owner(inst) {
				if p, err = s.n.UpdatePort(ctx, tok, e.Port, bind(inst, host)); err != nil {
					return nil, unavailable(err)
				}
			}
			used[p.ID] = true
			ports = append(ports, *p)
			continue
		}
		// A port made for this entry by an earlier attempt is reused.
		i := slices.IndexFunc(existing, func(p client.Port) bool {
			return p.NetworkID == e.UUID && !used[p.ID] && !mine[p.ID] &&
				(e.FixedIP == "" || hasIP(p, e.FixedIP))
		})
		if i >= 0 {
			p := existing[i]
			used[p.ID] = true
			if p.HostID != host {
				up, err := s.n.UpdatePort(ctx, tok, p.ID, map[string]any{"binding:host_id": host})
				if err != nil {
					return nil, unavailable(err)
				}
				p = *up
			}
			ports = append(ports, p)
			continue
		}
		if !groupsRead {
			names := inst.SecurityGroups
			if len(names) == 0 {
				names = []string{"default"}
			}
			if groups, err = s.groupIDs(ctx, tok, inst.ProjectID, names); err != nil {
				return nil, err
			}
			groupsRead = true
		}
		attrs := bind(inst, host)
		attrs["network_id"] = e.UUID
		attrs["project_id"] = inst.ProjectID
		if groups != nil {
			secure, err := s.portSecurity(ctx, tok, e.UUID, inst.SecurityGroups)
			if err != nil {
				return nil, err
			}
			if secure {
				attrs["security_groups"] = groups
			}
		}
		if e.FixedIP != "" {
			attrs["fixed_ips"] = []map[string]any{{"ip_address": e.FixedIP}}
		}
		p, err := s.n.CreatePort(ctx, tok, attrs)
		if err != nil {
			return nil, createErr(err, e)
		}
		used[p.ID] = true
		ports = append(ports, *p)
	}
	// Ports attached later (os-interface) move with the instance too.
	for _, p := range existing {
		if used[p.ID] {
			continue
		}
		if p.HostID != host {
			up, err := s.n.UpdatePort(ctx, tok, p.ID, map[string]any{"binding:host_id": host})
			if err != nil {
				return nil, unavailable(err)
			}
			p = *up
		}
		ports = append(ports, p)
	}
	return s.info(ctx, tok, inst, ports)
}

// portSecurity reports whether ports on a network take security groups.
// On a network without port security Nova applies none: the implicit
// default is dropped, and any other group asked for cannot be applied
// (Nova's SecurityGroupCannotBeApplied).
func (s *Service) portSecurity(ctx context.Context, tok, netID string, names []string) (bool, error) {
	n, err := s.n.GetNetwork(ctx, tok, netID)
	if notFound(err) {
		return true, nil // the create answers the missing network
	}
	if err != nil {
		return false, unavailable(err)
	}
	if n.PortSecurity == nil || *n.PortSecurity {
		return true, nil
	}
	for _, g := range names {
		if g != "default" {
			return false, apierr.BadRequest("%s", errCannotApply)
		}
	}
	return false, nil
}

// createErr words a refused port create as Nova does.
func createErr(err error, e compute.NetworkEntry) error {
	switch {
	case apierr.IsType(err, "IpAddressAlreadyAllocated"), apierr.IsType(err, "IpAddressInUse"):
		return apierr.BadRequest("Fixed IP address %s is already in use on instance.", e.FixedIP)
	case apierr.IsType(err, "OverQuota"):
		return apierr.Forbidden("Maximum number of ports exceeded")
	case apierr.IsType(err, "InvalidIpForNetwork"), apierr.IsType(err, "InvalidIpForSubnet"):
		return apierr.BadRequest("Fixed IP %s is not a valid ip address for network %s.", e.FixedIP, e.UUID)
	case notFound(err):
		return apierr.BadRequest("Network %s could not be found.", e.UUID)
	}
	return unavailable(err)
}

func hasIP(p client.Port, ip string) bool {
	want, err := netip.ParseAddr(ip)
	for _, f := range p.FixedIPs {
		if got, gerr := netip.ParseAddr(f.IPAddress); err == nil && gerr == nil && got == want {
			return true
		}
	}
	return false
}

// Deallocate is Network.Deallocate.
func (s *Service) Deallocate(ctx context.Context, inst *compute.Instance) error {
	tok, err := s.token(ctx)
	if err != nil {
		return err
	}
	ports, err := s.portsOf(ctx, tok, inst.ID)
	if err != nil {
		return err
	}
	keep := given(inst)
	var errs []error
	for _, p := range ports {
		if keep[p.ID] {
			_, err = s.n.UpdatePort(ctx, tok, p.ID, unbind())
		} else {
			err = s.n.DeletePort(ctx, tok, p.ID)
		}
		if err = ignoreNotFound(err); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrs(errs)
}

// Bind is Network.Bind.
func (s *Service) Bind(ctx context.Context, inst *compute.Instance, host string) (nwinfo.Info, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	ports, err := s.portsOf(ctx, tok, inst.ID)
	if err != nil {
		return nil, err
	}
	for i, p := range ports {
		if p.HostID == host {
			continue
		}
		up, err := s.n.UpdatePort(ctx, tok, p.ID, map[string]any{"binding:host_id": host})
		if err != nil {
			return nil, unavailable(err)
		}
		ports[i] = *up
	}
	sortLike(ports, nwinfo.Of(inst.SystemMetadata))
	return s.info(ctx, tok, inst, ports)
}

// sortLike orders ports as the cache has them: the guest's NICs do not
// reorder, and ports the cache does not know come last.
func sortLike(ports []client.Port, old nwinfo.Info) {
	at := func(id string) int {
		if i := slices.IndexFunc(old, func(v nwinfo.VIF) bool { return v.PortID == id }); i >= 0 {
			return i
		}
		return len(old)
	}
	slices.SortStableFunc(ports, func(a, b client.Port) int { return at(a.ID) - at(b.ID) })
}

// Refresh is Network.Refresh.
func (s *Service) Refresh(ctx context.Context, inst *compute.Instance) (nwinfo.Info, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	ports, err := s.portsOf(ctx, tok, inst.ID)
	if err != nil {
		return nil, err
	}
	sortLike(ports, nwinfo.Of(inst.SystemMetadata))
	return s.info(ctx, tok, inst, ports)
}

// Attach is Network.Attach.
func (s *Service) Attach(ctx context.Context, c compute.Caller, inst *compute.Instance, req nwinfo.InterfaceRequest) (nwinfo.VIF, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nwinfo.VIF{}, err
	}
	var p *client.Port
	preserve := false
	switch {
	case req.PortID != "":
		cur, err := s.n.GetPort(ctx, c.Token, req.PortID)
		if notFound(err) {
			return nwinfo.VIF{}, apierr.NotFound("Port %s could not be found.", req.PortID)
		}
		if err != nil {
			return nwinfo.VIF{}, unavailable(err)
		}
		if cur.DeviceID != "" {
			return nwinfo.VIF{}, errPortInUse(req.PortID)
		}
		if p, err = s.n.UpdatePort(ctx, tok, req.PortID, bind(inst, inst.Host)); err != nil {
			return nwinfo.VIF{}, unavailable(err)
		}
		preserve = true
	default:
		netID := req.NetworkID
		if netID == "" {
			nets, err := s.available(ctx, c)
			if err != nil {
				return nwinfo.VIF{}, err
			}
			switch len(nets) {
			case 0:
				return nwinfo.VIF{}, apierr.BadRequest("No specific network was requested and none are available for project '%s'.", inst.ProjectID)
			case 1:
				netID = nets[0].ID
			default:
				return nwinfo.VIF{}, apierr.BadRequest("Multiple possible networks found, use a Network ID to be more specific.")
			}
		} else if _, err := s.n.GetNetwork(ctx, c.Token, netID); notFound(err) {
			return nwinfo.VIF{}, apierr.NotFound("Network %s could not be found.", netID)
		} else if err != nil {
			return nwinfo.VIF{}, unavailable(err)
		}
		names := inst.SecurityGroups
		if len(names) == 0 {
			names = []string{"default"}
		}
		groups, err := s.groupIDs(ctx, tok, inst.ProjectID, names)
		if err != nil {
			return nwinfo.VIF{}, err
		}
		attrs := bind(inst, inst.Host)
		attrs["network_id"] = netID
		attrs["project_id"] = inst.ProjectID
		if groups != nil {
			secure, err := s.portSecurity(ctx, tok, netID, inst.SecurityGroups)
			if err != nil {
				return nwinfo.VIF{}, err
			}
			if secure {
				attrs["security_groups"] = groups
			}
		}
		if req.FixedIP != "" {
			attrs["fixed_ips"] = []map[string]any{{"ip_address": req.FixedIP}}
		}
		p, err = s.n.CreatePort(ctx, tok, attrs)
		if apierr.IsType(err, "IpAddressAlreadyAllocated") || apierr.IsType(err, "IpAddressInUse") {
			return nwinfo.VIF{}, apierr.Conflict("Fixed IP address %s is already in use on instance %s.", req.FixedIP, inst.ID)
		}
		if err != nil {
			return nwinfo.VIF{}, createErr(err, compute.NetworkEntry{UUID: netID, FixedIP: req.FixedIP})
		}
	}
	info, err := s.info(ctx, tok, inst, []client.Port{*p})
	if err != nil || len(info) == 0 {
		return nwinfo.VIF{}, err
	}
	info[0].Preserve, info[0].Tag = preserve, req.Tag
	return info[0], nil
}

// Detach is Network.Detach.
func (s *Service) Detach(ctx context.Context, inst *compute.Instance, vif nwinfo.VIF) error {
	tok, err := s.token(ctx)
	if err != nil {
		return err
	}
	if vif.Preserve || given(inst)[vif.PortID] {
		_, err = s.n.UpdatePort(ctx, tok, vif.PortID, unbind())
	} else {
		err = s.n.DeletePort(ctx, tok, vif.PortID)
	}
	return unavailable(ignoreNotFound(err))
}

// Orphans is Network.Orphans: compute's ports whose device is
// no live instance are deleted (a crash between a port's creation and
// its instance's delete, or a delete that could not reach the service).
// Ports the user gave are not told apart once their instance is gone, so
// a port is deleted only when lookup does not know its instance at all
// or knows it deleted and not as the port's giver.
func (s *Service) Orphans(ctx context.Context, lookup func(ctx context.Context, ids []string) (map[string]*compute.Instance, error)) error {
	tok, err := s.token(ctx)
	if err != nil {
		return err
	}
	ports, err := s.n.ListPorts(ctx, tok, nil)
	if err != nil {
		return unavailable(err)
	}
	var ids []string
	for _, p := range ports {
		if isCompute(p.DeviceOwner) && p.DeviceID != "" && !contains(ids, p.DeviceID) {
			ids = append(ids, p.DeviceID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	insts, err := lookup(ctx, ids)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		inst := insts[id]
		if inst != nil && !inst.Deleted {
			continue
		}
		if inst == nil {
			inst = &compute.Instance{ID: id}
		}
		if err := s.Deallocate(ctx, inst); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrs(errs)
}
