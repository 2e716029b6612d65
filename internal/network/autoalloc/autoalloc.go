// Package autoalloc holds the use cases of Neutron's
// auto-allocated-topology extension, which Nova's "networks": "auto"
// (microversion 2.37) relies on: the first request of a project makes it
// a network with a subnet from each default subnet pool and a router from
// those subnets to the default external network; later requests answer
// that network. DELETE tears the topology down.
//
// The topology is made in one transaction, ending with the project's
// record, whose primary key decides a race between two first requests:
// the loser's transaction rolls back with everything it made and it
// answers the winner's network. Nothing half made is ever visible, so a
// project never sees two auto-allocated networks.
//
//	Get ─► record? ─yes─► its network
//	         │no
//	         ▼
//	  one transaction: network ─► subnets (default pools) ─► router,
//	  gateway on the default external network, interfaces ─► record
package autoalloc

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/routers"
	"github.com/gostack/gostack/internal/network/subnets"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The names Neutron gives the resources it allocates.
const (
	networkName = "auto_allocated_network"
	routerName  = "auto_allocated_router"
	subnetName  = "auto_allocated_subnet_v%d" // of its IP version
)

// DryRunID is the id a successful dry run answers (Neutron's
// "dry-run=pass").
const DryRunID = "dry-run=pass"

// Service is the auto-allocated topology's use cases over the networking
// service.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }

// Failure is Neutron's AutoAllocationFailure (409): "Deployment error:
// <reason>."
func Failure(reason string) *apierr.Error {
	return network.Conflict("AutoAllocationFailure", "Deployment error: %s.", reason)
}

// Neutron's reasons.
const (
	noExternal     = "No default router:external network"
	noPools        = "No default subnetpools defined"
	noPrivate      = "Unable to provide tenant private network"
	noConnectivity = "Unable to provide external connectivity"
)

// Get returns the network of project's topology, making the topology
// first when the project has none. sc is the caller's scope (the API
// lets a project ask only for itself; an admin for any project).
func (s *Service) Get(ctx context.Context, sc network.Scope, project string) (string, error) {
	if id, err := s.existing(ctx, project); err != nil || id != "" {
		return id, err
	}
	limits := map[string]int64{}
	for _, res := range []string{"network", "subnet", "router", "port"} {
		lim, err := s.net.Limit(ctx, project, res)
		if err != nil {
			return "", err
		}
		limits[res] = lim
	}
	var netID string
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		netID, err = s.build(ctx, tx, sc, project, limits)
		return err
	})
	if err == nil {
		return netID, nil
	}
	// A concurrent first request of the same project that committed
	// first wins, whatever error ours met on the way (its record, or a
	// segment id or subnet CIDR it took): answer its network.
	if id, err2 := s.existing(ctx, project); err2 == nil && id != "" {
		return id, nil
	}
	return "", err
}

// existing is the network of project's topology, "" when it has none.
func (s *Service) existing(ctx context.Context, project string) (string, error) {
	var id string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		t, err := tx.GetTopology(ctx, project)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		id = t.NetworkID
		return nil
	})
	return id, err
}

// DryRun checks that a topology could be made: a default external
// network and a default subnet pool exist (Neutron's dry-run, which
// answers the same errors as a real request would).
func (s *Service) DryRun(ctx context.Context) error {
	return s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := defaultExternal(ctx, tx); err != nil {
			return err
		}
		_, err := defaultPools(ctx, tx)
		return err
	})
}

// defaultExternal is the default external network: the oldest, when an
// operator marked several.
func defaultExternal(ctx context.Context, tx network.Tx) (string, error) {
	ids, err := tx.DefaultExternalNetworks(ctx)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", Failure(noExternal)
	}
	return ids[0], nil
}

// defaultPools are the default subnet pools, one per IP version.
func defaultPools(ctx context.Context, tx network.Tx) ([]*network.SubnetPool, error) {
	all, err := tx.DefaultSubnetPools(ctx)
	if err != nil {
		return nil, err
	}
	var out []*network.SubnetPool
	for _, p := range all {
		if !slices.ContainsFunc(out, func(o *network.SubnetPool) bool { return o.IPVersion == p.IPVersion }) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, Failure(noPools)
	}
	return out, nil
}

