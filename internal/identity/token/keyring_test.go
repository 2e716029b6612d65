package token

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// memKeys is a KeyStore in memory with the database's compare-and-swap.
type memKeys struct {
	mu   sync.Mutex
	sets map[string]KeySet
}

func (m *memKeys) KeySetGeneration(_ context.Context, kind string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sets[kind].Generation, nil
}

func (m *memKeys) LoadKeySet(_ context.Context, kind string) (KeySet, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sets[kind]
	s.Keys = slices.Clone(s.Keys)
	return s, nil
}

func (m *memKeys) SaveKeySet(_ context.Context, kind string, set KeySet) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sets[kind].Generation != set.Generation-1 {
		return ErrKeySetChanged
	}
	if m.sets == nil {
		m.sets = map[string]KeySet{}
	}
	set.Keys = slices.Clone(set.Keys)
	m.sets[kind] = set
	return nil
}

func testSecret(b byte) []byte { s := make([]byte, 32); s[0] = b; return s }

func indexes(t *testing.T, st KeyStore) []int {
	t.Helper()
	set, err := st.LoadKeySet(context.Background(), "fernet")
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	for _, k := range set.Keys {
		idx = append(idx, k.Index)
	}
	slices.Sort(idx)
	return idx
}

func sealerOf(t *testing.T, k *Keyring) *Sealer {
	t.Helper()
	keys, _, err := k.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return NewSealerKeys(keys)
}

func sealOne(t *testing.T, s *Sealer) string {
	t.Helper()
	p := &Payload{Kind: Unscoped, UserID: uuid.NewString(), Methods: []string{"password"}, ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Second).UTC(), AuditIDs: []string{NewAuditID()}}
	tok, err := s.Seal(p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestKeyringRotate: Keystone's rotation on a stored set — a token sealed
// by a replica with the newly promoted key opens on a replica that loaded
// the set before the rotation (it held that key as staged); keys beyond
// MaxActive go only once they retired more than Keep ago.
func TestKeyringRotate(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &memKeys{}
	k := &Keyring{Store: st, Kind: "fernet", Secret: testSecret(1), MaxActive: 3, Keep: time.Hour, Now: func() time.Time { return now }}
	if created, err := k.Setup(ctx, ""); err != nil || !created {
		t.Fatalf("Setup = %v, %v", created, err)
	}
	if created, err := k.Setup(ctx, ""); err != nil || created {
		t.Fatalf("second Setup = %v, %v; want the set left alone", created, err)
	}
	if got := indexes(t, st); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("after setup: %v", got)
	}
	before := sealerOf(t, k)
	old := sealOne(t, before)

	if n, err := k.Rotate(ctx); err != nil || n != 3 {
		t.Fatalf("Rotate = %d, %v", n, err)
	}
	after := sealerOf(t, k)
	if _, _, err := before.Open(sealOne(t, after)); err != nil {
		t.Fatalf("a token of the new primary on a replica that has not reloaded: %v", err)
	}
	if _, _, err := after.Open(old); err != nil {
		t.Fatalf("a token of the old primary after the rotation: %v", err)
	}

	// Two more rotations within Keep: key 1 retired less than an hour
	// ago, so it stays beyond MaxActive.
	now = now.Add(10 * time.Minute)
	k.Rotate(ctx)
	now = now.Add(10 * time.Minute)
	k.Rotate(ctx)
	if got := indexes(t, st); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("rotations within Keep: %v, want every key kept", got)
	}
	if _, _, err := sealerOf(t, k).Open(old); err != nil {
		t.Fatalf("a token younger than Keep after three rotations: %v", err)
	}
	// Past Keep the set shrinks back to MaxActive.
	now = now.Add(2 * time.Hour)
	if n, err := k.Rotate(ctx); err != nil || n != 3 {
		t.Fatalf("Rotate past Keep = %d, %v", n, err)
	}
	if got := indexes(t, st); !slices.Equal(got, []int{0, 4, 5}) {
		t.Fatalf("past Keep: %v, want [0 4 5]", got)
	}
	if _, _, err := sealerOf(t, k).Open(old); err == nil {
		t.Fatal("a token of a removed key still opens")
	}
}

