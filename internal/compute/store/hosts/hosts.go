package hosts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/store/internal/txn"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const serviceCols = `id, uuid, version, host, binary_name, zone, disabled, disabled_reason, forced_down, created_at, updated_at`

func scanService(sc db.Scanner) (*compute.HostService, int64, error) {
	var s compute.HostService
	var version int64
	err := sc.Scan(&s.IntID, &s.ID, &version, &s.Host, &s.Binary, &s.Zone, &s.Disabled, &s.DisabledReason, &s.ForcedDown, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return &s, version, err
}

func getService(ctx context.Context, q db.Querier, where string, args ...any) (*compute.HostService, int64, error) {
	s, v, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceCols+` FROM compute_services WHERE `+where, args...))
	if err != nil {
		return nil, 0, db.NotFound(err)
	}
	return s, v, nil
}

// UpsertService implements compute.HostStore. A new service gets an
// integer id, a uuid (unless hs has one) and its times; a uuid that
// another service has is ErrDuplicate.
func (s *HostStore) UpsertService(ctx context.Context, hs *compute.HostService) (*compute.HostService, error) {
	var out *compute.HostService
	err := txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		got, _, err := getService(ctx, tx, `host = $1 AND binary_name = $2`, hs.Host, hs.Binary)
		if err == nil {
			out = got
			return nil
		}
		if !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		n := *hs
		if n.ID == "" {
			n.ID = uuid.NewString()
		} else if _, _, err := getService(ctx, tx, `uuid = $1`, n.ID); err == nil {
			return fmt.Errorf("%w: service id", apierr.ErrDuplicate)
		}
		now := db.Now()
		n.CreatedAt, n.UpdatedAt = now, now
		err = tx.QueryRowContext(ctx, `INSERT INTO compute_services (`+strings.TrimPrefix(serviceCols, "id, ")+`) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			n.ID, n.Host, n.Binary, n.Zone, n.Disabled, n.DisabledReason, n.ForcedDown, n.CreatedAt, n.UpdatedAt).Scan(&n.IntID)
		if db.IsUnique(err) {
			return txn.ErrRace // a concurrent insert of this (host, binary) or of this uuid
		}
		if err != nil {
			return err
		}
		out = &n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetService implements compute.HostStore.
func (s *HostStore) GetService(ctx context.Context, id string) (*compute.HostService, error) {
	hs, _, err := getService(ctx, s.db.Reader(), `uuid = $1`, id)
	return hs, err
}

// ListServices implements compute.HostStore; services are ordered by
// their integer id.
func (s *HostStore) ListServices(ctx context.Context, host, binary string) ([]compute.HostService, error) {
	var w db.Where
	w.Eq("host", host)
	w.Eq("binary_name", binary)
	scan := func(sc db.Scanner) (compute.HostService, error) {
		hs, _, err := scanService(sc)
		return *hs, err
	}
	return db.All(ctx, s.db.Reader(), scan, `SELECT `+serviceCols+` FROM compute_services`+w.Clause()+` ORDER BY id`, w.Vals...)
}

// UpdateService implements compute.HostStore. ID, IntID, Host, Binary
// and CreatedAt are kept whatever fn does; UpdatedAt is set by the store.
func (s *HostStore) UpdateService(ctx context.Context, id string, fn func(*compute.HostService) error) (*compute.HostService, error) {
	var out *compute.HostService
	err := txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		hs, version, err := getService(ctx, tx, `uuid = $1`, id)
		if err != nil {
			return err
		}
		was := *hs
		if err := fn(hs); err != nil {
			return err
		}
		hs.ID, hs.IntID, hs.Host, hs.Binary, hs.CreatedAt = was.ID, was.IntID, was.Host, was.Binary, was.CreatedAt
		hs.UpdatedAt = db.Now()
		if err := txn.CompareAndSwap(tx.ExecContext(ctx, `UPDATE compute_services SET version = $1, zone = $2, disabled = $3, disabled_reason = $4,
			forced_down = $5, updated_at = $6 WHERE uuid = $7 AND version = $8`,
			version+1, hs.Zone, hs.Disabled, hs.DisabledReason, hs.ForcedDown, hs.UpdatedAt, id, version)); err != nil {
			return err
		}
		out = hs
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteService implements compute.HostStore. As in Nova, only a
// nova-compute service takes its host's compute nodes with it: deleting
// a scheduler that shares the host leaves them.
func (s *HostStore) DeleteService(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		hs, _, err := getService(ctx, tx, `uuid = $1`, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM compute_services WHERE uuid = $1`, id); err != nil {
			return err
		}
		if hs.Binary != "nova-compute" {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM compute_nodes WHERE host = $1`, hs.Host)
		return err
	})
}

const nodeCols = `id, uuid, host, hypervisor_hostname, hypervisor_type, hypervisor_version, host_ip, vcpus, vcpus_used,
	memory_mb, memory_mb_used, local_gb, local_gb_used, running_vms, cpu_info, cpu_allocation_ratio,
	ram_allocation_ratio, disk_allocation_ratio, started_at, created_at, updated_at`

const nodeNumCols = 21

// nodeUpdated are the columns an upsert of an existing node writes: all
// but id, uuid and created_at.
const nodeUpdated = `host, hypervisor_hostname, hypervisor_type, hypervisor_version, host_ip,
	vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb, local_gb_used, running_vms, cpu_info,
	cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, started_at, updated_at`

func scanNode(sc db.Scanner) (compute.ComputeNode, error) {
	var n compute.ComputeNode
	err := sc.Scan(&n.IntID, &n.ID, &n.Host, &n.HypervisorHostname, &n.HypervisorType, &n.HypervisorVersion, &n.HostIP,
		&n.VCPUs, &n.VCPUsUsed, &n.MemoryMB, &n.MemoryMBUsed, &n.LocalGB, &n.LocalGBUsed, &n.RunningVMs, &n.CPUInfo,
		&n.CPUAllocationRatio, &n.RAMAllocationRatio, &n.DiskAllocationRatio, &n.StartedAt, &n.CreatedAt, &n.UpdatedAt)
	n.StartedAt, n.CreatedAt, n.UpdatedAt = n.StartedAt.UTC(), n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return n, err
}

// nodeBatch is how many nodes one INSERT writes. Larger batches do not
// pay on SQLite, which looks each $N parameter up by a linear search.
const nodeBatch = 16

// nodeInsertCols are nodeCols but id, which the database gives.
var nodeInsertCols = strings.TrimPrefix(nodeCols, "id, ")

const nodeInsertNumCols = nodeNumCols - 1

// nodeUpsert inserts n nodes, updating those whose uuid exists.
func nodeUpsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO compute_nodes (` + nodeInsertCols + `) VALUES `)
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range nodeInsertNumCols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*nodeInsertNumCols+c+1)
		}
		b.WriteString(")")
	}
	b.WriteString(` ON CONFLICT (uuid) DO UPDATE SET `)
	for i, c := range strings.Split(nodeUpdated, ",") {
		if i > 0 {
			b.WriteString(", ")
		}
		c = strings.TrimSpace(c)
		b.WriteString(c + ` = excluded.` + c)
	}
	return b.String()
}

