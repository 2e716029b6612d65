package voltypes

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// EncryptionRequest is a type's encryption, or the fields of it an
// update sets.
type EncryptionRequest struct {
	Provider        *string
	Cipher          *string
	KeySize         *int64
	KeySizeSet      bool
	ControlLocation *string
}

// Encryption returns a type's encryption, nil when it has none.
func (t Types) Encryption(ctx context.Context, typeID string) (*blockstorage.Encryption, error) {
	var e *blockstorage.Encryption
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetType(ctx, typeID); errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		} else if err != nil {
			return err
		}
		var err error
		e, err = tx.GetEncryption(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			e, err = nil, nil
		}
		return err
	})
	return e, err
}

// CreateEncryption makes a type's volumes encrypted; a type in use or
// already encrypted refuses.
func (t Types) CreateEncryption(ctx context.Context, typeID string, req EncryptionRequest) (*blockstorage.Encryption, error) {
	if req.Provider == nil || *req.Provider == "" {
		return nil, blockstorage.BadRequest("Invalid input received: provider must be specified.")
	}
	e := &blockstorage.Encryption{ID: uuid.NewString(), TypeID: typeID, Provider: *req.Provider, ControlLocation: "front-end"}
	if err := req.apply(e); err != nil {
		return nil, err
	}
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := encryptionChangeable(ctx, tx, typeID, "create"); err != nil {
			return err
		}
		err := tx.CreateEncryption(ctx, e)
		if errors.Is(err, apierr.ErrDuplicate) {
			return blockstorage.BadRequest("Volume type encryption for type %s already exists.", typeID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// apply checks the request's fields and sets them on e.
func (req EncryptionRequest) apply(e *blockstorage.Encryption) error {
	if req.Provider != nil {
		if *req.Provider == "" {
			return blockstorage.BadRequest("Invalid input received: provider must not be empty.")
		}
		e.Provider = *req.Provider
	}
	if req.Cipher != nil {
		e.Cipher = *req.Cipher
	}
	if req.KeySizeSet {
		if req.KeySize != nil && *req.KeySize < 0 {
			return blockstorage.BadRequest("Invalid input received: key_size must be non-negative.")
		}
		e.KeySize = req.KeySize
	}
	if req.ControlLocation != nil {
		if *req.ControlLocation != "front-end" && *req.ControlLocation != "back-end" {
			return blockstorage.BadRequest("Invalid input received: Valid control location are: ['front-end', 'back-end']")
		}
		e.ControlLocation = *req.ControlLocation
	}
	return nil
}

// encryptionChangeable refuses to change the encryption of an unknown
// type or of one that volumes use (their keys were made with it).
func encryptionChangeable(ctx context.Context, tx blockstorage.Tx, typeID, op string) error {
	if _, err := tx.GetType(ctx, typeID); errors.Is(err, apierr.ErrNotFound) {
		return blockstorage.TypeNotFound(typeID)
	} else if err != nil {
		return err
	}
	used, err := tx.TypeInUse(ctx, typeID)
	if err != nil {
		return err
	}
	if used {
		return blockstorage.BadRequest("Cannot %s encryption specification. Volume type in use.", op)
	}
	return nil
}

func encryptionNotFound(typeID string) *apierr.Error {
	return apierr.NotFound("Volume type encryption for type %s does not exist.", typeID)
}

// UpdateEncryption changes a type's encryption.
func (t Types) UpdateEncryption(ctx context.Context, typeID string, req EncryptionRequest) (*blockstorage.Encryption, error) {
	var e *blockstorage.Encryption
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := encryptionChangeable(ctx, tx, typeID, "update"); err != nil {
			return err
		}
		var err error
		e, err = tx.GetEncryption(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return encryptionNotFound(typeID)
		}
		if err != nil {
			return err
		}
		if err := req.apply(e); err != nil {
			return err
		}
		return tx.UpdateEncryption(ctx, e)
	})
	return e, err
}

// DeleteEncryption makes a type's volumes unencrypted.
func (t Types) DeleteEncryption(ctx context.Context, typeID string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := encryptionChangeable(ctx, tx, typeID, "delete"); err != nil {
			return err
		}
		err := tx.DeleteEncryption(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return encryptionNotFound(typeID)
		}
		return err
	})
}
