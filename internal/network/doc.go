// Package network is gostack's networking service, OpenStack Neutron's
// v2.0 API: networks with their provider segments, subnets and IP
// address management, ports, routers and floating IPs, security groups,
// quotas and the extensions clients look for.
//
// The Service here holds the use cases over a Store (package store, SQL
// both engines accept); package api is the HTTP face, with one route
// table; package ipam hands out addresses from free ranges in O(log n).
// Every change is one transaction: a port and its addresses, a network
// and its segment, a router and its interface ports are written together
// or not at all.
//
//	client ─► api (route table, policy, Neutron's error body)
//	             │
//	             ▼
//	          Service ─► Store (SQL) ─► ipam (free ranges, allocations)
//
// Visibility follows Neutron's default policy: a project sees its own
// resources and the shared and external networks; an admin sees all.
package network
