package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// ErrPoolInTx is what a pool (and Tx, ReadTx) answers a context that
// carries an open transaction of the same database: the caller holds a
// connection and asks for a second one, which is how a full pool
// deadlocks. Outside test binaries the statement is refused with it;
// test binaries panic, so that the test that reaches the mistake fails.
var ErrPoolInTx = errors.New("db: a pool was asked for a connection by code holding a transaction; use the transaction")

// Pool is one of the database's connection pools, for statements outside
// a transaction. Its context-taking methods refuse a context marked by Tx
// or ReadTx (see the package doc); the rest is *sql.DB's.
type Pool struct {
	*sql.DB
	owner *DB
}

var _ Querier = (*Pool)(nil)

// ExecContext is sql.DB's, refused under an open transaction.
func (p *Pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.owner.refuse(ctx, query); err != nil {
		return nil, err
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// QueryContext is sql.DB's, refused under an open transaction.
func (p *Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := p.owner.refuse(ctx, query); err != nil {
		return nil, err
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext is sql.DB's, refused under an open transaction. A
// *sql.Row cannot carry an error of ours, so a refused row fails with the
// cancellation of its context; the refusal itself is logged.
func (p *Pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := p.owner.refuse(ctx, query); err != nil {
		done, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return p.DB.QueryRowContext(done, query, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// PrepareContext is sql.DB's, refused under an open transaction.
func (p *Pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := p.owner.refuse(ctx, query); err != nil {
		return nil, err
	}
	return p.DB.PrepareContext(ctx, query)
}

// BeginTx is sql.DB's, refused under an open transaction; prefer Tx.
func (p *Pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if err := p.owner.refuse(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return p.DB.BeginTx(ctx, opts)
}

// Conn is sql.DB's, refused under an open transaction.
func (p *Pool) Conn(ctx context.Context) (*sql.Conn, error) {
	if err := p.owner.refuse(ctx, "connection"); err != nil {
		return nil, err
	}
	return p.DB.Conn(ctx)
}

// txMark is what Tx and ReadTx put in the context they hand their
// function. open is cleared when the transaction ends, so that a context
// kept past it (a goroutine started inside) is not refused any more.
type txMark struct {
	db   *DB
	open atomic.Bool
}

type txKey struct{}

// mark returns ctx marked as holding a transaction of d, and the function
// that ends the mark.
func (d *DB) mark(ctx context.Context) (context.Context, func()) {
	m := &txMark{db: d}
	m.open.Store(true)
	return context.WithValue(ctx, txKey{}, m), func() { m.open.Store(false) }
}

// InTx reports whether ctx carries an open transaction of d.
func (d *DB) InTx(ctx context.Context) bool {
	m, _ := ctx.Value(txKey{}).(*txMark)
	return m != nil && m.db == d && m.open.Load()
}

// hold records, in a test binary, that the calling goroutine holds a
// transaction of d until the returned function is called. A callback run
// under a transaction that uses a context of its own (a store's
// read-modify-write function closing over its caller's context) passes
// the pools an unmarked context; in tests the goroutine gives it away.
func (d *DB) hold() func() {
	if !testing.Testing() {
		return func() {}
	}
	id := goroutineID()
	d.holders.Store(id, true)
	return func() { d.holders.Delete(id) }
}

// held reports, in a test binary, whether the calling goroutine holds a
// transaction of d.
func (d *DB) held() bool {
	if !testing.Testing() {
		return false
	}
	_, ok := d.holders.Load(goroutineID())
	return ok
}

// goroutineID is the calling goroutine's number, read from the first
// line of its stack ("goroutine 42 [running]:"). Go hides it on purpose;
// it serves only the test-binary check above, as net/http2's debug
// goroutine tracking does.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// refuse returns ErrPoolInTx (panics in a test binary) when ctx carries
// an open transaction of d, or in a test binary when the calling
// goroutine holds one; query says what was asked for.
func (d *DB) refuse(ctx context.Context, query string) error {
	if !d.InTx(ctx) && !d.held() {
		return nil
	}
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > 120 {
		q = q[:120] + "…"
	}
	err := fmt.Errorf("%w (asked for: %s)", ErrPoolInTx, q)
	if testing.Testing() {
		panic(err)
	}
	slog.ErrorContext(ctx, "refused a second connection under a transaction", "err", err)
	return err
}
