package soak

import "sync"

// entry is one resource a client was told about.
type entry struct {
	id, name, owner string // owner: the project (servers, images) or user (keypairs)
	deleted         bool   // the client's delete was answered with success
}

// ledger is what the clients were told, per kind of resource: the creates
// answered with success (by id), whether their delete was, and the names
// of creates whose answer was lost.
type ledger struct {
	mu      sync.Mutex
	kinds   map[string]map[string]*entry
	unknown map[string]map[string]bool
}

const (
	kindServer  = "server"
	kindImage   = "image"
	kindKeypair = "keypair"
)

func newLedger() *ledger {
	return &ledger{kinds: map[string]map[string]*entry{}, unknown: map[string]map[string]bool{}}
}

// created records an accepted create.
func (l *ledger) created(kind, id, name, owner string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds[kind] == nil {
		l.kinds[kind] = map[string]*entry{}
	}
	l.kinds[kind][id] = &entry{id: id, name: name, owner: owner}
}

// deleted records an accepted delete.
func (l *ledger) deleted(kind, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.kinds[kind][id]; e != nil {
		e.deleted = true
	}
}

// lost records a create whose answer never came: it may or may not exist.
func (l *ledger) lost(kind, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unknown[kind] == nil {
		l.unknown[kind] = map[string]bool{}
	}
	l.unknown[kind][name] = true
}

// entries returns a copy of a kind's entries by id.
func (l *ledger) entries(kind string) map[string]entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]entry{}
	for id, e := range l.kinds[kind] {
		out[id] = *e
	}
	return out
}

// isLost reports whether a create of name had its answer lost.
func (l *ledger) isLost(kind, name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unknown[kind][name]
}
