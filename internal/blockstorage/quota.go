package blockstorage

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/quota"
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
	// groups, and the per-type volumes_<type>, gigabytes_<type>,
	// snapshots_<type>.
	Usage(ctx context.Context, project, resource string) (int64, error)
}

// TypeResources are the per-type quota resources of a volume type
// (Cinder's volumes_<name>, gigabytes_<name>, snapshots_<name>): they
// come and go with the types, unlimited unless set.
func TypeResources(typeName string) []string {
	return []string{"volumes_" + typeName, "gigabytes_" + typeName, "snapshots_" + typeName}
}

// TypeQuotas returns quotas over the per-type resources of the types
// named. Their limits and defaults live in the same shared tables, under
// the same service, as the fixed resources of s.Quotas: this second view
// exists because the set of types changes at run time while s.Quotas
// knows a fixed set.
func (s *Service) TypeQuotas(typeNames []string) (*quota.Quotas, error) {
	defs := make(map[string]int64, 3*len(typeNames))
	for _, n := range typeNames {
		for _, r := range TypeResources(n) {
			defs[r] = quota.Unlimited
		}
	}
	return quota.New(quota.Config{Service: "volume", Defaults: defs, Source: s.cfg.Limits})
}

// typeNames reads the names of every volume type.
func (s *Service) typeNames(ctx context.Context) ([]string, error) {
	var names []string
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		types, err := tx.ListTypes(ctx, TypeFilter{})
		for _, t := range types {
			names = append(names, t.Name)
		}
		return err
	})
	return names, err
}

// Limits returns a project's quota limits, the per-type ones included.
// They may come from Keystone (unified limits), so they are read before
// the transaction that checks them.
func (s *Service) Limits(ctx context.Context, project string) (map[string]int64, error) {
	lim, err := s.Quotas.Limits(ctx, s.store.Pool(), project)
	if err != nil {
		return nil, err
	}
	names, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	tq, err := s.TypeQuotas(names)
	if err != nil {
		return nil, err
	}
	typed, err := tq.Limits(ctx, s.store.Pool(), project)
	if err != nil {
		return nil, err
	}
	for r, l := range typed {
		lim[r] = l
	}
	return lim, nil
}

// TypeDeltas adds to deltas (volumes, gigabytes, snapshots) their
// per-type counterparts for a volume of the type named, so that
// CheckQuota holds the type's quotas too.
func TypeDeltas(typeName string, deltas map[string]int64) map[string]int64 {
	out := make(map[string]int64, 2*len(deltas))
	for r, d := range deltas {
		out[r] = d
		if typeName != "" && (r == "volumes" || r == "gigabytes" || r == "snapshots") {
			out[r+"_"+typeName] = d
		}
	}
	return out
}

// CheckVolumeSize refuses a volume larger than the project's
// per_volume_gigabytes: Cinder's 413 VolumeSizeExceedsLimit.
func CheckVolumeSize(sizeGB int, limits map[string]int64) error {
	if lim, ok := limits["per_volume_gigabytes"]; ok && lim >= 0 && int64(sizeGB) > lim {
		return apierr.TooLarge(
			"Requested volume size %dG is larger than maximum allowed limit %dG.", sizeGB, lim)
	}
	return nil
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
	switch {
	case resource == "gigabytes" || resource == "backup_gigabytes" || strings.HasPrefix(resource, "gigabytes_"):
		kind := "volume"
		if resource == "backup_gigabytes" {
			kind = "backup"
		}
		msg = fmt.Sprintf("Requested %s or snapshot exceeds allowed %s quota. Requested %dG, quota is %dG and %dG has been consumed.", kind, resource, req, limit, used)
	default:
		msg = fmt.Sprintf("Maximum number of %s allowed (%d) exceeded for quota '%s'.", resource, limit, resource)
	}
	return apierr.TooLarge("%s", msg)
}
