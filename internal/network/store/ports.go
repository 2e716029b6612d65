package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const portCols = `id, project_id, network_id, name, description, mac_address, admin_state_up, status, device_id,
	device_owner, port_security_enabled, binding_host_id, binding_vnic_type, binding_vif_type, binding_vif_details,
	binding_profile, allowed_address_pairs, extra_dhcp_opts, dns_name, qos_policy_id, created_at, updated_at,
	revision_number`

type pairJSON struct {
	IP  string `json:"ip_address"`
	MAC string `json:"mac_address"`
}

type optJSON struct {
	Name      string `json:"opt_name"`
	Value     string `json:"opt_value"`
	IPVersion int    `json:"ip_version"`
}

func scanPort(sc db.Scanner) (*network.Port, error) {
	var p network.Port
	var details, profile, pairs, opts string
	var qos sql.NullString
	if err := sc.Scan(&p.ID, &p.ProjectID, &p.NetworkID, &p.Name, &p.Description, &p.MAC, &p.AdminStateUp, &p.Status,
		&p.DeviceID, &p.DeviceOwner, &p.PortSecurity, &p.HostID, &p.VNICType, &p.VIFType, &details, &profile,
		&pairs, &opts, &p.DNSName, &qos, &p.CreatedAt, &p.UpdatedAt, &p.Revision); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = db.UTC(p.CreatedAt), db.UTC(p.UpdatedAt)
	p.QoSPolicyID = db.StringPtr(qos)
	var ps []pairJSON
	var os []optJSON
	if err := errors.Join(fromJSON(details, &p.VIFDetails), fromJSON(profile, &p.Profile),
		fromJSON(pairs, &ps), fromJSON(opts, &os)); err != nil {
		return nil, err
	}
	p.AddressPairs = make([]network.AddressPair, len(ps))
	for i, x := range ps {
		p.AddressPairs[i] = network.AddressPair{IP: x.IP, MAC: x.MAC}
	}
	p.ExtraDHCPOpts = make([]network.DHCPOpt, len(os))
	for i, x := range os {
		p.ExtraDHCPOpts[i] = network.DHCPOpt{Name: x.Name, Value: x.Value, IPVersion: x.IPVersion}
	}
	return &p, nil
}

// fromJSON is db.FromJSON that leaves the empty object and list, what
// most ports hold, to a literal instead of the decoder: a list of many
// ports decodes four columns a port.
func fromJSON[T any](s string, v *T) error {
	switch s {
	case "{}":
		if m, ok := any(v).(*map[string]any); ok {
			*m = map[string]any{}
			return nil
		}
	case "[]":
		return nil
	}
	return db.FromJSON(s, v)
}

func portValues(p *network.Port) []any {
	pairs := make([]pairJSON, len(p.AddressPairs))
	for i, x := range p.AddressPairs {
		pairs[i] = pairJSON{x.IP, x.MAC}
	}
	opts := make([]optJSON, len(p.ExtraDHCPOpts))
	for i, x := range p.ExtraDHCPOpts {
		opts[i] = optJSON{x.Name, x.Value, x.IPVersion}
	}
	details, profile := p.VIFDetails, p.Profile
	if details == nil {
		details = map[string]any{}
	}
	if profile == nil {
		profile = map[string]any{}
	}
	return []any{p.ID, p.ProjectID, p.NetworkID, p.Name, p.Description, p.MAC, p.AdminStateUp, p.Status, p.DeviceID,
		p.DeviceOwner, p.PortSecurity, p.HostID, p.VNICType, p.VIFType, db.JSON(details), db.JSON(profile),
		db.JSON(pairs), db.JSON(opts), p.DNSName, db.NullString(p.QoSPolicyID), p.CreatedAt, p.UpdatedAt, p.Revision}
}

func (t *txn) InsertPort(ctx context.Context, p *network.Port) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ports (`+portCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`, portValues(p)...)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	if err != nil {
		return err
	}
	return t.insertIPs(ctx, p)
}

func (t *txn) insertIPs(ctx context.Context, p *network.Port) error {
	for _, ip := range p.FixedIPs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO port_ips (port_id, subnet_id, ip_address) VALUES ($1, $2, $3)`,
			p.ID, ip.SubnetID, ip.IP.String()); err != nil {
			if db.IsUnique(err) {
				return apierr.ErrDuplicate
			}
			return err
		}
	}
	return nil
}

func (t *txn) GetPort(ctx context.Context, id string) (*network.Port, error) {
	p, err := scanPort(t.tx.QueryRowContext(ctx, `SELECT `+portCols+` FROM ports WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return p, t.fillPorts(ctx, []*network.Port{p})
}

