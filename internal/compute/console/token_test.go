package console

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testKey() []byte { return bytes.Repeat([]byte{7}, KeySize) }

func TestTokenRoundTrip(t *testing.T) {
	a := NewAuthority(testKey(), 0)
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	a.now = func() time.Time { return now }
	if a.TTL() != DefaultTTL {
		t.Errorf("TTL = %v, want %v", a.TTL(), DefaultTTL)
	}
	in := Target{InstanceID: "i-1", Host: "10.0.0.5", Port: 5901, Password: "s3cret"}
	tok, err := a.Issue(in)
	if err != nil {
		t.Fatal(err)
	}
	// Another authority with the same key, as another process has.
	b := NewAuthority(testKey(), time.Hour)
	b.now = a.now
	got, err := b.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Expires = now.Add(DefaultTTL).Truncate(time.Second)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Verify (-want +got):\n%s", diff)
	}
	if bytes.Contains([]byte(tok), []byte("s3cret")) {
		t.Error("token shows the password")
	}
	tok2, _ := a.Issue(in)
	if tok2 == tok {
		t.Error("two tokens for one target are equal; want a fresh nonce each")
	}
}

func TestTokenExpiry(t *testing.T) {
	a := NewAuthority(testKey(), time.Minute)
	now := time.Now()
	a.now = func() time.Time { return now }
	tok, err := a.Issue(Target{Host: "h", Port: 5900})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(59 * time.Second)
	if _, err := a.Verify(tok); err != nil {
		t.Errorf("Verify before expiry: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := a.Verify(tok); !errors.Is(err, ErrExpiredToken) {
		t.Errorf("Verify at expiry: %v, want ErrExpiredToken", err)
	}
	// An explicit expiry wins over the ttl.
	tok, _ = a.Issue(Target{Host: "h", Port: 5900, Expires: now.Add(time.Hour)})
	now = now.Add(59 * time.Minute)
	if _, err := a.Verify(tok); err != nil {
		t.Errorf("Verify with explicit expiry: %v", err)
	}
}

func TestTokenRefused(t *testing.T) {
	a := NewAuthority(testKey(), 0)
	tok, err := a.Issue(Target{InstanceID: "i", Host: "h", Port: 5900})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := NewAuthority(bytes.Repeat([]byte{8}, KeySize), 0)
	for name, tc := range map[string]struct {
		a   *Authority
		tok string
	}{
		"empty":         {a, ""},
		"garbage":       {a, "not a token!"},
		"short":         {a, "AAAA"},
		"tampered body": {a, flip(len(raw) - 20)},
		"tampered tag":  {a, flip(len(raw) - 1)},
		"version":       {a, flip(0)},
		"truncated":     {a, tok[:len(tok)-4]},
		"other key":     {other, tok},
	} {
		if _, err := tc.a.Verify(tc.tok); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: Verify = %v, want ErrInvalidToken", name, err)
		}
	}
	if _, err := a.Issue(Target{Host: "h"}); err == nil {
		t.Error("Issue without a port succeeded")
	}
	none := NewAuthority(nil, 0)
	if _, err := none.Issue(Target{Host: "h", Port: 1}); err == nil {
		t.Error("Issue without a key succeeded")
	}
	if _, err := none.Verify(tok); err == nil {
		t.Error("Verify without a key succeeded")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "console.key")
	// Processes starting together agree on one key.
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("concurrent LoadOrCreateKey returned different keys")
		}
	}
	if len(keys[0]) != KeySize {
		t.Errorf("key has %d bytes, want %d", len(keys[0]), KeySize)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("reload = %x, %v; want the same key", again, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the key (temporary files removed)", len(entries))
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("a 5-byte key file was accepted")
	}
}
