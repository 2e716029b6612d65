package nsutil

import (
	"errors"
	"os"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestNamespaceLifecycle(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make network namespaces")
	}
	name := "gs-nsutil-test"
	_ = Delete(name)
	t.Cleanup(func() { _ = Delete(name) })
	if err := Ensure(name); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(name); err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	if _, err := os.Stat("/etc/netns/" + name + "/resolv.conf"); err != nil {
		t.Fatalf("no resolv.conf of its own: %v", err)
	}
	h, err := Handle(name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Delete()
	if err := h.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "dummy0"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName("dummy0"); err == nil {
		t.Fatal("dummy0 made in the host namespace")
	}
	err = Do(name, func() error {
		_, err := netlink.LinkByName("dummy0")
		return err
	})
	if err != nil {
		t.Fatalf("dummy0 not seen inside: %v", err)
	}
	if err := Sysctl(name, "ipv4/ip_forward", "1"); err != nil {
		t.Fatal(err)
	}
	names, err := List("gs-nsutil-")
	if err != nil || len(names) != 1 {
		t.Fatalf("List = %v, %v", names, err)
	}
	if err := Delete(name); err != nil {
		t.Fatal(err)
	}
	if Exists(name) {
		t.Fatal("still exists after Delete")
	}
}

// An interrupted dump is run again; one interrupted every time gives its
// error after dumpTries runs; other errors are not retried.
func TestDump(t *testing.T) {
	runs := 0
	got, err := Dump(func() ([]int, error) {
		runs++
		if runs < 3 {
			return []int{1}, netlink.ErrDumpInterrupted
		}
		return []int{1, 2}, nil
	})
	if err != nil || len(got) != 2 || runs != 3 {
		t.Errorf("Dump = %v, %v after %d runs; want [1 2] after 3", got, err, runs)
	}
	runs = 0
	if _, err := Dump(func() ([]int, error) { runs++; return nil, netlink.ErrDumpInterrupted }); !errors.Is(err, netlink.ErrDumpInterrupted) || runs != dumpTries {
		t.Errorf("always interrupted: %v after %d runs", err, runs)
	}
	runs = 0
	if _, err := Dump(func() ([]int, error) { runs++; return nil, errors.New("boom") }); err == nil || runs != 1 {
		t.Errorf("another error: %v after %d runs", err, runs)
	}
}
