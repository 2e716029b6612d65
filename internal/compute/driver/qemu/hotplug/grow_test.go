package hotplug

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// resizeMonitor is a fake QEMU monitor that sends the arguments of each
// block_resize to got.
func resizeMonitor(t *testing.T, got chan<- map[string]any) *qmp.Conn {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "qmp.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(`{"QMP":{}}` + "\n"))
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			var m struct {
				Execute   string          `json:"execute"`
				ID        json.RawMessage `json:"id"`
				Arguments map[string]any  `json:"arguments"`
			}
			json.Unmarshal(sc.Bytes(), &m)
			if m.Execute == "block_resize" {
				got <- m.Arguments
			}
			if m.ID == nil {
				c.Write([]byte(`{"return":{}}` + "\n"))
				continue
			}
			c.Write([]byte(`{"return":{},"id":` + string(m.ID) + "}\n"))
		}
	}()
	q, err := qmp.Dial(context.Background(), sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// TestGrowVolume: a running guest's QEMU grows the volume (the block node
// of a hot-plugged volume, the drive of the boot volume); without a QEMU
// qemu-img grows a file volume; nothing shrinks one.
func TestGrowVolume(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	ctx := context.Background()
	var tools disk.Tools
	file := filepath.Join(t.TempDir(), "vol.qcow2")
	if _, err := tools.Img(ctx, "create", "-q", "-f", "qcow2", file, "1048576"); err != nil {
		t.Fatal(err)
	}
	bd := driver.BlockDevice{VolumeID: "v1", Path: file, Format: "qcow2"}
	got := make(chan map[string]any, 2)
	q := resizeMonitor(t, got)

	if err := GrowVolume(ctx, q, tools, bd, false, 2<<20); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a["size"] != float64(2<<20) || a["node-name"] == nil || a["device"] != nil {
		t.Errorf("block_resize of a hot-plugged volume: %v, want its node-name and size %d", a, 2<<20)
	}
	if err := GrowVolume(ctx, q, tools, bd, true, 2<<20); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a["device"] == nil || a["node-name"] != nil {
		t.Errorf("block_resize of the boot volume: %v, want its drive (device)", a)
	}

	// No QEMU: the file itself grows.
	if err := GrowVolume(ctx, nil, tools, bd, false, 3<<20); err != nil {
		t.Fatal(err)
	}
	if info, err := tools.Info(ctx, file, "qcow2"); err != nil || info.VirtualSize != 3<<20 {
		t.Errorf("volume file after the offline grow: %+v, %v; want %d bytes", info, err, 3<<20)
	}
	if err := GrowVolume(ctx, nil, tools, bd, false, 1<<20); err == nil {
		t.Error("GrowVolume shrank a volume")
	}
	if err := GrowVolume(ctx, q, tools, bd, false, 1<<20); err == nil {
		t.Error("GrowVolume asked QEMU to shrink a volume")
	}
	select {
	case a := <-got:
		t.Errorf("block_resize sent for a shrink: %v", a)
	default:
	}
}
