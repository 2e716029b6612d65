package identity

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/identity/token"
)

// fernetKind names the token key set in the store.
const fernetKind = "fernet"

// keyring opens the Fernet key set in the shared database, setting it up
// on the first start: the secret key file is created then (and only then:
// a replica that finds keys but no file must be given the file, not make
// one that opens nothing), and an older data dir's key files are
// imported. Nil without a secret key file or key repository (tests).
func (s *Service) keyring(ctx context.Context) (*token.Keyring, error) {
	path := s.cfg.SecretKeyFile
	if path == "" && s.cfg.KeyRepository != "" {
		path = filepath.Join(filepath.Dir(s.cfg.KeyRepository), "secret.key")
	}
	if path == "" {
		return nil, nil
	}
	gen, err := s.store.KeySetGeneration(ctx, fernetKind)
	if err != nil {
		return nil, err
	}
	if gen == 0 && s.cfg.JoinKeys {
		return nil, errors.New("the database has no token keys: run 'gostack admin bootstrap --database-url ... --admin-password ...' once first")
	}
	secret, err := token.ReadSecretKey(path)
	if errors.Is(err, token.ErrNoSecretKey) && gen == 0 {
		secret, err = token.CreateSecretKey(path)
		if err != nil {
			// Another process of this host created it meanwhile.
			secret, err = token.ReadSecretKey(path)
		}
	}
	if errors.Is(err, token.ErrNoSecretKey) {
		return nil, fmt.Errorf("%w: the database holds Fernet keys sealed with a secret key; copy the secret key file of the host that bootstrapped it (its DATA_DIR/secret.key) here, or name it with --secret-key-file", err)
	}
	if err != nil {
		return nil, err
	}
	k := &token.Keyring{
		Store: s.store, Kind: fernetKind, Secret: secret, MaxActive: s.cfg.MaxActiveKeys,
		// A token lives TokenExpiration; a replica may go on sealing with
		// a demoted primary until its next poll of the key set.
		Keep: s.cfg.TokenExpiration + time.Minute,
	}
	if _, err := k.Setup(ctx, s.cfg.KeyRepository); err != nil {
		return nil, fmt.Errorf("fernet keys: %w", err)
	}
	s.keys = k
	return k, nil
}

// RotateKeys rotates the Fernet keys in the database (the staged key
// becomes primary, a new staged key is made, the oldest secondary keys
// beyond MaxActiveKeys that retired more than a token lifetime ago are
// removed) and returns how many keys remain. Every replica, this one
// included, picks the new set up within seconds.
func (s *Service) RotateKeys(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, errors.New("identity: the token keys are in memory only")
	}
	return s.keys.Rotate(ctx)
}
