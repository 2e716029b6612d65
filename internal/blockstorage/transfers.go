package blockstorage

import (
	"context"
	"time"
)

// Transfer is an offer of a volume (and, unless NoSnapshots, its
// snapshots) to whichever project presents its authorization key. Only
// a salted hash of the key is kept; the key itself is shown once, by
// the create.
type Transfer struct {
	ID        string
	VolumeID  string
	ProjectID string
	Name      string
	Salt      string
	CryptHash string
	// NoSnapshots leaves the volume's snapshots out of the transfer (3.55).
	NoSnapshots bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TransferFilter narrows a transfer list in the store.
type TransferFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	// VolumeID, when set, is one volume's transfer.
	VolumeID string
}

// TransferTx is what a transaction does with volume transfers.
type TransferTx interface {
	CreateTransfer(ctx context.Context, t *Transfer) error
	// GetTransfer returns apierr.ErrNotFound for an unknown id.
	GetTransfer(ctx context.Context, id string) (*Transfer, error)
	ListTransfers(ctx context.Context, f TransferFilter) ([]*Transfer, error)
	DeleteTransfer(ctx context.Context, id string) error
}
