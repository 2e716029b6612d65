package voltypes

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

const qosCols = `id, name, consumer, specs, created_at, updated_at`

func scanQoS(sc db.Scanner) (*blockstorage.QoSSpecs, error) {
	var q blockstorage.QoSSpecs
	var specs string
	if err := sc.Scan(&q.ID, &q.Name, &q.Consumer, &specs, &q.CreatedAt, &q.UpdatedAt); err != nil {
		return nil, err
	}
	q.CreatedAt, q.UpdatedAt = db.UTC(q.CreatedAt), db.UTC(q.UpdatedAt)
	q.Specs = map[string]string{}
	return &q, db.FromJSON(specs, &q.Specs)
}

// GetQoS returns QoS specs.
func (t Txn) GetQoS(ctx context.Context, id string) (*blockstorage.QoSSpecs, error) {
	q, err := scanQoS(t.tx.QueryRowContext(ctx, `SELECT `+qosCols+` FROM qos_specs WHERE id = $1`, id))
	return q, db.NotFound(err)
}

// ListQoS lists every QoS specs by name.
func (t Txn) ListQoS(ctx context.Context) ([]*blockstorage.QoSSpecs, error) {
	return db.All(ctx, t.tx, scanQoS, `SELECT `+qosCols+` FROM qos_specs ORDER BY name, id`)
}

// CreateQoS inserts QoS specs; ErrDuplicate for a name in use.
func (t Txn) CreateQoS(ctx context.Context, q *blockstorage.QoSSpecs) error {
	now := db.Now()
	q.CreatedAt, q.UpdatedAt = now, now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO qos_specs (`+qosCols+`) VALUES ($1, $2, $3, $4, $5, $5)`,
		q.ID, q.Name, q.Consumer, specsJSON(q.Specs), now)
	return rows.Duplicate(err)
}

// UpdateQoS writes the consumer and the specs.
func (t Txn) UpdateQoS(ctx context.Context, q *blockstorage.QoSSpecs) error {
	q.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE qos_specs SET consumer = $2, specs = $3, updated_at = $4 WHERE id = $1`,
		q.ID, q.Consumer, specsJSON(q.Specs), q.UpdatedAt)
	return rows.Affected(res, err)
}

// DeleteQoS removes QoS specs and their associations.
func (t Txn) DeleteQoS(ctx context.Context, id string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE volume_types SET qos_specs_id = '' WHERE qos_specs_id = $1`, id); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM qos_specs WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// QoSTypes lists the types associated with QoS specs.
func (t Txn) QoSTypes(ctx context.Context, qosID string) ([]*blockstorage.VolumeType, error) {
	return db.All(ctx, t.tx, scanType, `SELECT `+typeCols+` FROM volume_types WHERE qos_specs_id = $1 ORDER BY name, id`, qosID)
}

func specsJSON(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	return db.JSON(m)
}
