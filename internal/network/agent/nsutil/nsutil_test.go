package nsutil

import (
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
