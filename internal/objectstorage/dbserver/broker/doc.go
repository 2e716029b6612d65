// Package broker holds Swift's account and container databases as the
// servers use them (Swift calls these brokers): the schemas with their
// triggers and rolling hash, the merge rules that let replicas converge
// (for objects, the newest data, content type and metadata timestamps
// win separately; for containers, the newest put and delete), Swift's
// listing algorithm with markers, prefix, delimiter and path, and the
// rows and replication info the replicator exchanges. The object
// servers' row updates go to a container's pending file (AppendObject)
// and are merged when the database is next opened. The SQLite file
// handling they share is in package db.
package broker
