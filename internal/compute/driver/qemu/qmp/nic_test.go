package qmp

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// call is one command the fake QEMU received.
type call struct {
	Cmd  string
	Args map[string]any
}

// recorder serves a fake QEMU that answers every command with an empty
// return, except the first fail[cmd] calls of cmd (answered with a
// GenericError; fail["gone"] makes device_del answer DeviceNotFound), and
// sends DEVICE_DELETED after device_del when release is set. It returns
// the connection and the commands received so far.
func recorder(t *testing.T, fail map[string]int, release bool) (*Conn, func() []call) {
	t.Helper()
	var mu sync.Mutex
	var calls []call
	sock := filepath.Join(t.TempDir(), "qmp.sock")
	fakeQEMU(t, sock, func(cmd string, id, args json.RawMessage) []string {
		var a map[string]any
		json.Unmarshal(args, &a)
		mu.Lock()
		calls = append(calls, call{cmd, a})
		mu.Unlock()
		if cmd == "device_del" && fail["gone"] > 0 {
			// Released after an earlier device_del gave up.
			return []string{`{"error":{"class":"DeviceNotFound","desc":"Device 'nic-1' not found"},"id":` + string(id) + `}`}
		}
		if fail[cmd] > 0 {
			fail[cmd]--
			class := "GenericError"
			return []string{`{"error":{"class":"` + class + `","desc":"` + cmd + ` refused"},"id":` + string(id) + `}`}
		}
		out := []string{`{"return":{},"id":` + string(id) + `}`}
		if cmd == "device_del" && release {
			out = append(out, `{"event":"DEVICE_DELETED","data":{"device":"`+a["id"].(string)+`"}}`)
		}
		if cmd == "query-pci" {
			out = []string{`{"return":[{"bus":0,"devices":[
				{"qdev_id":"scsi0"},
				{"qdev_id":"hp0","pci_bridge":{"bus":{},"devices":[{"qdev_id":"nic-1"}]}},
				{"qdev_id":"hp1","pci_bridge":{"bus":{},"devices":[]}},
				{"qdev_id":"hp2","pci_bridge":{"bus":{}}}]}],"id":` + string(id) + `}`}
		}
		return out
	})
	q, err := Dial(t.Context(), sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q, func() []call {
		mu.Lock()
		defer mu.Unlock()
		return append([]call(nil), calls...)
	}
}

// always fails a command every time.
const always = 1 << 20

var (
	netdevAdd = call{"netdev_add", map[string]any{"type": "tap", "id": "net-nic-1", "ifname": "tap1", "script": "no", "downscript": "no", "vhost": false}}
	deviceAdd = call{"device_add", map[string]any{"driver": "virtio-net-pci", "id": "nic-1", "netdev": "net-nic-1",
		"mac": "fa:16:3e:00:00:01", "host_mtu": float64(1450), "bus": "hp1"}}
	netdevDel = call{"netdev_del", map[string]any{"id": "net-nic-1"}}
	deviceDel = call{"device_del", map[string]any{"id": "nic-1"}}
)

func TestAddNIC(t *testing.T) {
	nic := NIC{ID: "nic-1", Tap: "tap1", Driver: "virtio-net-pci", MAC: "fa:16:3e:00:00:01", MTU: 1450, Bus: "hp1"}
	e1000 := call{"device_add", map[string]any{"driver": "e1000", "id": "nic-1", "mac": "fa:16:3e:00:00:01"}}
	for _, tc := range []struct {
		name    string
		nic     NIC
		fail    map[string]int
		wantErr bool
		want    []call
	}{
		{name: "plugged", nic: nic, want: []call{netdevAdd, deviceAdd}},
		{name: "device_add fails: backend removed", nic: nic, fail: map[string]int{"device_add": always}, wantErr: true,
			want: []call{netdevAdd, deviceAdd, netdevDel}},
		{name: "netdev_add fails: no device", nic: nic, fail: map[string]int{"netdev_add": always}, wantErr: true,
			want: []call{netdevAdd}},
		{name: "no tap, not virtio: no backend, no host_mtu", nic: NIC{ID: "nic-1", Driver: "e1000", MAC: "fa:16:3e:00:00:01", MTU: 1450},
			want: []call{e1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, calls := recorder(t, tc.fail, true)
			err := q.AddNIC(t.Context(), tc.nic)
			if (err != nil) != tc.wantErr {
				t.Fatalf("AddNIC = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, calls()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDelNIC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hasTap   bool
		release  bool
		fail     map[string]int
		released bool // the error is not ErrNotReleased
		wantErr  bool
		want     []call
		// timeout is DelNIC's (300 ms when zero). The refusals are
		// retried every 100 ms: a case that must succeed after two of
		// them gets room to spare, so that a busy machine's late timer
		// does not end it first.
		timeout time.Duration
		// retried: want is the shortest sequence; as many more
		// device_del calls as fit in the timeout may come first.
		retried bool
	}{
		{name: "released", hasTap: true, release: true, want: []call{deviceDel, netdevDel}},
		{name: "released, no tap", release: true, want: []call{deviceDel}},
		{name: "guest keeps it: backend kept", hasTap: true, wantErr: true, want: []call{deviceDel}},
		{name: "device_del refused: tried until the timeout", hasTap: true, fail: map[string]int{"device_del": always},
			released: true, wantErr: true, want: []call{deviceDel, deviceDel}, retried: true},
		{name: "slot busy a moment after its hot-plug", hasTap: true, release: true, fail: map[string]int{"device_del": 2},
			want: []call{deviceDel, deviceDel, deviceDel, netdevDel}, timeout: 5 * time.Second},
		{name: "device gone already: backend removed", hasTap: true, fail: map[string]int{"gone": always},
			want: []call{deviceDel, netdevDel}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, calls := recorder(t, tc.fail, tc.release)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 300 * time.Millisecond
			}
			start := time.Now()
			err := q.DelNIC(t.Context(), "nic-1", tc.hasTap, timeout)
			if took := time.Since(start); tc.retried && took < timeout {
				t.Errorf("DelNIC gave up after %v, before its timeout %v", took, timeout)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("DelNIC = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && errors.Is(err, ErrNotReleased) == tc.released {
				t.Errorf("DelNIC = %v; wraps ErrNotReleased: %v, want %v", err, !tc.released, !tc.released)
			}
			got := calls()
			if tc.retried && len(got) > len(tc.want) && !slices.ContainsFunc(got, func(c call) bool { return !reflect.DeepEqual(c, deviceDel) }) {
				got = got[:len(tc.want)]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFreePort(t *testing.T) {
	for _, tc := range []struct {
		ports []string
		want  string
	}{
		{[]string{"hp0", "hp1", "hp2"}, "hp1"},
		{[]string{"hp3", "hp2", "hp1"}, "hp2"}, // hp3 does not exist; hp2 has no device list: empty
		{[]string{"hp0", "scsi0", "hp9"}, ""},
	} {
		q, _ := recorder(t, nil, false)
		got, err := q.FreePort(t.Context(), tc.ports)
		if err != nil || got != tc.want {
			t.Errorf("FreePort(%v) = %q, %v; want %q", tc.ports, got, err, tc.want)
		}
	}
}
