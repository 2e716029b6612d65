// Package agent is a host's network agent: the linuxbridge data plane
// that makes the networking service's resources real in the kernel.
//
//	database ──read (one View)──► snapshot ──build──► state.Host
//	                                                     │
//	          ┌──────────────┬──────────────┬────────────┴─┐
//	          ▼              ▼              ▼              ▼
//	      firewall          dhcp            l3             l2
//	   (nftables: SG,   (qdhcp-<net> ns, (qrouter-<r> ns, (brq<net> bridges,
//	    anti-spoofing,   DHCP server,     SNAT, floating   VXLAN + l2pop FDB,
//	    conntrack zones) metadata proxy)  IPs, routes)     br-ex, plugs taps)
//	                                                     │
//	     ports ACTIVE/DOWN, network-vif-plugged ◄────────┘
//
// The agent is level-triggered: every reconciliation reads the whole
// desired state and each realizer brings its part of the host to it,
// creating what is missing, fixing what differs and removing what it
// owns but the state no longer holds (it knows its own by name: see
// package state). So a restart after kill -9 converges, a bridge deleted
// by hand comes back, a stray one goes, and nothing stays behind a
// deleted network, router or port. It reconciles when the service
// commits a change (Kick, from the store), when a tap device appears or
// one of its devices disappears (a netlink subscription), and every
// Resync (forcing the firewall to re-apply, which restores rules deleted
// by hand).
//
// The agent also makes the networks' DHCP ports (device owner
// network:dhcp) as Neutron's DHCP agent does, binds the routers' ports
// to its host, reports the ports it plugged ACTIVE (which tells compute
// network-vif-plugged) and registers itself and its DHCP, L3 and
// metadata agents with heartbeats (openstack network agent list).
//
// One agent per host; the host that runs DHCP and L3 is the network node
// (Config.DHCP, Config.L3): routers and DHCP servers are not scheduled
// across several yet. gostack up runs one in process (all roles); gostack
// agent network runs one alone over the shared database.
package agent
