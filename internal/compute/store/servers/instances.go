package servers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/compute/store/internal/txn"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// instanceCols are compute_instances' columns in the order of
// instanceValues and scanInstance.
const instanceCols = `uuid, seq, version, display_name, hostname, display_description, project_id, user_id,
	image_ref, flavor_id, vcpus, memory_mb, flavor, old_flavor, new_flavor, key_name, key_data, user_data,
	config_drive, metadata, tags, availability_zone, host, node, requested_host, requested_node,
	launch_index, reservation_id, vm_state, task_state, power_state, progress, locked, locked_by,
	locked_reason, access_ip_v4, access_ip_v6, scheduler_hints, server_group, kernel_id, ramdisk_id,
	root_device_name, block_devices, networks, trusted_certs, security_groups, fault, launched_at,
	terminated_at, created_at, updated_at, deleted, deleted_at, disk_config, system_metadata, requested_az`

const instanceNumCols = 56

// instanceInsert inserts one instance from instanceValues without its
// seq, which the database gives and the statement returns.
func instanceInsert() string {
	var cols, ps []string
	for i, c := range strings.Split(instanceCols, ",") {
		if i == instanceSeqCol {
			continue
		}
		cols = append(cols, strings.TrimSpace(c))
		ps = append(ps, fmt.Sprintf("$%d", len(ps)+1))
	}
	return `INSERT INTO compute_instances (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(ps, ", ") + `) RETURNING seq`
}

// instanceSeqCol is the index of seq in instanceCols.
const instanceSeqCol = 1

// instanceUpdate writes every column from instanceValues, then
// compare-and-swaps on the version read: $57 is the uuid, $58 the version.
func instanceUpdate() string {
	cols := strings.Split(instanceCols, ",")
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%s = $%d", strings.TrimSpace(c), i+1)
	}
	return `UPDATE compute_instances SET ` + strings.Join(sets, ", ") +
		fmt.Sprintf(` WHERE uuid = $%d AND version = $%d`, instanceNumCols+1, instanceNumCols+2)
}

func instanceValues(i *compute.Instance, version int64) []any {
	return []any{
		i.ID, i.Seq, version, i.Name, i.Hostname, db.NullString(i.Description), i.ProjectID, i.UserID,
		i.ImageRef, i.Flavor.ID, i.Flavor.VCPUs, i.Flavor.RAM, db.JSON(i.Flavor),
		db.NullJSON(i.OldFlavor, i.OldFlavor == nil), db.NullJSON(i.NewFlavor, i.NewFlavor == nil),
		i.KeyName, i.KeyData, i.UserData,
		i.ConfigDrive, db.JSON(i.Metadata), db.JSON(i.Tags), i.AvailabilityZone, i.Host, i.Node, i.RequestedHost, i.RequestedNode,
		i.LaunchIndex, i.ReservationID, i.VMState, i.TaskState, i.PowerState, i.Progress, i.Locked, i.LockedBy,
		i.LockedReason, i.AccessIPv4, i.AccessIPv6, db.JSON(i.SchedulerHints), i.ServerGroup, i.KernelID, i.RamdiskID,
		i.RootDeviceName, db.JSON(i.BlockDevices), db.JSON(i.Networks), db.JSON(i.TrustedCerts), db.JSON(i.SecurityGroups),
		db.NullJSON(i.Fault, i.Fault == nil), db.NullTime(i.LaunchedAt),
		db.NullTime(i.TerminatedAt), i.CreatedAt.UTC(), i.UpdatedAt.UTC(), i.Deleted, db.NullTime(i.DeletedAt),
		diskConfig(i.DiskConfig), db.JSON(sysMeta(i.SystemMetadata)), i.RequestedAZ,
	}
}

// diskConfig is the stored OS-DCF:diskConfig: MANUAL unless set.
func diskConfig(s string) string {
	if s == "" {
		return "MANUAL"
	}
	return s
}

// sysMeta stores a nil system_metadata as an empty object.
func sysMeta(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// instanceRow is a scanned compute_instances row whose JSON columns are
// not decoded yet.
type instanceRow struct {
	inst      compute.Instance
	version   int64
	desc      sql.NullString
	flavor    string
	oldFlavor sql.NullString
	newFlavor sql.NullString
	metadata  string
	tags      string
	hints     string
	bdms      string
	networks  string
	certs     string
	sgs       string
	sysMeta   string
	fault     sql.NullString
	launched  sql.NullTime
	term      sql.NullTime
	deletedAt sql.NullTime
	flavorID  string
	vcpus     int64
	memoryMB  int64
}

func (r *instanceRow) scan(sc db.Scanner) error {
	i := &r.inst
	return sc.Scan(&i.ID, &i.Seq, &r.version, &i.Name, &i.Hostname, &r.desc, &i.ProjectID, &i.UserID,
		&i.ImageRef, &r.flavorID, &r.vcpus, &r.memoryMB, &r.flavor, &r.oldFlavor, &r.newFlavor, &i.KeyName, &i.KeyData, &i.UserData,
		&i.ConfigDrive, &r.metadata, &r.tags, &i.AvailabilityZone, &i.Host, &i.Node, &i.RequestedHost, &i.RequestedNode,
		&i.LaunchIndex, &i.ReservationID, &i.VMState, &i.TaskState, &i.PowerState, &i.Progress, &i.Locked, &i.LockedBy,
		&i.LockedReason, &i.AccessIPv4, &i.AccessIPv6, &r.hints, &i.ServerGroup, &i.KernelID, &i.RamdiskID,
		&i.RootDeviceName, &r.bdms, &r.networks, &r.certs, &r.sgs, &r.fault, &r.launched,
		&r.term, &i.CreatedAt, &i.UpdatedAt, &i.Deleted, &r.deletedAt, &i.DiskConfig, &r.sysMeta, &i.RequestedAZ)
}

// decodeCache remembers decoded flavors during one list: most instances
// share a handful of flavors, and decoding a flavor is the costliest part
// of reading a row.
type decodeCache map[string]compute.Flavor

func (c decodeCache) flavor(s string, f *compute.Flavor) error {
	if v, ok := c[s]; ok {
		*f = v
		f.ExtraSpecs = maps.Clone(v.ExtraSpecs)
		return nil
	}
	if err := db.FromJSON(s, f); err != nil {
		return err
	}
	if c != nil {
		v := *f
		v.ExtraSpecs = maps.Clone(f.ExtraSpecs)
		c[s] = v
	}
	return nil
}

func decodeStrings(s string, v *[]string) error {
	if s == "[]" {
		*v = []string{}
		return nil
	}
	return db.FromJSON(s, v)
}

func decodeMap(s string, v *map[string]string) error {
	if s == "{}" {
		*v = map[string]string{}
		return nil
	}
	return db.FromJSON(s, v)
}

// decode finishes the instance: JSON columns, nullable columns, UTC
// times. cache may be nil.
func (r *instanceRow) decode(cache decodeCache) (*compute.Instance, error) {
	i := &r.inst
	i.Description = db.StringPtr(r.desc)
	i.LaunchedAt = db.TimePtr(r.launched)
	i.TerminatedAt = db.TimePtr(r.term)
	i.DeletedAt = db.TimePtr(r.deletedAt)
	i.CreatedAt = i.CreatedAt.UTC()
	i.UpdatedAt = i.UpdatedAt.UTC()
	fail := func(what string, err error) (*compute.Instance, error) {
		return nil, fmt.Errorf("instance %s %s: %w", i.ID, what, err)
	}
	if err := cache.flavor(r.flavor, &i.Flavor); err != nil {
		return fail("flavor", err)
	}
	if r.oldFlavor.Valid {
		i.OldFlavor = new(compute.Flavor)
		if err := cache.flavor(r.oldFlavor.String, i.OldFlavor); err != nil {
			return fail("old flavor", err)
		}
	}
	if r.newFlavor.Valid {
		i.NewFlavor = new(compute.Flavor)
		if err := cache.flavor(r.newFlavor.String, i.NewFlavor); err != nil {
			return fail("new flavor", err)
		}
	}
	if r.fault.Valid {
		i.Fault = new(compute.Fault)
		if err := db.FromJSON(r.fault.String, i.Fault); err != nil {
			return fail("fault", err)
		}
	}
	if err := decodeMap(r.metadata, &i.Metadata); err != nil {
		return fail("metadata", err)
	}
	if err := decodeMap(r.sysMeta, &i.SystemMetadata); err != nil {
		return fail("system metadata", err)
	}
	if err := decodeStrings(r.tags, &i.Tags); err != nil {
		return fail("tags", err)
	}
	if err := decodeStrings(r.certs, &i.TrustedCerts); err != nil {
		return fail("trusted certs", err)
	}
	if err := decodeStrings(r.sgs, &i.SecurityGroups); err != nil {
		return fail("security groups", err)
	}
	if err := db.FromJSON(r.hints, &i.SchedulerHints); err != nil {
		return fail("scheduler hints", err)
	}
	if err := db.FromJSON(r.bdms, &i.BlockDevices); err != nil {
		return fail("block devices", err)
	}
	if r.networks != "{}" {
		if err := db.FromJSON(r.networks, &i.Networks); err != nil {
			return fail("networks", err)
		}
	}
	return i, nil
}

// writeTags makes the tag rows of an instance tags.
func writeTags(ctx context.Context, tx *sql.Tx, id string, tags []string, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM compute_instance_tags WHERE instance_id = $1`, id); err != nil {
			return err
		}
	}
	return db.InsertDistinct(ctx, tx, `INSERT INTO compute_instance_tags (instance_id, tag) VALUES ($1, $2)`, id, tags)
}

