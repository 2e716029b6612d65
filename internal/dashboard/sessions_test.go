package dashboard

import (
	"strings"
	"testing"
	"time"
)

func TestCSRFMasking(t *testing.T) {
	st := NewSessions(nil)
	a, b := &Session{}, &Session{}
	st.Create(a)
	st.Create(b)
	t1, t2 := a.CSRF(), a.CSRF()
	if t1 == t2 {
		t.Fatal("two answers carried the same CSRF string")
	}
	if !a.CheckCSRF(t1) || !a.CheckCSRF(t2) {
		t.Fatal("a masked token of the session is refused")
	}
	if b.CheckCSRF(t1) {
		t.Fatal("another session's token is accepted")
	}
	// Flip one bit of the masked secret half: refused.
	raw := []byte(t1)
	i := len(raw) - 5
	if raw[i] == 'A' {
		raw[i] = 'B'
	} else {
		raw[i] = 'A'
	}
	for _, bad := range []string{"", "x", string(raw), t1[:len(t1)-2], t1 + "AA", strings.Repeat("A", len(t1))} {
		if a.CheckCSRF(bad) {
			t.Errorf("CheckCSRF(%q) = true", bad)
		}
	}
	if (&Session{}).CheckCSRF(t1) {
		t.Error("a session without a secret accepts a token")
	}
}

func TestSessionsExpiryAndReplace(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := NewSessions(func() time.Time { return now })
	s := &Session{Unscoped: Token{ID: "u", ExpiresAt: now.Add(time.Hour)}, Scoped: Token{ID: "s1", ExpiresAt: now.Add(2 * time.Hour)}}
	id := st.Create(s)
	if len(id) < 43 {
		t.Fatalf("session id %q is short", id)
	}
	csrf := s.CSRF()
	old, ok := st.Replace(id, Session{Unscoped: s.Unscoped, Scoped: Token{ID: "s2", ExpiresAt: now.Add(2 * time.Hour)}})
	if !ok || old.Scoped.ID != "s1" {
		t.Fatalf("Replace = %v %v", old.Scoped.ID, ok)
	}
	got, ok := st.Get(id)
	if !ok || got.Scoped.ID != "s2" || !got.CheckCSRF(csrf) {
		t.Fatalf("after Replace: %v %v, csrf kept %v", got.Scoped.ID, ok, got.CheckCSRF(csrf))
	}
	// The session ends with its first token: the unscoped one here.
	if !got.ExpiresAt().Equal(now.Add(time.Hour)) {
		t.Fatalf("ExpiresAt %v", got.ExpiresAt())
	}
	now = now.Add(time.Hour)
	if _, ok := st.Get(id); ok || st.Len() != 0 {
		t.Fatal("an expired session is still served")
	}
	if _, ok := st.Replace(id, Session{}); ok {
		t.Fatal("Replace of a gone session")
	}
}

func TestEndpoint(t *testing.T) {
	s := Session{Scoped: Token{Catalog: []Endpoint{
		{Type: "compute", Interface: "internal", Region: "RegionOne", URL: "http://internal"},
		{Type: "compute", Interface: "public", Region: "RegionTwo", URL: "http://two"},
		{Type: "compute", Interface: "public", Region: "RegionOne", URL: "http://one"},
		{Type: "image", Interface: "public", Region: "RegionTwo", URL: "http://image-two"},
	}}}
	for _, tc := range []struct{ typ, region, want string }{
		{"compute", "RegionOne", "http://one"},
		{"compute", "RegionTwo", "http://two"},
		{"image", "RegionOne", "http://image-two"}, // the only one there is
		{"network", "RegionOne", ""},
	} {
		got, ok := s.Endpoint(tc.typ, "public", tc.region)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Endpoint(%s, %s) = %q %v, want %q", tc.typ, tc.region, got, ok, tc.want)
		}
	}
	if got := s.Services(); len(got) != 2 || got[0] != "compute" || got[1] != "image" {
		t.Errorf("Services = %v", got)
	}
}
