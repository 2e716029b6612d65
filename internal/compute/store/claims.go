package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/gostack/gostack/internal/compute"
)

// Claim implements compute.Store: one transaction for every id.
func (s *Store) Claim(ctx context.Context, owner string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	at := time.Now().UnixNano()
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO compute_claims (instance_id, owner, claimed_at) VALUES ($1, $2, $3)
ON CONFLICT (instance_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at`, id, owner, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// TakeClaim implements compute.Store. The statement is the
// compare-and-swap: on PostgreSQL a concurrent taker waits for the row
// and re-reads it as committed, so of two conductors taking the same
// claim one changes a row and the other none.
func (s *Store) TakeClaim(ctx context.Context, c compute.Claim, owner string) (bool, error) {
	query := `UPDATE compute_claims SET owner = $4, claimed_at = $5 WHERE instance_id = $1 AND owner = $2 AND claimed_at = $3`
	args := []any{c.InstanceID, c.Owner, c.At, owner, time.Now().UnixNano()}
	if c.Owner == "" {
		query = `INSERT INTO compute_claims (instance_id, owner, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (instance_id) DO NOTHING`
		args = []any{c.InstanceID, owner, time.Now().UnixNano()}
	}
	n, err := s.db.Exec(ctx, query, args...)
	return n == 1, err
}

// DropClaim implements compute.Store.
func (s *Store) DropClaim(ctx context.Context, c compute.Claim) error {
	_, err := s.db.Exec(ctx, `DELETE FROM compute_claims WHERE instance_id = $1 AND owner = $2 AND claimed_at = $3`, c.InstanceID, c.Owner, c.At)
	return err
}

// Claims implements compute.Store.
func (s *Store) Claims(ctx context.Context) ([]compute.Claim, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT instance_id, owner, claimed_at FROM compute_claims ORDER BY instance_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []compute.Claim
	for rows.Next() {
		var c compute.Claim
		if err := rows.Scan(&c.InstanceID, &c.Owner, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
