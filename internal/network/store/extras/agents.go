package extras

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/db"
)

const agentCols = `id, agent_type, binary_name, topic, host, admin_state_up, availability_zone, description,
	configurations, created_at, started_at, heartbeat_at`

func scanAgent(sc db.Scanner) (*network.Agent, error) {
	var a network.Agent
	var az sql.NullString
	var conf string
	if err := sc.Scan(&a.ID, &a.Type, &a.Binary, &a.Topic, &a.Host, &a.AdminStateUp, &az, &a.Description, &conf,
		&a.CreatedAt, &a.StartedAt, &a.HeartbeatAt); err != nil {
		return nil, err
	}
	a.AZ = db.StringPtr(az)
	a.CreatedAt, a.StartedAt, a.HeartbeatAt = db.UTC(a.CreatedAt), db.UTC(a.StartedAt), db.UTC(a.HeartbeatAt)
	if err := db.FromJSON(conf, &a.Configuration); err != nil {
		return nil, err
	}
	if a.Configuration == nil {
		a.Configuration = map[string]any{}
	}
	return &a, nil
}

// UpsertAgent inserts or refreshes the agent's row in one statement, so
// two reports of a new agent racing each other make one row.
func (t *Txn) UpsertAgent(ctx context.Context, a *network.Agent, start bool) (*network.Agent, error) {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO agents (`+agentCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (agent_type, host) DO UPDATE SET binary_name = excluded.binary_name, topic = excluded.topic,
			availability_zone = excluded.availability_zone, configurations = excluded.configurations,
			heartbeat_at = excluded.heartbeat_at,
			started_at = CASE WHEN $13 THEN excluded.started_at ELSE agents.started_at END`,
		a.ID, a.Type, a.Binary, a.Topic, a.Host, a.AdminStateUp, db.NullString(a.AZ), a.Description,
		db.JSON(a.Configuration), a.CreatedAt, a.StartedAt, a.HeartbeatAt, start)
	if err != nil {
		return nil, err
	}
	return scanAgent(t.tx.QueryRowContext(ctx, `SELECT `+agentCols+` FROM agents WHERE agent_type = $1 AND host = $2`, a.Type, a.Host))
}

func (t *Txn) GetAgent(ctx context.Context, id string) (*network.Agent, error) {
	a, err := scanAgent(t.tx.QueryRowContext(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1`, id))
	return a, db.NotFound(err)
}

func (t *Txn) ListAgents(ctx context.Context) ([]*network.Agent, error) {
	return db.All(ctx, t.tx, scanAgent, `SELECT `+agentCols+` FROM agents ORDER BY agent_type, host`)
}

func (t *Txn) UpdateAgent(ctx context.Context, a *network.Agent) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE agents SET admin_state_up = $2, description = $3 WHERE id = $1`,
		a.ID, a.AdminStateUp, a.Description)
	return err
}

func (t *Txn) DeleteAgent(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM agents WHERE id = $1`, id)
	return err
}
