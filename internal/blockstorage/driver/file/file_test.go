package file_test

import (
	"os/exec"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/drivertest"
	"github.com/gostack/gostack/internal/blockstorage/driver/file"
)

func TestSuite(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	drivertest.Run(t, func(t *testing.T) driver.Driver {
		d, err := file.New(file.Config{Dir: t.TempDir(), CapacityGB: 100})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}, drivertest.Options{CachesImages: true, ConnectionType: "file"})
}
