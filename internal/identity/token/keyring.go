package token

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fernet/fernet-go"
)

// ErrKeySetChanged is what KeyStore.SaveKeySet returns when another
// writer saved the set since it was loaded (the generation moved on).
var ErrKeySetChanged = errors.New("token: the key set changed meanwhile")

// StoredKey is one key of a key set as the database keeps it: sealed
// with the secret key, under an id that never changes (rotation renumbers
// Index, not ID), so that a sealed key cannot be passed off as another.
type StoredKey struct {
	ID string
	// Index is Keystone's file name: 0 the staged key, the highest the
	// primary, the others secondary.
	Index  int
	Sealed string
	// RetiredAt is when the key stopped being the primary key (zero for
	// the staged and the primary key): tokens it sealed are younger.
	RetiredAt time.Time
}

// KeySet is a key set and its generation, which every save increments.
type KeySet struct {
	Generation int64
	Keys       []StoredKey
}

// KeyStore keeps key sets in the shared database, where every API
// replica reads them.
type KeyStore interface {
	// KeySetGeneration returns the generation of the set kind, 0 when
	// there is none: the cheap read replicas poll.
	KeySetGeneration(ctx context.Context, kind string) (int64, error)
	// LoadKeySet returns the set kind (Generation 0 and no keys when
	// there is none).
	LoadKeySet(ctx context.Context, kind string) (KeySet, error)
	// SaveKeySet replaces the set kind with set, whose Generation is one
	// more than the stored one (1 for a new set); ErrKeySetChanged when
	// the stored generation is not set.Generation-1.
	SaveKeySet(ctx context.Context, kind string, set KeySet) error
}

// Keyring is a Fernet key repository kept in a KeyStore instead of a
// directory, with Keystone's semantics: a staged key every replica holds
// before it becomes primary (so tokens a replica seals with a new primary
// open everywhere), rotation promoting it, and at most MaxActive keys.
// The keys are sealed at rest (AES-256-GCM) with Secret, which every
// replica is given as a file.
type Keyring struct {
	Store KeyStore
	// Kind names the set: "fernet" for the token keys.
	Kind   string
	Secret []byte
	// MaxActive is how many keys rotation keeps (Keystone's
	// max_active_keys, at least 2).
	MaxActive int
	// Keep is how long after it stopped being primary a secondary key is
	// kept even beyond MaxActive: the longest a token it sealed stays
	// valid. Rotating faster than that then never invalidates a token.
	Keep time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (k *Keyring) now() time.Time {
	if k.Now != nil {
		return k.Now().UTC()
	}
	return time.Now().UTC()
}

// aead is AES-256-GCM with the secret key.
func (k *Keyring) aead() (cipher.AEAD, error) {
	if len(k.Secret) != 32 {
		return nil, fmt.Errorf("token: the secret key is %d bytes, not 32", len(k.Secret))
	}
	b, err := aes.NewCipher(k.Secret)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// additional binds a sealed key to its set and id.
func (k *Keyring) additional(id string) []byte { return []byte("gostack-keyring/" + k.Kind + "/" + id) }

// seal makes a stored key of the Fernet key text.
func (k *Keyring) seal(index int, text string) (StoredKey, error) {
	g, err := k.aead()
	if err != nil {
		return StoredKey{}, err
	}
	id := make([]byte, 12)
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(id); err != nil {
		return StoredKey{}, err
	}
	if _, err := rand.Read(nonce); err != nil {
		return StoredKey{}, err
	}
	sk := StoredKey{ID: base64.RawURLEncoding.EncodeToString(id), Index: index}
	sk.Sealed = base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(text), k.additional(sk.ID)))
	return sk, nil
}

// open returns the Fernet key of a stored key.
func (k *Keyring) open(g cipher.AEAD, sk StoredKey) (*fernet.Key, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sk.Sealed)
	if err != nil || len(raw) < g.NonceSize() {
		return nil, fmt.Errorf("token: key %d of %s is damaged", sk.Index, k.Kind)
	}
	text, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], k.additional(sk.ID))
	if err != nil {
		return nil, fmt.Errorf("token: the secret key does not open key %d of %s: every replica needs the same secret key file, and the stored key must be unchanged", sk.Index, k.Kind)
	}
	return fernet.DecodeKey(string(text))
}

// Setup creates the key set when the store has none: from the key files
// of importDir when it holds some (a data dir from before the keys moved
// to the database, whose tokens stay valid), else a staged and a primary
// key, as keystone-manage fernet_setup. It reports whether it wrote the
// set; a set another replica wrote meanwhile is left alone.
func (k *Keyring) Setup(ctx context.Context, importDir string) (bool, error) {
	gen, err := k.Store.KeySetGeneration(ctx, k.Kind)
	if err != nil || gen != 0 {
		return false, err
	}
	texts := map[int]string{}
	if importDir != "" {
		if texts, err = readKeyFiles(importDir); err != nil {
			return false, err
		}
	}
	if len(texts) == 0 {
		for _, i := range []int{0, 1} {
			if texts[i], err = newKeyText(); err != nil {
				return false, err
			}
		}
	}
	primary := 0
	for i := range texts {
		primary = max(primary, i)
	}
	set := KeySet{Generation: 1}
	for i, text := range texts {
		sk, err := k.seal(i, text)
		if err != nil {
			return false, err
		}
		if i != 0 && i != primary {
			// When an imported secondary key retired is not known: it
			// counts from now, so that the tokens it sealed outlive the
			// next rotations as those of a key retired here would.
			sk.RetiredAt = k.now()
		}
		set.Keys = append(set.Keys, sk)
	}
	err = k.Store.SaveKeySet(ctx, k.Kind, set)
	if errors.Is(err, ErrKeySetChanged) {
		return false, nil
	}
	return err == nil, err
}