// build makes project's topology inside tx and returns its network.
func (s *Service) build(ctx context.Context, tx network.Tx, sc network.Scope, project string, limits map[string]int64) (string, error) {
	// A request that waited for a concurrent one to commit finds its
	// record here.
	if t, err := tx.GetTopology(ctx, project); err == nil {
		return t.NetworkID, nil
	} else if !errors.Is(err, apierr.ErrNotFound) {
		return "", err
	}
	ext, err := defaultExternal(ctx, tx)
	if err != nil {
		return "", err
	}
	pools, err := defaultPools(ctx, tx)
	if err != nil {
		return "", err
	}
	for res, n := range map[string]int64{"network": 1, "subnet": int64(len(pools)), "router": 1, "port": int64(len(pools))} {
		if err := s.net.CheckQuota(ctx, tx, project, res, n, limits[res]); err != nil {
			return "", err
		}
	}
	// The network as any tenant network is made (no provider
	// attributes: the tenant type and a segment from its range); a tenant
	// type that needs a physical network cannot be auto-allocated.
	n, err := networks.New(s.net).AddNetwork(ctx, tx, networks.Create{ProjectID: project, Name: networkName})
	if err != nil {
		return "", private(err)
	}
	if err := tx.InsertTopology(ctx, &network.Topology{ProjectID: project, NetworkID: n.ID}); err != nil {
		return "", err
	}
	var subs []*network.Subnet
	for _, p := range pools {
		sn, err := subnets.New(s.net).AddSubnet(ctx, tx, sc, subnets.Create{ProjectID: project, NetworkID: n.ID,
			Name: fmt.Sprintf(subnetName, p.IPVersion), IPVersion: p.IPVersion, SubnetPoolID: &p.ID})
		if err != nil {
			return "", private(err)
		}
		subs = append(subs, sn)
	}
	// The router with its gateway on the default external network and
	// an interface on each subnet, as the routers API makes them; what it
	// refuses (an overlap with the external subnets, a subnet without a
	// gateway) is the deployment's: no external connectivity.
	rs := routers.New(s.net)
	r, err := rs.AddRouter(ctx, tx, sc, routers.Create{ProjectID: project, Name: routerName,
		Gateway: &routers.GatewayRequest{NetworkID: ext}})
	if err != nil {
		return "", connectivity(err)
	}
	for _, sn := range subs {
		if err := rs.AttachSubnet(ctx, tx, sc, r, sn.ID); err != nil {
			return "", connectivity(err)
		}
	}
	if err := tx.SetTopologyRouter(ctx, project, r.ID); err != nil {
		return "", err
	}
	return n.ID, nil
}

// private maps the errors of making the project's subnets as Neutron
// does: a request error (a pool without room, one the project cannot
// use) is the deployment's AutoAllocationFailure.
func private(err error) error {
	if e, ok := apierr.As(err); ok && (e.Code == 400 || e.Code == 404 || e.Type == "SubnetAllocationError") {
		return Failure(noPrivate).WithCause(err)
	}
	return err
}

// connectivity maps a request error of the router's ports to Neutron's
// AutoAllocationFailure.
func connectivity(err error) error {
	if e, ok := apierr.As(err); ok && e.Code == 400 {
		return Failure(noConnectivity).WithCause(err)
	}
	return err
}

// Delete tears project's topology down as Neutron does: the router's
// interfaces, the router, then the network with its subnets (which
// takes the record with it). A project without one is no error.
//
// Each step is the area's own use case, with its own checks and its own
// transaction; a check of everything they would refuse runs first, so
// that a refusal (servers still on the network, floating IPs through
// the router) changes nothing.
func (s *Service) Delete(ctx context.Context, sc network.Scope, project string) error {
	var t *network.Topology
	var subs []*network.Subnet
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		t, err = tx.GetTopology(ctx, project)
		if errors.Is(err, apierr.ErrNotFound) {
			t = nil
			return nil
		}
		if err != nil {
			return err
		}
		if subs, err = tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {t.NetworkID}}}); err != nil {
			return err
		}
		return checkUnused(ctx, tx, t, subs)
	})
	if err != nil || t == nil {
		return err
	}
	if t.RouterID != "" {
		rs := routers.New(s.net)
		for _, sn := range subs {
			_, err := rs.RemoveInterface(ctx, sc, t.RouterID, routers.InterfaceRequest{SubnetID: sn.ID})
			if err != nil && !notFound(err) {
				return err
			}
		}
		if err := rs.DeleteRouter(ctx, sc, t.RouterID); err != nil && !notFound(err) {
			return err
		}
	}
	if err := networks.New(s.net).DeleteNetwork(ctx, sc, t.NetworkID); err != nil && !notFound(err) {
		return err
	}
	// The record went with the network; this is for a network already
	// gone without it.
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		return tx.DeleteTopology(ctx, project)
	})
}

// checkUnused refuses tearing down a topology still in use: ports on
// the network other than its DHCP ports and the router's interfaces
// (Neutron's NetworkInUse), floating IPs reached through the router.
func checkUnused(ctx context.Context, tx network.Tx, t *network.Topology, subs []*network.Subnet) error {
	onNet, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {t.NetworkID}}})
	if err != nil {
		return err
	}
	for _, p := range onNet {
		own := network.IsRouterPort(p.DeviceOwner) && t.RouterID != "" && p.DeviceID == t.RouterID
		if p.DeviceOwner != network.OwnerDHCP && !own {
			return network.Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", t.NetworkID)
		}
	}
	if t.RouterID == "" {
		return nil
	}
	fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"router_id": {t.RouterID}}})
	if err != nil {
		return err
	}
	for _, f := range fips {
		for _, sn := range subs {
			if f.FixedIP != nil && sn.CIDR.Contains(*f.FixedIP) {
				return network.Conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs.", sn.ID, t.RouterID)
			}
		}
	}
	if len(fips) > 0 {
		// Port forwardings reach their ports through the router too.
		return network.Conflict("RouterInUse", "Router %s still has ports", t.RouterID)
	}
	return nil
}

func notFound(err error) bool {
	e, ok := apierr.As(err)
	return ok && e.Code == 404
}
