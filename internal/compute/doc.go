// Package compute is gostack's Nova: the compute control plane behind the
// OpenStack Compute v2.1 API.
//
// This first slice holds the resources that need no hypervisor: flavors
// (extra specs, access lists), keypairs, server groups, availability
// zones, quotas and limits. Servers, the scheduler and the conductor come
// next and reach hosts through compute/driver.
//
//	HTTP (compute/api) ──► Service (this package) ──► Store (compute/store)
//	                              │                        │
//	                              └── quota.Quotas ◄───────┘ (same transaction)
//
// The Service validates input and applies Nova's rules; the api package
// only translates JSON and microversions; the store only persists.
package compute
