package identity_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// adminToken logs the admin in on svc, project-scoped.
func adminToken(t *testing.T, svc *identity.Service) string {
	t.Helper()
	var req authn.AuthRequest
	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "pw"}}},
		"scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}`
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	_, tok, err := svc.Authn().Authenticate(context.Background(), &req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func accepts(t *testing.T, svc *identity.Service, name, tok string) {
	t.Helper()
	if _, err := svc.Authn().ValidateToken(context.Background(), tok); err != nil {
		t.Fatalf("%s refused: %v", name, err)
	}
}

// TestReplicasShareKeys runs two identity services ("replicas", each with
// its data dir) on one database, on SQLite and on PostgreSQL: the first
// creates the secret key and the keys, the second is given the same
// secret key file and accepts the first one's tokens, before and after
// rotations; a replica without the file, or with another one, refuses to
// start instead of issuing tokens nobody else opens.
func TestReplicasShareKeys(t *testing.T) {
	ctx := context.Background()
	st := store.New(dbtest.Open(t))
	dirA, dirB := t.TempDir(), t.TempDir()
	secret := filepath.Join(dirA, "secret.key")
	cfg := identity.Config{SecretKeyFile: secret, KeyRepository: filepath.Join(dirA, "fernet-keys"), BcryptCost: 4}
	a, err := identity.New(ctx, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bootstrap(ctx, identity.BootstrapSpec{AdminPassword: "pw", ResetPassword: true}); err != nil {
		t.Fatal(err)
	}

	// B on its own data dir: without the secret key it must not start.
	cfgB := identity.Config{SecretKeyFile: filepath.Join(dirB, "secret.key"), KeyRepository: filepath.Join(dirB, "fernet-keys"), BcryptCost: 4}
	if _, err := identity.New(ctx, cfgB, st); err == nil || !strings.Contains(err.Error(), "copy the secret key file") {
		t.Fatalf("a replica without the secret key: %v", err)
	}
	if _, err := os.Stat(cfgB.SecretKeyFile); err == nil {
		t.Fatal("a replica made its own secret key for a database that has keys")
	}
	if _, err := token.CreateSecretKey(cfgB.SecretKeyFile); err != nil {
		t.Fatal(err)
	}
	if _, err := identity.New(ctx, cfgB, st); err == nil {
		t.Fatal("a replica with another secret key started")
	}
	b1, _ := os.ReadFile(secret)
	if err := os.WriteFile(cfgB.SecretKeyFile, b1, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := identity.New(ctx, cfgB, st)
	if err != nil {
		t.Fatal(err)
	}

	tokA := adminToken(t, a)
	accepts(t, b, "A's token on B", tokA)
	accepts(t, a, "B's token on A", adminToken(t, b))

	// Two rotations at once (two operators, two hosts): both apply.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, svc := range []*identity.Service{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = svc.RotateKeys(ctx) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if gen, err := st.KeySetGeneration(ctx, "fernet"); err != nil || gen != 3 {
		t.Fatalf("generation after setup and two rotations = %d, %v; want 3", gen, err)
	}
	// A replica started after the rotations seals with the newest
	// primary; A and B, which loaded the set before, open its tokens at
	// once (a token no key opens makes them look at the set again), and
	// every replica still opens the token issued before the rotations.
	c, err := identity.New(ctx, cfgB, st)
	if err != nil {
		t.Fatal(err)
	}
	tokC := adminToken(t, c)
	for name, svc := range map[string]*identity.Service{"A": a, "B": b, "C": c} {
		accepts(t, svc, "the new primary's token on "+name, tokC)
		accepts(t, svc, "the token from before the rotations on "+name, tokA)
	}
	// Within the poll interval A seals with the newest primary too.
	secretKey, err := token.ReadSecretKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := (&token.Keyring{Store: st, Kind: "fernet", Secret: secretKey}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	primary := token.NewSealerKeys(keys[:1])
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, _, err := primary.Open(adminToken(t, a)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("A still seals with an old key 10 s after the rotations")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A key changed in the database (by hand, by an attacker with write
	// access but not the secret key) stops every replica from starting,
	// rather than being skipped.
	if _, err := st.DB().Writer().ExecContext(ctx, `UPDATE identity_keys SET sealed = 'A' || sealed WHERE idx = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := identity.New(ctx, cfgB, st); err == nil {
		t.Fatal("a replica started on a tampered key set")
	}
}
