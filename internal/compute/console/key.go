package console

import "github.com/gostack/gostack/internal/platform/secret"

// KeySize is the length of the keys LoadOrCreateKey makes.
const KeySize = secret.Size

// LoadOrCreateKey returns the console token key stored at path, creating
// it when the file does not exist (see secret.LoadOrCreate).
func LoadOrCreateKey(path string) ([]byte, error) { return secret.LoadOrCreate(path) }
