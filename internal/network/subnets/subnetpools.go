package subnets

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// PoolCreate is a subnet pool create request.
type PoolCreate struct {
	ProjectID, Name, Description           string
	Prefixes                               []netip.Prefix
	DefaultPrefixLen, MinPrefixLen, MaxLen *int
	DefaultQuota                           *int64
	Shared, IsDefault                      *bool
	AddressScopeID                         *string
}

// PoolUpdate holds what a subnet pool PUT may change.
type PoolUpdate struct {
	Name, Description                      *string
	Prefixes                               *[]netip.Prefix
	DefaultPrefixLen, MinPrefixLen, MaxLen *int
	DefaultQuota                           **int64
	IsDefault                              *bool
	AddressScopeID                         **string
	Revision                               *int64
}

// CreateSubnetPool creates a subnet pool.
func (s *Service) CreateSubnetPool(ctx context.Context, sc network.Scope, c PoolCreate) (*network.SubnetPool, error) {
	if len(c.Prefixes) == 0 {
		return nil, network.BadRequest("Failed to parse request. Required attribute 'prefixes' not specified")
	}
	now := db.Now()
	p := &network.SubnetPool{
		Std:            network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now, Tags: []string{}},
		DefaultQuota:   c.DefaultQuota,
		Shared:         network.OrBool(c.Shared, false),
		IsDefault:      network.OrBool(c.IsDefault, false),
		AddressScopeID: c.AddressScopeID,
	}
	var err error
	if p.Prefixes, p.IPVersion, err = normalPrefixes(c.Prefixes); err != nil {
		return nil, err
	}
	maxBits := 32
	if p.IPVersion == 6 {
		maxBits = 128
	}
	p.MinPrefixLen, p.MaxPrefixLen = 8, maxBits
	if p.IPVersion == 6 {
		p.MinPrefixLen = 64
	}
	network.Set(&p.MinPrefixLen, c.MinPrefixLen)
	network.Set(&p.MaxPrefixLen, c.MaxLen)
	p.DefaultPrefixLen = p.MinPrefixLen
	network.Set(&p.DefaultPrefixLen, c.DefaultPrefixLen)
	if err := checkPrefixLens(p, maxBits); err != nil {
		return nil, err
	}
	limit, err := s.net.Limit(ctx, p.ProjectID, "subnetpool")
	if err != nil {
		return nil, err
	}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := s.net.CheckQuota(ctx, tx, p.ProjectID, "subnetpool", 1, limit); err != nil {
			return err
		}
		if err := s.checkPoolScope(ctx, tx, sc, p); err != nil {
			return err
		}
		if err := s.checkOneDefault(ctx, tx, p); err != nil {
			return err
		}
		return tx.InsertSubnetPool(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// normalPrefixes checks that prefixes are of one family and returns them
// masked, merged and sorted, as Neutron compacts them.
func normalPrefixes(in []netip.Prefix) ([]netip.Prefix, int, error) {
	version := 4
	if in[0].Addr().Is6() {
		version = 6
	}
	var ps []netip.Prefix
	for _, p := range in {
		if p.Addr().Is6() != (version == 6) {
			return nil, 0, network.BadRequest("Cannot mix IPv4 and IPv6 prefixes in a subnet pool.").WithType("PrefixVersionMismatch")
		}
		ps = append(ps, p.Masked())
	}
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	// Drop the prefixes inside another one.
	var out []netip.Prefix
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Overlaps(p) {
			continue
		}
		out = append(out, p)
	}
	return out, version, nil
}

// checkPrefixLens enforces min <= default <= max <= the family's bits.
func checkPrefixLens(p *network.SubnetPool, maxBits int) error {
	bad := func(typ string, n int, base string, bn int) error {
		return network.BadRequest("Illegal prefix bounds: %s=%d, %s=%d.", typ, n, base, bn).WithType("IllegalSubnetPoolPrefixBounds")
	}
	switch {
	case p.MinPrefixLen < 0:
		return bad("min_prefixlen", p.MinPrefixLen, "0", 0)
	case p.MaxPrefixLen > maxBits:
		return bad("max_prefixlen", p.MaxPrefixLen, "max_prefixlen", maxBits)
	case p.MinPrefixLen > p.MaxPrefixLen:
		return bad("min_prefixlen", p.MinPrefixLen, "max_prefixlen", p.MaxPrefixLen)
	case p.DefaultPrefixLen < p.MinPrefixLen:
		return bad("default_prefixlen", p.DefaultPrefixLen, "min_prefixlen", p.MinPrefixLen)
	case p.DefaultPrefixLen > p.MaxPrefixLen:
		return bad("default_prefixlen", p.DefaultPrefixLen, "max_prefixlen", p.MaxPrefixLen)
	}
	for _, pr := range p.Prefixes {
		if pr.Bits() > p.MaxPrefixLen {
			return bad("prefix", pr.Bits(), "max_prefixlen", p.MaxPrefixLen)
		}
	}
	return nil
}

