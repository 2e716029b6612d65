package l3

import (
	"context"
	"net/netip"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const pfCols = `id, floatingip_id, protocol, external_port, internal_port_id, internal_ip_address, internal_port, description`

func scanPortForwarding(sc db.Scanner) (network.PortForwarding, error) {
	var pf network.PortForwarding
	var ip string
	if err := sc.Scan(&pf.ID, &pf.FloatingIPID, &pf.Protocol, &pf.ExternalPort, &pf.InternalPortID, &ip,
		&pf.InternalPort, &pf.Description); err != nil {
		return pf, err
	}
	var err error
	pf.InternalIP, err = netip.ParseAddr(ip)
	return pf, err
}

func (t *Txn) InsertPortForwarding(ctx context.Context, pf *network.PortForwarding) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO port_forwardings (`+pfCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		pf.ID, pf.FloatingIPID, pf.Protocol, pf.ExternalPort, pf.InternalPortID, pf.InternalIP.String(), pf.InternalPort, pf.Description)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) PortForwardings(ctx context.Context, fip string) ([]network.PortForwarding, error) {
	return db.All(ctx, t.tx, scanPortForwarding, `SELECT `+pfCols+` FROM port_forwardings WHERE floatingip_id = $1 ORDER BY id`, fip)
}

func (t *Txn) PortForwardingsTo(ctx context.Context, port string) ([]network.PortForwarding, error) {
	return db.All(ctx, t.tx, scanPortForwarding, `SELECT `+pfCols+` FROM port_forwardings WHERE internal_port_id = $1 ORDER BY id`, port)
}

func (t *Txn) UpdatePortForwarding(ctx context.Context, pf *network.PortForwarding) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE port_forwardings SET protocol = $2, external_port = $3, internal_port_id = $4,
		internal_ip_address = $5, internal_port = $6, description = $7 WHERE id = $1`,
		pf.ID, pf.Protocol, pf.ExternalPort, pf.InternalPortID, pf.InternalIP.String(), pf.InternalPort, pf.Description)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) DeletePortForwarding(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM port_forwardings WHERE id = $1`, id)
	return err
}
