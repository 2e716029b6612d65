package directory

import (
	"context"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/db"
)

// InsertRevokeEvent stores a revocation event in q (a transaction of the
// change that causes it, or the database).
func InsertRevokeEvent(ctx context.Context, q db.Querier, ev directory.RevokeEvent) error {
	if ev.IssuedBefore.IsZero() {
		ev.IssuedBefore = db.Now()
	}
	if ev.RevokedAt.IsZero() {
		ev.RevokedAt = db.Now()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO identity_revocation_events
		(id, user_id, project_id, domain_id, role_id, trust_id, consumer_id, audit_id, audit_chain_id, expires_at, issued_before, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		uuid.NewString(), ev.UserID, ev.ProjectID, ev.DomainID, ev.RoleID, ev.TrustID, ev.ConsumerID, ev.AuditID, ev.AuditChainID,
		db.NullTime(ev.ExpiresAt), ev.IssuedBefore.UTC(), ev.RevokedAt.UTC())
	return err
}
