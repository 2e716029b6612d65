package hotplug

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// monitor is a fake QEMU monitor whose query-pci shows root ports hp0…
// with the devices of busy plugged; device_add's bus goes to buses, and
// device_del is never completed (a guest that keeps the device).
func monitor(t *testing.T, ports int, busy map[string]bool, buses chan<- string) *qmp.Conn {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "qmp.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var devs []string
	for i := range ports {
		p := instdir.Port(i)
		plugged := "[]"
		if busy[p] {
			plugged = `[{"qdev_id":"nic-x"}]`
		}
		devs = append(devs, `{"qdev_id":"`+p+`","pci_bridge":{"bus":{},"devices":`+plugged+`}}`)
	}
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
				Arguments struct {
					Bus string `json:"bus"`
				} `json:"arguments"`
			}
			json.Unmarshal(sc.Bytes(), &m)
			ret := "{}"
			switch m.Execute {
			case "query-pci":
				ret = `[{"bus":0,"devices":[` + strings.Join(devs, ",") + `]}]`
			case "device_add":
				buses <- m.Arguments.Bus
			}
			id := string(m.ID)
			if id == "" {
				id = "null"
			}
			c.Write([]byte(`{"return":` + ret + `,"id":` + id + "}\n"))
		}
	}()
	q, err := qmp.Dial(t.Context(), sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func TestAddNICPort(t *testing.T) {
	q35 := instdir.Host{Machine: "q35"}
	for _, tc := range []struct {
		name    string
		host    instdir.Host
		ports   int
		busy    []string
		n       int // NICs in the record
		want    string
		wantErr bool
	}{
		{name: "the port the next boot gives it", host: q35, ports: 10, busy: []string{"hp0", "hp1"}, n: 2, want: "hp2"},
		{name: "that one taken: the first free", host: q35, ports: 10, busy: []string{"hp0", "hp2"}, n: 2, want: "hp1"},
		{name: "none free", host: q35, ports: 2, busy: []string{"hp0", "hp1"}, n: 2, wantErr: true},
		{name: "pc: QEMU chooses", host: instdir.Host{Machine: "pc"}, n: 1, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			busy := map[string]bool{}
			for _, p := range tc.busy {
				busy[p] = true
			}
			buses := make(chan string, 1)
			q := monitor(t, tc.ports, busy, buses)
			err := AddNIC(t.Context(), q, tc.host, driver.NIC{PortID: "p", MAC: "fa:16:3e:00:00:01"}, tc.n)
			if (err != nil) != tc.wantErr {
				t.Fatalf("AddNIC = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if bus := <-buses; bus != tc.want {
				t.Errorf("plugged into %q, want %q", bus, tc.want)
			}
		})
	}
}

func TestDelNICTimeout(t *testing.T) {
	q := monitor(t, 0, nil, make(chan string, 1))
	err := DelNIC(t.Context(), q, driver.NIC{PortID: "p", Tap: "tap1"}, 100*time.Millisecond)
	if !errors.Is(err, qmp.ErrNotReleased) || !strings.Contains(err.Error(), "Device detach failed for port p: timed out") {
		t.Errorf("DelNIC of a device the guest keeps = %v, want Nova's detach timeout", err)
	}
	if e, ok := apierr.As(err); !ok || e.Code != 409 {
		t.Errorf("DelNIC of a device the guest keeps = %v, want a 409 (the interface stays, try again)", err)
	}
}
