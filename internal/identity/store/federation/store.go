// Package federation is the SQL of OS-FEDERATION: identity providers and
// their remote ids, protocols, mappings, service providers, and the
// shadow users (with their mapped group memberships) federated logins
// create.
package federation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/federation"
	dirstore "github.com/gostack/gostack/internal/identity/store/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Store implements federation.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ federation.Store = (*Store)(nil)

func conflict(kind string) error {
	return apierr.Conflict("Conflict occurred attempting to store %s - Duplicate entry.", kind)
}

// exec1 runs one statement in its own transaction; no row changed is
// notFound.
func (s *Store) exec1(ctx context.Context, notFound error, q string, args ...any) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound
		}
		return nil
	})
}

// Identity providers.

const idpColumns = `id, domain_id, description, enabled, authorization_ttl`

func scanIdP(sc db.Scanner) (*federation.IdP, error) {
	var i federation.IdP
	var desc sql.NullString
	var ttl sql.NullInt64
	if err := sc.Scan(&i.ID, &i.DomainID, &desc, &i.Enabled, &ttl); err != nil {
		return nil, err
	}
	i.Description, i.AuthorizationTTL = db.StringPtr(desc), db.IntPtr(ttl)
	return &i, nil
}

// insertRemoteIDs claims the remote ids for idp: one claimed by another
// IdP is Keystone's 409.
func insertRemoteIDs(ctx context.Context, tx *sql.Tx, idpID string, ids []string) error {
	for _, r := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_idp_remote_ids (remote_id, idp_id) VALUES ($1, $2)`, r, idpID); err != nil {
			if db.IsUnique(err) {
				return apierr.Conflict("Conflict occurred attempting to store identity_provider - Duplicate remote ID: %s.", r)
			}
			return err
		}
	}
	return nil
}

// CreateIdP inserts an IdP, and first its new domain when dom is set.
func (s *Store) CreateIdP(ctx context.Context, idp *federation.IdP, dom *directory.Domain) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if dom != nil {
			now := db.Now()
			_, err := tx.ExecContext(ctx, `INSERT INTO identity_projects
				(id, name, name_key, description, enabled, is_domain, domain_id, parent_id, options, extra, created_at, updated_at)
				VALUES ($1, $2, $3, $4, TRUE, TRUE, $5, NULL, '{}', '{}', $6, $6)`,
				dom.ID, dom.Name, strings.ToLower(dom.Name), dom.Description, directory.RootDomainID, now)
			if err != nil {
				return row.ConflictIf(err, "Conflict occurred attempting to store domain - Duplicate entry found with name "+dom.Name+".")
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_idps (`+idpColumns+`) VALUES ($1, $2, $3, $4, $5)`,
			idp.ID, idp.DomainID, db.NullString(idp.Description), idp.Enabled, db.NullInt(idp.AuthorizationTTL))
		if db.IsUnique(err) {
			return conflict("identity_provider")
		}
		if err != nil {
			return err
		}
		return insertRemoteIDs(ctx, tx, idp.ID, idp.RemoteIDs)
	})
}

func (s *Store) remoteIDs(ctx context.Context, q db.Querier, idpID string) ([]string, error) {
	ids, err := db.Strings(ctx, q, `SELECT remote_id FROM identity_idp_remote_ids WHERE idp_id = $1 ORDER BY remote_id`, idpID)
	if ids == nil && err == nil {
		ids = []string{}
	}
	return ids, err
}

