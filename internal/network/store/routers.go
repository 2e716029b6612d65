package store

import "context"

func (t *txn) CountFloatingIPsOn(ctx context.Context, net string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM floatingips WHERE floating_network_id = $1`, net).Scan(&n)
	return n, err
}
