package token

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestSetupRotate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if err := Setup(dir); err != nil {
		t.Fatal(err)
	}
	idx, _ := keyIndexes(dir)
	if diff := cmp.Diff([]int{0, 1}, idx); diff != "" {
		t.Fatalf("after setup (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(filepath.Join(dir, "1"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode = %v, %v", fi.Mode(), err)
	}
	s, err := NewSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &Payload{Kind: Unscoped, UserID: uuid.NewString(), Methods: []string{"password"}, ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Second).UTC(), AuditIDs: []string{NewAuditID()}}
	old, err := s.Seal(p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := Rotate(dir, 3); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// One rotation later the old primary is a secondary: still valid.
			if err := s.Reload(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Open(old); err != nil {
				t.Fatalf("token from previous primary: %v", err)
			}
		}
	}
	idx, _ = keyIndexes(dir)
	if diff := cmp.Diff([]int{0, 4, 5}, idx); diff != "" {
		t.Fatalf("after rotations (-want +got):\n%s", diff)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(old); err == nil {
		t.Fatal("token sealed with a removed key still opens")
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	s, err := NewSealer(func() string { d := t.TempDir(); Setup(d); return d }())
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []Payload{
		{Kind: Unscoped, UserID: uuid.NewString(), Methods: []string{"password"}},
		{Kind: Project, UserID: "admin-user", ProjectID: uuid.NewString(), Methods: []string{"password", "token"}},
		{Kind: Domain, UserID: uuid.NewString(), DomainID: "default", Methods: []string{"token"}},
		{Kind: System, UserID: uuid.NewString(), System: "all", Methods: []string{"password"}},
		{Kind: Trust, UserID: uuid.NewString(), ProjectID: uuid.NewString(), TrustID: "0123456789abcdef0123456789abcdef", Methods: []string{"password"}},
		{Kind: AppCred, UserID: uuid.NewString(), ProjectID: uuid.NewString(), AppCredID: uuid.NewString(), Methods: []string{"application_credential"}},
	}
	for _, c := range cases {
		c.ExpiresAt = exp
		c.AuditIDs = []string{NewAuditID(), NewAuditID()}
		tok, err := s.Seal(&c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) > 255 {
			t.Errorf("kind %d: token is %d characters", c.Kind, len(tok))
		}
		got, issued, err := s.Open(tok)
		if err != nil {
			t.Fatalf("kind %d: %v", c.Kind, err)
		}
		if time.Since(issued) > 2*time.Second {
			t.Errorf("issued at %v", issued)
		}
		if diff := cmp.Diff(&c, got); diff != "" {
			t.Errorf("kind %d (-want +got):\n%s", c.Kind, diff)
		}
	}
}

func FuzzDecodePayload(f *testing.F) {
	p := &Payload{Kind: Trust, UserID: uuid.NewString(), ProjectID: "p", TrustID: uuid.NewString(), Methods: []string{"password"}, ExpiresAt: time.Now(), AuditIDs: []string{NewAuditID()}}
	b, _ := p.Encode()
	f.Add(b)
	f.Add([]byte{0x95, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(b)
	})
}

func FuzzOpen(f *testing.F) {
	d := f.TempDir()
	Setup(d)
	s, err := NewSealer(d)
	if err != nil {
		f.Fatal(err)
	}
	tok, _ := s.Seal(&Payload{Kind: Unscoped, UserID: "u", ExpiresAt: time.Now(), AuditIDs: []string{NewAuditID()}}, time.Now())
	f.Add(tok)
	f.Fuzz(func(t *testing.T, tok string) {
		s.Open(tok)
	})
}