// GetIdP returns an IdP with its remote ids.
func (s *Store) GetIdP(ctx context.Context, id string) (*federation.IdP, error) {
	r := s.db.Reader()
	i, err := scanIdP(r.QueryRowContext(ctx, `SELECT `+idpColumns+` FROM identity_idps WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, federation.IdPNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if i.RemoteIDs, err = s.remoteIDs(ctx, r, id); err != nil {
		return nil, err
	}
	return i, nil
}

// ListIdPs returns every IdP, by id.
func (s *Store) ListIdPs(ctx context.Context) ([]*federation.IdP, error) {
	r := s.db.Reader()
	out, err := db.All(ctx, r, scanIdP, `SELECT `+idpColumns+` FROM identity_idps ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for _, i := range out {
		if i.RemoteIDs, err = s.remoteIDs(ctx, r, i.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateIdP writes an IdP's mutable attributes and replaces its remote ids.
func (s *Store) UpdateIdP(ctx context.Context, idp *federation.IdP) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identity_idps SET description = $2, enabled = $3, authorization_ttl = $4 WHERE id = $1`,
			idp.ID, db.NullString(idp.Description), idp.Enabled, db.NullInt(idp.AuthorizationTTL))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return federation.IdPNotFound(idp.ID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_idp_remote_ids WHERE idp_id = $1`, idp.ID); err != nil {
			return err
		}
		return insertRemoteIDs(ctx, tx, idp.ID, idp.RemoteIDs)
	})
}

// DeleteIdP deletes an IdP, its protocols and remote ids, and the shadow
// users only it links to (with what a user deletion removes, and a
// revocation event for each).
func (s *Store) DeleteIdP(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		users, err := db.Strings(ctx, tx, `SELECT DISTINCT user_id FROM identity_federated_users f WHERE idp_id = $1
			AND NOT EXISTS (SELECT 1 FROM identity_federated_users o WHERE o.user_id = f.user_id AND o.idp_id <> $1)`, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_idps WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return federation.IdPNotFound(id)
		}
		for _, q := range []string{
			`DELETE FROM identity_federated_users WHERE idp_id = $1`,
			`DELETE FROM identity_federated_memberships WHERE idp_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		for _, u := range users {
			for _, q := range []string{
				`DELETE FROM identity_assignments WHERE actor_id = $1`,
				`DELETE FROM identity_group_members WHERE user_id = $1`,
				`DELETE FROM identity_password_history WHERE user_id = $1`,
				`DELETE FROM identity_credentials WHERE user_id = $1`,
				`DELETE FROM identity_users WHERE id = $1`,
			} {
				if _, err := tx.ExecContext(ctx, q, u); err != nil {
					return err
				}
			}
			if err := dirstore.InsertRevokeEvent(ctx, tx, directory.RevokeEvent{UserID: u}); err != nil {
				return err
			}
		}
		return nil
	})
}

// IdPByRemoteID returns the IdP claiming remoteID.
func (s *Store) IdPByRemoteID(ctx context.Context, remoteID string) (*federation.IdP, error) {
	var id string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT idp_id FROM identity_idp_remote_ids WHERE remote_id = $1`, remoteID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.NotFound("Could not find Identity Provider with remote id: %s.", remoteID)
	}
	if err != nil {
		return nil, err
	}
	return s.GetIdP(ctx, id)
}

// Protocols.

const protocolColumns = `idp_id, id, mapping_id, remote_id_attribute`

func scanProtocol(sc db.Scanner) (*federation.Protocol, error) {
	var p federation.Protocol
	var attr sql.NullString
	if err := sc.Scan(&p.IdPID, &p.ID, &p.MappingID, &attr); err != nil {
		return nil, err
	}
	p.RemoteIDAttribute = db.StringPtr(attr)
	return &p, nil
}

// CreateProtocol inserts a protocol.
func (s *Store) CreateProtocol(ctx context.Context, p *federation.Protocol) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_idp_protocols (`+protocolColumns+`) VALUES ($1, $2, $3, $4)`,
			p.IdPID, p.ID, p.MappingID, db.NullString(p.RemoteIDAttribute))
		switch {
		case db.IsUnique(err):
			return conflict("federation_protocol")
		case db.IsForeignKey(err):
			return federation.IdPNotFound(p.IdPID)
		}
		return err
	})
}

// GetProtocol returns a protocol.
func (s *Store) GetProtocol(ctx context.Context, idpID, id string) (*federation.Protocol, error) {
	p, err := scanProtocol(s.db.Reader().QueryRowContext(ctx, `SELECT `+protocolColumns+` FROM identity_idp_protocols WHERE idp_id = $1 AND id = $2`, idpID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, federation.ProtocolNotFound(idpID, id)
	}
	return p, err
}

// ListProtocols returns an IdP's protocols, by id.
func (s *Store) ListProtocols(ctx context.Context, idpID string) ([]*federation.Protocol, error) {
	return db.All(ctx, s.db.Reader(), scanProtocol, `SELECT `+protocolColumns+` FROM identity_idp_protocols WHERE idp_id = $1 ORDER BY id`, idpID)
}

// UpdateProtocol writes a protocol's mapping and remote id attribute.
func (s *Store) UpdateProtocol(ctx context.Context, p *federation.Protocol) error {
	return s.exec1(ctx, federation.ProtocolNotFound(p.IdPID, p.ID), `UPDATE identity_idp_protocols SET mapping_id = $3, remote_id_attribute = $4 WHERE idp_id = $1 AND id = $2`,
		p.IdPID, p.ID, p.MappingID, db.NullString(p.RemoteIDAttribute))
}

// DeleteProtocol deletes a protocol.
func (s *Store) DeleteProtocol(ctx context.Context, idpID, id string) error {
	return s.exec1(ctx, federation.ProtocolNotFound(idpID, id), `DELETE FROM identity_idp_protocols WHERE idp_id = $1 AND id = $2`, idpID, id)
}

// Mappings.

func scanMapping(sc db.Scanner) (*federation.Mapping, error) {
	var m federation.Mapping
	var rules string
	if err := sc.Scan(&m.ID, &rules, &m.SchemaVersion); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(rules), &m.Rules); err != nil {
		return nil, err
	}
	return &m, nil
}

func rulesJSON(m *federation.Mapping) (string, error) {
	b, err := json.Marshal(m.Rules)
	return string(b), err
}

// CreateMapping inserts a mapping.
func (s *Store) CreateMapping(ctx context.Context, m *federation.Mapping) error {
	rules, err := rulesJSON(m)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_mappings (id, rules, schema_version) VALUES ($1, $2, $3)`, m.ID, rules, m.SchemaVersion)
		if db.IsUnique(err) {
			return conflict("mapping")
		}
		return err
	})
}

