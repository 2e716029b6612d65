// Package quotas holds compute's quotas: the limits of a project and of
// a user in it (os-quota-sets), the quota classes (os-quota-class-sets),
// the usage behind /limits, and the checks every compute use case makes
// before it takes more (instances, cores and ram, keypairs, server groups,
// metadata items, injected files). Limits and usage are kept by
// platform/quota, in the caller's transaction where a write is bounded;
// what a check inside a transaction reads goes through that transaction.
package quotas

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// Service is compute's quotas.
type Service struct {
	store  compute.Store
	quotas *quota.Quotas
}

// New returns the quotas of store with Nova's defaults, overridden by
// cfg.QuotaDefaults (or, with cfg.LimitSource, Keystone's unified
// limits).
func New(cfg compute.Config, store compute.Store) (*Service, error) {
	defs := Defaults()
	for r, l := range cfg.QuotaDefaults {
		if _, ok := defs[r]; !ok {
			return nil, fmt.Errorf("compute: unknown quota resource %q", r)
		}
		defs[r] = l
	}
	q, err := quota.New(quota.Config{Service: "compute", Defaults: defs, Source: cfg.LimitSource})
	if err != nil {
		return nil, err
	}
	return &Service{store: store, quotas: q}, nil
}

// Defaults are Nova's built-in quota defaults. Network, security
// group and injected-file quotas only show in older microversions but are
// kept so that they can be shown and set.
func Defaults() map[string]int64 {
	return map[string]int64{
		"instances": 10, "cores": 20, "ram": 51200, "metadata_items": 128,
		"key_pairs": 100, "server_groups": 10, "server_group_members": 10,
		"injected_files": 5, "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
		"fixed_ips": -1, "floating_ips": 10, "security_groups": 10, "security_group_rules": 20,
	}
}

