package qmp

import (
	"context"
	"errors"
	"time"
)

// NIC is a network device to hot-plug: a tap backend and the guest's
// device on it.
type NIC struct {
	ID     string // the device's QEMU id; its tap backend is "net-"+ID
	Tap    string // the host's tap device; "" plugs a device with no backend
	Driver string // the QEMU device, e.g. virtio-net-pci, e1000
	MAC    string
	MTU    int    // host_mtu of a virtio-net-pci device when > 0
	Bus    string // the PCI(e) bus to plug into; "" lets QEMU choose
}

// AddNIC plugs n: netdev_add of its tap backend (without vhost, as at
// boot), then device_add. When device_add fails the backend is removed
// again, so that a failed hot-plug leaves nothing behind.
func (q *Conn) AddNIC(ctx context.Context, n NIC) error {
	dev := map[string]any{"driver": n.Driver, "id": n.ID, "mac": n.MAC}
	if n.Bus != "" {
		dev["bus"] = n.Bus
	}
	if n.MTU > 0 && n.Driver == "virtio-net-pci" {
		dev["host_mtu"] = n.MTU
	}
	if n.Tap != "" {
		netdev := "net-" + n.ID
		if err := q.Run(ctx, "netdev_add", map[string]any{"type": "tap", "id": netdev, "ifname": n.Tap,
			"script": "no", "downscript": "no", "vhost": false}, nil); err != nil {
			return err
		}
		dev["netdev"] = netdev
	}
	if err := q.Run(ctx, "device_add", dev, nil); err != nil {
		if n.Tap != "" {
			q.Run(context.WithoutCancel(ctx), "netdev_del", map[string]any{"id": "net-" + n.ID}, nil)
		}
		return err
	}
	return nil
}

// DelNIC unplugs the device AddNIC (or the command line) gave id, waiting
// up to timeout for the guest to release it, then removes its tap
// backend when it has one. A guest that does not release the device in
// time leaves both in place. A device already gone (a guest that released
// it after an earlier DelNIC gave up) only has its backend removed.
func (q *Conn) DelNIC(ctx context.Context, id string, hasTap bool, timeout time.Duration) error {
	var qe *Error
	if err := q.DeviceDel(ctx, id, timeout); err != nil && !(errors.As(err, &qe) && qe.Class == "DeviceNotFound") {
		return err
	}
	if !hasTap {
		return nil
	}
	return q.Run(ctx, "netdev_del", map[string]any{"id": "net-" + id}, nil)
}

// pciDevice is one device of query-pci; a bridge lists the devices
// behind it.
type pciDevice struct {
	QDevID string `json:"qdev_id"`
	Bridge *struct {
		Devices []pciDevice `json:"devices"`
	} `json:"pci_bridge"`
}

// FreePort returns the first of the PCI(e) ports named ports (QEMU ids of
// pcie-root-port devices) that has no device plugged in, or "" when all
// are taken. A port the firmware has not numbered yet looks free; plugging
// into it fails if it is not.
func (q *Conn) FreePort(ctx context.Context, ports []string) (string, error) {
	var buses []struct {
		Devices []pciDevice `json:"devices"`
	}
	if err := q.Run(ctx, "query-pci", nil, &buses); err != nil {
		return "", err
	}
	used := map[string]bool{}
	var walk func([]pciDevice)
	walk = func(devs []pciDevice) {
		for _, d := range devs {
			if d.Bridge == nil {
				continue
			}
			used[d.QDevID] = len(d.Bridge.Devices) > 0
			walk(d.Bridge.Devices)
		}
	}
	for _, b := range buses {
		walk(b.Devices)
	}
	for _, p := range ports {
		if taken, ok := used[p]; ok && !taken {
			return p, nil
		}
	}
	return "", nil
}
