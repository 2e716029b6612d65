// Package objectstorage is Swift, OpenStack's object store, rebuilt in
// Go with Swift's own architecture and wire protocol.
//
//	client ──► proxy (:8080 /v1/AUTH_<project>/...; s3 on :8081)
//	            │  middlewares wrap it: tempurl, formpost, slo, dlo,
//	            │  bulk, staticweb, quotas, ratelimit, ...
//	            │  keystone auth and ACLs, quorum writes, handoffs
//	            ▼
//	          rings (account, container, object)
//	            name ─► hash_path ─► partition ─► devices of its replicas
//	            ▼
//	          storage nodes, one directory per device:
//	            account server (:6202) ─ container server (:6201) ─ object server (:6200)
//	            the object server updates the container, the container the account
//	            ▲
//	          workers on each node: replicators, auditor, updater,
//	          reaper, expirer
//
// Sub-packages: swift (shared vocabulary), ring (rings and builder;
// ringcmd for `gostack admin ring`), objserver, dbserver (account and
// container servers), proxy, middleware, s3.
package objectstorage