// checkPoolScope checks the pool's address scope exists, is the caller's
// or shared, and has the pool's IP version.
func (s *Service) checkPoolScope(ctx context.Context, tx network.Tx, sc network.Scope, p *network.SubnetPool) error {
	if p.AddressScopeID == nil {
		return nil
	}
	as, err := s.visibleScope(ctx, tx, sc, *p.AddressScopeID)
	if err != nil {
		return err
	}
	if as.IPVersion != p.IPVersion {
		return network.BadRequest("Illegal subnetpool association: subnetpool %s cannot associate with address scope %s because subnetpool ip_version is not %d.", p.ID, as.ID, as.IPVersion).WithType("IllegalSubnetPoolIpVersionAssociationToAddressScope")
	}
	return nil
}

// checkOneDefault refuses a second default pool of an IP version.
func (s *Service) checkOneDefault(ctx context.Context, tx network.Tx, p *network.SubnetPool) error {
	if !p.IsDefault {
		return nil
	}
	all, err := tx.ListSubnetPools(ctx, network.Filter{Scope: network.Scope{Admin: true}})
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != p.ID && o.IsDefault && o.IPVersion == p.IPVersion {
			return network.BadRequest("Invalid input for operation: A default subnetpool for this IP family has already been set. Only one default may exist per IP family.").WithType("InvalidInput")
		}
	}
	return nil
}

// visiblePool reads a pool the scope may see: its own or a shared one.
func (s *Service) visiblePool(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.SubnetPool, error) {
	p, err := tx.GetSubnetPool(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(p.ProjectID) && !p.Shared) {
		return nil, network.SubnetPoolNotFound(id)
	}
	return p, err
}

// GetSubnetPool returns a pool the scope sees.
func (s *Service) GetSubnetPool(ctx context.Context, sc network.Scope, id string) (*network.SubnetPool, error) {
	var p *network.SubnetPool
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		p, err = s.visiblePool(ctx, tx, sc, id)
		return err
	})
	return p, err
}

// ListSubnetPools lists the pools the scope sees.
func (s *Service) ListSubnetPools(ctx context.Context, f network.Filter) ([]*network.SubnetPool, error) {
	var out []*network.SubnetPool
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListSubnetPools(ctx, f)
		return err
	})
	return out, err
}

// UpdateSubnetPool changes a pool; its prefixes may only grow.
func (s *Service) UpdateSubnetPool(ctx context.Context, sc network.Scope, id string, u PoolUpdate) (*network.SubnetPool, error) {
	var p *network.SubnetPool
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if p, err = s.visiblePool(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, p.Revision); err != nil {
			return err
		}
		network.Set(&p.Name, u.Name)
		network.Set(&p.Description, u.Description)
		network.Set(&p.DefaultPrefixLen, u.DefaultPrefixLen)
		network.Set(&p.MinPrefixLen, u.MinPrefixLen)
		network.Set(&p.MaxPrefixLen, u.MaxLen)
		network.Set(&p.DefaultQuota, u.DefaultQuota)
		network.Set(&p.IsDefault, u.IsDefault)
		network.Set(&p.AddressScopeID, u.AddressScopeID)
		if u.Prefixes != nil {
			if len(*u.Prefixes) == 0 {
				return network.BadRequest("Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.").WithType("IllegalSubnetPoolPrefixUpdate")
			}
			ps, v, err := normalPrefixes(*u.Prefixes)
			if err != nil {
				return err
			}
			if v != p.IPVersion {
				return network.BadRequest("Cannot mix IPv4 and IPv6 prefixes in a subnet pool.").WithType("PrefixVersionMismatch")
			}
			for _, old := range p.Prefixes {
				if !slices.ContainsFunc(ps, func(n netip.Prefix) bool { return n.Bits() <= old.Bits() && n.Contains(old.Addr()) }) {
					return network.BadRequest("Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.").WithType("IllegalSubnetPoolPrefixUpdate")
				}
			}
			p.Prefixes = ps
		}
		maxBits := 32
		if p.IPVersion == 6 {
			maxBits = 128
		}
		if err := checkPrefixLens(p, maxBits); err != nil {
			return err
		}
		if u.AddressScopeID != nil {
			if err := s.checkPoolScope(ctx, tx, sc, p); err != nil {
				return err
			}
		}
		if err := s.checkOneDefault(ctx, tx, p); err != nil {
			return err
		}
		p.UpdatedAt = db.Now()
		p.Revision++
		return tx.UpdateSubnetPool(ctx, p)
	})
	return p, err
}

