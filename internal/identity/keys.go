package identity

import "github.com/gostack/gostack/internal/identity/token"

// RotateKeys rotates the Fernet key repository (the staged key becomes
// primary, a new staged key is made, the oldest secondary keys beyond
// MaxActiveKeys are removed) and returns how many keys remain. Running
// servers pick the new keys up from disk.
func (s *Service) RotateKeys() (int, error) {
	if err := token.Setup(s.cfg.KeyRepository); err != nil {
		return 0, err
	}
	if err := token.Rotate(s.cfg.KeyRepository, s.cfg.MaxActiveKeys); err != nil {
		return 0, err
	}
	keys, err := token.LoadKeys(s.cfg.KeyRepository)
	return len(keys), err
}