// TestKeyringSecret: a wrong secret key, a changed sealed key and a key
// moved to another id are all refused, not silently skipped.
func TestKeyringSecret(t *testing.T) {
	ctx := context.Background()
	st := &memKeys{}
	k := &Keyring{Store: st, Kind: "fernet", Secret: testSecret(1)}
	if _, err := k.Setup(ctx, ""); err != nil {
		t.Fatal(err)
	}
	wrong := &Keyring{Store: st, Kind: "fernet", Secret: testSecret(2)}
	if _, _, err := wrong.Load(ctx); err == nil {
		t.Fatal("another secret key opened the keys")
	}
	for name, change := range map[string]func(*StoredKey){
		"sealed": func(sk *StoredKey) {
			b := []byte(sk.Sealed)
			b[len(b)/2] ^= 1
			if b[len(b)/2] == sk.Sealed[len(b)/2] {
				t.Fatal("no change")
			}
			sk.Sealed = string(b)
		},
		"id": func(sk *StoredKey) { sk.ID = "another" },
	} {
		set, _ := st.LoadKeySet(ctx, "fernet")
		orig := slices.Clone(set.Keys)
		change(&set.Keys[1])
		set.Generation++
		if err := st.SaveKeySet(ctx, "fernet", set); err != nil {
			t.Fatal(err)
		}
		if _, _, err := k.Load(ctx); err == nil {
			t.Errorf("%s changed: the keys still load", name)
		}
		set.Keys, set.Generation = orig, set.Generation+1
		if err := st.SaveKeySet(ctx, "fernet", set); err != nil {
			t.Fatal(err)
		}
		if _, _, err := k.Load(ctx); err != nil {
			t.Fatalf("restored: %v", err)
		}
	}
	if _, err := (&Keyring{Store: st, Kind: "fernet", Secret: []byte("short")}).Rotate(ctx); err == nil {
		t.Fatal("a short secret key sealed a key")
	}
}

// TestKeyringImport: a data dir's key files become the stored set, so
// tokens sealed with them stay valid across the move.
func TestKeyringImport(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "fernet-keys")
	if err := Setup(dir); err != nil {
		t.Fatal(err)
	}
	if err := Rotate(dir, 3); err != nil {
		t.Fatal(err)
	}
	files, err := NewSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok := sealOne(t, files)
	st := &memKeys{}
	k := &Keyring{Store: st, Kind: "fernet", Secret: testSecret(1)}
	if _, err := k.Setup(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if got := indexes(t, st); !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("imported %v, want [0 1 2]", got)
	}
	s := sealerOf(t, k)
	if _, _, err := s.Open(tok); err != nil {
		t.Fatalf("a token of the key files after the import: %v", err)
	}
	// The primary is the same: new tokens open with the files' keys.
	if _, _, err := files.Open(sealOne(t, s)); err != nil {
		t.Fatalf("primary changed by the import: %v", err)
	}
	// The imported secondary key (1) is kept by the next rotations as if
	// it retired at the import: its tokens may still be valid.
	k.MaxActive, k.Keep = 3, time.Hour
	for range 2 {
		if _, err := k.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := indexes(t, st); !slices.Contains(got, 1) {
		t.Fatalf("after two rotations within Keep of the import: %v, key 1 dropped", got)
	}
}

func TestSecretKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "secret.key")
	if _, err := ReadSecretKey(path); err == nil {
		t.Fatal("read a missing file")
	}
	key, err := CreateSecretKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreateSecretKey(path); err == nil {
		t.Fatal("created over an existing file")
	}
	got, err := ReadSecretKey(path)
	if err != nil || !slices.Equal(got, key) {
		t.Fatalf("read back %x, %v; want %x", got, err, key)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	os.WriteFile(path, []byte("dG9vIHNob3J0\n"), 0o600)
	if _, err := ReadSecretKey(path); err == nil {
		t.Fatal("a short key was read")
	}
}
