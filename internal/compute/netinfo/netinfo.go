// Package netinfo is compute's side of the networking service, Nova's
// nova.network.neutron: it checks the networks a server create asks for,
// creates and binds a server's ports on the host it is built on (and
// re-binds them when the build moves to another host), deletes or
// unbinds them when the server goes, hot-plugs single ports
// (os-interface), and builds the network info cache (addresses, MACs,
// subnets, floating IPs) the API and the guest's metadata show.
//
//	API create ─► Resolve (caller's token: networks, ports, groups exist)
//	conductor build ─► Allocate (service token: ports with device_id =
//	    server, device_owner compute:<zone>, binding:host_id = host)
//	    ─► NetworkInfo stored with the instance ─► driver NICs
//	delete ─► Deallocate (created ports deleted, given ports unbound)
//	heal ─► Orphans (ports of servers that are gone)
//
// Every port compute makes carries the server's uuid as device_id before
// anything else is written, so that a crash between the port's creation
// and the instance's update leaves nothing unfindable: a retried build
// finds and reuses the port, a delete finds and removes it.
package netinfo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Neutron is what netinfo calls of the networking service
// (*client.Client implements it).
type Neutron interface {
	Extensions(ctx context.Context, token string) (map[string]bool, error)
	ListNetworks(ctx context.Context, token string, q url.Values) ([]client.Network, error)
	GetNetwork(ctx context.Context, token, id string) (*client.Network, error)
	ListSubnets(ctx context.Context, token string, q url.Values) ([]client.Subnet, error)
	ListPorts(ctx context.Context, token string, q url.Values) ([]client.Port, error)
	GetPort(ctx context.Context, token, id string) (*client.Port, error)
	CreatePort(ctx context.Context, token string, attrs map[string]any) (*client.Port, error)
	UpdatePort(ctx context.Context, token, id string, attrs map[string]any) (*client.Port, error)
	DeletePort(ctx context.Context, token, id string) error
	ListFloatingIPs(ctx context.Context, token string, q url.Values) ([]client.FloatingIP, error)
	UpdateFloatingIP(ctx context.Context, token, id string, attrs map[string]any) (*client.FloatingIP, error)
	ListSecurityGroups(ctx context.Context, token string, q url.Values) ([]client.SecurityGroup, error)
	AutoAllocatedTopology(ctx context.Context, token, project string) (string, error)
}

var (
	_ Neutron         = (*client.Client)(nil)
	_ servers.Network = (*Service)(nil)
	_ core.Network    = (*Service)(nil)
)

// Service is the servers' and the conductor's Network over a Neutron
// client.
type Service struct {
	n Neutron
	// token returns the service token, for what Nova does as an admin:
	// creating ports in the server's project, binding them to a host.
	token func(ctx context.Context) (string, error)
}

// New returns the networking glue over n; token returns the service
// token.
func New(n Neutron, token func(ctx context.Context) (string, error)) *Service {
	return &Service{n: n, token: token}
}

// OwnerPrefix starts the device_owner of every port compute binds.
const OwnerPrefix = "compute:"

// owner is the device_owner of an instance's ports: "compute:<zone>".
func owner(inst *compute.Instance) string {
	az := inst.AvailabilityZone
	if az == "" {
		az = "nova"
	}
	return OwnerPrefix + az
}

// status is the HTTP status of a Neutron answer (0 when err is not one).
func status(err error) int {
	if e, ok := apierr.As(err); ok {
		return e.Code
	}
	return 0
}

func notFound(err error) bool { return status(err) == http.StatusNotFound }

// unavailable wraps a failure of the networking service that compute
// cannot word: Nova's 500 for an unexpected Neutron answer.
func unavailable(err error) error {
	if e, ok := apierr.As(err); ok && e.Code >= 500 {
		return apierr.New(http.StatusInternalServerError, "The networking service failed: %s", e.Message).WithCause(err)
	}
	return err
}

// Resolve is Network.Resolve.
func (s *Service) Resolve(ctx context.Context, c compute.Caller, req compute.NetworkRequest, secGroups []string, count, minor int) (compute.NetworkRequest, error) {
	if err := s.checkGroups(ctx, c, secGroups); err != nil {
		return req, err
	}
	if req.None {
		return req, nil
	}
	if req.Auto || len(req.Entries) == 0 {
		return s.resolveAuto(ctx, c, req, minor)
	}
	ports := map[string]bool{}
	for i, e := range req.Entries {
		if e.Port != "" {
			if count > 1 {
				return req, apierr.BadRequest("Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.")
			}
			if ports[e.Port] {
				return req, apierr.BadRequest("Port %s is still in use.", e.Port)
			}
			ports[e.Port] = true
			p, err := s.n.GetPort(ctx, c.Token, e.Port)
			if notFound(err) {
				return req, apierr.BadRequest("Port id %s could not be found.", e.Port)
			}
			if err != nil {
				return req, unavailable(err)
			}
			if p.DeviceID != "" {
				return req, apierr.Conflict("Port %s is still in use.", e.Port)
			}
			if len(p.FixedIPs) == 0 {
				return req, apierr.BadRequest("Port %s requires a FixedIP in order to be used.", e.Port)
			}
			req.Entries[i].UUID = p.NetworkID
			continue
		}
		net, err := s.n.GetNetwork(ctx, c.Token, e.UUID)
		if notFound(err) {
			return req, apierr.BadRequest("Network %s could not be found.", e.UUID)
		}
		if err != nil {
			return req, unavailable(err)
		}
		if e.FixedIP != "" {
			if count > 1 {
				return req, apierr.BadRequest("max_count cannot be greater than 1 if an fixed_ip is specified.")
			}
			used, err := s.n.ListPorts(ctx, c.Token, client.Query("network_id", net.ID, "fixed_ips", "ip_address="+e.FixedIP))
			if err == nil && len(used) > 0 {
				return req, apierr.BadRequest("Fixed IP address %s is already in use on instance %s.", e.FixedIP, used[0].DeviceID)
			}
		}
	}
	return req, nil
}

