// Package storetest opens the block storage store for tests: migrated,
// over a fresh database (SQLite, or PostgreSQL when GOSTACK_TEST_POSTGRES
// is set), so that every area's store tests run on both engines.
package storetest

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// Open returns a migrated store over a fresh test database.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st := store.New(dbtest.Open(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}
