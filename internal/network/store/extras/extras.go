package extras

import (
	"context"

	"github.com/gostack/gostack/internal/platform/db"
)

// QuotaProjects reads platform/quota's table of per-project limits: the
// quota package lists no projects itself.
func (t *Txn) QuotaProjects(ctx context.Context) ([]string, error) {
	return db.Strings(ctx, t.tx, `SELECT DISTINCT project_id FROM quota_limits WHERE service = 'network' ORDER BY project_id`)
}
