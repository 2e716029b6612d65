package servers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// actionSeq returns the seq of the action (instanceID, requestID).
func actionSeq(ctx context.Context, q db.Querier, instanceID, requestID string) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT seq FROM compute_instance_actions WHERE instance_id = $1 AND request_id = $2`, instanceID, requestID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: action %s of instance %s", apierr.ErrNotFound, requestID, instanceID)
	}
	return seq, err
}

// StartAction implements compute.ServerStore. StartTime is now unless
// set, UpdatedAt is StartTime unless set; an action already recorded for
// the request is ErrDuplicate.
func (s *ServerStore) StartAction(ctx context.Context, a *compute.InstanceAction) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := actionSeq(ctx, tx, a.InstanceID, a.RequestID); err == nil {
			return fmt.Errorf("%w: action %s", apierr.ErrDuplicate, a.RequestID)
		} else if !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		start, upd := db.UTC(a.StartTime), db.UTC(a.UpdatedAt)
		if a.StartTime.IsZero() {
			start = db.Now()
		}
		if a.UpdatedAt.IsZero() {
			upd = start
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO compute_instance_actions (instance_id, request_id, action, user_id, project_id, message, start_time, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.InstanceID, a.RequestID, a.Action, a.UserID, a.ProjectID, a.Message, start, upd)
		if db.IsUnique(err) {
			// A concurrent start of the same action committed first.
			return fmt.Errorf("%w: action %s", apierr.ErrDuplicate, a.RequestID)
		}
		if err != nil {
			return err
		}
		a.StartTime, a.UpdatedAt = start, upd
		return nil
	})
}

// StartEvent implements compute.ServerStore. StartTime is now unless
// set; the action's UpdatedAt becomes now. That update comes first: on
// PostgreSQL it holds the action's row until the commit, so that two
// events of one action take their positions one after the other, and the
// second reads the first's.
func (s *ServerStore) StartEvent(ctx context.Context, instanceID, requestID string, e compute.ActionEvent) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		seq, err := actionSeq(ctx, tx, instanceID, requestID)
		if err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE compute_instance_actions SET updated_at = $1 WHERE seq = $2`, now, seq); err != nil {
			return err
		}
		var pos int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM compute_instance_action_events WHERE action_seq = $1`, seq).Scan(&pos); err != nil {
			return err
		}
		start := db.UTC(e.StartTime)
		if e.StartTime.IsZero() {
			start = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO compute_instance_action_events (action_seq, position, event, start_time, finish_time, result, traceback, host, host_id, details)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			seq, pos, e.Event, start, db.NullTime(e.FinishTime), e.Result, e.Traceback, e.Host, e.HostID, e.Details)
		return err
	})
}

// FinishEvent implements compute.ServerStore. The running event is the
// latest of that name without a FinishTime (none is ErrNotFound);
// FinishTime is now unless set, and Details is written too when given
// (Nova 2.84 records the fault there). The action's UpdatedAt becomes now.
func (s *ServerStore) FinishEvent(ctx context.Context, instanceID, requestID string, e compute.ActionEvent) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		seq, err := actionSeq(ctx, tx, instanceID, requestID)
		if err != nil {
			return err
		}
		var pos int64
		err = tx.QueryRowContext(ctx, `SELECT position FROM compute_instance_action_events
			WHERE action_seq = $1 AND event = $2 AND finish_time IS NULL ORDER BY position DESC LIMIT 1`, seq, e.Event).Scan(&pos)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: running event %s", apierr.ErrNotFound, e.Event)
		}
		if err != nil {
			return err
		}
		now := db.Now()
		finish := now
		if e.FinishTime != nil {
			finish = db.UTC(*e.FinishTime)
		}
		q := `UPDATE compute_instance_action_events SET finish_time = $1, result = $2, traceback = $3`
		vals := []any{finish, e.Result, e.Traceback, seq, pos}
		if e.Details != "" {
			q += `, details = $6`
			vals = append(vals, e.Details)
		}
		if _, err := tx.ExecContext(ctx, q+` WHERE action_seq = $4 AND position = $5`, vals...); err != nil {
			return err
		}
		msg := ``
		if e.Result == "Error" {
			msg = `, message = 'Error'`
		}
		_, err = tx.ExecContext(ctx, `UPDATE compute_instance_actions SET updated_at = $1`+msg+` WHERE seq = $2`, now, seq)
		return err
	})
}

const actionCols = `seq, instance_id, action, request_id, user_id, project_id, start_time, updated_at, message`

func scanAction(sc db.Scanner) (compute.InstanceAction, int64, error) {
	var a compute.InstanceAction
	var seq int64
	err := sc.Scan(&seq, &a.InstanceID, &a.Action, &a.RequestID, &a.UserID, &a.ProjectID, &a.StartTime, &a.UpdatedAt, &a.Message)
	a.StartTime, a.UpdatedAt = a.StartTime.UTC(), a.UpdatedAt.UTC()
	return a, seq, err
}

// ListActions implements compute.ServerStore: start_time desc, then the
// order of recording desc. An unknown marker is ErrNotFound.
func (s *ServerStore) ListActions(ctx context.Context, instanceID string, f compute.ActionFilter) ([]compute.InstanceAction, error) {
	var out []compute.InstanceAction
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var w db.Where
		w.And(`instance_id = ` + w.Add(instanceID))
		if f.ChangesSince != nil {
			w.And(`updated_at >= ` + w.Add(f.ChangesSince.UTC()))
		}
		if f.ChangesBefore != nil {
			w.And(`updated_at <= ` + w.Add(f.ChangesBefore.UTC()))
		}
		if f.Marker != "" {
			seq, err := actionSeq(ctx, tx, instanceID, f.Marker)
			if err != nil {
				return err
			}
			m := w.Add(seq)
			start := `(SELECT m.start_time FROM compute_instance_actions m WHERE m.seq = ` + m + `)`
			w.And(`(start_time < ` + start + ` OR (start_time = ` + start + ` AND seq < ` + m + `))`)
		}
		q := `SELECT ` + actionCols + ` FROM compute_instance_actions` + w.Clause() + ` ORDER BY start_time DESC, seq DESC`
		if f.Limit > 0 {
			q += ` LIMIT ` + w.Add(f.Limit)
		}
		scan := func(sc db.Scanner) (compute.InstanceAction, error) {
			act, _, err := scanAction(sc)
			return act, err
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

// GetAction implements compute.ServerStore. Events are newest first, as
// Nova lists them.
func (s *ServerStore) GetAction(ctx context.Context, instanceID, requestID string) (*compute.InstanceAction, error) {
	var out compute.InstanceAction
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		act, seq, err := scanAction(tx.QueryRowContext(ctx, `SELECT `+actionCols+` FROM compute_instance_actions WHERE instance_id = $1 AND request_id = $2`, instanceID, requestID))
		if err != nil {
			return db.NotFound(err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT event, start_time, finish_time, result, traceback, host, host_id, details
			FROM compute_instance_action_events WHERE action_seq = $1 ORDER BY start_time DESC, position DESC`, seq)
		if err != nil {
			return err
		}
		defer rows.Close()
		act.Events = []compute.ActionEvent{}
		for rows.Next() {
			var e compute.ActionEvent
			var fin sql.NullTime
			if err := rows.Scan(&e.Event, &e.StartTime, &fin, &e.Result, &e.Traceback, &e.Host, &e.HostID, &e.Details); err != nil {
				return err
			}
			e.StartTime, e.FinishTime = e.StartTime.UTC(), db.TimePtr(fin)
			act.Events = append(act.Events, e)
		}
		out = act
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
