package directory

import (
	"context"
	"database/sql"
	"strings"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

const groupColumns = `id, name, domain_id, description, extra`

func scanGroup(sc db.Scanner) (*directory.Group, error) {
	var g directory.Group
	var extra []byte
	if err := sc.Scan(&g.ID, &g.Name, &g.DomainID, &g.Description, &extra); err != nil {
		return nil, err
	}
	g.Extra = row.DecodeMap(extra)
	return &g, nil
}

func (s *Store) queryGroups(ctx context.Context, q string, args ...any) ([]*directory.Group, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*directory.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func groupConflict(name string) string {
	return "Conflict occurred attempting to store group - Duplicate entry found with name " + name + "."
}

// CreateGroup inserts a group.
func (s *Store) CreateGroup(ctx context.Context, g *directory.Group) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_groups (id, name, name_key, domain_id, description, extra, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.ID, g.Name, strings.ToLower(g.Name), g.DomainID, g.Description, row.EncodeMap(g.Extra), db.Now())
		if db.IsForeignKey(err) {
			return directory.NotFound("domain", g.DomainID)
		}
		return row.ConflictIf(err, groupConflict(g.Name))
	})
}

// GetGroup returns a group by id.
func (s *Store) GetGroup(ctx context.Context, id string) (*directory.Group, error) {
	g, err := scanGroup(s.db.Reader().QueryRowContext(ctx, `SELECT `+groupColumns+` FROM identity_groups WHERE id = $1`, id))
	return g, row.NotFoundIf(err, "group", id)
}

// UpdateGroup writes a group's name, description and extra attributes.
func (s *Store) UpdateGroup(ctx context.Context, g *directory.Group) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identity_groups SET name = $2, name_key = $3, description = $4, extra = $5 WHERE id = $1`,
			g.ID, g.Name, strings.ToLower(g.Name), g.Description, row.EncodeMap(g.Extra))
		if err != nil {
			return row.ConflictIf(err, groupConflict(g.Name))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("group", g.ID)
		}
		return nil
	})
}

// DeleteGroup deletes a group with its memberships and assignments.
func (s *Store) DeleteGroup(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_assignments WHERE actor_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_group_members WHERE group_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_groups WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("group", id)
		}
		return nil
	})
}

// ListGroups returns the groups of a domain ("" any) with a name ("" any).
func (s *Store) ListGroups(ctx context.Context, domainID, name string) ([]*directory.Group, error) {
	return s.queryGroups(ctx, `SELECT `+groupColumns+` FROM identity_groups WHERE ($1 = '' OR domain_id = $1) AND ($2 = '' OR name = $2)
		ORDER BY name, id`, domainID, name)
}

// ListUserGroups returns the groups a user belongs to.
func (s *Store) ListUserGroups(ctx context.Context, userID string) ([]*directory.Group, error) {
	return s.queryGroups(ctx, `SELECT `+groupColumns+` FROM identity_groups WHERE id IN
		(SELECT group_id FROM identity_group_members WHERE user_id = $1) ORDER BY name, id`, userID)
}

// AddGroupMember adds a user to a group; adding twice is not an error.
func (s *Store) AddGroupMember(ctx context.Context, groupID, userID string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, groupID, userID)
		return err
	})
}

// RemoveGroupMember removes a user from a group.
func (s *Store) RemoveGroupMember(ctx context.Context, groupID, userID string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_group_members WHERE group_id = $1 AND user_id = $2`, groupID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("membership", userID)
		}
		// Tokens carrying roles through this group must go.
		return InsertRevokeEvent(ctx, tx, directory.RevokeEvent{UserID: userID})
	})
}

// IsGroupMember reports whether the user is in the group.
func (s *Store) IsGroupMember(ctx context.Context, groupID, userID string) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_group_members WHERE group_id = $1 AND user_id = $2`, groupID, userID).Scan(&n)
	return n > 0, err
}

// UserGroupIDs returns the ids of the groups the user is a member of.
func (s *Store) UserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT group_id FROM identity_group_members WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