// GetMapping returns a mapping.
func (s *Store) GetMapping(ctx context.Context, id string) (*federation.Mapping, error) {
	m, err := scanMapping(s.db.Reader().QueryRowContext(ctx, `SELECT id, rules, schema_version FROM identity_mappings WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, federation.MappingNotFound(id)
	}
	return m, err
}

// ListMappings returns every mapping, by id.
func (s *Store) ListMappings(ctx context.Context) ([]*federation.Mapping, error) {
	return db.All(ctx, s.db.Reader(), scanMapping, `SELECT id, rules, schema_version FROM identity_mappings ORDER BY id`)
}

// UpdateMapping writes a mapping's rules.
func (s *Store) UpdateMapping(ctx context.Context, m *federation.Mapping) error {
	rules, err := rulesJSON(m)
	if err != nil {
		return err
	}
	return s.exec1(ctx, federation.MappingNotFound(m.ID), `UPDATE identity_mappings SET rules = $2, schema_version = $3 WHERE id = $1`, m.ID, rules, m.SchemaVersion)
}

// DeleteMapping deletes a mapping.
func (s *Store) DeleteMapping(ctx context.Context, id string) error {
	return s.exec1(ctx, federation.MappingNotFound(id), `DELETE FROM identity_mappings WHERE id = $1`, id)
}

// Service providers.

const spColumns = `id, auth_url, sp_url, description, enabled, relay_state_prefix`

func scanSP(sc db.Scanner) (*federation.ServiceProvider, error) {
	var sp federation.ServiceProvider
	var desc sql.NullString
	if err := sc.Scan(&sp.ID, &sp.AuthURL, &sp.SPURL, &desc, &sp.Enabled, &sp.RelayStatePrefix); err != nil {
		return nil, err
	}
	sp.Description = db.StringPtr(desc)
	return &sp, nil
}

// CreateServiceProvider inserts a service provider.
func (s *Store) CreateServiceProvider(ctx context.Context, sp *federation.ServiceProvider) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_service_providers (`+spColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			sp.ID, sp.AuthURL, sp.SPURL, db.NullString(sp.Description), sp.Enabled, sp.RelayStatePrefix)
		if db.IsUnique(err) {
			return conflict("service_provider")
		}
		return err
	})
}