// ListPorts lists the ports the scope sees (its project's and those on
// its project's networks; all for an admin), narrowed in SQL by the
// indexed filters: id, network, device, owner, project, MAC, host, and
// fixed_ips' ip_address and subnet_id.
func (t *txn) ListPorts(ctx context.Context, f network.Filter) ([]*network.Port, error) {
	var a db.Args
	where := []string{"TRUE"}
	if !f.Scope.Admin {
		p := a.Add(f.Scope.ProjectID)
		where[0] = "(project_id = " + p + " OR network_id IN (SELECT id FROM networks WHERE project_id = " + p + "))"
	}
	where = rows.Eq(&a, where, "id", f.IDs)
	for _, c := range []string{"id", "network_id", "device_id", "device_owner", "project_id", "mac_address", "name", "binding_host_id"} {
		where = rows.Eq(&a, where, c, f.Only(c))
	}
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "binding_host_id", f.Only("binding:host_id"))
	for _, v := range f.Only("fixed_ips") {
		k, val, _ := strings.Cut(v, "=")
		switch k {
		case "ip_address":
			where = append(where, "id IN (SELECT port_id FROM port_ips WHERE ip_address = "+a.Add(val)+")")
		case "subnet_id":
			where = append(where, "id IN (SELECT port_id FROM port_ips WHERE subnet_id = "+a.Add(val)+")")
		}
	}
	cond := strings.Join(where, " AND ")
	if t.ports != nil {
		return t.listCached(ctx, cond, a.Vals)
	}
	return t.listPorts(ctx, cond, a.Vals)
}

