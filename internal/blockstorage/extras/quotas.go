// Package extras holds the use cases of quotas (a project's limits and
// usage, the defaults, quota classes), the absolute limits a project
// reads, and user messages. Quota limits live in the shared quota tables
// of internal/platform/quota under service "volume"; the per-type ones
// (volumes_<type> ...) come and go with the volume types.
package extras

import (
	"context"
	"errors"
	"sort"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/quota"
)

// Extras are the quota, limits and message use cases over a Service.
type Extras struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Extras { return Extras{svc: svc} }

// Usage is one resource of a project's quota set.
type Usage struct {
	Limit, InUse, Reserved, Allocated int64
}

// quotas returns the fixed quotas and the per-type ones of the current
// types, read in tx.
func (e Extras) quotas(ctx context.Context, tx blockstorage.Tx) (fixed, typed *quota.Quotas, err error) {
	types, err := tx.ListTypes(ctx, blockstorage.TypeFilter{})
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name
	}
	typed, err = e.svc.TypeQuotas(names)
	return e.svc.Quotas, typed, err
}

// Quotas returns a project's limits with what it uses of each.
func (e Extras) Quotas(ctx context.Context, project string) (map[string]Usage, error) {
	out := map[string]Usage{}
	err := e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		fixed, typed, err := e.quotas(ctx, tx)
		if err != nil {
			return err
		}
		for _, q := range []*quota.Quotas{fixed, typed} {
			lim, err := q.Limits(ctx, tx.Querier(), project)
			if err != nil {
				return err
			}
			for r, l := range lim {
				used, err := tx.Usage(ctx, project, r)
				if err != nil {
					return err
				}
				out[r] = Usage{Limit: l, InUse: used}
			}
		}
		return nil
	})
	return out, err
}

// Defaults returns the default limits (the "default" quota class).
func (e Extras) Defaults(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		fixed, typed, err := e.quotas(ctx, tx)
		if err != nil {
			return err
		}
		for _, q := range []*quota.Quotas{fixed, typed} {
			d, err := q.Defaults(ctx, tx.Querier())
			if err != nil {
				return err
			}
			for r, l := range d {
				out[r] = l
			}
		}
		return nil
	})
	return out, err
}

// owner picks, of the two quotas, the one that knows resource: a
// resource neither knows is Cinder's "Bad key(s) in quota set".
func owner(resource string, fixed, typed *quota.Quotas) *quota.Quotas {
	for _, q := range []*quota.Quotas{fixed, typed} {
		for _, r := range q.Resources() {
			if r == resource {
				return q
			}
		}
	}
	return nil
}

// checkKeys refuses limits of unknown resources or out of range.
func checkKeys(limits map[string]int64, fixed, typed *quota.Quotas) error {
	var bad []string
	for r, l := range limits {
		if owner(r, fixed, typed) == nil {
			bad = append(bad, r)
			continue
		}
		if l < quota.Unlimited {
			return blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %d. must be -1 or greater", r, l)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return blockstorage.BadRequest("Bad key(s) in quota set: %s", joinKeys(bad))
	}
	return nil
}

func joinKeys(ks []string) string {
	out := ""
	for i, k := range ks {
		if i > 0 {
			out += ", "
		}
		out += k
	}
	return out
}

// quotaErr turns the quota package's refusals into Cinder's 400s.
func quotaErr(err error) error {
	if errors.Is(err, quota.ErrExternalLimits) {
		return blockstorage.BadRequest("Quota limits are managed by the identity service (unified limits).")
	}
	if errors.Is(err, quota.ErrInvalidLimit) || errors.Is(err, quota.ErrUnknownResource) {
		return blockstorage.BadRequest("Invalid input received: %s", err.Error())
	}
	return err
}

// SetQuotas sets a project's limits and returns them all. Unless
// skipValidation (Cinder's default is to skip), a limit below what the
// project uses is refused.
func (e Extras) SetQuotas(ctx context.Context, project string, limits map[string]int64, skipValidation bool) (map[string]int64, error) {
	out := map[string]int64{}
	err := e.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		fixed, typed, err := e.quotas(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkKeys(limits, fixed, typed); err != nil {
			return err
		}
		keys := make([]string, 0, len(limits))
		for r := range limits {
			keys = append(keys, r)
		}
		sort.Strings(keys)
		for _, r := range keys {
			l := limits[r]
			if !skipValidation && l >= 0 && r != "per_volume_gigabytes" {
				used, err := tx.Usage(ctx, project, r)
				if err != nil {
					return err
				}
				if l < used {
					return blockstorage.BadRequest("Quota %s limit must be equal or greater than existing resources. Current usage is %d and the requested limit is %d.", r, used, l)
				}
			}
			if err := owner(r, fixed, typed).SetLimit(ctx, tx.Querier(), project, r, l); err != nil {
				return quotaErr(err)
			}
		}
		for _, q := range []*quota.Quotas{fixed, typed} {
			lim, err := q.Limits(ctx, tx.Querier(), project)
			if err != nil {
				return err
			}
			for r, l := range lim {
				out[r] = l
			}
		}
		return nil
	})
	return out, err
}