func getInstanceRow(ctx context.Context, q db.Querier, id string) (*instanceRow, error) {
	var r instanceRow
	err := r.scan(q.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM compute_instances WHERE uuid = $1`, id))
	if err != nil {
		return nil, db.NotFound(err)
	}
	return &r, nil
}

// usage counts what a project and a user of it use, as q sees it.
func usage(ctx context.Context, q db.Querier, projectID, userID string) (compute.InstanceUsage, error) {
	var u compute.InstanceUsage
	err := q.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(vcpus), 0), COALESCE(SUM(memory_mb), 0),
		COALESCE(SUM(CASE WHEN user_id = $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN user_id = $2 THEN vcpus ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN user_id = $2 THEN memory_mb ELSE 0 END), 0)
		FROM compute_instances WHERE project_id = $1 AND deleted = $3`, projectID, userID, false).
		Scan(&u.Instances, &u.Cores, &u.RAM, &u.UserInstances, &u.UserCores, &u.UserRAM)
	return u, err
}

// createAttempts bounds how often CreateInstances inserts again after
// backing off for concurrent creates that all counted each other.
const createAttempts = 8

// CreateInstances implements compute.ServerStore. Nothing serializes the
// creates of a project: each inserts its instances, then counts what the
// project uses with them in. A create whose count passes its limits
// keeps its instances; one whose count does not removes them. The last
// of several concurrent creates to count sees all of those that kept
// theirs, so no limit is passed; but creates counting at the same time
// can each see the others and all back off. So one that backed off counts
// again without its own, and inserts again, after a short random pause,
// when they fit now.
func (s *ServerStore) CreateInstances(ctx context.Context, insts []*compute.Instance, check func(ctx context.Context, usage compute.InstanceUsage) error) error {
	if len(insts) == 0 {
		return nil
	}
	projectID, userID := insts[0].ProjectID, insts[0].UserID
	ids := make([]string, len(insts))
	var own compute.InstanceUsage
	for i, in := range insts {
		ids[i] = in.ID
		own.Instances++
		own.Cores += in.Flavor.VCPUs
		own.RAM += in.Flavor.RAM
	}
	own.UserInstances, own.UserCores, own.UserRAM = own.Instances, own.Cores, own.RAM
	for attempt := 1; ; attempt++ {
		if err := s.insertInstances(ctx, insts); err != nil {
			return err
		}
		if check == nil {
			return nil
		}
		u, err := usage(ctx, s.db.Reader(), projectID, userID)
		if err == nil {
			err = check(ctx, minus(u, own))
			if err == nil {
				return nil
			}
		}
		if uerr := s.removeInstances(context.WithoutCancel(ctx), ids); uerr != nil {
			return fmt.Errorf("%w (and removing the instances again failed: %v)", err, uerr)
		}
		if u, uerr := usage(ctx, s.db.Reader(), projectID, userID); uerr != nil || attempt == createAttempts {
			return err
		} else if err = check(ctx, u); err != nil {
			return err
		}
		// They fit without the others that backed off too.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.IntN(5000*attempt)) * time.Microsecond):
		}
	}
}

