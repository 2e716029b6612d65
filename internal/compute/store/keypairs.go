package store

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/store/internal/txn"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// CreateKeypair implements compute.Store.
func (s *Store) CreateKeypair(ctx context.Context, k *compute.Keypair, check func(ctx context.Context, q db.Querier, count int64) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_keypairs WHERE user_id = $1 AND name = $2`, k.UserID, k.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.ErrDuplicate
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_keypairs WHERE user_id = $1`, k.UserID).Scan(&n); err != nil {
			return err
		}
		if check != nil {
			if err := check(ctx, tx, n); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO compute_keypairs (user_id, name, type, public_key, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			k.UserID, k.Name, k.Type, k.PublicKey, k.Fingerprint, k.CreatedAt).Scan(&k.ID)
		if db.IsUnique(err) {
			// A concurrent create of the same name committed first.
			return apierr.ErrDuplicate
		}
		return err
	})
}

const keypairCols = `id, user_id, name, type, public_key, fingerprint, created_at`

func scanKeypair(sc db.Scanner) (compute.Keypair, error) {
	var k compute.Keypair
	err := sc.Scan(&k.ID, &k.UserID, &k.Name, &k.Type, &k.PublicKey, &k.Fingerprint, &k.CreatedAt)
	return k, err
}

// GetKeypair implements compute.Store.
func (s *Store) GetKeypair(ctx context.Context, userID, name string) (*compute.Keypair, error) {
	k, err := scanKeypair(s.db.Reader().QueryRowContext(ctx, `SELECT `+keypairCols+` FROM compute_keypairs WHERE user_id = $1 AND name = $2`, userID, name))
	if err != nil {
		return nil, db.NotFound(err)
	}
	return &k, nil
}

// ListKeypairs implements compute.Store.
func (s *Store) ListKeypairs(ctx context.Context, userID string) ([]compute.Keypair, error) {
	return db.All(ctx, s.db.Reader(), scanKeypair, `SELECT `+keypairCols+` FROM compute_keypairs WHERE user_id = $1 ORDER BY name`, userID)
}

// DeleteKeypair implements compute.Store.
func (s *Store) DeleteKeypair(ctx context.Context, userID, name string) error {
	return txn.Exec1(ctx, s.db.Writer(), `DELETE FROM compute_keypairs WHERE user_id = $1 AND name = $2`, userID, name)
}

// CountKeypairs implements compute.Store.
func (s *Store) CountKeypairs(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM compute_keypairs WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}

// CreateServerGroup implements compute.Store.
func (s *Store) CreateServerGroup(ctx context.Context, g *compute.ServerGroup, check func(ctx context.Context, q db.Querier, count int64) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_server_groups WHERE project_id = $1`, g.ProjectID).Scan(&n); err != nil {
			return err
		}
		if check != nil {
			if err := check(ctx, tx, n); err != nil {
				return err
			}
		}
		var max sql.NullInt64
		if v, ok := g.Rules["max_server_per_host"]; ok {
			max = sql.NullInt64{Int64: v, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO compute_server_groups (id, name, project_id, user_id, policy, max_server_per_host, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			g.ID, g.Name, g.ProjectID, g.UserID, g.Policy, max, g.CreatedAt)
		return err
	})
}

func (s *Store) groups(ctx context.Context, where string, args ...any) ([]compute.ServerGroup, error) {
	r := s.db.Reader()
	rows, err := r.QueryContext(ctx, `SELECT id, name, project_id, user_id, policy, max_server_per_host, created_at FROM compute_server_groups `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	out := []compute.ServerGroup{}
	for rows.Next() {
		var g compute.ServerGroup
		var max sql.NullInt64
		if err := rows.Scan(&g.ID, &g.Name, &g.ProjectID, &g.UserID, &g.Policy, &max, &g.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		g.Rules = map[string]int64{}
		if max.Valid {
			g.Rules["max_server_per_host"] = max.Int64
		}
		g.Members = []string{}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		m, err := db.Strings(ctx, s.db.Reader(), `SELECT instance_id FROM compute_server_group_members WHERE group_id = $1 ORDER BY instance_id`, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Members = m
	}
	return out, nil
}

// GetServerGroup implements compute.Store.
func (s *Store) GetServerGroup(ctx context.Context, id string) (*compute.ServerGroup, error) {
	gs, err := s.groups(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, apierr.ErrNotFound
	}
	return &gs[0], nil
}

// ListServerGroups implements compute.Store.
func (s *Store) ListServerGroups(ctx context.Context, projectID string) ([]compute.ServerGroup, error) {
	if projectID == "" {
		return s.groups(ctx, ``)
	}
	return s.groups(ctx, `WHERE project_id = $1`, projectID)
}

// DeleteServerGroup implements compute.Store.
func (s *Store) DeleteServerGroup(ctx context.Context, id string) error {
	return txn.Exec1(ctx, s.db.Writer(), `DELETE FROM compute_server_groups WHERE id = $1`, id)
}

// CountServerGroups implements compute.Store.
func (s *Store) CountServerGroups(ctx context.Context, projectID string) (int64, error) {
	var n int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM compute_server_groups WHERE project_id = $1`, projectID).Scan(&n)
	return n, err
}
