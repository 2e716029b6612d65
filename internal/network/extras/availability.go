package extras

import (
	"context"
	"math/big"

	"github.com/gostack/gostack/internal/network"

	"github.com/gostack/gostack/internal/network/ipam"
)

// IPAvailability is a network's address usage: Neutron's
// network_ip_availability.
type IPAvailability struct {
	NetworkID   string
	NetworkName string
	ProjectID   string
	Total       *big.Int
	Used        int64
	Subnets     []SubnetIPAvailability
}

// SubnetIPAvailability is one subnet's part: the addresses of its
// allocation pools and those allocated (inside the pools or not).
type SubnetIPAvailability struct {
	SubnetID   string
	SubnetName string
	IPVersion  int
	CIDR       string
	Total      *big.Int
	Used       int64
}

// IPAvailabilities returns the address usage of networks: those of ids,
// or all when ids is empty (an id that does not exist is 404 when asked
// for alone).
func (s *Service) IPAvailabilities(ctx context.Context, ids []string) ([]*IPAvailability, error) {
	var out []*IPAvailability
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		admin := network.Scope{Admin: true}
		nets, err := tx.ListNetworks(ctx, network.Filter{Scope: admin, IDs: ids})
		if err != nil {
			return err
		}
		if len(ids) == 1 && len(nets) == 0 {
			return network.NotFound("Network", ids[0])
		}
		f := network.Filter{Scope: admin}
		if len(ids) > 0 {
			f.Eq = map[string][]string{"network_id": ids}
		}
		subs, err := tx.ListSubnets(ctx, f)
		if err != nil {
			return err
		}
		byNet := map[string]*IPAvailability{}
		for _, n := range nets {
			a := &IPAvailability{NetworkID: n.ID, NetworkName: n.Name, ProjectID: n.ProjectID, Total: new(big.Int),
				Subnets: []SubnetIPAvailability{}}
			byNet[n.ID] = a
			out = append(out, a)
		}
		for _, sn := range subs {
			a := byNet[sn.NetworkID]
			if a == nil {
				continue
			}
			used, err := ipam.Used(ctx, tx.Querier(), sn.ID)
			if err != nil {
				return err
			}
			pools := make([]ipam.Pool, len(sn.Pools))
			for i, p := range sn.Pools {
				pools[i] = ipam.Pool{Start: p.Start, End: p.End}
			}
			total := ipam.Size(pools)
			a.Subnets = append(a.Subnets, SubnetIPAvailability{SubnetID: sn.ID, SubnetName: sn.Name, IPVersion: sn.IPVersion,
				CIDR: sn.CIDR.String(), Total: total, Used: used})
			a.Total.Add(a.Total, total)
			a.Used += used
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