// readKeyFiles reads the numbered key files of a Keystone key repository;
// a missing directory has none.
func readKeyFiles(dir string) (map[int]string, error) {
	idx, err := keyIndexes(dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[int]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	texts := map[int]string{}
	for _, n := range idx {
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(n)))
		if err != nil {
			return nil, err
		}
		t := strings.TrimSpace(string(b))
		if _, err := fernet.DecodeKey(t); err != nil {
			return nil, fmt.Errorf("fernet key %s/%d: %w", dir, n, err)
		}
		texts[n] = t
	}
	if len(texts) > 0 && texts[0] == "" {
		// A repository without a staged key gets one, so that the next
		// rotation has something to promote.
		if texts[0], err = newKeyText(); err != nil {
			return nil, err
		}
	}
	return texts, nil
}

// Rotate promotes the staged key to primary, adds a new staged key and
// drops the oldest secondary keys beyond MaxActive that retired more than
// Keep ago, as keystone-manage fernet_rotate does with its files. It
// returns how many keys remain. Concurrent rotations each take effect,
// one after the other.
func (k *Keyring) Rotate(ctx context.Context) (int, error) {
	maxActive := max(k.MaxActive, 2)
	for range 5 {
		set, err := k.Store.LoadKeySet(ctx, k.Kind)
		if err != nil {
			return 0, err
		}
		if set.Generation == 0 {
			return 0, fmt.Errorf("token: no %s keys yet; bootstrap first", k.Kind)
		}
		sort.Slice(set.Keys, func(i, j int) bool { return set.Keys[i].Index < set.Keys[j].Index })
		if set.Keys[0].Index != 0 {
			return 0, fmt.Errorf("token: the %s keys have no staged key", k.Kind)
		}
		now := k.now()
		last := len(set.Keys) - 1
		if set.Keys[last].Index != 0 {
			set.Keys[last].RetiredAt = now
		}
		set.Keys[0].Index = set.Keys[last].Index + 1
		text, err := newKeyText()
		if err != nil {
			return 0, err
		}
		staged, err := k.seal(0, text)
		if err != nil {
			return 0, err
		}
		// Staged first, then the secondaries oldest first, the primary last.
		keys := append([]StoredKey{staged}, set.Keys[1:]...)
		keys = append(keys, set.Keys[0])
		for len(keys) > maxActive && now.Sub(keys[1].RetiredAt) >= k.Keep {
			keys = append(keys[:1], keys[2:]...)
		}
		set.Keys, set.Generation = keys, set.Generation+1
		err = k.Store.SaveKeySet(ctx, k.Kind, set)
		if errors.Is(err, ErrKeySetChanged) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return len(keys), nil
	}
	return 0, fmt.Errorf("token: rotating %s: %w five times in a row", k.Kind, ErrKeySetChanged)
}

// Load returns the keys in the order validation tries them — the primary
// first, the secondaries newest first, the staged key last — and the
// generation they are of. A key the secret key does not open fails the
// whole load: a replica with the wrong secret must not serve.
func (k *Keyring) Load(ctx context.Context) ([]*fernet.Key, int64, error) {
	set, err := k.Store.LoadKeySet(ctx, k.Kind)
	if err != nil {
		return nil, 0, err
	}
	if set.Generation == 0 || len(set.Keys) == 0 {
		return nil, 0, fmt.Errorf("token: no %s keys in the database", k.Kind)
	}
	g, err := k.aead()
	if err != nil {
		return nil, 0, err
	}
	sort.Slice(set.Keys, func(i, j int) bool {
		a, b := set.Keys[i].Index, set.Keys[j].Index
		if a == 0 || b == 0 {
			return b == 0 && a != 0
		}
		return a > b
	})
	if set.Keys[0].Index == 0 {
		return nil, 0, fmt.Errorf("token: the %s keys hold only a staged key", k.Kind)
	}
	keys := make([]*fernet.Key, 0, len(set.Keys))
	for _, sk := range set.Keys {
		key, err := k.open(g, sk)
		if err != nil {
			return nil, 0, err
		}
		keys = append(keys, key)
	}
	return keys, set.Generation, nil
}

// Generation returns the generation of the stored set.
func (k *Keyring) Generation(ctx context.Context) (int64, error) {
	return k.Store.KeySetGeneration(ctx, k.Kind)
}

// ErrNoSecretKey means the secret key file is missing.
var ErrNoSecretKey = errors.New("token: no secret key file")

// ReadSecretKey reads a secret key file: 32 bytes, as URL-safe base64
// text (what CreateSecretKey writes) or raw.
func ReadSecretKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w %s", ErrNoSecretKey, path)
	}
	if err != nil {
		return nil, err
	}
	if len(b) == 32 {
		return b, nil
	}
	key, err := base64.URLEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("token: secret key file %s does not hold 32 bytes in base64", path)
	}
	return key, nil
}

// CreateSecretKey writes a new secret key file (mode 0600), failing if
// one exists: two processes creating it at once must not end with
// different keys.
func CreateSecretKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(base64.URLEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return key, f.Close()
}
