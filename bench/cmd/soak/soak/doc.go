// Package soak is gostack's own soak and crash test: it starts the real
// binary (`gostack up` with the fake driver on N simulated hosts, on SQLite
// or on a fresh PostgreSQL database), drives it with many clients through
// the public APIs for a while, optionally kills it with SIGKILL and starts
// it again on the same data several times, and then checks that what the
// clients were told is what the cloud holds.
//
//	Run ─▶ target.Start: gostack up (free ports, fresh data dir / database)
//	  ├─▶ setup: flavors, an image, projects with a member user each, quotas lifted
//	  ├─▶ workers ×C: a weighted mix (tokens, servers create → ACTIVE → delete → gone,
//	  │     lists, images, keypairs, allocation candidates), every call recorded
//	  ├─▶ crasher: target.Crash, kill -9 and restart on the same ports and data
//	  ├─▶ sampler: GET /metrics (RSS, fds, goroutines, DB pools, bus) at minute 2 and at the end
//	  └─▶ settle (≤ 60 s), check through the APIs as admin against the ledger,
//	      Report: per-operation counts, errors, p50/p99; process figures;
//	      findings; the criteria, any of which failing makes Report.Failed true
//
// The ledger is what the clients were told: every create answered with
// success is expected to exist until the client's delete is answered with
// success, after which it is expected to be gone. A request whose answer
// was lost (the process died under it) leaves its outcome unknown; such
// resources are reported, not counted as orphans.
package soak
