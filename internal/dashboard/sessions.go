package dashboard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Sessions holds the signed-in browsers in memory, by the random id their
// cookie carries. A restart signs everyone out, as Horizon's default
// memory-backed sessions do; the tokens stay valid in Keystone until
// they expire, but nothing outside this process knows them.
type Sessions struct {
	now func() time.Time

	mu   sync.Mutex
	byID map[string]*Session
}

// NewSessions returns an empty store; now is its clock (time.Now when nil).
func NewSessions(now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{now: now, byID: map[string]*Session{}}
}

// idBytes is the entropy of a session id: 256 bits, so that ids cannot
// be guessed.
const idBytes = 32

// Create stores s under a new id and gives it a new CSRF secret.
func (st *Sessions) Create(s *Session) string {
	s.csrf = random(idBytes)
	id := base64.RawURLEncoding.EncodeToString(random(idBytes))
	st.mu.Lock()
	defer st.mu.Unlock()
	st.byID[id] = s
	return id
}

// Get returns a copy of the session with id; ok is false when there is
// none or it has expired (an expired session is forgotten).
func (st *Sessions) Get(id string) (s Session, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.byID[id]
	if p == nil {
		return Session{}, false
	}
	if exp := p.ExpiresAt(); !exp.IsZero() && !st.now().Before(exp) {
		delete(st.byID, id)
		return Session{}, false
	}
	return *p, true
}

// Replace swaps the session's tokens for those of a rescoped login; it
// keeps the CSRF secret, so that the app's other tabs keep working.
// ok is false when the session is gone.
func (st *Sessions) Replace(id string, s Session) (old Session, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.byID[id]
	if p == nil {
		return Session{}, false
	}
	old = *p
	s.csrf = p.csrf
	*p = s
	return old, true
}

// Delete forgets the session and returns it.
func (st *Sessions) Delete(id string) (Session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.byID[id]
	if p == nil {
		return Session{}, false
	}
	delete(st.byID, id)
	return *p, true
}

// Sweep forgets every expired session and says how many it dropped: a
// periodic worker calls it, so that browsers that never come back do not
// hold memory (Get drops an expired session it meets too). Their tokens
// have expired with them; there is nothing to revoke.
func (st *Sessions) Sweep() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	n := 0
	for id, p := range st.byID {
		if exp := p.ExpiresAt(); !exp.IsZero() && !now.Before(exp) {
			delete(st.byID, id)
			n++
		}
	}
	return n
}

// Len is the number of sessions held.
func (st *Sessions) Len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byID)
}

// CSRF returns a fresh masked copy of the session's CSRF secret: a random
// pad and the secret XORed with it. Every answer carries a different
// string (no fixed secret to extract from compressed responses, the
// BREACH attack), and every one of them stays valid for the session.
func (s *Session) CSRF() string {
	pad := random(len(s.csrf))
	out := make([]byte, 2*len(s.csrf))
	copy(out, pad)
	for i, b := range s.csrf {
		out[len(pad)+i] = b ^ pad[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// CheckCSRF reports whether token is a masked copy of the session's CSRF
// secret, comparing in constant time.
func (s *Session) CheckCSRF(token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(s.csrf) == 0 || len(raw) != 2*len(s.csrf) {
		return false
	}
	n := len(s.csrf)
	got := make([]byte, n)
	for i := range got {
		got[i] = raw[i] ^ raw[n+i]
	}
	return subtle.ConstantTimeCompare(got, s.csrf) == 1
}

func random(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never fails (Go 1.24+: it crashes the program
	// rather than return weak bytes).
	rand.Read(b)
	return b
}
