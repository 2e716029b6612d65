package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/db"
)

var _ token.KeyStore = (*Store)(nil)

// KeySetGeneration implements token.KeyStore: one indexed read, what
// every replica polls.
func (s *Store) KeySetGeneration(ctx context.Context, kind string) (int64, error) {
	var gen int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT generation FROM identity_key_sets WHERE kind = $1`, kind).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return gen, err
}

// LoadKeySet implements token.KeyStore, reading the generation and the
// keys in one snapshot so that a rotation committing between the two
// reads is not seen by halves.
func (s *Store) LoadKeySet(ctx context.Context, kind string) (token.KeySet, error) {
	var set token.KeySet
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		set = token.KeySet{}
		err := tx.QueryRowContext(ctx, `SELECT generation FROM identity_key_sets WHERE kind = $1`, kind).Scan(&set.Generation)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		set.Keys, err = db.All(ctx, tx, func(r db.Scanner) (token.StoredKey, error) {
			var k token.StoredKey
			var retired sql.NullTime
			err := r.Scan(&k.ID, &k.Index, &k.Sealed, &retired)
			if retired.Valid {
				k.RetiredAt = retired.Time.UTC()
			}
			return k, err
		}, `SELECT id, idx, sealed, retired_at FROM identity_keys WHERE kind = $1 ORDER BY idx`, kind)
		return err
	})
	return set, err
}

// SaveKeySet implements token.KeyStore: a compare-and-swap on the
// generation, then the keys replaced, in one transaction.
func (s *Store) SaveKeySet(ctx context.Context, kind string, set token.KeySet) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if set.Generation == 1 {
			res, err := tx.ExecContext(ctx, `INSERT INTO identity_key_sets (kind, generation) VALUES ($1, 1) ON CONFLICT DO NOTHING`, kind)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errors.Join(token.ErrKeySetChanged, err)
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE identity_key_sets SET generation = $2 WHERE kind = $1 AND generation = $3`,
				kind, set.Generation, set.Generation-1)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errors.Join(token.ErrKeySetChanged, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_keys WHERE kind = $1`, kind); err != nil {
			return err
		}
		for _, k := range set.Keys {
			var retired sql.NullTime
			if !k.RetiredAt.IsZero() {
				retired = sql.NullTime{Time: db.UTC(k.RetiredAt), Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_keys (kind, id, idx, sealed, retired_at) VALUES ($1, $2, $3, $4, $5)`,
				kind, k.ID, k.Index, k.Sealed, retired); err != nil {
				return err
			}
		}
		return nil
	})
}
