// Package nsutil runs the network agent's work in network namespaces:
// named namespaces (the `ip netns` kind, bound under /run/netns) made,
// listed and removed, a function run inside one on a locked OS thread,
// and netlink handles and sysctls bound to one.
//
// Every namespace made here gets its own /etc/netns/<name>/resolv.conf,
// so that nothing run in it through `ip netns exec` (a DHCP client's
// script, say) can rewrite the host's /etc/resolv.conf.
//
// The name "" is the namespace the process started in: an agent given a
// root namespace name treats it as its host (tests run two agents on
// one machine, each in a namespace of its own).
package nsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// RunDir is where named namespaces are bound, as iproute2 does.
const RunDir = "/run/netns"

// Ensure makes the named namespace unless it exists, with its loopback
// up and its own resolv.conf.
func Ensure(name string) error {
	if name == "" {
		return errors.New("nsutil: empty namespace name")
	}
	if Exists(name) {
		return nil
	}
	if err := writeResolvConf(name); err != nil {
		return err
	}
	err := onThread(func() error {
		ns, err := netns.NewNamed(name)
		if err != nil {
			return fmt.Errorf("nsutil: create namespace %s: %w", name, err)
		}
		defer ns.Close()
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		return netlink.LinkSetUp(lo)
	})
	return err
}

// Exists reports whether the named namespace exists.
func Exists(name string) bool {
	if name == "" {
		return true
	}
	h, err := netns.GetFromName(name)
	if err != nil {
		return false
	}
	h.Close()
	return true
}

// Delete removes the named namespace and its /etc/netns directory; a
// missing one is no error. Devices inside it go with it (a veth's other
// end too).
func Delete(name string) error {
	if name == "" {
		return errors.New("nsutil: empty namespace name")
	}
	if err := netns.DeleteNamed(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("nsutil: delete namespace %s: %w", name, err)
	}
	if err := os.RemoveAll(filepath.Join("/etc/netns", name)); err != nil {
		return err
	}
	return nil
}

// List returns the named namespaces whose names start with prefix.
func List(prefix string) ([]string, error) {
	ents, err := os.ReadDir(RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Open returns a handle of the named namespace ("" is the process's
// own); the caller closes it.
func Open(name string) (netns.NsHandle, error) {
	if name == "" {
		return netns.GetFromPid(os.Getpid())
	}
	h, err := netns.GetFromName(name)
	if err != nil {
		return h, fmt.Errorf("nsutil: open namespace %s: %w", name, err)
	}
	return h, nil
}

// Handle returns a netlink handle working in the named namespace; the
// caller deletes it.
func Handle(name string) (*netlink.Handle, error) {
	ns, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return netlink.NewHandleAt(ns)
}

// Do runs fn with the calling goroutine's OS thread in the named
// namespace, and brings the thread back before returning. Sockets fn
// opens stay in that namespace after it returns; goroutines fn starts do
// not run in it.
func Do(name string, fn func() error) error {
	if name == "" {
		return fn()
	}
	target, err := Open(name)
	if err != nil {
		return err
	}
	defer target.Close()
	return onThread(func() error {
		if err := netns.Set(target); err != nil {
			return fmt.Errorf("nsutil: enter namespace %s: %w", name, err)
		}
		return fn()
	})
}

// onThread runs fn on a locked OS thread and puts the thread back into
// the namespace it started in afterwards. If that fails the thread stays
// locked, so the runtime discards it rather than reuse it in the wrong
// namespace.
func onThread(fn func() error) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	ferr := fn()
	if err := netns.Set(orig); err != nil {
		return errors.Join(ferr, fmt.Errorf("nsutil: back to the original namespace: %w", err))
	}
	runtime.UnlockOSThread()
	return ferr
}

// Sysctl writes a sysctl (key as a /proc/sys path below net/, e.g.
// "ipv4/ip_forward") in the named namespace.
func Sysctl(name, key, value string) error {
	return Do(name, func() error {
		return os.WriteFile(filepath.Join("/proc/sys/net", key), []byte(value), 0o644)
	})
}

// writeResolvConf gives the namespace a resolv.conf of its own, which
// `ip netns exec` bind-mounts over /etc/resolv.conf.
func writeResolvConf(name string) error {
	dir := filepath.Join("/etc/netns", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("# gostack: this namespace's own resolver configuration\n"), 0o644)
}

// dumpTries is how many times Dump runs an interrupted dump.
const dumpTries = 5

// Dump runs a netlink dump (a list of links, addresses, routes or
// neighbours) again when the kernel says a change interrupted it
// (netlink.ErrDumpInterrupted: the results may be incomplete), which
// happens whenever another process adds or removes a link while the dump
// runs; after dumpTries interrupted runs it returns the error.
func Dump[T any](list func() ([]T, error)) ([]T, error) {
	for i := 1; ; i++ {
		v, err := list()
		if !errors.Is(err, netlink.ErrDumpInterrupted) || i == dumpTries {
			return v, err
		}
	}
}
