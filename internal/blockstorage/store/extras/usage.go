package extras

import (
	"context"
	"strings"
)

// Usage counts a project's use of a quota resource from the areas'
// tables: volumes and gigabytes count the volumes that consume quota
// (gigabytes adds their snapshots' sizes), backups and backup_gigabytes
// the backups, groups the groups (none: groups are not built), and
// volumes_<type>, gigabytes_<type>,
// snapshots_<type> the same counts for one volume type, by name (a
// snapshot has its volume's type). An unknown resource uses nothing.
func (t Txn) Usage(ctx context.Context, project, resource string) (int64, error) {
	var q string
	args := []any{project}
	switch {
	case resource == "volumes":
		q = `SELECT COUNT(*) FROM volumes WHERE project_id = $1 AND consumes_quota`
	case resource == "gigabytes":
		q = `SELECT (SELECT COALESCE(SUM(size_gb), 0) FROM volumes WHERE project_id = $1 AND consumes_quota)
			+ (SELECT COALESCE(SUM(size_gb), 0) FROM snapshots WHERE project_id = $1)`
	case resource == "snapshots":
		q = `SELECT COUNT(*) FROM snapshots WHERE project_id = $1`
	case resource == "backups":
		q = `SELECT COUNT(*) FROM backups WHERE project_id = $1`
	case resource == "backup_gigabytes":
		q = `SELECT COALESCE(SUM(size_gb), 0) FROM backups WHERE project_id = $1`
	case resource == "groups":
		q = `SELECT COUNT(*) FROM volume_groups WHERE project_id = $1`
	case strings.HasPrefix(resource, "volumes_"):
		q = `SELECT COUNT(*) FROM volumes v JOIN volume_types t ON t.id = v.type_id
			WHERE v.project_id = $1 AND v.consumes_quota AND t.name = $2`
		args = append(args, strings.TrimPrefix(resource, "volumes_"))
	case strings.HasPrefix(resource, "gigabytes_"):
		q = `SELECT (SELECT COALESCE(SUM(v.size_gb), 0) FROM volumes v JOIN volume_types t ON t.id = v.type_id
				WHERE v.project_id = $1 AND v.consumes_quota AND t.name = $2)
			+ (SELECT COALESCE(SUM(s.size_gb), 0) FROM snapshots s JOIN volumes v ON v.id = s.volume_id
				JOIN volume_types t ON t.id = v.type_id WHERE s.project_id = $1 AND t.name = $2)`
		args = append(args, strings.TrimPrefix(resource, "gigabytes_"))
	case strings.HasPrefix(resource, "snapshots_"):
		q = `SELECT COUNT(*) FROM snapshots s JOIN volumes v ON v.id = s.volume_id
			JOIN volume_types t ON t.id = v.type_id WHERE s.project_id = $1 AND t.name = $2`
		args = append(args, strings.TrimPrefix(resource, "snapshots_"))
	default:
		return 0, nil
	}
	var n int64
	err := t.tx.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}