// listCached is ListPorts through the port cache: the ids and revisions
// of the ports first, then the rows of those the cache lacks at that
// revision — by id when they are few, as a plain list otherwise. The
// ports come in byte order of their ids.
func (t *txn) listCached(ctx context.Context, cond string, args []any) ([]*network.Port, error) {
	// One row of "id rev,id rev,...", sorted here: the driver's cost is
	// per row and per column, and a sort inside the aggregate costs the
	// engine more than this one.
	var agg sql.NullString
	if err := t.tx.QueryRowContext(ctx, `SELECT string_agg(id || ' ' || revision_number, ',') FROM ports WHERE `+cond,
		args...).Scan(&agg); err != nil {
		return nil, err
	}
	if agg.String == "" {
		return []*network.Port{}, nil
	}
	items := strings.Split(agg.String, ",")
	slices.Sort(items)
	ids, revs := make([]string, len(items)), make([]int64, len(items))
	for i, item := range items {
		id, rev, _ := strings.Cut(item, " ")
		r, err := strconv.ParseInt(rev, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("port %s: revision %q: %w", id, rev, err)
		}
		ids[i], revs[i] = id, r
	}
	out, hits := t.ports.lookup(ids, revs)
	if hits == len(ids) {
		return out, nil
	}
	if miss := len(ids) - hits; miss > 64 && miss > len(ids)/4 {
		ps, err := t.listPorts(ctx, cond, args)
		if err != nil {
			return nil, err
		}
		t.ports.add(ps, cond == "TRUE")
		// In byte order of the ids, as the other answers here (the
		// engine's collation may order them otherwise).
		slices.SortFunc(ps, func(a, b *network.Port) int { return strings.Compare(a.ID, b.ID) })
		return ps, nil
	}
	var missing []string
	for i, p := range out {
		if p == nil {
			missing = append(missing, ids[i])
		}
	}
	var read []*network.Port
	for chunk := range slices.Chunk(missing, 500) {
		var a db.Args
		ps, err := db.All(ctx, t.tx, scanPort, `SELECT `+portCols+` FROM ports WHERE id IN (`+db.List(&a, chunk)+`)`, a.Vals...)
		if err != nil {
			return nil, err
		}
		read = append(read, ps...)
	}
	if err := t.fillPorts(ctx, read); err != nil {
		return nil, err
	}
	t.ports.add(read, false)
	byID := make(map[string]*network.Port, len(read))
	for _, p := range read {
		byID[p.ID] = p
	}
	kept := out[:0]
	for i, p := range out {
		if p == nil {
			p = byID[ids[i]] // never nil in a snapshot; skipped should it be
		}
		if p != nil {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// listPorts reads the ports matching cond, with their addresses and
// groups.
func (t *txn) listPorts(ctx context.Context, cond string, args []any) ([]*network.Port, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+portCols+` FROM ports WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*network.Port
	for rows.Next() {
		p, err := scanPort(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// The addresses and groups are read with the list's own condition
	// rather than a list of its port ids: one query each, however many
	// ports, and no statement with a parameter per port to parse.
	sub := `SELECT id FROM ports WHERE ` + cond
	if cond == "TRUE" {
		sub = "" // every port: their rows, without a condition
	}
	byID := ipsByID(out)
	if err := t.fillIPsIn(ctx, byID, sub, args); err != nil {
		return nil, err
	}
	return out, t.FillGroupsOf(ctx, out, sub, args)
}

// fillPorts reads the fixed IPs and security groups of ps.
func (t *txn) fillPorts(ctx context.Context, ps []*network.Port) error {
	if err := t.fillIPs(ctx, ps); err != nil {
		return err
	}
	return t.FillGroups(ctx, ps)
}

// fillIPs reads the fixed IPs of ps, by their ids.
func (t *txn) fillIPs(ctx context.Context, ps []*network.Port) error {
	byID := ipsByID(ps)
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	// The ids go in IN lists of at most 500, well under both engines'
	// parameter limits.
	for chunk := range slices.Chunk(ids, 500) {
		var a db.Args
		if err := t.fillIPsIn(ctx, byID, db.List(&a, chunk), a.Vals); err != nil {
			return err
		}
	}
	return nil
}

// ipsByID empties the fixed IPs of ps and returns them by id.
func ipsByID(ps []*network.Port) map[string]*network.Port {
	byID := make(map[string]*network.Port, len(ps))
	for _, p := range ps {
		p.FixedIPs = []network.FixedIP{}
		byID[p.ID] = p
	}
	return byID
}

// fillIPsIn adds the fixed IPs of the ports whose id is IN (in) to
// byID's; an empty in reads every port's.
func (t *txn) fillIPsIn(ctx context.Context, byID map[string]*network.Port, in string, args []any) error {
	q := `SELECT port_id, subnet_id, ip_address FROM port_ips`
	if in != "" {
		q += ` WHERE port_id IN (` + in + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY port_id, subnet_id, ip_address`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, sid, ip string
		if err := rows.Scan(&pid, &sid, &ip); err != nil {
			return err
		}
		p := byID[pid]
		if p == nil {
			continue
		}
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return err
		}
		p.FixedIPs = append(p.FixedIPs, network.FixedIP{SubnetID: sid, IP: addr})
	}
	return rows.Err()
}

// UpdatePort writes p and replaces its fixed IPs. It writes only over a
// lower revision_number: a concurrent transaction that changed the port
// since p was read makes it db.ErrRace, and the transaction runs again
// on the new row, instead of overwriting that change with the same
// revision (the port cache relies on one content per revision).
func (t *txn) UpdatePort(ctx context.Context, p *network.Port) error {
	v := portValues(p)
	res, err := t.tx.ExecContext(ctx, `UPDATE ports SET name = $2, description = $3, mac_address = $4, admin_state_up = $5,
		status = $6, device_id = $7, device_owner = $8, port_security_enabled = $9, binding_host_id = $10,
		binding_vnic_type = $11, binding_vif_type = $12, binding_vif_details = $13, binding_profile = $14,
		allowed_address_pairs = $15, extra_dhcp_opts = $16, dns_name = $17, qos_policy_id = $18, updated_at = $19,
		revision_number = $20 WHERE id = $1 AND revision_number < $20`,
		v[0], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17],
		v[18], v[19], v[21], v[22])
	if err != nil {
		if db.IsUnique(err) {
			return apierr.ErrDuplicate
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrRace
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM port_ips WHERE port_id = $1`, p.ID); err != nil {
		return err
	}
	return t.insertIPs(ctx, p)
}

// MACInUse reports whether a port of network has mac.
func (t *txn) MACInUse(ctx context.Context, net, mac string) (bool, error) {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM ports WHERE network_id = $1 AND mac_address = $2`, net, mac).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SubnetPorts returns the ports with an address on subnet, with their
// device owners.
func (t *txn) SubnetPorts(ctx context.Context, subnet string) (map[string]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT DISTINCT p.id, p.device_owner FROM port_ips i JOIN ports p ON p.id = i.port_id
		WHERE i.subnet_id = $1`, subnet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, owner string
		if err := rows.Scan(&id, &owner); err != nil {
			return nil, err
		}
		out[id] = owner
	}
	return out, rows.Err()
}

func (t *txn) DeletePort(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM ports WHERE id = $1`, id)
	return err
}

func (t *txn) CountForeignPorts(ctx context.Context, net, project string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM ports WHERE network_id = $1 AND project_id <> $2
		AND device_owner <> $3`, net, project, network.OwnerDHCP).Scan(&n)
	return n, err
}
