package store

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/db"
)

// Credentials.

const credentialColumns = `id, user_id, project_id, type, blob, extra, created_at`

func scanCredential(row interface{ Scan(...any) error }) (*identity.Credential, error) {
	var c identity.Credential
	var extra []byte
	if err := row.Scan(&c.ID, &c.UserID, &c.ProjectID, &c.Type, &c.Blob, &extra, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.Extra = decodeJSON(extra)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// CreateCredential inserts a credential.
func (s *Store) CreateCredential(ctx context.Context, c *identity.Credential) error {
	c.CreatedAt = db.Now()
	return s.exec1(ctx, "credential", c.ID, "Duplicate ID, "+c.ID+".",
		`INSERT INTO identity_credentials (id, user_id, project_id, type, blob, extra, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.UserID, c.ProjectID, c.Type, c.Blob, encodeJSON(c.Extra), c.CreatedAt)
}

// GetCredential returns a credential.
func (s *Store) GetCredential(ctx context.Context, id string) (*identity.Credential, error) {
	c, err := scanCredential(s.db.Reader().QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM identity_credentials WHERE id = $1`, id))
	return c, notFoundIf(err, "credential", id)
}

// UpdateCredential writes a credential.
func (s *Store) UpdateCredential(ctx context.Context, c *identity.Credential) error {
	return s.exec1(ctx, "credential", c.ID, "", `UPDATE identity_credentials SET user_id = $2, project_id = $3, type = $4, blob = $5, extra = $6 WHERE id = $1`,
		c.ID, c.UserID, c.ProjectID, c.Type, c.Blob, encodeJSON(c.Extra))
}

// DeleteCredential deletes a credential.
func (s *Store) DeleteCredential(ctx context.Context, id string) error {
	return s.exec1(ctx, "credential", id, "", `DELETE FROM identity_credentials WHERE id = $1`, id)
}

// ListCredentials returns credentials of a user ("" any) of a type ("" any).
func (s *Store) ListCredentials(ctx context.Context, userID, typ string) ([]*identity.Credential, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+credentialColumns+` FROM identity_credentials
		WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR type = $2) ORDER BY created_at, id`, userID, typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Credential
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

func scanPolicy(row interface{ Scan(...any) error }) (*identity.Policy, error) {
	var p identity.Policy
	var extra []byte
	if err := row.Scan(&p.ID, &p.Type, &p.Blob, &extra); err != nil {
		return nil, err
	}
	p.Extra = decodeJSON(extra)
	return &p, nil
}

// CreatePolicy inserts a policy blob.
func (s *Store) CreatePolicy(ctx context.Context, p *identity.Policy) error {
	return s.exec1(ctx, "policy", p.ID, "Duplicate ID, "+p.ID+".",
		`INSERT INTO identity_policies (id, type, blob, extra) VALUES ($1, $2, $3, $4)`, p.ID, p.Type, p.Blob, encodeJSON(p.Extra))
}

// GetPolicy returns a policy blob.
func (s *Store) GetPolicy(ctx context.Context, id string) (*identity.Policy, error) {
	p, err := scanPolicy(s.db.Reader().QueryRowContext(ctx, `SELECT id, type, blob, extra FROM identity_policies WHERE id = $1`, id))
	return p, notFoundIf(err, "policy", id)
}

// UpdatePolicy writes a policy blob.
func (s *Store) UpdatePolicy(ctx context.Context, p *identity.Policy) error {
	return s.exec1(ctx, "policy", p.ID, "", `UPDATE identity_policies SET type = $2, blob = $3, extra = $4 WHERE id = $1`,
		p.ID, p.Type, p.Blob, encodeJSON(p.Extra))
}

// DeletePolicy deletes a policy blob.
func (s *Store) DeletePolicy(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_policies WHERE policy_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_policies WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &identity.NotFoundError{Kind: "policy", ID: id}
		}
		return nil
	})
}

// ListPolicies returns every policy blob.
func (s *Store) ListPolicies(ctx context.Context) ([]*identity.Policy, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, type, blob, extra FROM identity_policies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Policy
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

func scanConsumer(row interface{ Scan(...any) error }) (*identity.Consumer, error) {
	var c identity.Consumer
	var extra []byte
	if err := row.Scan(&c.ID, &c.Description, &c.Secret, &extra); err != nil {
		return nil, err
	}
	c.Extra = decodeJSON(extra)
	return &c, nil
}

// CreateConsumer inserts an OAuth1 consumer.
func (s *Store) CreateConsumer(ctx context.Context, c *identity.Consumer) error {
	return s.exec1(ctx, "consumer", c.ID, "Duplicate ID, "+c.ID+".",
		`INSERT INTO identity_consumers (id, description, secret, extra) VALUES ($1, $2, $3, $4)`, c.ID, c.Description, c.Secret, encodeJSON(c.Extra))
}

// GetConsumer returns an OAuth1 consumer.
func (s *Store) GetConsumer(ctx context.Context, id string) (*identity.Consumer, error) {
	c, err := scanConsumer(s.db.Reader().QueryRowContext(ctx, `SELECT id, description, secret, extra FROM identity_consumers WHERE id = $1`, id))
	return c, notFoundIf(err, "consumer", id)
}

// UpdateConsumer writes an OAuth1 consumer.
func (s *Store) UpdateConsumer(ctx context.Context, c *identity.Consumer) error {
	return s.exec1(ctx, "consumer", c.ID, "", `UPDATE identity_consumers SET description = $2, extra = $3 WHERE id = $1`, c.ID, c.Description, encodeJSON(c.Extra))
}

// DeleteConsumer deletes an OAuth1 consumer and revokes its tokens.
func (s *Store) DeleteConsumer(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_consumers WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &identity.NotFoundError{Kind: "consumer", ID: id}
		}
		return InsertRevokeEvent(ctx, tx, identity.RevokeEvent{ConsumerID: id})
	})
}

