package blockstorage

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// DefaultQuotas are Cinder's default quotas.
func DefaultQuotas() map[string]int64 {
	return map[string]int64{
		"volumes":              10,
		"snapshots":            10,
		"gigabytes":            1000,
		"backups":              10,
		"backup_gigabytes":     1000,
		"groups":               10,
		"per_volume_gigabytes": -1,
	}
}

// QuotaTx counts what a project uses.
type QuotaTx interface {
	// Usage is a project's use of a quota resource: volumes, snapshots,
	// gigabytes (volumes and snapshots), backups, backup_gigabytes,
	// groups.
	Usage(ctx context.Context, project, resource string) (int64, error)
}

// Limits returns a project's quota limits. They may come from Keystone
// (unified limits), so they are read before the transaction that checks
// them.
func (s *Service) Limits(ctx context.Context, project string) (map[string]int64, error) {
	return s.Quotas.Limits(ctx, s.store.Pool(), project)
}

// CheckQuota refuses taking deltas more of a project's resources past
// limits, counted inside the transaction: Cinder's 413, "VolumeSizeExceedsAvailableQuota"
// and friends.
func (s *Service) CheckQuota(ctx context.Context, tx Tx, project string, deltas, limits map[string]int64) error {
	names := make([]string, 0, len(deltas))
	for r := range deltas {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		d := deltas[r]
		lim, ok := limits[r]
		if !ok || lim < 0 || d <= 0 {
			continue
		}
		used, err := tx.Usage(ctx, project, r)
		if err != nil {
			return err
		}
		if used+d > lim {
			return overQuota(r, d, used, lim)
		}
	}
	return nil
}

// overQuota words an exceeded quota as Cinder does.
func overQuota(resource string, req, used, limit int64) *apierr.Error {
	var msg string
	switch resource {
	case "gigabytes", "backup_gigabytes":
		kind := "volume"
		if resource == "backup_gigabytes" {
			kind = "backup"
		}
		msg = fmt.Sprintf("Requested %s or snapshot exceeds allowed %s quota. Requested %dG, quota is %dG and %dG has been consumed.", kind, resource, req, limit, used)
	default:
		msg = fmt.Sprintf("Maximum number of %s allowed (%d) exceeded for quota '%s'.", resource, limit, resource)
	}
	return apierr.New(http.StatusRequestEntityTooLarge, "%s", msg)
}
