package store

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const memberCols = `image_id, member_id, status, created_at, updated_at`

func scanMember(sc db.Scanner) (*image.Member, error) {
	var m image.Member
	if err := sc.Scan(&m.ImageID, &m.MemberID, &m.Status, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// AddMember implements image.Store.
func (s *Store) AddMember(ctx context.Context, m *image.Member, maxMembers int64) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if maxMembers >= 0 {
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM image_members WHERE image_id = $1`, m.ImageID).Scan(&n); err != nil {
				return err
			}
			if n+1 > maxMembers {
				return apierr.TooLarge("Maximum number of image members exceeded (%d)", maxMembers)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO image_members (`+memberCols+`) VALUES ($1, $2, $3, $4, $5)`,
			m.ImageID, m.MemberID, m.Status, m.CreatedAt, m.UpdatedAt)
		if db.IsUnique(err) {
			return apierr.ErrDuplicate
		}
		if db.IsForeignKey(err) {
			return apierr.ErrNotFound
		}
		return err
	})
}

// GetMember implements image.Store.
func (s *Store) GetMember(ctx context.Context, imageID, memberID string) (*image.Member, error) {
	m, err := scanMember(s.db.Reader().QueryRowContext(ctx, `SELECT `+memberCols+` FROM image_members
		WHERE image_id = $1 AND member_id = $2`, imageID, memberID))
	return m, db.NotFound(err)
}

// ListMembers implements image.Store.
func (s *Store) ListMembers(ctx context.Context, imageID string) ([]*image.Member, error) {
	return db.All(ctx, s.db.Reader(), scanMember, `SELECT `+memberCols+` FROM image_members
		WHERE image_id = $1 ORDER BY created_at, member_id`, imageID)
}

// UpdateMember implements image.Store.
func (s *Store) UpdateMember(ctx context.Context, m *image.Member) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, `UPDATE image_members SET status = $1, updated_at = $2
			WHERE image_id = $3 AND member_id = $4`, m.Status, m.UpdatedAt, m.ImageID, m.MemberID))
	})
}

// DeleteMember implements image.Store.
func (s *Store) DeleteMember(ctx context.Context, imageID, memberID string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, `DELETE FROM image_members WHERE image_id = $1 AND member_id = $2`, imageID, memberID))
	})
}
