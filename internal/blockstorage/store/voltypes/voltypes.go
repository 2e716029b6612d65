// Package voltypes is the SQL of volume types, their extra specs, project
// access, encryption, QoS specs, group types and default types.
package voltypes

import (
	"context"
	"database/sql"
	"sort"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the voltypes part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const typeCols = `id, name, description, is_public, qos_specs_id, created_at, updated_at`

func scanType(sc db.Scanner) (*blockstorage.VolumeType, error) {
	var t blockstorage.VolumeType
	if err := sc.Scan(&t.ID, &t.Name, &t.Description, &t.IsPublic, &t.QoSSpecsID, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = db.UTC(t.CreatedAt), db.UTC(t.UpdatedAt)
	t.ExtraSpecs = map[string]string{}
	return &t, nil
}

// GetType returns a type with its extra specs.
func (t Txn) GetType(ctx context.Context, id string) (*blockstorage.VolumeType, error) {
	return t.getType(ctx, `id`, id)
}

// GetTypeByName returns the type named name.
func (t Txn) GetTypeByName(ctx context.Context, name string) (*blockstorage.VolumeType, error) {
	return t.getType(ctx, `name`, name)
}

func (t Txn) getType(ctx context.Context, col, v string) (*blockstorage.VolumeType, error) {
	vt, err := scanType(t.tx.QueryRowContext(ctx, `SELECT `+typeCols+` FROM volume_types WHERE `+col+` = $1`, v))
	if err != nil {
		return nil, db.NotFound(err)
	}
	if err := t.fillSpecs(ctx, []*blockstorage.VolumeType{vt}); err != nil {
		return nil, err
	}
	return vt, nil
}

// fillSpecs reads the extra specs of types in one query.
func (t Txn) fillSpecs(ctx context.Context, types []*blockstorage.VolumeType) error {
	if len(types) == 0 {
		return nil
	}
	byID := make(map[string]*blockstorage.VolumeType, len(types))
	ids := make([]string, len(types))
	for i, vt := range types {
		byID[vt.ID], ids[i] = vt, vt.ID
	}
	var a db.Args
	return specRows(ctx, t.tx, `SELECT type_id, spec_key, value FROM volume_type_extra_specs WHERE type_id IN (`+db.List(&a, ids)+`)`,
		a.Vals, func(id, k, v string) { byID[id].ExtraSpecs[k] = v })
}

// specRows runs a query of (owner id, key, value) rows and hands each to
// put.
func specRows(ctx context.Context, tx *sql.Tx, q string, args []any, put func(id, k, v string)) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, k, v string
		if err := rows.Scan(&id, &k, &v); err != nil {
			return err
		}
		put(id, k, v)
	}
	return rows.Err()
}

// ListTypes lists types by name.
func (t Txn) ListTypes(ctx context.Context, f blockstorage.TypeFilter) ([]*blockstorage.VolumeType, error) {
	var w db.Where
	if f.IsPublic != nil {
		w.And(`is_public = ` + w.Add(*f.IsPublic))
	}
	if f.Project != "" {
		w.And(`(is_public OR id IN (SELECT type_id FROM volume_type_projects WHERE project_id = ` + w.Add(f.Project) + `))`)
	}
	types, err := db.All(ctx, t.tx, scanType, `SELECT `+typeCols+` FROM volume_types`+w.Clause()+` ORDER BY name, id`, w.Vals...)
	if err != nil {
		return nil, err
	}
	return types, t.fillSpecs(ctx, types)
}

// CreateType inserts a type and its extra specs.
func (t Txn) CreateType(ctx context.Context, vt *blockstorage.VolumeType) error {
	now := db.Now()
	vt.CreatedAt, vt.UpdatedAt = now, now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_types (`+typeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		vt.ID, vt.Name, vt.Description, vt.IsPublic, vt.QoSSpecsID, now)
	if err != nil {
		return rows.Duplicate(err)
	}
	return t.SetExtraSpecs(ctx, vt.ID, vt.ExtraSpecs)
}

// UpdateType writes the type's own columns.
func (t Txn) UpdateType(ctx context.Context, vt *blockstorage.VolumeType) error {
	vt.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE volume_types SET name = $2, description = $3, is_public = $4, qos_specs_id = $5,
		updated_at = $6 WHERE id = $1`, vt.ID, vt.Name, vt.Description, vt.IsPublic, vt.QoSSpecsID, vt.UpdatedAt)
	return rows.Affected(res, rows.Duplicate(err))
}