// GetServiceProvider returns a service provider.
func (s *Store) GetServiceProvider(ctx context.Context, id string) (*federation.ServiceProvider, error) {
	sp, err := scanSP(s.db.Reader().QueryRowContext(ctx, `SELECT `+spColumns+` FROM identity_service_providers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, federation.ServiceProviderNotFound(id)
	}
	return sp, err
}

// ListServiceProviders returns every service provider, by id.
func (s *Store) ListServiceProviders(ctx context.Context) ([]*federation.ServiceProvider, error) {
	return db.All(ctx, s.db.Reader(), scanSP, `SELECT `+spColumns+` FROM identity_service_providers ORDER BY id`)
}

// UpdateServiceProvider writes a service provider.
func (s *Store) UpdateServiceProvider(ctx context.Context, sp *federation.ServiceProvider) error {
	return s.exec1(ctx, federation.ServiceProviderNotFound(sp.ID), `UPDATE identity_service_providers SET auth_url = $2, sp_url = $3, description = $4,
		enabled = $5, relay_state_prefix = $6 WHERE id = $1`,
		sp.ID, sp.AuthURL, sp.SPURL, db.NullString(sp.Description), sp.Enabled, sp.RelayStatePrefix)
}

// DeleteServiceProvider deletes a service provider.
func (s *Store) DeleteServiceProvider(ctx context.Context, id string) error {
	return s.exec1(ctx, federation.ServiceProviderNotFound(id), `DELETE FROM identity_service_providers WHERE id = $1`, id)
}

// Shadow users.

// ShadowUser finds or creates the shadow user of fu and replaces the
// memberships the IdP's earlier logins added with groupIDs. A group the
// user already belongs to by an administrator's hand is left as it is.
func (s *Store) ShadowUser(ctx context.Context, fu federation.FederatedUser, groupIDs []string) (string, error) {
	var userID string
	err := s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := db.Now()
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM identity_federated_users WHERE idp_id = $1 AND protocol_id = $2 AND unique_id = $3`,
			fu.IdPID, fu.ProtocolID, fu.UniqueID).Scan(&userID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			userID = federation.ShadowUserID(fu.DomainID, fu.UniqueID)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_users WHERE id = $1`, userID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				_, err := tx.ExecContext(ctx, `INSERT INTO identity_users (id, name, name_key, domain_id, enabled, last_active_at, created_at, updated_at)
					VALUES ($1, $2, $3, $4, TRUE, $5, $5, $5)`, userID, fu.DisplayName, strings.ToLower(fu.DisplayName), fu.DomainID, now)
				if db.IsForeignKey(err) {
					return directory.NotFound("domain", fu.DomainID)
				}
				if err != nil {
					return row.ConflictIf(err, "Conflict occurred attempting to store user - Duplicate entry found with name "+fu.DisplayName+" at domain ID "+fu.DomainID+".")
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_federated_users (user_id, idp_id, protocol_id, unique_id, display_name)
				VALUES ($1, $2, $3, $4, $5)`, userID, fu.IdPID, fu.ProtocolID, fu.UniqueID, fu.DisplayName); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// The IdP may have renamed the user: Keystone keeps the
			// display name current.
			_, err := tx.ExecContext(ctx, `UPDATE identity_users SET name = $2, name_key = $3, last_active_at = $4 WHERE id = $1`,
				userID, fu.DisplayName, strings.ToLower(fu.DisplayName), now)
			if err != nil {
				return row.ConflictIf(err, "Conflict occurred attempting to store user - Duplicate entry found with name "+fu.DisplayName+" at domain ID "+fu.DomainID+".")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE identity_federated_users SET display_name = $4 WHERE idp_id = $1 AND protocol_id = $2 AND unique_id = $3`,
				fu.IdPID, fu.ProtocolID, fu.UniqueID, fu.DisplayName); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM identity_group_members WHERE user_id = $1 AND group_id IN
				(SELECT group_id FROM identity_federated_memberships WHERE user_id = $1 AND idp_id = $2)`,
			`DELETE FROM identity_federated_memberships WHERE user_id = $1 AND idp_id = $2`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID, fu.IdPID); err != nil {
				return err
			}
		}
		for _, g := range groupIDs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_group_members WHERE group_id = $1 AND user_id = $2`, g, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_group_members (group_id, user_id) VALUES ($1, $2)`, g, userID); err != nil {
				if db.IsForeignKey(err) {
					return directory.NotFound("group", g)
				}
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_federated_memberships (user_id, group_id, idp_id) VALUES ($1, $2, $3)`, userID, g, fu.IdPID); err != nil {
				return err
			}
		}
		return nil
	})
	return userID, err
}
