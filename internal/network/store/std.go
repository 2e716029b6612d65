package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/gostack/gostack/internal/platform/db"
)

// tables maps a resource kind, as the tag API and the quotas name it, to
// its table. A kind's table is named after its collection.
var tables = map[string]string{
	"networks": "networks", "subnets": "subnets", "ports": "ports", "subnetpools": "subnetpools",
	"routers": "routers", "floatingips": "floatingips", "security_groups": "security_groups",
	"security_group_rules": "security_group_rules", "rbac_policies": "rbac_policies",
	"qos_policies": "qos_policies", "address_scopes": "address_scopes", "trunks": "trunks",
	"network_segment_ranges": "network_segment_ranges", "metering_labels": "metering_labels",
	// Quota resource names.
	"network": "networks", "subnet": "subnets", "port": "ports", "subnetpool": "subnetpools",
	"router": "routers", "floatingip": "floatingips", "security_group": "security_groups",
	"security_group_rule": "security_group_rules", "rbac_policy": "rbac_policies",
}

func table(kind string) (string, error) {
	t, ok := tables[kind]
	if !ok {
		return "", fmt.Errorf("network store: unknown resource kind %q", kind)
	}
	return t, nil
}

func (t *txn) Tags(ctx context.Context, kind string, ids []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var a db.Args
	q := `SELECT resource_id, tag FROM tags WHERE kind = ` + a.Add(kind)
	// A long list reads every tag of the kind instead of a huge IN list.
	if len(ids) <= 500 {
		q += ` AND resource_id IN (` + db.List(&a, ids) + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY resource_id, tag`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		out[id] = append(out[id], tag)
	}
	return out, rows.Err()
}

func (t *txn) SetTags(ctx context.Context, kind, id string, tags []string) error {
	tbl, err := table(kind)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM tags WHERE kind = $1 AND resource_id = $2`, kind, id); err != nil {
		return err
	}
	tags = slices.Compact(slices.Sorted(slices.Values(tags)))
	for _, tag := range tags {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO tags (kind, resource_id, tag) VALUES ($1, $2, $3)`, kind, id, tag); err != nil {
			return err
		}
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE `+tbl+` SET revision_number = revision_number + 1, updated_at = $2 WHERE id = $1`, id, db.Now())
	return err
}

func (t *txn) CountOwned(ctx context.Context, resource, project string) (int64, error) {
	tbl, err := table(resource)
	if err != nil {
		return 0, err
	}
	var n int64
	err = t.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+tbl+` WHERE project_id = $1`, project).Scan(&n)
	return n, err
}