// insertInstances inserts insts, their tags and their group membership
// in one transaction.
func (s *ServerStore) insertInstances(ctx context.Context, insts []*compute.Instance) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		ids := make([]string, len(insts))
		for i, in := range insts {
			ids[i] = in.ID
		}
		for start := 0; start < len(ids); start += 500 {
			var a db.Args
			var n int
			chunk := ids[start:min(start+500, len(ids))]
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_instances WHERE uuid IN (`+db.List(&a, chunk)+`)`, a.Vals...).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: instance id", apierr.ErrDuplicate)
			}
		}
		groups := map[string]bool{}
		for _, in := range insts {
			if in.ServerGroup == "" || groups[in.ServerGroup] {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM compute_server_groups WHERE id = $1`, in.ServerGroup).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: server group %s", apierr.ErrNotFound, in.ServerGroup)
			}
			groups[in.ServerGroup] = true
		}
		stmt, err := tx.PrepareContext(ctx, instanceInsert())
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := db.Now()
		for _, in := range insts {
			in.CreatedAt, in.UpdatedAt = now, now
			vals := instanceValues(in, 1)
			vals = append(vals[:instanceSeqCol], vals[instanceSeqCol+1:]...)
			if err := stmt.QueryRowContext(ctx, vals...).Scan(&in.Seq); err != nil {
				if db.IsUnique(err) {
					return fmt.Errorf("%w: instance id", apierr.ErrDuplicate)
				}
				return err
			}
			if err := writeTags(ctx, tx, in.ID, in.Tags, false); err != nil {
				return err
			}
			if in.ServerGroup != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO compute_server_group_members (group_id, instance_id) VALUES ($1, $2)`, in.ServerGroup, in.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// removeInstances deletes instances a create inserted and may not keep,
// with their tags and group membership.
func (s *ServerStore) removeInstances(ctx context.Context, ids []string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for start := 0; start < len(ids); start += 500 {
			var a db.Args
			list := db.List(&a, ids[start:min(start+500, len(ids))])
			if _, err := tx.ExecContext(ctx, `DELETE FROM compute_server_group_members WHERE instance_id IN (`+list+`)`, a.Vals...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM compute_instances WHERE uuid IN (`+list+`)`, a.Vals...); err != nil {
				return err
			}
		}
		return nil
	})
}