// ListConsumers returns every OAuth1 consumer.
func (s *Store) ListConsumers(ctx context.Context) ([]*identity.Consumer, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, description, secret, extra FROM identity_consumers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Consumer
	for rows.Next() {
		c, err := scanConsumer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Unified limits.

const registeredLimitColumns = `id, service_id, region_id, resource_name, default_limit, description`

func scanRegisteredLimit(row interface{ Scan(...any) error }) (*identity.RegisteredLimit, error) {
	var l identity.RegisteredLimit
	err := row.Scan(&l.ID, &l.ServiceID, &l.RegionID, &l.ResourceName, &l.DefaultLimit, &l.Description)
	return &l, err
}

const limitConflict = "Duplicate entry found with the same service, region and resource name."

// CreateRegisteredLimits inserts registered limits, all or none.
func (s *Store) CreateRegisteredLimits(ctx context.Context, ls []*identity.RegisteredLimit) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range ls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_registered_limits (`+registeredLimitColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
				l.ID, l.ServiceID, l.RegionID, l.ResourceName, l.DefaultLimit, l.Description); err != nil {
				return conflictIf(err, limitConflict)
			}
		}
		return nil
	})
}

// GetRegisteredLimit returns a registered limit.
func (s *Store) GetRegisteredLimit(ctx context.Context, id string) (*identity.RegisteredLimit, error) {
	l, err := scanRegisteredLimit(s.db.Reader().QueryRowContext(ctx, `SELECT `+registeredLimitColumns+` FROM identity_registered_limits WHERE id = $1`, id))
	if err != nil {
		return nil, notFoundIf(err, "registered limit", id)
	}
	return l, nil
}

// UpdateRegisteredLimit writes a registered limit.
func (s *Store) UpdateRegisteredLimit(ctx context.Context, l *identity.RegisteredLimit) error {
	return s.exec1(ctx, "registered limit", l.ID, limitConflict, `UPDATE identity_registered_limits SET service_id = $2, region_id = $3,
		resource_name = $4, default_limit = $5, description = $6 WHERE id = $1`, l.ID, l.ServiceID, l.RegionID, l.ResourceName, l.DefaultLimit, l.Description)
}

// DeleteRegisteredLimit deletes a registered limit.
func (s *Store) DeleteRegisteredLimit(ctx context.Context, id string) error {
	return s.exec1(ctx, "registered limit", id, "", `DELETE FROM identity_registered_limits WHERE id = $1`, id)
}

// ListRegisteredLimits returns every registered limit.
func (s *Store) ListRegisteredLimits(ctx context.Context) ([]*identity.RegisteredLimit, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+registeredLimitColumns+` FROM identity_registered_limits ORDER BY service_id, region_id, resource_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.RegisteredLimit
	for rows.Next() {
		l, err := scanRegisteredLimit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

const limitColumns = `id, project_id, domain_id, service_id, region_id, resource_name, resource_limit, description`

func scanLimit(row interface{ Scan(...any) error }) (*identity.Limit, error) {
	var l identity.Limit
	err := row.Scan(&l.ID, &l.ProjectID, &l.DomainID, &l.ServiceID, &l.RegionID, &l.ResourceName, &l.ResourceLimit, &l.Description)
	return &l, err
}

// CreateLimits inserts project or domain limits, all or none.
func (s *Store) CreateLimits(ctx context.Context, ls []*identity.Limit) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range ls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_limits (`+limitColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				l.ID, l.ProjectID, l.DomainID, l.ServiceID, l.RegionID, l.ResourceName, l.ResourceLimit, l.Description); err != nil {
				return conflictIf(err, limitConflict)
			}
		}
		return nil
	})
}

// GetLimit returns a limit.
func (s *Store) GetLimit(ctx context.Context, id string) (*identity.Limit, error) {
	l, err := scanLimit(s.db.Reader().QueryRowContext(ctx, `SELECT `+limitColumns+` FROM identity_limits WHERE id = $1`, id))
	if err != nil {
		return nil, notFoundIf(err, "limit", id)
	}
	return l, nil
}

// UpdateLimit writes a limit's value and description.
func (s *Store) UpdateLimit(ctx context.Context, l *identity.Limit) error {
	return s.exec1(ctx, "limit", l.ID, "", `UPDATE identity_limits SET resource_limit = $2, description = $3 WHERE id = $1`, l.ID, l.ResourceLimit, l.Description)
}

// DeleteLimit deletes a limit.
func (s *Store) DeleteLimit(ctx context.Context, id string) error {
	return s.exec1(ctx, "limit", id, "", `DELETE FROM identity_limits WHERE id = $1`, id)
}

// ListLimits returns every limit.
func (s *Store) ListLimits(ctx context.Context) ([]*identity.Limit, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+limitColumns+` FROM identity_limits ORDER BY service_id, region_id, resource_name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Limit
	for rows.Next() {
		l, err := scanLimit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