// UpsertNodes implements compute.HostStore. A new node gets an integer
// id from the database and CreatedAt (now, unless set); an existing one
// keeps both. UpdatedAt is the node's, or now when zero. When nodes
// repeats an ID the last entry wins.
func (s *HostStore) UpsertNodes(ctx context.Context, nodes []compute.ComputeNode) error {
	if len(nodes) == 0 {
		return nil
	}
	last := map[string]int{}
	for i, n := range nodes {
		last[n.ID] = i
	}
	uniq := make([]compute.ComputeNode, 0, len(last))
	for i, n := range nodes {
		if last[n.ID] == i {
			uniq = append(uniq, n)
		}
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := db.Now()
		// One prepared statement serves every full batch; the last,
		// shorter one gets its own.
		var stmt *sql.Stmt
		defer func() {
			if stmt != nil {
				stmt.Close()
			}
		}()
		for start := 0; start < len(uniq); start += nodeBatch {
			chunk := uniq[start:min(start+nodeBatch, len(uniq))]
			vals := make([]any, 0, len(chunk)*nodeInsertNumCols)
			for _, n := range chunk {
				created, updated := db.UTC(n.CreatedAt), db.UTC(n.UpdatedAt)
				if n.CreatedAt.IsZero() {
					created = now
				}
				if n.UpdatedAt.IsZero() {
					updated = now
				}
				vals = append(vals, n.ID, n.Host, n.HypervisorHostname, n.HypervisorType, n.HypervisorVersion, n.HostIP,
					n.VCPUs, n.VCPUsUsed, n.MemoryMB, n.MemoryMBUsed, n.LocalGB, n.LocalGBUsed, n.RunningVMs, n.CPUInfo,
					n.CPUAllocationRatio, n.RAMAllocationRatio, n.DiskAllocationRatio, db.UTC(n.StartedAt), created, updated)
			}
			var err error
			if len(chunk) == nodeBatch {
				if stmt == nil {
					if stmt, err = tx.PrepareContext(ctx, nodeUpsert(nodeBatch)); err != nil {
						return err
					}
				}
				_, err = stmt.ExecContext(ctx, vals...)
			} else {
				_, err = tx.ExecContext(ctx, nodeUpsert(len(chunk)), vals...)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// GetNode implements compute.HostStore.
func (s *HostStore) GetNode(ctx context.Context, id string) (*compute.ComputeNode, error) {
	n, err := scanNode(s.db.Reader().QueryRowContext(ctx, `SELECT `+nodeCols+` FROM compute_nodes WHERE uuid = $1`, id))
	if err != nil {
		return nil, db.NotFound(err)
	}
	return &n, nil
}

// ListNodes implements compute.HostStore. The pattern matches without
// regard to (ASCII) case on both engines, as Nova's on MySQL does.
func (s *HostStore) ListNodes(ctx context.Context, host, hostnamePattern string) ([]compute.ComputeNode, error) {
	var w db.Where
	w.Eq("host", host)
	if hostnamePattern != "" {
		w.And(`LOWER(hypervisor_hostname) LIKE LOWER(` + w.Add(hostnamePattern) + `)`)
	}
	return db.All(ctx, s.db.Reader(), scanNode, `SELECT `+nodeCols+` FROM compute_nodes`+w.Clause()+` ORDER BY id`, w.Vals...)
}
