package voltypes

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// consumers are who applies QoS specs: the hypervisor, the backend, or
// both.
func validConsumer(c string) error {
	switch c {
	case "front-end", "back-end", "both":
		return nil
	}
	return blockstorage.BadRequest("Invalid qos specs: Valid consumer of QoS specs are: ['front-end', 'back-end', 'both']")
}

func qosNotFound(id string) *apierr.Error {
	return apierr.NotFound("No such QoS spec %s.", id)
}

// validQoSSpecs checks the keys and values of QoS specs.
func validQoSSpecs(specs map[string]string) error {
	for k, v := range specs {
		if k == "" || len(k) > 255 || len(v) > 255 {
			return blockstorage.BadRequest("Invalid qos specs: keys and values must be 1 to 255 characters long.")
		}
	}
	return nil
}

// CreateQoS stores new QoS specs; consumer "" is "back-end".
func (t Types) CreateQoS(ctx context.Context, name, consumer string, specs map[string]string) (*blockstorage.QoSSpecs, error) {
	if strings.TrimSpace(name) == "" || len(name) > 255 {
		return nil, blockstorage.BadRequest("Please specify a name for QoS specs.")
	}
	if consumer == "" {
		consumer = "back-end"
	}
	if err := validConsumer(consumer); err != nil {
		return nil, err
	}
	if specs == nil {
		specs = map[string]string{}
	}
	if err := validQoSSpecs(specs); err != nil {
		return nil, err
	}
	q := &blockstorage.QoSSpecs{ID: uuid.NewString(), Name: name, Consumer: consumer, Specs: specs}
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { return tx.CreateQoS(ctx, q) })
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, blockstorage.Conflict("QoS Specs %s already exists.", name)
	}
	return q, err
}

// GetQoS returns QoS specs.
func (t Types) GetQoS(ctx context.Context, id string) (*blockstorage.QoSSpecs, error) {
	var q *blockstorage.QoSSpecs
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		q, err = getQoS(ctx, tx, id)
		return err
	})
	return q, err
}

func getQoS(ctx context.Context, tx blockstorage.Tx, id string) (*blockstorage.QoSSpecs, error) {
	q, err := tx.GetQoS(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, qosNotFound(id)
	}
	return q, err
}

// ListQoS returns every QoS specs.
func (t Types) ListQoS(ctx context.Context) ([]*blockstorage.QoSSpecs, error) {
	var qs []*blockstorage.QoSSpecs
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		qs, err = tx.ListQoS(ctx)
		return err
	})
	return qs, err
}

// SetQoSKeys adds or replaces keys of QoS specs; the key "consumer"
// changes the consumer instead.
func (t Types) SetQoSKeys(ctx context.Context, id string, specs map[string]string) error {
	if err := validQoSSpecs(specs); err != nil {
		return err
	}
	if c, ok := specs["consumer"]; ok {
		if err := validConsumer(c); err != nil {
			return err
		}
	}
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		q, err := getQoS(ctx, tx, id)
		if err != nil {
			return err
		}
		for k, v := range specs {
			if k == "consumer" {
				q.Consumer = v
				continue
			}
			q.Specs[k] = v
		}
		return tx.UpdateQoS(ctx, q)
	})
}

// DeleteQoSKeys removes keys of QoS specs; all must exist.
func (t Types) DeleteQoSKeys(ctx context.Context, id string, keys []string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		q, err := getQoS(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, ok := q.Specs[k]; !ok {
				return apierr.NotFound("QoS spec %s not found in QoS spec %s.", k, id)
			}
			delete(q.Specs, k)
		}
		return tx.UpdateQoS(ctx, q)
	})
}

// DeleteQoS removes QoS specs; ones associated with types only when
// forced (the types lose them).
func (t Types) DeleteQoS(ctx context.Context, id string, force bool) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := getQoS(ctx, tx, id); err != nil {
			return err
		}
		types, err := tx.QoSTypes(ctx, id)
		if err != nil {
			return err
		}
		if len(types) > 0 && !force {
			return blockstorage.BadRequest("QoS Specs %s is still associated with entities.", id)
		}
		return tx.DeleteQoS(ctx, id)
	})
}

// QoSAssociations lists the types associated with QoS specs.
func (t Types) QoSAssociations(ctx context.Context, id string) ([]*blockstorage.VolumeType, error) {
	var types []*blockstorage.VolumeType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := getQoS(ctx, tx, id); err != nil {
			return err
		}
		var err error
		types, err = tx.QoSTypes(ctx, id)
		return err
	})
	return types, err
}

// Associate gives a type QoS specs; a type has at most one.
func (t Types) Associate(ctx context.Context, id, typeID string) error {
	return t.associate(ctx, id, typeID, true)
}

// Disassociate takes QoS specs from a type.
func (t Types) Disassociate(ctx context.Context, id, typeID string) error {
	return t.associate(ctx, id, typeID, false)
}

func (t Types) associate(ctx context.Context, id, typeID string, on bool) error {
	if typeID == "" {
		return blockstorage.BadRequest("Volume Type id must not be None.")
	}
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := getQoS(ctx, tx, id); err != nil {
			return err
		}
		vt, err := tx.GetType(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		}
		if err != nil {
			return err
		}
		switch {
		case on && vt.QoSSpecsID == id:
			return nil
		case on && vt.QoSSpecsID != "":
			return blockstorage.BadRequest("Type %s is already associated with another qos specs: %s", typeID, vt.QoSSpecsID)
		case on:
			vt.QoSSpecsID = id
		case vt.QoSSpecsID != id:
			return nil // nothing to take: Cinder's disassociate is as lenient
		default:
			vt.QoSSpecsID = ""
		}
		return tx.UpdateType(ctx, vt)
	})
}

// DisassociateAll takes QoS specs from every type.
func (t Types) DisassociateAll(ctx context.Context, id string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := getQoS(ctx, tx, id); err != nil {
			return err
		}
		types, err := tx.QoSTypes(ctx, id)
		if err != nil {
			return err
		}
		for _, vt := range types {
			vt.QoSSpecsID = ""
			if err := tx.UpdateType(ctx, vt); err != nil {
				return err
			}
		}
		return nil
	})
}
