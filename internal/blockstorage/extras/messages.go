package extras

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Messages returns the unexpired user messages the caller may see: an
// admin every project's, others their own project's.
func (e Extras) Messages(ctx context.Context, sc blockstorage.Scope) ([]*blockstorage.Message, error) {
	f := blockstorage.MessageFilter{}
	if !sc.Admin {
		f.Project = sc.ProjectID
	}
	var ms []*blockstorage.Message
	err := e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		ms, err = tx.ListMessages(ctx, f)
		return err
	})
	return ms, err
}

// Message returns one message the caller may see.
func (e Extras) Message(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Message, error) {
	var m *blockstorage.Message
	err := e.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		m, err = visibleMessage(ctx, tx, sc, id)
		return err
	})
	return m, err
}

func visibleMessage(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Message, error) {
	m, err := tx.GetMessage(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(m.ProjectID)) {
		return nil, messageNotFound(id)
	}
	return m, err
}

// DeleteMessage removes a message the caller may see.
func (e Extras) DeleteMessage(ctx context.Context, sc blockstorage.Scope, id string) error {
	return e.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := visibleMessage(ctx, tx, sc, id); err != nil {
			return err
		}
		return tx.DeleteMessage(ctx, id)
	})
}

// PruneMessages removes the expired messages (Cinder's periodic
// clean_expired_messages).
func (e Extras) PruneMessages(ctx context.Context) error {
	return e.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.DeleteExpiredMessages(ctx, db.Now())
	})
}
