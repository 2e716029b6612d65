// Package placement is the Placement service: resource providers and
// their trees, inventories, traits, aggregates, resource classes,
// consumers' allocations, the reshaper, and the providers' state the
// allocation candidates search runs over.
//
//	client ──HTTP──▶ api ──▶ Service ──▶ Store (SQL, one transaction per write,
//	                  │         │             generation compare-and-swap,
//	                  │         │             CheckCapacity / CheckInventoryChange)
//	                  │         └──▶ CandidateProviders ──▶ ProviderSet (snapshot)
//	                  └──▶ candidates.List ──▶ candidates.Find (the pure core)
//
// Every write to a provider bumps its generation; writers that read an
// older generation get a 409 placement.concurrent_update. Consumers carry
// their own generation from microversion 1.28.
//
// Errors are *apierr.Error values in Placement's words, with Placement's
// error code (the Code* constants) in their Type; the api package writes
// them as Placement's {"errors": [...]} body.
//
// Sub-packages: api (the HTTP face) and api/query (its query-string
// grammar), candidates (allocation candidates), store (SQL), client (what
// the compute services use), standard (the os-traits and
// os-resource-classes names), spec (the service's entry in the cloud).
package placement