// DeleteQuotas puts a project's limits back to the defaults.
func (e Extras) DeleteQuotas(ctx context.Context, project string) error {
	return e.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		return quotaErr(e.svc.Quotas.DeleteLimits(ctx, tx.Querier(), project))
	})
}

// QuotaClass returns a quota class's limits: the defaults, overridden by
// what the class stores ("default" stores nothing but the defaults).
func (e Extras) QuotaClass(ctx context.Context, name string) (map[string]int64, error) {
	out, err := e.Defaults(ctx)
	if err != nil || name == "default" {
		return out, err
	}
	err = e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		stored, err := tx.QuotaClass(ctx, name)
		for r, l := range stored {
			if _, ok := out[r]; ok {
				out[r] = l
			}
		}
		return err
	})
	return out, err
}

// SetQuotaClass sets limits of a quota class: those of "default" are the
// defaults every project without its own limits gets.
func (e Extras) SetQuotaClass(ctx context.Context, name string, limits map[string]int64) (map[string]int64, error) {
	if name == "" || len(name) > 255 {
		return nil, blockstorage.BadRequest("Invalid input received: quota class name must be 1 to 255 characters long.")
	}
	err := e.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		fixed, typed, err := e.quotas(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkKeys(limits, fixed, typed); err != nil {
			return err
		}
		keys := make([]string, 0, len(limits))
		for r := range limits {
			keys = append(keys, r)
		}
		sort.Strings(keys)
		for _, r := range keys {
			if name == "default" {
				err = owner(r, fixed, typed).SetDefault(ctx, tx.Querier(), r, limits[r])
			} else {
				err = tx.SetQuotaClass(ctx, name, r, limits[r])
			}
			if err != nil {
				return quotaErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e.QuotaClass(ctx, name)
}

// Absolute is what GET /limits shows of a project's quotas.
type Absolute struct {
	MaxVolumes, MaxSnapshots, MaxGigabytes, MaxBackups, MaxBackupGigabytes      int64
	VolumesUsed, SnapshotsUsed, GigabytesUsed, BackupsUsed, BackupGigabytesUsed int64
}

// Limits returns a project's absolute limits and usage.
func (e Extras) Limits(ctx context.Context, project string) (*Absolute, error) {
	lim, err := e.svc.Quotas.Limits(ctx, e.svc.Store().Pool(), project)
	if err != nil {
		return nil, err
	}
	a := &Absolute{MaxVolumes: lim["volumes"], MaxSnapshots: lim["snapshots"], MaxGigabytes: lim["gigabytes"],
		MaxBackups: lim["backups"], MaxBackupGigabytes: lim["backup_gigabytes"]}
	err = e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, u := range []struct {
			r   string
			dst *int64
		}{{"volumes", &a.VolumesUsed}, {"snapshots", &a.SnapshotsUsed}, {"gigabytes", &a.GigabytesUsed},
			{"backups", &a.BackupsUsed}, {"backup_gigabytes", &a.BackupGigabytesUsed}} {
			n, err := tx.Usage(ctx, project, u.r)
			if err != nil {
				return err
			}
			*u.dst = n
		}
		return nil
	})
	return a, err
}

// messageNotFound is Cinder's MessageNotFound.
func messageNotFound(id string) *apierr.Error {
	return apierr.NotFound("Message %s could not be found.", id)
}
