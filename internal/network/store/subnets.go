package store

import (
	"context"
	"database/sql"
	"errors"
	"net/netip"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const subnetCols = `id, project_id, network_id, name, description, ip_version, cidr, gateway_ip, enable_dhcp,
	ipv6_ra_mode, ipv6_address_mode, allocation_pools, dns_nameservers, host_routes, service_types,
	subnetpool_id, segment_id, dns_publish_fixed_ip, created_at, updated_at, revision_number`

// poolJSON is the stored form of allocation pools.
type poolJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

func scanSubnet(sc db.Scanner) (*network.Subnet, error) {
	var s network.Subnet
	var cidr, pools, dns, routes, stypes string
	var gw, ra, am, pool, seg sql.NullString
	if err := sc.Scan(&s.ID, &s.ProjectID, &s.NetworkID, &s.Name, &s.Description, &s.IPVersion, &cidr, &gw,
		&s.EnableDHCP, &ra, &am, &pools, &dns, &routes, &stypes, &pool, &seg, &s.DNSPublishFixed,
		&s.CreatedAt, &s.UpdatedAt, &s.Revision); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = db.UTC(s.CreatedAt), db.UTC(s.UpdatedAt)
	var err error
	if s.CIDR, err = netip.ParsePrefix(cidr); err != nil {
		return nil, err
	}
	if gw.Valid {
		a, err := netip.ParseAddr(gw.String)
		if err != nil {
			return nil, err
		}
		s.GatewayIP = &a
	}
	s.IPv6RAMode, s.IPv6AddressMode, s.SubnetPoolID, s.SegmentID = db.StringPtr(ra), db.StringPtr(am), db.StringPtr(pool), db.StringPtr(seg)
	var ps []poolJSON
	var rs []rows.Route
	if err := errors.Join(db.FromJSON(pools, &ps), db.FromJSON(dns, &s.DNSNameservers),
		db.FromJSON(routes, &rs), db.FromJSON(stypes, &s.ServiceTypes)); err != nil {
		return nil, err
	}
	s.Pools = make([]network.Pool, 0, len(ps))
	for _, p := range ps {
		st, err1 := netip.ParseAddr(p.Start)
		en, err2 := netip.ParseAddr(p.End)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		s.Pools = append(s.Pools, network.Pool{Start: st, End: en})
	}
	s.HostRoutes = make([]network.HostRoute, 0, len(rs))
	for _, r := range rs {
		d, err1 := netip.ParsePrefix(r.Destination)
		h, err2 := netip.ParseAddr(r.NextHop)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		s.HostRoutes = append(s.HostRoutes, network.HostRoute{Destination: d, NextHop: h})
	}
	if s.DNSNameservers == nil {
		s.DNSNameservers = []string{}
	}
	if s.ServiceTypes == nil {
		s.ServiceTypes = []string{}
	}
	return &s, nil
}

// subnetValues are the stored values of s, in subnetCols order.
func subnetValues(s *network.Subnet) []any {
	var gw sql.NullString
	if s.GatewayIP != nil {
		gw = sql.NullString{String: s.GatewayIP.String(), Valid: true}
	}
	pools := make([]poolJSON, len(s.Pools))
	for i, p := range s.Pools {
		pools[i] = poolJSON{p.Start.String(), p.End.String()}
	}
	routes := make([]rows.Route, len(s.HostRoutes))
	for i, r := range s.HostRoutes {
		routes[i] = rows.Route{Destination: r.Destination.String(), NextHop: r.NextHop.String()}
	}
	dns, stypes := s.DNSNameservers, s.ServiceTypes
	if dns == nil {
		dns = []string{}
	}
	if stypes == nil {
		stypes = []string{}
	}
	return []any{s.ID, s.ProjectID, s.NetworkID, s.Name, s.Description, s.IPVersion, s.CIDR.String(), gw,
		s.EnableDHCP, db.NullString(s.IPv6RAMode), db.NullString(s.IPv6AddressMode), db.JSON(pools), db.JSON(dns),
		db.JSON(routes), db.JSON(stypes), db.NullString(s.SubnetPoolID), db.NullString(s.SegmentID),
		s.DNSPublishFixed, s.CreatedAt, s.UpdatedAt, s.Revision}
}

func (t *txn) InsertSubnet(ctx context.Context, s *network.Subnet) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO subnets (`+subnetCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
		$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, subnetValues(s)...)
	return err
}

func (t *txn) GetSubnet(ctx context.Context, id string) (*network.Subnet, error) {
	s, err := scanSubnet(t.tx.QueryRowContext(ctx, `SELECT `+subnetCols+` FROM subnets WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	return s, err
}

// ListSubnets lists the subnets of the scope's project and those of the
// shared and external networks it sees.
func (t *txn) ListSubnets(ctx context.Context, f network.Filter) ([]*network.Subnet, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin,
		"network_id IN (SELECT id FROM networks WHERE shared)")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "network_id", f.Only("network_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "subnetpool_id", f.Only("subnetpool_id"))
	rows, err := t.tx.QueryContext(ctx, `SELECT `+subnetCols+` FROM subnets WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*network.Subnet
	for rows.Next() {
		s, err := scanSubnet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *txn) UpdateSubnet(ctx context.Context, s *network.Subnet) error {
	v := subnetValues(s)
	// The id, then the columns a subnet update may change.
	_, err := t.tx.ExecContext(ctx, `UPDATE subnets SET name = $2, description = $3, gateway_ip = $4, enable_dhcp = $5,
		allocation_pools = $6, dns_nameservers = $7, host_routes = $8, service_types = $9, segment_id = $10,
		dns_publish_fixed_ip = $11, updated_at = $12, revision_number = $13 WHERE id = $1`,
		v[0], v[3], v[4], v[7], v[8], v[11], v[12], v[13], v[14], v[16], v[17], v[19], v[20])
	return err
}

func (t *txn) DeleteSubnet(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM subnets WHERE id = $1`, id)
	return err
}

func (t *txn) LockNetwork(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE networks SET revision_number = revision_number WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apierr.ErrNotFound
	}
	return nil
}