// DeleteSubnetPool deletes a pool no subnet was allocated from.
func (s *Service) DeleteSubnetPool(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		p, err := s.visiblePool(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		used, err := tx.PoolCIDRs(ctx, p.ID)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return network.Conflict("SubnetPoolInUse", "Unable to complete operation on subnet pool %s. Subnets are hosted in this subnet pool.", p.ID)
		}
		if err := tx.SetTags(ctx, "subnetpools", p.ID, nil); err != nil {
			return err
		}
		return tx.DeleteSubnetPool(ctx, p.ID)
	})
}

// subnetCIDR gives a new subnet its CIDR: the requested one, or one
// allocated from its subnet pool (the named one, or the default pool of
// its family with use_default_subnetpool).
func (s *Service) subnetCIDR(ctx context.Context, tx network.Tx, sc network.Scope, sn *network.Subnet, c Create) error {
	poolID := c.SubnetPoolID
	if poolID == nil && c.UseDefaultPool {
		all, err := tx.ListSubnetPools(ctx, network.Filter{Scope: network.Scope{Admin: true}})
		if err != nil {
			return err
		}
		for _, p := range all {
			if p.IsDefault && p.IPVersion == sn.IPVersion {
				poolID = &p.ID
				break
			}
		}
		if poolID == nil {
			return network.BadRequest("Bad subnets request: No default subnetpool found for IPv%d.", sn.IPVersion).WithType("BadRequest")
		}
	}
	if poolID == nil {
		if c.CIDR == nil {
			return network.BadRequest("Bad subnets request: a subnetpool must be specified in the absence of a cidr.").WithType("BadRequest")
		}
		sn.CIDR = c.CIDR.Masked()
		return nil
	}
	p, err := s.visiblePool(ctx, tx, sc, *poolID)
	if err != nil {
		return err
	}
	if p.IPVersion != sn.IPVersion {
		return network.BadRequest("Bad subnets request: Cannot allocate IPv%d subnet from IPv%d subnet pool.", sn.IPVersion, p.IPVersion).WithType("BadRequest")
	}
	if err := tx.LockSubnetPool(ctx, p.ID); err != nil {
		return err
	}
	taken, err := tx.PoolCIDRs(ctx, p.ID)
	if err != nil {
		return err
	}
	plen := p.DefaultPrefixLen
	if c.CIDR != nil {
		plen = c.CIDR.Bits()
	} else if c.PrefixLen != nil {
		plen = *c.PrefixLen
	}
	if plen > p.MaxPrefixLen {
		return network.BadRequest("Unable to allocate subnet with prefix length %d, maximum allowed prefix is %d.", plen, p.MaxPrefixLen).WithType("MaxPrefixSubnetAllocationError")
	}
	if plen < p.MinPrefixLen {
		return network.BadRequest("Unable to allocate subnet with prefix length %d, minimum allowed prefix is %d.", plen, p.MinPrefixLen).WithType("MinPrefixSubnetAllocationError")
	}
	if c.CIDR != nil {
		want := c.CIDR.Masked()
		inside := slices.ContainsFunc(p.Prefixes, func(pr netip.Prefix) bool { return pr.Bits() <= want.Bits() && pr.Contains(want.Addr()) })
		clash := slices.ContainsFunc(taken, func(t netip.Prefix) bool { return t.Overlaps(want) })
		if !inside || clash {
			return network.Conflict("SubnetAllocationError", "Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.")
		}
		sn.CIDR = want
	} else {
		got, ok := lowestFree(p.Prefixes, taken, plen)
		if !ok {
			return network.Conflict("SubnetAllocationError", "Failed to allocate subnet: Insufficient prefix space to allocate subnet size /%d.", plen)
		}
		sn.CIDR = got
	}
	sn.SubnetPoolID = &p.ID
	return nil
}

// lowestFree is the lowest prefix of length plen inside prefixes that
// overlaps none of taken. A candidate that overlaps a taken prefix is
// followed by the first block past both, which stays aligned: past a
// smaller taken prefix inside the candidate is past the candidate, and
// past a larger one is aligned to it.
func lowestFree(prefixes, taken []netip.Prefix, plen int) (netip.Prefix, bool) {
	for _, pr := range prefixes {
		if pr.Bits() > plen {
			continue
		}
		c := netip.PrefixFrom(pr.Addr(), plen).Masked()
		for pr.Contains(c.Addr()) {
			i := slices.IndexFunc(taken, func(t netip.Prefix) bool { return t.Overlaps(c) })
			if i < 0 {
				return c, true
			}
			end := network.LastAddr(c)
			if te := network.LastAddr(taken[i]); end.Less(te) {
				end = te
			}
			next := end.Next()
			if !next.IsValid() {
				break
			}
			c = netip.PrefixFrom(next, plen)
		}
	}
	return netip.Prefix{}, false
}
