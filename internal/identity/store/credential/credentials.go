package credential

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/directory"
	dirstore "github.com/gostack/gostack/internal/identity/store/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

// Credentials.
const credentialColumns = `id, user_id, project_id, type, blob, extra, created_at`

func scanCredential(sc db.Scanner) (*credential.Credential, error) {
	var c credential.Credential
	var extra []byte
	if err := sc.Scan(&c.ID, &c.UserID, &c.ProjectID, &c.Type, &c.Blob, &extra, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.Extra = row.DecodeMap(extra)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// CreateCredential inserts a credential.
func (s *Store) CreateCredential(ctx context.Context, c *credential.Credential) error {
	c.CreatedAt = db.Now()
	return row.Exec1(ctx, s.db, "credential", c.ID, "Duplicate ID, "+c.ID+".",
		`INSERT INTO identity_credentials (id, user_id, project_id, type, blob, extra, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.UserID, c.ProjectID, c.Type, c.Blob, row.EncodeMap(c.Extra), c.CreatedAt)
}

// GetCredential returns a credential.
func (s *Store) GetCredential(ctx context.Context, id string) (*credential.Credential, error) {
	c, err := scanCredential(s.db.Reader().QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM identity_credentials WHERE id = $1`, id))
	return c, row.NotFoundIf(err, "credential", id)
}

// UpdateCredential writes a credential.
func (s *Store) UpdateCredential(ctx context.Context, c *credential.Credential) error {
	return row.Exec1(ctx, s.db, "credential", c.ID, "", `UPDATE identity_credentials SET user_id = $2, project_id = $3, type = $4, blob = $5, extra = $6 WHERE id = $1`,
		c.ID, c.UserID, c.ProjectID, c.Type, c.Blob, row.EncodeMap(c.Extra))
}

// DeleteCredential deletes a credential.
func (s *Store) DeleteCredential(ctx context.Context, id string) error {
	return row.Exec1(ctx, s.db, "credential", id, "", `DELETE FROM identity_credentials WHERE id = $1`, id)
}

// ListCredentials returns credentials of a user ("" any) of a type ("" any).
func (s *Store) ListCredentials(ctx context.Context, userID, typ string) ([]*credential.Credential, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+credentialColumns+` FROM identity_credentials
		WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR type = $2) ORDER BY created_at, id`, userID, typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*credential.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Policies.
func scanPolicy(sc db.Scanner) (*credential.Policy, error) {
	var p credential.Policy
	var extra []byte
	if err := sc.Scan(&p.ID, &p.Type, &p.Blob, &extra); err != nil {
		return nil, err
	}
	p.Extra = row.DecodeMap(extra)
	return &p, nil
}

// CreatePolicy inserts a policy blob.
func (s *Store) CreatePolicy(ctx context.Context, p *credential.Policy) error {
	return row.Exec1(ctx, s.db, "policy", p.ID, "Duplicate ID, "+p.ID+".",
		`INSERT INTO identity_policies (id, type, blob, extra) VALUES ($1, $2, $3, $4)`, p.ID, p.Type, p.Blob, row.EncodeMap(p.Extra))
}

// GetPolicy returns a policy blob.
func (s *Store) GetPolicy(ctx context.Context, id string) (*credential.Policy, error) {
	p, err := scanPolicy(s.db.Reader().QueryRowContext(ctx, `SELECT id, type, blob, extra FROM identity_policies WHERE id = $1`, id))
	return p, row.NotFoundIf(err, "policy", id)
}

// UpdatePolicy writes a policy blob.
func (s *Store) UpdatePolicy(ctx context.Context, p *credential.Policy) error {
	return row.Exec1(ctx, s.db, "policy", p.ID, "", `UPDATE identity_policies SET type = $2, blob = $3, extra = $4 WHERE id = $1`,
		p.ID, p.Type, p.Blob, row.EncodeMap(p.Extra))
}

// DeletePolicy deletes a policy blob.
func (s *Store) DeletePolicy(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_policies WHERE policy_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_policies WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("policy", id)
		}
		return nil
	})
}

// ListPolicies returns every policy blob.
func (s *Store) ListPolicies(ctx context.Context) ([]*credential.Policy, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, type, blob, extra FROM identity_policies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*credential.Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// OAuth1 consumers.
func scanConsumer(sc db.Scanner) (*credential.Consumer, error) {
	var c credential.Consumer
	var extra []byte
	if err := sc.Scan(&c.ID, &c.Description, &c.Secret, &extra); err != nil {
		return nil, err
	}
	c.Extra = row.DecodeMap(extra)
	return &c, nil
}

// CreateConsumer inserts an OAuth1 consumer.
func (s *Store) CreateConsumer(ctx context.Context, c *credential.Consumer) error {
	return row.Exec1(ctx, s.db, "consumer", c.ID, "Duplicate ID, "+c.ID+".",
		`INSERT INTO identity_consumers (id, description, secret, extra) VALUES ($1, $2, $3, $4)`, c.ID, c.Description, c.Secret, row.EncodeMap(c.Extra))
}

// GetConsumer returns an OAuth1 consumer.
func (s *Store) GetConsumer(ctx context.Context, id string) (*credential.Consumer, error) {
	c, err := scanConsumer(s.db.Reader().QueryRowContext(ctx, `SELECT id, description, secret, extra FROM identity_consumers WHERE id = $1`, id))
	return c, row.NotFoundIf(err, "consumer", id)
}

// UpdateConsumer writes an OAuth1 consumer.
func (s *Store) UpdateConsumer(ctx context.Context, c *credential.Consumer) error {
	return row.Exec1(ctx, s.db, "consumer", c.ID, "", `UPDATE identity_consumers SET description = $2, extra = $3 WHERE id = $1`, c.ID, c.Description, row.EncodeMap(c.Extra))
}

// DeleteConsumer deletes an OAuth1 consumer and revokes its tokens.
func (s *Store) DeleteConsumer(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_consumers WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("consumer", id)
		}
		return dirstore.InsertRevokeEvent(ctx, tx, directory.RevokeEvent{ConsumerID: id})
	})
}

// ListConsumers returns every OAuth1 consumer.
func (s *Store) ListConsumers(ctx context.Context) ([]*credential.Consumer, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, description, secret, extra FROM identity_consumers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*credential.Consumer
	for rows.Next() {
		c, err := scanConsumer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
