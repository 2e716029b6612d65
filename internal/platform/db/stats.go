package db

import "database/sql"

// PoolStats is the state of one connection pool of the database.
type PoolStats struct {
	// Pool names the pool: "write" and "read" on SQLite, where writes go
	// through their own one-connection pool; "shared" on PostgreSQL,
	// where reads and writes share one pool.
	Pool string
	sql.DBStats
}

// Stats returns the figures of each pool, so that an operator can see a
// pool that is exhausted (in use at its maximum, wait count rising). A
// shared pool is reported once, so that sums over pools stay right.
func (d *DB) Stats() []PoolStats {
	if d.read == d.write {
		return []PoolStats{{Pool: "shared", DBStats: d.write.Stats()}}
	}
	return []PoolStats{
		{Pool: "write", DBStats: d.write.Stats()},
		{Pool: "read", DBStats: d.read.Stats()},
	}
}