// DeleteType removes a type; its specs, access and encryption go with it
// (ON DELETE CASCADE).
func (t Txn) DeleteType(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_types WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// TypeInUse reports whether a volume uses the type.
func (t Txn) TypeInUse(ctx context.Context, id string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM volumes WHERE type_id = $1) +
		(SELECT COUNT(*) FROM group_volume_types WHERE volume_type_id = $1)`, id).Scan(&n)
	return n > 0, err
}

// SetExtraSpecs adds or replaces keys.
func (t Txn) SetExtraSpecs(ctx context.Context, typeID string, specs map[string]string) error {
	return setSpecs(ctx, t.tx, `INSERT INTO volume_type_extra_specs (type_id, spec_key, value) VALUES ($1, $2, $3)
		ON CONFLICT (type_id, spec_key) DO UPDATE SET value = excluded.value`, typeID, specs)
}

func setSpecs(ctx context.Context, tx *sql.Tx, stmt, id string, specs map[string]string) error {
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order of writes keeps concurrent writers from deadlocking
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, stmt, id, k, specs[k]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteExtraSpec removes one key.
func (t Txn) DeleteExtraSpec(ctx context.Context, typeID, key string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_type_extra_specs WHERE type_id = $1 AND spec_key = $2`, typeID, key)
	return rows.Affected(res, err)
}

// TypeProjects lists the projects given access to a type.
func (t Txn) TypeProjects(ctx context.Context, typeID string) ([]string, error) {
	return db.Strings(ctx, t.tx, `SELECT project_id FROM volume_type_projects WHERE type_id = $1 ORDER BY project_id`, typeID)
}

// AddTypeProject gives a project access.
func (t Txn) AddTypeProject(ctx context.Context, typeID, project string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_type_projects (type_id, project_id) VALUES ($1, $2)`, typeID, project)
	return rows.Duplicate(err)
}

// RemoveTypeProject takes a project's access away.
func (t Txn) RemoveTypeProject(ctx context.Context, typeID, project string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_type_projects WHERE type_id = $1 AND project_id = $2`, typeID, project)
	return rows.Affected(res, err)
}

const encCols = `id, type_id, provider, cipher, key_size, control_location, created_at, updated_at`

// GetEncryption returns a type's encryption.
func (t Txn) GetEncryption(ctx context.Context, typeID string) (*blockstorage.Encryption, error) {
	var e blockstorage.Encryption
	var size sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT `+encCols+` FROM volume_type_encryption WHERE type_id = $1`, typeID).
		Scan(&e.ID, &e.TypeID, &e.Provider, &e.Cipher, &size, &e.ControlLocation, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, db.NotFound(err)
	}
	e.KeySize = db.IntPtr(size)
	e.CreatedAt, e.UpdatedAt = db.UTC(e.CreatedAt), db.UTC(e.UpdatedAt)
	return &e, nil
}

// CreateEncryption inserts a type's encryption; ErrDuplicate if it has
// one.
func (t Txn) CreateEncryption(ctx context.Context, e *blockstorage.Encryption) error {
	now := db.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_type_encryption (`+encCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		e.ID, e.TypeID, e.Provider, e.Cipher, db.NullInt(e.KeySize), e.ControlLocation, now)
	return rows.Duplicate(err)
}

// UpdateEncryption writes a type's encryption.
func (t Txn) UpdateEncryption(ctx context.Context, e *blockstorage.Encryption) error {
	e.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE volume_type_encryption SET provider = $2, cipher = $3, key_size = $4,
		control_location = $5, updated_at = $6 WHERE type_id = $1`,
		e.TypeID, e.Provider, e.Cipher, db.NullInt(e.KeySize), e.ControlLocation, e.UpdatedAt)
	return rows.Affected(res, err)
}

// DeleteEncryption removes a type's encryption.
func (t Txn) DeleteEncryption(ctx context.Context, typeID string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_type_encryption WHERE type_id = $1`, typeID)
	return rows.Affected(res, err)
}