// minus is what u counts besides own.
func minus(u, own compute.InstanceUsage) compute.InstanceUsage {
	return compute.InstanceUsage{
		Instances: u.Instances - own.Instances, Cores: u.Cores - own.Cores, RAM: u.RAM - own.RAM,
		UserInstances: u.UserInstances - own.UserInstances, UserCores: u.UserCores - own.UserCores, UserRAM: u.UserRAM - own.UserRAM,
	}
}

// GetInstance implements compute.ServerStore.
func (s *ServerStore) GetInstance(ctx context.Context, id string) (*compute.Instance, error) {
	r, err := getInstanceRow(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, err
	}
	return r.decode(nil)
}

// UpdateInstance implements compute.ServerStore. ID, Seq and CreatedAt
// are kept whatever fn does; an instance fn marks deleted gets DeletedAt
// (when fn left it nil) and leaves its server group.
func (s *ServerStore) UpdateInstance(ctx context.Context, id string, includeDeleted bool, fn func(*compute.Instance) error) (*compute.Instance, error) {
	var out *compute.Instance
	err := txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		r, err := getInstanceRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.inst.Deleted && !includeDeleted {
			return apierr.ErrNotFound
		}
		in, err := r.decode(nil)
		if err != nil {
			return err
		}
		was := *in
		was.Tags = slices.Clone(in.Tags)
		if err := fn(in); err != nil {
			return err
		}
		in.ID, in.Seq, in.CreatedAt = was.ID, was.Seq, was.CreatedAt
		in.UpdatedAt = db.Now()
		if in.Deleted && in.DeletedAt == nil {
			t := in.UpdatedAt
			in.DeletedAt = &t
		}
		if err := txn.CompareAndSwap(tx.ExecContext(ctx, instanceUpdate(), append(instanceValues(in, r.version+1), id, r.version)...)); err != nil {
			return err
		}
		if !slices.Equal(in.Tags, was.Tags) {
			if err := writeTags(ctx, tx, id, in.Tags, true); err != nil {
				return err
			}
		}
		if in.Deleted && !was.Deleted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM compute_server_group_members WHERE instance_id = $1`, id); err != nil {
				return err
			}
		}
		out = in
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountInstanceUsage implements compute.ServerStore.
func (s *ServerStore) CountInstanceUsage(ctx context.Context, projectID, userID string) (compute.InstanceUsage, error) {
	return usage(ctx, s.db.Reader(), projectID, userID)
}

// PurgeInstance implements compute.ServerStore.
func (s *ServerStore) PurgeInstance(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := txn.Exec1(ctx, tx, `DELETE FROM compute_instances WHERE uuid = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM compute_instance_actions WHERE instance_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM compute_server_group_members WHERE instance_id = $1`, id)
		return err
	})
}

// sortColumn is a column instances can be sorted on.
type sortColumn struct {
	col      string
	nullable bool
}

// instanceSortKeys maps Nova's sort keys to columns.
var instanceSortKeys = map[string]sortColumn{
	"created_at": {col: "created_at"}, "updated_at": {col: "updated_at"},
	"display_name": {col: "display_name"}, "uuid": {col: "uuid"}, "id": {col: "seq"},
	"vm_state": {col: "vm_state"}, "task_state": {col: "task_state"}, "power_state": {col: "power_state"},
	"host": {col: "host"}, "node": {col: "node"}, "hostname": {col: "hostname"},
	"launched_at": {col: "launched_at", nullable: true}, "terminated_at": {col: "terminated_at", nullable: true},
	"deleted_at": {col: "deleted_at", nullable: true}, "deleted": {col: "deleted"},
	"project_id": {col: "project_id"}, "user_id": {col: "user_id"},
	"availability_zone": {col: "availability_zone"}, "locked": {col: "locked"}, "locked_by": {col: "locked_by"},
	"key_name": {col: "key_name"}, "image_ref": {col: "image_ref"}, "instance_type_id": {col: "flavor_id"},
	"launch_index": {col: "launch_index"}, "reservation_id": {col: "reservation_id"},
	"display_description": {col: "display_description", nullable: true},
	"access_ip_v4":        {col: "access_ip_v4"}, "access_ip_v6": {col: "access_ip_v6"},
	"kernel_id": {col: "kernel_id"}, "ramdisk_id": {col: "ramdisk_id"}, "root_device_name": {col: "root_device_name"},
	"progress": {col: "progress"}, "config_drive": {col: "config_drive"},
	"memory_mb": {col: "memory_mb"}, "vcpus": {col: "vcpus"},
}

type sortKey struct {
	sortColumn
	desc bool
}

// instanceSort resolves sort keys as Nova's process_sort_params does:
// missing directions take the first one (default desc), and created_at
// and id are appended when absent so that the order is total.
func instanceSort(keys, dirs []string) ([]sortKey, error) {
	def := "desc"
	if len(dirs) > 0 {
		def = dirs[0]
	}
	var out []sortKey
	seen := map[string]bool{}
	add := func(k, dir string) error {
		c, ok := instanceSortKeys[k]
		if !ok {
			return apierr.BadRequest("%s", "Invalid sort key: "+k)
		}
		var desc bool
		switch strings.ToLower(dir) {
		case "asc":
		case "desc":
			desc = true
		default:
			return apierr.BadRequest("%s", "Invalid sort direction: "+dir)
		}
		if seen[c.col] {
			return nil
		}
		seen[c.col] = true
		out = append(out, sortKey{c, desc})
		return nil
	}
	for i, k := range keys {
		dir := def
		if i < len(dirs) {
			dir = dirs[i]
		}
		if err := add(k, dir); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"created_at", "id"} {
		if err := add(k, def); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// orderBy renders keys; NULL sorts as the smallest value on both engines.
func orderBy(keys []sortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		switch {
		case k.desc && k.nullable:
			parts[i] = k.col + " DESC NULLS LAST"
		case k.desc:
			parts[i] = k.col + " DESC"
		case k.nullable:
			parts[i] = k.col + " ASC NULLS FIRST"
		default:
			parts[i] = k.col + " ASC"
		}
	}
	return strings.Join(parts, ", ")
}

// afterMarker renders the keyset condition "comes after the row whose seq
// is markerSeq in the order keys", comparing with that row's values
// through subqueries so that no value makes a round trip through Go.
// isNull tells which of the marker's values are NULL.
func afterMarker(a *db.Args, keys []sortKey, markerSeq int64, isNull []bool) string {
	seq := a.Add(markerSeq)
	val := func(col string) string {
		return `(SELECT m.` + col + ` FROM compute_instances m WHERE m.seq = ` + seq + `)`
	}
	var ors []string
	for i, k := range keys {
		var ands []string
		for j := range i {
			if isNull[j] {
				ands = append(ands, keys[j].col+` IS NULL`)
			} else {
				ands = append(ands, keys[j].col+` = `+val(keys[j].col))
			}
		}
		switch {
		case !k.desc && isNull[i]:
			ands = append(ands, k.col+` IS NOT NULL`)
		case !k.desc:
			ands = append(ands, k.col+` > `+val(k.col))
		case isNull[i]:
			continue // nothing sorts after NULL descending
		case k.nullable:
			ands = append(ands, `(`+k.col+` < `+val(k.col)+` OR `+k.col+` IS NULL)`)
		default:
			ands = append(ands, k.col+` < `+val(k.col))
		}
		ors = append(ors, `(`+strings.Join(ands, ` AND `)+`)`)
	}
	if len(ors) == 0 {
		return `1 = 0`
	}
	return `(` + strings.Join(ors, ` OR `) + `)`
}

// ListInstances implements compute.ServerStore. Name (a regular
// expression) is matched in Go against the rows the SQL filters select,
// reading rows only until the page is full; every other filter is SQL.
func (s *ServerStore) ListInstances(ctx context.Context, f compute.InstanceFilter) ([]compute.Instance, error) {
	out := []compute.Instance{}
	var nameRE *regexp.Regexp
	if f.Name != "" {
		re, err := regexp.Compile(f.Name)
		if err != nil {
			return nil, apierr.BadRequest("%s", "Invalid name filter: "+err.Error())
		}
		nameRE = re
	}
	keys, err := instanceSort(f.SortKeys, f.SortDirs)
	if err != nil {
		return nil, err
	}
	// ip/ip6 are regular expressions searched in the addresses of the
	// network info cache, fixed and floating, as Nova does.
	var ipRE *regexp.Regexp
	if f.IP != "" {
		re, err := regexp.Compile(f.IP)
		if err != nil {
			return nil, apierr.BadRequest("%s", "Invalid ip filter: "+err.Error())
		}
		ipRE = re
	}

	var w db.Where
	w.Eq("project_id", f.ProjectID)
	w.Eq("user_id", f.UserID)
	w.In("uuid", f.IDs)
	w.Eq("hostname", f.Hostname)
	w.In("vm_state", f.VMStates)
	w.In("task_state", f.TaskStates)
	if len(f.PowerStates) > 0 {
		w.And(`power_state IN (` + db.List(&w.Args, f.PowerStates) + `)`)
	}
	w.Eq("host", f.Host)
	w.Eq("node", f.Node)
	w.Eq("image_ref", f.ImageRef)
	w.Eq("flavor_id", f.FlavorID)
	w.Eq("reservation_id", f.ReservationID)
	w.Eq("key_name", f.KeyName)
	w.Eq("availability_zone", f.AZ)
	w.Eq("display_description", f.Description)
	if f.Locked != nil {
		w.And(`locked = ` + w.Add(*f.Locked))
	}
	if f.ChangesSince != nil {
		w.And(`updated_at >= ` + w.Add(f.ChangesSince.UTC()))
	}
	if f.ChangesBefore != nil {
		w.And(`updated_at <= ` + w.Add(f.ChangesBefore.UTC()))
	}
	switch {
	case f.Deleted != nil:
		w.And(`deleted = ` + w.Add(*f.Deleted))
	case f.ChangesSince == nil && f.ChangesBefore == nil:
		w.And(`deleted = ` + w.Add(false))
	}
	hasTag := func(tags ...string) string {
		return `EXISTS (SELECT 1 FROM compute_instance_tags t WHERE t.instance_id = compute_instances.uuid AND t.tag IN (` + db.List(&w.Args, tags) + `))`
	}
	for _, t := range f.Tags {
		w.And(hasTag(t))
	}
	if len(f.TagsAny) > 0 {
		w.And(hasTag(f.TagsAny...))
	}
	if len(f.NotTags) > 0 {
		var all []string
		for _, t := range f.NotTags {
			all = append(all, hasTag(t))
		}
		w.And(`NOT (` + strings.Join(all, ` AND `) + `)`)
	}
	if len(f.NotTagsAny) > 0 {
		w.And(`NOT ` + hasTag(f.NotTagsAny...))
	}
	inGo := nameRE != nil || ipRE != nil

	err = s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if f.Marker != "" {
			cols := make([]string, len(keys))
			for i, k := range keys {
				cols[i] = k.col + ` IS NULL`
			}
			var mseq int64
			isNull := make([]bool, len(keys))
			dest := []any{&mseq}
			for i := range isNull {
				dest = append(dest, &isNull[i])
			}
			err := tx.QueryRowContext(ctx, `SELECT seq, `+strings.Join(cols, ", ")+` FROM compute_instances WHERE uuid = $1`, f.Marker).Scan(dest...)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: marker %s", apierr.ErrNotFound, f.Marker)
			}
			if err != nil {
				return err
			}
			w.And(afterMarker(&w.Args, keys, mseq, isNull))
		}
		q := `SELECT ` + instanceCols + ` FROM compute_instances` + w.Clause() + ` ORDER BY ` + orderBy(keys)
		if f.Limit > 0 && !inGo {
			q += ` LIMIT ` + w.Add(f.Limit)
		}
		rows, err := tx.QueryContext(ctx, q, w.Vals...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cache := decodeCache{}
		for rows.Next() {
			var r instanceRow
			if err := r.scan(rows); err != nil {
				return err
			}
			if nameRE != nil && !nameRE.MatchString(r.inst.Name) {
				continue
			}
			inst, err := r.decode(cache)
			if err != nil {
				return err
			}
			if ipRE != nil && !hasAddress(inst, ipRE) {
				continue
			}
			out = append(out, *inst)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hasAddress reports whether one of inst's addresses matches re.
func hasAddress(inst *compute.Instance, re *regexp.Regexp) bool {
	for _, v := range nwinfo.Of(inst.SystemMetadata) {
		for _, ip := range v.IPs {
			if re.MatchString(ip.Address) {
				return true
			}
			for _, f := range ip.Floating {
				if re.MatchString(f) {
					return true
				}
			}
		}
	}
	return false
}
