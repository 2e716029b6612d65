// Package hosts is the SQL of the volume services (agents) and the pools
// they report: the volume_services and volume_pools tables.
package hosts

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the hosts part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const serviceCols = `host, binary_name, zone, status, disabled_reason, frozen, updated_at`

func scanService(sc db.Scanner) (*blockstorage.VolumeService, error) {
	var s blockstorage.VolumeService
	if err := sc.Scan(&s.Host, &s.Binary, &s.Zone, &s.Status, &s.DisabledReason, &s.Frozen, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.UpdatedAt = db.UTC(s.UpdatedAt)
	// Up is judged against the clock of whoever reads the row; the
	// heartbeats are written with the same clock (db.Now), so one host's
	// skew does not matter in the all-in-one process.
	s.Up = time.Since(s.UpdatedAt) < blockstorage.ServiceDownTime
	return &s, nil
}

// ListVolumeServices lists every service, by host and binary.
func (t Txn) ListVolumeServices(ctx context.Context) ([]*blockstorage.VolumeService, error) {
	return db.All(ctx, t.tx, scanService, `SELECT `+serviceCols+` FROM volume_services ORDER BY host, binary_name`)
}

// GetVolumeService returns one service or apierr.ErrNotFound.
func (t Txn) GetVolumeService(ctx context.Context, host, binary string) (*blockstorage.VolumeService, error) {
	s, err := scanService(t.tx.QueryRowContext(ctx, `SELECT `+serviceCols+` FROM volume_services
		WHERE host = $1 AND binary_name = $2`, host, binary))
	return s, db.NotFound(err)
}

// ReportVolumeService records a heartbeat, keeping the operator's
// status, reason and frozen flag of a known service.
func (t Txn) ReportVolumeService(ctx context.Context, s *blockstorage.VolumeService) error {
	now := db.Now()
	status := s.Status
	if status == "" {
		status = "enabled"
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_services (host, binary_name, zone, status, disabled_reason,
		frozen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6)
		ON CONFLICT (host, binary_name) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at`,
		s.Host, s.Binary, s.Zone, status, s.DisabledReason, now)
	if err == nil {
		s.UpdatedAt = now
	}
	return err
}

// UpdateVolumeService writes an operator's change of a service.
func (t Txn) UpdateVolumeService(ctx context.Context, s *blockstorage.VolumeService) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE volume_services SET status = $3, disabled_reason = $4, frozen = $5
		WHERE host = $1 AND binary_name = $2`, s.Host, s.Binary, s.Status, s.DisabledReason, s.Frozen)
	return rows.Affected(res, err)
}

const poolCols = `name, backend, zone, total_gb, free_gb, allocated_gb, capabilities, updated_at`

func scanPool(sc db.Scanner) (*blockstorage.Pool, error) {
	var p blockstorage.Pool
	var caps string
	if err := sc.Scan(&p.Name, &p.Backend, &p.Zone, &p.TotalGB, &p.FreeGB, &p.AllocatedGB, &caps, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.UpdatedAt = db.UTC(p.UpdatedAt)
	p.Capabilities = map[string]any{}
	if err := db.FromJSON(caps, &p.Capabilities); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPools lists every pool, by name.
func (t Txn) ListPools(ctx context.Context) ([]*blockstorage.Pool, error) {
	return db.All(ctx, t.tx, scanPool, `SELECT `+poolCols+` FROM volume_pools ORDER BY name`)
}

// ReplacePools sets the pools of one volume service host to pools.
func (t Txn) ReplacePools(ctx context.Context, host string, pools []*blockstorage.Pool) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM volume_pools WHERE host = $1`, host); err != nil {
		return err
	}
	now := db.Now()
	for _, p := range pools {
		caps := p.Capabilities
		if caps == nil {
			caps = map[string]any{}
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO volume_pools (name, host, backend, zone, total_gb, free_gb,
			allocated_gb, capabilities, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			p.Name, host, p.Backend, p.Zone, p.TotalGB, p.FreeGB, p.AllocatedGB, db.JSON(caps), now); err != nil {
			return err
		}
		p.UpdatedAt = now
	}
	return nil
}

// UsageOnHost sums the volumes of a host and their snapshots per
// project. A volume's host is "host@backend#pool": the prefix is
// compared with substr, which both engines have, rather than LIKE, to
// which "_" in a host name would be a wildcard.
func (t Txn) UsageOnHost(ctx context.Context, host string) ([]blockstorage.HostUsage, error) {
	prefix := host + "#"
	on := `(v.host = $1 OR substr(v.host, 1, $3) = $2)`
	per := map[string]*blockstorage.HostUsage{}
	get := func(p string) *blockstorage.HostUsage {
		if per[p] == nil {
			per[p] = &blockstorage.HostUsage{Project: p}
		}
		return per[p]
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT v.project_id, COUNT(*), COALESCE(SUM(v.size_gb), 0) FROM volumes v
		WHERE `+on+` GROUP BY v.project_id`, host, prefix, len(prefix))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p string
		var n, gb int
		if err := rows.Scan(&p, &n, &gb); err != nil {
			rows.Close()
			return nil, err
		}
		u := get(p)
		u.Volumes, u.VolumeGB = n, gb
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = t.tx.QueryContext(ctx, `SELECT s.project_id, COUNT(*), COALESCE(SUM(s.size_gb), 0) FROM snapshots s
		JOIN volumes v ON v.id = s.volume_id WHERE `+on+` GROUP BY s.project_id`, host, prefix, len(prefix))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var n, gb int
		if err := rows.Scan(&p, &n, &gb); err != nil {
			return nil, err
		}
		u := get(p)
		u.Snapshots, u.SnapshotGB = n, gb
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]blockstorage.HostUsage, 0, len(per))
	for _, u := range per {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b blockstorage.HostUsage) int { return strings.Compare(a.Project, b.Project) })
	return out, nil
}

var _ blockstorage.HostTx = Txn{}
