package l3

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
)

// announce sends a gratuitous ARP for each IPv4 address from the device
// in namespace ns, as Neutron does when a router takes an address: hosts
// on the network that knew the address at another MAC (a floating IP
// that moved from another router) update their neighbour entry at once
// instead of sending to the old owner until it times out.
func announce(ns string, ifindex int, mac net.HardwareAddr, ips []netip.Addr) error {
	if len(mac) != 6 || len(ips) == 0 {
		return nil
	}
	return nsutil.Do(ns, func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
		if err != nil {
			return fmt.Errorf("gratuitous ARP socket: %w", err)
		}
		defer unix.Close(fd)
		to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifindex, Halen: 6}
		copy(to.Addr[:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		for _, ip := range ips {
			if err := unix.Sendto(fd, garp(mac, ip), 0, to); err != nil {
				return fmt.Errorf("gratuitous ARP for %s: %w", ip, err)
			}
		}
		return nil
	})
}

// garp is a broadcast ARP request for ip from mac whose target is ip
// itself: the gratuitous form every Linux neighbour table accepts as an
// update of an entry it already has.
func garp(mac net.HardwareAddr, ip netip.Addr) []byte {
	b := make([]byte, 42)
	copy(b[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(b[6:12], mac)
	binary.BigEndian.PutUint16(b[12:], unix.ETH_P_ARP)
	binary.BigEndian.PutUint16(b[14:], 1)             // Ethernet
	binary.BigEndian.PutUint16(b[16:], unix.ETH_P_IP) // IPv4
	b[18], b[19] = 6, 4
	binary.BigEndian.PutUint16(b[20:], 1) // request
	copy(b[22:28], mac)
	a := ip.As4()
	copy(b[28:32], a[:])
	copy(b[38:42], a[:])
	return b
}

// htons puts v in network byte order, as the packet socket calls want
// their protocol numbers.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}
