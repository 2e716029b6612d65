// Package placement is the Placement service: resource providers and
// their trees, inventories, traits, aggregates, resource classes,
// consumers' allocations and the allocation candidates the scheduler
// chooses from.
//
//	client ──HTTP──▶ api ──▶ Service ──▶ Store (SQL, one transaction per write,
//	                           │             generation compare-and-swap)
//	                           └──▶ Candidates / CheckCapacity (pure cores)
//
// Every write to a provider bumps its generation; writers that read an
// older generation get a 409 placement.concurrent_update. Consumers carry
// their own generation from microversion 1.28.
package placement
