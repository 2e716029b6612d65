package servers

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

// Migration records (os-migrations), not to be confused with the schema
// migrations in migrations/.

const migrationCols = `id, uuid, version, instance_id, migration_type, status, source_compute, source_node,
	dest_compute, dest_node, dest_host, old_flavor_id, new_flavor_id, project_id, user_id, memory_total,
	memory_remain, memory_proc, disk_total, disk_remain, disk_proc, cross_cell_move, driver_data,
	created_at, updated_at`

func driverData(b []byte) sql.NullString {
	if b == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
}

func scanMigration(sc db.Scanner) (*compute.Migration, int64, error) {
	var m compute.Migration
	var version int64
	var data sql.NullString
	err := sc.Scan(&m.ID, &m.UUID, &version, &m.InstanceID, &m.Type, &m.Status, &m.SourceCompute, &m.SourceNode,
		&m.DestCompute, &m.DestNode, &m.DestHost, &m.OldFlavorID, &m.NewFlavorID, &m.ProjectID, &m.UserID, &m.MemoryTotal,
		&m.MemoryRemain, &m.MemoryProc, &m.DiskTotal, &m.DiskRemain, &m.DiskProc, &m.CrossCellMove, &data,
		&m.CreatedAt, &m.UpdatedAt)
	if data.Valid {
		m.DriverDataJSON = []byte(data.String)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, version, err
}

func getMigration(ctx context.Context, q db.Querier, id string) (*compute.Migration, int64, error) {
	m, v, err := scanMigration(q.QueryRowContext(ctx, `SELECT `+migrationCols+` FROM compute_migrations WHERE uuid = $1`, id))
	if err != nil {
		return nil, 0, db.NotFound(err)
	}
	return m, v, nil
}

// CreateMigration implements compute.ServerStore. A migration without a
// UUID gets one; a taken UUID is ErrDuplicate.
func (s *ServerStore) CreateMigration(ctx context.Context, m *compute.Migration) error {
	return txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		n := *m
		if n.UUID == "" {
			n.UUID = uuid.NewString()
		} else if _, _, err := getMigration(ctx, tx, n.UUID); err == nil {
			return fmt.Errorf("%w: migration uuid", apierr.ErrDuplicate)
		} else if !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		now := db.Now()
		n.CreatedAt, n.UpdatedAt = now, now
		err := tx.QueryRowContext(ctx, `INSERT INTO compute_migrations (`+strings.TrimPrefix(migrationCols, "id, ")+`) VALUES
			($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id`,
			n.UUID, n.InstanceID, n.Type, n.Status, n.SourceCompute, n.SourceNode,
			n.DestCompute, n.DestNode, n.DestHost, n.OldFlavorID, n.NewFlavorID, n.ProjectID, n.UserID, n.MemoryTotal,
			n.MemoryRemain, n.MemoryProc, n.DiskTotal, n.DiskRemain, n.DiskProc, n.CrossCellMove, driverData(n.DriverDataJSON),
			n.CreatedAt, n.UpdatedAt).Scan(&n.ID)
		if db.IsUnique(err) {
			return txn.ErrRace // a concurrent create of this uuid
		}
		if err != nil {
			return err
		}
		*m = n
		return nil
	})
}

// UpdateMigration implements compute.ServerStore. ID, UUID and CreatedAt
// are kept whatever fn does; UpdatedAt is set by the store.
func (s *ServerStore) UpdateMigration(ctx context.Context, id string, fn func(*compute.Migration) error) (*compute.Migration, error) {
	var out *compute.Migration
	err := txn.Run(ctx, s.db, func(ctx context.Context, tx *sql.Tx) error {
		m, version, err := getMigration(ctx, tx, id)
		if err != nil {
			return err
		}
		was := *m
		if err := fn(m); err != nil {
			return err
		}
		m.ID, m.UUID, m.CreatedAt = was.ID, was.UUID, was.CreatedAt
		m.UpdatedAt = db.Now()
		if err := txn.CompareAndSwap(tx.ExecContext(ctx, `UPDATE compute_migrations SET version = $1, instance_id = $2, migration_type = $3,
			status = $4, source_compute = $5, source_node = $6, dest_compute = $7, dest_node = $8, dest_host = $9,
			old_flavor_id = $10, new_flavor_id = $11, project_id = $12, user_id = $13, memory_total = $14,
			memory_remain = $15, memory_proc = $16, disk_total = $17, disk_remain = $18, disk_proc = $19,
			cross_cell_move = $20, driver_data = $21, updated_at = $22 WHERE uuid = $23 AND version = $24`,
			version+1, m.InstanceID, m.Type, m.Status, m.SourceCompute, m.SourceNode, m.DestCompute, m.DestNode, m.DestHost,
			m.OldFlavorID, m.NewFlavorID, m.ProjectID, m.UserID, m.MemoryTotal,
			m.MemoryRemain, m.MemoryProc, m.DiskTotal, m.DiskRemain, m.DiskProc,
			m.CrossCellMove, driverData(m.DriverDataJSON), m.UpdatedAt, id, version)); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetMigration implements compute.ServerStore.
func (s *ServerStore) GetMigration(ctx context.Context, id string) (*compute.Migration, error) {
	m, _, err := getMigration(ctx, s.db.Reader(), id)
	return m, err
}

// ListMigrations implements compute.ServerStore. Host matches the source
// or the destination compute; an unknown marker is ErrNotFound.
func (s *ServerStore) ListMigrations(ctx context.Context, f compute.MigrationFilter) ([]compute.Migration, error) {
	var out []compute.Migration
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var w db.Where
		w.Eq("instance_id", f.InstanceID)
		w.Eq("status", f.Status)
		w.Eq("migration_type", f.Type)
		w.Eq("source_node", f.SourceNode)
		w.Eq("project_id", f.ProjectID)
		w.Eq("user_id", f.UserID)
		if f.Host != "" {
			h := w.Add(f.Host)
			w.And(`(source_compute = ` + h + ` OR dest_compute = ` + h + `)`)
		}
		if f.ChangesSince != nil {
			w.And(`updated_at >= ` + w.Add(f.ChangesSince.UTC()))
		}
		if f.ChangesBefore != nil {
			w.And(`updated_at <= ` + w.Add(f.ChangesBefore.UTC()))
		}
		if f.Marker != "" {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM compute_migrations WHERE uuid = $1`, f.Marker).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: marker %s", apierr.ErrNotFound, f.Marker)
			}
			if err != nil {
				return err
			}
			m := w.Add(id)
			created := `(SELECT m.created_at FROM compute_migrations m WHERE m.id = ` + m + `)`
			w.And(`(created_at < ` + created + ` OR (created_at = ` + created + ` AND id < ` + m + `))`)
		}
		q := `SELECT ` + migrationCols + ` FROM compute_migrations` + w.Clause() + ` ORDER BY created_at DESC, id DESC`
		if f.Limit > 0 {
			q += ` LIMIT ` + w.Add(f.Limit)
		}
		scan := func(sc db.Scanner) (compute.Migration, error) {
			m, _, err := scanMigration(sc)
			return *m, err
		}
		var err error
		out, err = db.All(ctx, tx, scan, q, w.Vals...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
