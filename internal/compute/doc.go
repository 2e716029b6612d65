// Package compute is gostack's Nova: the OpenStack Compute v2.1 API (to
// 2.92) and the control plane behind it.
//
// This package holds what every part of compute shares: the resources
// (Instance with its vm, task and power states, Flavor, Keypair,
// ServerGroup, Migration, HostService, ComputeNode, Aggregate), the Store
// they persist in, the dependencies a use case calls out to (Deps: the
// Conductor that carries operations out on the hosts, the image service,
// the heartbeats), the operations handed to the conductor (Op,
// BuildRequest), Nova's checks of an instance's state, and how an
// operation writes its outcome (Step, Finish).
//
//	HTTP ─► api: one route table, a policy rule (compute/policies) per route
//	         └─► api/<resource> handlers ─► the use cases:
//	               servers, actions, flavors, keypairs, groups, quotas,
//	               hosts, images, usage, volumes ► Store (compute/store)
//	                  │ Build, Run
//	                  ▼
//	             Conductor (compute/conductor) ─► scheduler ─► Placement
//	                  └─► hostrpc (the bus) ─► agent ─► driver (fake, qemu)
//
// A server create checks the flavor, the image, the keypair, the zone,
// the group and the quotas, stores the instances in BUILD/scheduling, in
// the quota check's own transaction, with the image's metadata kept as
// system metadata, and hands the conductor a BuildRequest carrying the
// image it read: the conductor schedules and spawns without reading the
// image again, and a host's image cache (compute/imagefetch) asks the
// image service only for an image it must download.
//
// Beside them: compute/metadata serves what guests read (config drive and
// metadata API), compute/console the noVNC proxy and its tokens.
package compute