// resolveAuto picks the network of a create that names none: the one
// network the project sees (its own and shared ones); none boots without
// a network before 2.37, while 2.37's "auto" asks for the project's
// auto-allocated topology.
func (s *Service) resolveAuto(ctx context.Context, c compute.Caller, req compute.NetworkRequest, minor int) (compute.NetworkRequest, error) {
	nets, err := s.available(ctx, c)
	if err != nil {
		return req, err
	}
	switch {
	case len(nets) > 1:
		return req, apierr.Conflict("Multiple possible networks found, use a Network ID to be more specific.")
	case len(nets) == 1:
		return compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: nets[0].ID}}}, nil
	case !req.Auto || minor < 37:
		return compute.NetworkRequest{}, nil
	}
	ext, err := s.n.Extensions(ctx, c.Token)
	if err != nil {
		return req, unavailable(err)
	}
	if !ext["auto-allocated-topology"] {
		return req, apierr.BadRequest("Unable to automatically allocate a network for project %s", c.ProjectID)
	}
	id, err := s.n.AutoAllocatedTopology(ctx, c.Token, c.ProjectID)
	if err != nil {
		return req, apierr.BadRequest("Unable to automatically allocate a network for project %s", c.ProjectID).WithCause(err)
	}
	return compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: id}}}, nil
}

// available are the networks a server of the caller's project may use
// without naming one: the project's own and the shared ones (Nova's
// _get_available_networks).
func (s *Service) available(ctx context.Context, c compute.Caller) ([]client.Network, error) {
	own, err := s.n.ListNetworks(ctx, c.Token, client.Query("project_id", c.ProjectID, "shared", "false"))
	if err != nil {
		return nil, unavailable(err)
	}
	shared, err := s.n.ListNetworks(ctx, c.Token, client.Query("shared", "true"))
	if err != nil {
		return nil, unavailable(err)
	}
	return append(own, shared...), nil
}

// checkGroups refuses security group names the project does not have.
// A networking service without security groups knows only "default".
func (s *Service) checkGroups(ctx context.Context, c compute.Caller, names []string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := s.groupIDs(ctx, c.Token, c.ProjectID, names)
	return err
}

// groupIDs maps security group names (or ids) of a project to ids. It
// returns nil ids when the service has no security groups.
func (s *Service) groupIDs(ctx context.Context, token, project string, names []string) ([]string, error) {
	groups, err := s.n.ListSecurityGroups(ctx, token, client.Query("project_id", project))
	if notFound(err) {
		for _, n := range names {
			if n != "default" {
				return nil, apierr.BadRequest("Security group %s not found.", n)
			}
		}
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	var ids []string
	for _, n := range names {
		id := ""
		for _, g := range groups {
			if g.ID == n {
				id = g.ID
				break
			}
			if g.Name == n {
				if id != "" {
					return nil, apierr.Conflict("Multiple security groups found matching '%s'. Use an ID to be more specific.", n)
				}
				id = g.ID
			}
		}
		if id == "" {
			return nil, apierr.BadRequest("Security group %s not found.", n)
		}
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// errPortInUse is a port given to a server that another device took
// before the build bound it.
func errPortInUse(id string) error { return apierr.Conflict("Port %s is still in use.", id) }

// isCompute reports whether a device_owner is compute's.
func isCompute(owner string) bool { return strings.HasPrefix(owner, OwnerPrefix) }

// ignoreNotFound drops a 404: what is to be removed is already gone.
func ignoreNotFound(err error) error {
	if notFound(err) {
		return nil
	}
	return err
}

// joinErrs keeps going past individual failures of a cleanup and
// reports them together.
func joinErrs(errs []error) error { return errors.Join(errs...) }

// Client returns the network client under s, for Nova's proxy APIs; nil
// when s runs over something else (a test's fake).
func (s *Service) Client() *client.Client {
	c, _ := s.n.(*client.Client)
	return c
}
