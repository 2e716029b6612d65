package compute

import (
	"context"
	"errors"
	"maps"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// DefaultQuotas are Nova's built-in quota defaults. Network, security
// group and injected-file quotas only show in older microversions but are
// kept so that they can be shown and set.
func DefaultQuotas() map[string]int64 {
	return map[string]int64{
		"instances": 10, "cores": 20, "ram": 51200, "metadata_items": 128,
		"key_pairs": 100, "server_groups": 10, "server_group_members": 10,
		"injected_files": 5, "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
		"fixed_ips": -1, "floating_ips": 10, "security_groups": 10, "security_group_rules": 20,
	}
}

// checkUserQuota refuses when used+1 passes the user's or project's limit.
func (s *Service) checkUserQuota(ctx context.Context, q db.Querier, projectID, userID, resource string, used int64) error {
	if userID != "" {
		uq, err := s.store.UserQuotas(ctx, projectID, userID)
		if err != nil {
			return err
		}
		if l, ok := uq[resource]; ok && l >= 0 && used+1 > l {
			return &quota.OverLimitError{Service: "compute", ProjectID: projectID, Overs: []quota.Over{{Resource: resource, Limit: l, Used: used, Requested: 1}}}
		}
	}
	return s.quotas.Check(ctx, q, projectID, resource, 1, used)
}

// QuotaResources lists the quota resource names.
func (s *Service) QuotaResources() []string { return s.quotas.Resources() }

// Quotas returns the limits of a project, or of a user in it when userID
// is set (the user's own limits over the project's).
func (s *Service) Quotas(ctx context.Context, projectID, userID string) (map[string]int64, error) {
	var out map[string]int64
	err := s.store.InTx(ctx, func(q db.Querier) error {
		var err error
		out, err = s.quotas.Limits(ctx, q, projectID)
		return err
	})
	if err != nil || userID == "" {
		return out, err
	}
	uq, err := s.store.UserQuotas(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, uq)
	return out, nil
}

// QuotaDetails returns limits with usage.
func (s *Service) QuotaDetails(ctx context.Context, projectID, userID string) (map[string]QuotaDetail, error) {
	lim, err := s.Quotas(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	used, err := s.Usage(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]QuotaDetail, len(lim))
	for r, l := range lim {
		out[r] = QuotaDetail{Limit: l, InUse: used[r]}
	}
	return out, nil
}

// Usage counts what a project (and user, for keypairs, instances, cores
// and ram) uses.
func (s *Service) Usage(ctx context.Context, projectID, userID string) (map[string]int64, error) {
	u, err := s.store.CountInstanceUsage(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{"instances": u.Instances, "cores": u.Cores, "ram": u.RAM}
	if userID != "" {
		out["instances"], out["cores"], out["ram"] = u.UserInstances, u.UserCores, u.UserRAM
	}
	if userID != "" {
		n, err := s.store.CountKeypairs(ctx, userID)
		if err != nil {
			return nil, err
		}
		out["key_pairs"] = n
	}
	n, err := s.store.CountServerGroups(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out["server_groups"] = n
	return out, nil
}

// UpdateQuotas sets limits of a project, or of a user in it. Without
// force a limit below what is in use is refused, and a user's limit may
// not pass the project's.
func (s *Service) UpdateQuotas(ctx context.Context, projectID, userID string, limits map[string]int64, force bool) (map[string]int64, error) {
	cur, err := s.QuotaDetails(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	var project map[string]int64
	if userID != "" {
		if project, err = s.Quotas(ctx, projectID, ""); err != nil {
			return nil, err
		}
	}
	for r, l := range limits {
		d, ok := cur[r]
		if !ok {
			return nil, invalid("Invalid input for field/attribute quota_set. Additional properties are not allowed ('%s' was unexpected)", r)
		}
		if l < -1 {
			return nil, invalid("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", r, l, l)
		}
		if !force && l != -1 && l < d.InUse+d.Reserved {
			return nil, invalid("Quota limit %d for %s must be greater than or equal to already used and reserved %d.", l, r, d.InUse+d.Reserved)
		}
		if userID != "" && project[r] != -1 && (l == -1 || l > project[r]) {
			return nil, invalid("Quota limit %d for %s must be less than or equal to %d.", l, r, project[r])
		}
	}
	for r, l := range limits {
		if userID != "" {
			err = s.store.SetUserQuota(ctx, projectID, userID, r, l)
		} else {
			err = s.store.InTx(ctx, func(q db.Querier) error { return s.quotas.SetLimit(ctx, q, projectID, r, l) })
		}
		if errors.Is(err, quota.ErrExternalLimits) {
			return nil, forbidden("Quota limits are managed by the identity service (unified limits).")
		}
		if err != nil {
			return nil, err
		}
	}
	return s.Quotas(ctx, projectID, userID)
}

// DeleteQuotas reverts a project's (or a user's) limits to the defaults.
func (s *Service) DeleteQuotas(ctx context.Context, projectID, userID string) error {
	if userID != "" {
		return s.store.DeleteUserQuotas(ctx, projectID, userID)
	}
	return s.store.InTx(ctx, func(q db.Querier) error { return s.quotas.DeleteLimits(ctx, q, projectID) })
}

// DefaultQuotaLimits returns the cloud's default limits (the "default"
// quota class).
func (s *Service) DefaultQuotaLimits(ctx context.Context) (map[string]int64, error) {
	var out map[string]int64
	err := s.store.InTx(ctx, func(q db.Querier) error {
		var err error
		out, err = s.quotas.Defaults(ctx, q)
		return err
	})
	return out, err
}

// QuotaClass returns a quota class: "default" is the cloud's defaults;
// any other class is the defaults overlaid by what was set on it.
func (s *Service) QuotaClass(ctx context.Context, class string) (map[string]int64, error) {
	out, err := s.DefaultQuotaLimits(ctx)
	if err != nil || class == "default" {
		return out, err
	}
	cq, err := s.store.ClassQuotas(ctx, class)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, cq)
	return out, nil
}

// UpdateQuotaClass sets limits of a quota class.
func (s *Service) UpdateQuotaClass(ctx context.Context, class string, limits map[string]int64) (map[string]int64, error) {
	defs := DefaultQuotas()
	for r, l := range limits {
		if _, ok := defs[r]; !ok {
			return nil, invalid("Invalid input for field/attribute quota_class_set. Additional properties are not allowed ('%s' was unexpected)", r)
		}
		if l < -1 {
			return nil, invalid("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", r, l, l)
		}
	}
	for r, l := range limits {
		var err error
		if class == "default" {
			err = s.store.InTx(ctx, func(q db.Querier) error { return s.quotas.SetDefault(ctx, q, r, l) })
		} else {
			err = s.store.SetClassQuota(ctx, class, r, l)
		}
		if errors.Is(err, quota.ErrExternalLimits) {
			return nil, forbidden("Quota limits are managed by the identity service (unified limits).")
		}
		if err != nil {
			return nil, err
		}
	}
	return s.QuotaClass(ctx, class)
}
