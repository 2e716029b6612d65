// Package network is gostack's networking service, OpenStack Neutron's
// v2.0 API: networks with their provider segments, subnets and IP
// address management, ports, routers and floating IPs, security groups,
// quotas and the extensions clients look for.
//
// This package is the model: the resources, the Store and its per-area
// Tx interfaces, the Service every area shares (configuration, quotas,
// notifications to compute, the hooks between areas), errors and
// visibility. The use cases are in a package per area, each a thin
// wrapper over the Service: networks, subnets (with subnet pools and
// address scopes), ports, routers, floatingips (with port forwardings),
// secgroups, extras and autoalloc (Nova's networks: auto, above them
// all). They import one another one way, ports and
// subnets below networks and routers, routers below floatingips; where a
// lower area must let a higher one act (a port or network deleted), it
// calls a hook the higher one registered on the Service (Hooks).
//
// Package store is the SQL both engines accept; package api is the HTTP
// face, with one route table; package ipam hands out addresses from free
// ranges in O(log n); package policies holds the policy defaults. Every
// change is one transaction: a port and its addresses, a network and its
// segment, a router and its interface ports are written together or not
// at all.
//
//	client ─► api (route table, policy, Neutron's error body)
//	             │
//	             ▼
//	          networks, subnets, ports, routers, floatingips, secgroups,
//	          extras (use cases) ─► Service, Store (SQL) ─► ipam
//
// Visibility follows Neutron's default policy: a project sees its own
// resources and the shared and external networks; an admin sees all.
package network
