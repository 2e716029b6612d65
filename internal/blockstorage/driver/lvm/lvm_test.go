package lvm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/drivertest"
	"github.com/gostack/gostack/internal/blockstorage/driver/lvm"
)

// TestSuite runs the shared driver suite on a volume group made for the
// test on a loop device. It needs root, lvm2, qemu-img and a kernel with
// device-mapper's thin-pool target; it skips, saying which is missing,
// otherwise (the machine CI runs on today has no device-mapper).
func TestSuite(t *testing.T) {
	for _, bin := range []string{"lvcreate", "vgcreate", "pvcreate", "losetup", "qemu-img", "dmsetup"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (lvm2, util-linux, qemu-utils)", bin)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("the lvm driver's tests need root (a loop device and a volume group)")
	}
	if out, err := exec.Command("dmsetup", "targets").CombinedOutput(); err != nil || !strings.Contains(string(out), "thin-pool") {
		t.Skipf("this kernel has no device-mapper thin-pool target (dmsetup targets: %s)", strings.TrimSpace(string(out)))
	}
	img := filepath.Join(t.TempDir(), "pv.img")
	if err := exec.Command("truncate", "-s", "8G", img).Run(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", img).Output()
	if err != nil {
		t.Fatalf("losetup: %v", err)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", loop).Run() })
	vg := fmt.Sprintf("gstest%d", os.Getpid())
	for _, c := range [][]string{{"pvcreate", "-q", loop}, {"vgcreate", "-q", vg, loop}} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", c, err, out)
		}
	}
	t.Cleanup(func() {
		_ = exec.Command("vgremove", "-q", "-f", vg).Run()
		_ = exec.Command("pvremove", "-q", loop).Run()
	})
	drivertest.Run(t, func(t *testing.T) driver.Driver {
		d, err := lvm.New(lvm.Config{VolumeGroup: vg, TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}, drivertest.Options{ConnectionType: "local"})
}