// UserCheck returns the quota check of a create bounded by the user's
// and the project's limit of resource, which refuses with Nova's 403
// refusal when used+1 passes either. The store calls it inside its
// insert's transaction with the count there. The limits are read now,
// before that transaction: the check then needs nothing but the count,
// and a limit kept by Keystone (unified limits, read over HTTP) is never
// waited for while a transaction holds a connection.
func (s *Service) UserCheck(ctx context.Context, projectID, userID, resource, refusal string) (func(ctx context.Context, q db.Querier, used int64) error, error) {
	project, err := s.Limit(ctx, projectID, resource)
	if err != nil {
		return nil, err
	}
	user := int64(quota.Unlimited)
	if userID != "" {
		err := s.store.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
			uq, err := s.store.UserQuotas(ctx, q, projectID, userID)
			if l, ok := uq[resource]; ok {
				user = l
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return func(_ context.Context, _ db.Querier, used int64) error {
		if (user >= 0 && used+1 > user) || (project != quota.Unlimited && used+1 > project) {
			return apierr.Forbidden("%s", refusal).WithCause(fmt.Errorf("%s quota of project %s user %s", resource, projectID, userID))
		}
		return nil
	}, nil
}

// Resources lists the quota resource names.
func (s *Service) Resources() []string { return s.quotas.Resources() }

// Limits returns the limits of a project, or of a user in it when userID
// is set (the user's own limits over the project's).
func (s *Service) Limits(ctx context.Context, projectID, userID string) (map[string]int64, error) {
	var out map[string]int64
	err := s.store.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		if out, err = s.quotas.Limits(ctx, q, projectID); err != nil || userID == "" {
			return err
		}
		uq, err := s.store.UserQuotas(ctx, q, projectID, userID)
		if err != nil {
			return err
		}
		maps.Copy(out, uq)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Details returns limits with usage.
func (s *Service) Details(ctx context.Context, projectID, userID string) (map[string]Detail, error) {
	lim, err := s.Limits(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	used, err := s.Usage(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Detail, len(lim))
	for r, l := range lim {
		out[r] = Detail{Limit: l, InUse: used[r]}
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

// Update sets limits of a project, or of a user in it. Without
// force a limit below what is in use is refused, and a user's limit may
// not pass the project's.
func (s *Service) Update(ctx context.Context, projectID, userID string, limits map[string]int64, force bool) (map[string]int64, error) {
	cur, err := s.Details(ctx, projectID, userID)
	if err != nil {
		return nil, err
	}
	var project map[string]int64
	if userID != "" {
		if project, err = s.Limits(ctx, projectID, ""); err != nil {
			return nil, err
		}
	}
	for r, l := range limits {
		d, ok := cur[r]
		if !ok {
			return nil, apierr.BadRequest("Invalid input for field/attribute quota_set. Additional properties are not allowed ('%s' was unexpected)", r)
		}
		if l < -1 {
			return nil, apierr.BadRequest("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", r, l, l)
		}
		if !force && l != -1 && l < d.InUse+d.Reserved {
			return nil, apierr.BadRequest("Quota limit %d for %s must be greater than or equal to already used and reserved %d.", l, r, d.InUse+d.Reserved)
		}
		if userID != "" && project[r] != -1 && (l == -1 || l > project[r]) {
			return nil, apierr.BadRequest("Quota limit %d for %s must be less than or equal to %d.", l, r, project[r])
		}
	}
	for r, l := range limits {
		if userID != "" {
			err = s.store.SetUserQuota(ctx, projectID, userID, r, l)
		} else {
			err = s.store.InTx(ctx, func(ctx context.Context, q db.Querier) error { return s.quotas.SetLimit(ctx, q, projectID, r, l) })
		}
		if errors.Is(err, quota.ErrExternalLimits) {
			return nil, apierr.Forbidden("Quota limits are managed by the identity service (unified limits).")
		}
		if err != nil {
			return nil, err
		}
	}
	return s.Limits(ctx, projectID, userID)
}

// Delete reverts a project's (or a user's) limits to the defaults.
func (s *Service) Delete(ctx context.Context, projectID, userID string) error {
	if userID != "" {
		return s.store.DeleteUserQuotas(ctx, projectID, userID)
	}
	return s.store.InTx(ctx, func(ctx context.Context, q db.Querier) error { return s.quotas.DeleteLimits(ctx, q, projectID) })
}

// DefaultLimits returns the cloud's default limits (the "default"
// quota class).
func (s *Service) DefaultLimits(ctx context.Context) (map[string]int64, error) {
	var out map[string]int64
	err := s.store.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		out, err = s.quotas.Defaults(ctx, q)
		return err
	})
	return out, err
}

// Class returns a quota class: "default" is the cloud's defaults;
// any other class is the defaults overlaid by what was set on it.
func (s *Service) Class(ctx context.Context, class string) (map[string]int64, error) {
	out, err := s.DefaultLimits(ctx)
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

// UpdateClass sets limits of a quota class.
func (s *Service) UpdateClass(ctx context.Context, class string, limits map[string]int64) (map[string]int64, error) {
	defs := Defaults()
	for r, l := range limits {
		if _, ok := defs[r]; !ok {
			return nil, apierr.BadRequest("Invalid input for field/attribute quota_class_set. Additional properties are not allowed ('%s' was unexpected)", r)
		}
		if l < -1 {
			return nil, apierr.BadRequest("Invalid input for field/attribute %s. Value: %d. %d is less than the minimum of -1", r, l, l)
		}
	}
	for r, l := range limits {
		var err error
		if class == "default" {
			err = s.store.InTx(ctx, func(ctx context.Context, q db.Querier) error { return s.quotas.SetDefault(ctx, q, r, l) })
		} else {
			err = s.store.SetClassQuota(ctx, class, r, l)
		}
		if errors.Is(err, quota.ErrExternalLimits) {
			return nil, apierr.Forbidden("Quota limits are managed by the identity service (unified limits).")
		}
		if err != nil {
			return nil, err
		}
	}
	return s.Class(ctx, class)
}

// Limit returns a project's limit of one resource (-1 = unlimited).
func (s *Service) Limit(ctx context.Context, projectID, resource string) (int64, error) {
	var l int64
	err := s.store.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
		var err error
		l, err = s.quotas.Limit(ctx, q, projectID, resource)
		return err
	})
	return l, err
}

// CheckMetadata is Nova's _check_metadata_properties_quota: the number
// of items against metadata_items, then keys 1–255 and values ≤ 255.
func (s *Service) CheckMetadata(ctx context.Context, projectID string, md map[string]string) error {
	if len(md) == 0 {
		return nil
	}
	limit, err := s.Limit(ctx, projectID, "metadata_items")
	if err != nil {
		return err
	}
	if limit >= 0 && int64(len(md)) > limit {
		return apierr.Forbidden("Maximum number of metadata items exceeds %d", limit)
	}
	for k, v := range md {
		if k == "" {
			return apierr.BadRequest("Invalid metadata: Metadata property key blank.")
		}
		if len(k) > 255 {
			return apierr.BadRequest("Invalid metadata size: Metadata property key greater than 255 characters.")
		}
		if len(v) > 255 {
			return apierr.BadRequest("Invalid metadata size: Metadata property value greater than 255 characters.")
		}
	}
	return nil
}

// quotaMessage words an over-quota error as Nova's TooManyInstances:
// "Quota exceeded for instances, cores: Requested 1, 2, but already used
// 10, 18 of 10, 20 instances, cores".
func quotaMessage(overs []quota.Over, requested map[string]string) string {
	var names, reqs, used, limits []string
	for _, o := range overs {
		names = append(names, o.Resource)
		r, ok := requested[o.Resource]
		if !ok {
			r = fmt.Sprint(o.Requested)
		}
		reqs = append(reqs, r)
		used = append(used, fmt.Sprint(o.Used))
		limits = append(limits, fmt.Sprint(o.Limit))
	}
	n := strings.Join(names, ", ")
	return fmt.Sprintf("Quota exceeded for %s: Requested %s, but already used %s of %s %s", n,
		strings.Join(reqs, ", "), strings.Join(used, ", "), strings.Join(limits, ", "), n)
}

// CheckInjectedFiles is Nova's _check_injected_file_quota for count
// personality files whose longest path and contents (base64) have the
// given lengths.
func (s *Service) CheckInjectedFiles(ctx context.Context, projectID string, count, maxPath, maxContent int) error {
	if count == 0 {
		return nil
	}
	l, err := s.Limit(ctx, projectID, "injected_files")
	if err != nil {
		return err
	}
	if l >= 0 && int64(count) > l {
		return apierr.Forbidden("Personality file limit exceeded")
	}
	if l, err = s.Limit(ctx, projectID, "injected_file_path_bytes"); err != nil {
		return err
	}
	if l >= 0 && int64(maxPath) > l {
		return apierr.Forbidden("Personality file path exceeds maximum %d", l)
	}
	if l, err = s.Limit(ctx, projectID, "injected_file_content_bytes"); err != nil {
		return err
	}
	if l >= 0 && int64(maxContent) > l {
		return apierr.Forbidden("Personality file content exceeds maximum %d", l)
	}
	return nil
}

// instanceLimits returns the instances, cores and ram limits of the
// project and those the user has of their own (absent = none), read in
// one read transaction.
func (s *Service) instanceLimits(ctx context.Context, c compute.Caller) (project, user map[string]int64, err error) {
	err = s.store.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
		project = map[string]int64{}
		for _, r := range []string{"instances", "cores", "ram"} {
			var err error
			if project[r], err = s.quotas.Limit(ctx, q, c.ProjectID, r); err != nil {
				return err
			}
		}
		uq, err := s.store.UserQuotas(ctx, q, c.ProjectID, c.UserID)
		if err != nil {
			return err
		}
		user = map[string]int64{}
		for _, r := range []string{"instances", "cores", "ram"} {
			if l, ok := uq[r]; ok {
				user[r] = l
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return project, user, nil
}

// InstancesThatFit is Nova's check_num_instances_quota: as many of
// [min, max] instances of flavor as the quotas let in, or the 403.
func (s *Service) InstancesThatFit(ctx context.Context, c compute.Caller, flavor *compute.Flavor, minN, maxN int) (int, error) {
	u, err := s.store.CountInstanceUsage(ctx, c.ProjectID, c.UserID)
	if err != nil {
		return 0, err
	}
	project, user, err := s.instanceLimits(ctx, c)
	if err != nil {
		return 0, err
	}
	per := map[string]int64{"instances": 1, "cores": flavor.VCPUs, "ram": flavor.RAM}
	allowed := int64(maxN)
	for _, lim := range []struct {
		limits map[string]int64
		used   map[string]int64
	}{
		{project, map[string]int64{"instances": u.Instances, "cores": u.Cores, "ram": u.RAM}},
		{user, map[string]int64{"instances": u.UserInstances, "cores": u.UserCores, "ram": u.UserRAM}},
	} {
		for r, l := range lim.limits {
			if l < 0 || per[r] == 0 {
				continue
			}
			allowed = min(allowed, max(0, (l-lim.used[r])/per[r]))
		}
	}
	if allowed >= int64(minN) {
		return int(allowed), nil
	}
	requested := fmt.Sprint(minN)
	if minN != maxN {
		requested = fmt.Sprintf("%d-%d", minN, maxN)
	}
	if err := checkInstances(project, user, flavor, int64(maxN), u, requested); err != nil {
		return 0, err
	}
	// Not reached: fewer than minN fit, so maxN does not.
	return 0, apierr.Forbidden("Quota exceeded for instances: Requested %s, but already used %d of %d instances", requested, u.Instances, project["instances"])
}

// CheckInstances checks n more instances of flavor against the
// project's and the user's limits, given usage u (what the project and
// the user use without them).
func (s *Service) CheckInstances(ctx context.Context, c compute.Caller, flavor *compute.Flavor, n int64, u compute.InstanceUsage, requested string) error {
	project, user, err := s.instanceLimits(ctx, c)
	if err != nil {
		return err
	}
	return checkInstances(project, user, flavor, n, u, requested)
}

// checkInstances is CheckInstances on limits already read.
func checkInstances(project, user map[string]int64, flavor *compute.Flavor, n int64, u compute.InstanceUsage, requested string) error {
	used := map[string]int64{"instances": u.Instances, "cores": u.Cores, "ram": u.RAM}
	userUsed := map[string]int64{"instances": u.UserInstances, "cores": u.UserCores, "ram": u.UserRAM}
	delta := map[string]int64{"instances": n, "cores": n * flavor.VCPUs, "ram": n * flavor.RAM}
	req := map[string]string{"instances": requested, "cores": fmt.Sprint(delta["cores"]), "ram": fmt.Sprint(delta["ram"])}
	for _, lim := range []struct{ limits, used map[string]int64 }{{user, userUsed}, {project, used}} {
		var overs []quota.Over
		for _, r := range []string{"instances", "cores", "ram"} {
			l, ok := lim.limits[r]
			if !ok || l < 0 || delta[r] <= 0 {
				continue
			}
			if lim.used[r]+delta[r] > l {
				overs = append(overs, quota.Over{Resource: r, Limit: l, Used: lim.used[r], Requested: delta[r]})
			}
		}
		if len(overs) > 0 {
			return apierr.Forbidden("%s", quotaMessage(overs, req))
		}
	}
	return nil
}

// CheckResize checks the cores and ram a bigger flavor adds.
func (s *Service) CheckResize(ctx context.Context, inst *compute.Instance, f *compute.Flavor) error {
	dc, dr := f.VCPUs-inst.Flavor.VCPUs, f.RAM-inst.Flavor.RAM
	if dc <= 0 && dr <= 0 {
		return nil
	}
	u, err := s.store.CountInstanceUsage(ctx, inst.ProjectID, inst.UserID)
	if err != nil {
		return err
	}
	project, user, err := s.instanceLimits(ctx, compute.Caller{ProjectID: inst.ProjectID, UserID: inst.UserID})
	if err != nil {
		return err
	}
	return checkCoresAndRAM(project, user, &compute.Flavor{VCPUs: max(dc, 0), RAM: max(dr, 0)}, u)
}

// checkCoresAndRAM checks cores and ram of delta only: a resize does not
// change the number of instances.
func checkCoresAndRAM(project, user map[string]int64, delta *compute.Flavor, u compute.InstanceUsage) error {
	for _, lim := range []struct {
		limits map[string]int64
		used   [2]int64
	}{{user, [2]int64{u.UserCores, u.UserRAM}}, {project, [2]int64{u.Cores, u.RAM}}} {
		var names, reqs, used, limits []string
		for k, r := range []string{"cores", "ram"} {
			l, ok := lim.limits[r]
			d := []int64{delta.VCPUs, delta.RAM}[k]
			if !ok || l < 0 || d <= 0 || lim.used[k]+d <= l {
				continue
			}
			names = append(names, r)
			reqs = append(reqs, fmt.Sprint(d))
			used = append(used, fmt.Sprint(lim.used[k]))
			limits = append(limits, fmt.Sprint(l))
		}
		if len(names) > 0 {
			n := strings.Join(names, ", ")
			return apierr.Forbidden("Quota exceeded for %s: Requested %s, but already used %s of %s %s", n,
				strings.Join(reqs, ", "), strings.Join(used, ", "), strings.Join(limits, ", "), n)
		}
	}
	return nil
}

// Detail is one resource of a quota set with its usage.
type Detail struct {
	Limit    int64
	InUse    int64
	Reserved int64
}
