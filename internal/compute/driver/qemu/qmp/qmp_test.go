package qmp

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeQEMU serves one QMP client on a unix socket at sock: the greeting,
// capabilities negotiation, then answers from handle, which returns the
// lines to write (replies and events) for each command.
func fakeQEMU(t *testing.T, sock string, handle func(cmd string, id json.RawMessage, args json.RawMessage) []string) {
	t.Helper()
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
		c.Write([]byte(`{"QMP":{"version":{},"capabilities":[]}}` + "\n"))
		r := bufio.NewScanner(c)
		for r.Scan() {
			var m struct {
				Execute   string          `json:"execute"`
				ID        json.RawMessage `json:"id"`
				Arguments json.RawMessage `json:"arguments"`
			}
			if json.Unmarshal(r.Bytes(), &m) != nil {
				return
			}
			if m.Execute == "qmp_capabilities" {
				// An event before the answer, as QEMU may send one.
				c.Write([]byte(`{"event":"NIC_RX_FILTER_CHANGED","data":{}}` + "\n" + `{"return":{}}` + "\n"))
				continue
			}
			if m.Execute == "quit" {
				c.Write([]byte(`{"return":{},"id":` + string(m.ID) + "}\n"))
				return
			}
			for _, line := range handle(m.Execute, m.ID, m.Arguments) {
				c.Write([]byte(line + "\n"))
			}
		}
	}()
}

func TestConn(t *testing.T) {
	// A socket path longer than unix sockets allow is reached through
	// /proc/self/fd of its directory; the server binds it the same way.
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 90))
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "qmp.sock")
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fakeQEMU(t, "/proc/self/fd/"+strconv.Itoa(int(d.Fd()))+"/qmp.sock", func(cmd string, id, args json.RawMessage) []string {
		switch cmd {
		case "query-status":
			return []string{`{"return":{"status":"running","running":true},"id":` + string(id) + `}`}
		case "device_del":
			var a struct {
				ID string `json:"id"`
			}
			json.Unmarshal(args, &a)
			return []string{
				`{"return":{},"id":` + string(id) + `}`,
				`{"event":"DEVICE_DELETED","data":{"device":"other"}}`,
				`{"event":"DEVICE_DELETED","data":{"device":"` + a.ID + `"}}`,
			}
		case "query-vnc":
			return []string{`{"return":{"enabled":true,"host":"127.0.0.1","service":"5901"},"id":` + string(id) + `}`}
		}
		return []string{`{"error":{"class":"CommandNotFound","desc":"The command ` + cmd + ` has not been found"},"id":` + string(id) + `}`}
	})
	events := make(chan Event, 16)
	q, err := Dial(t.Context(), sock, func(ev Event) { events <- ev })
	if err != nil {
		t.Fatal(err)
	}
	if st, err := q.Status(t.Context()); err != nil || st != "running" {
		t.Errorf("Status = %q, %v; want running", st, err)
	}
	var qe *Error
	if err := q.Run(t.Context(), "no-such-command", nil, nil); !errors.As(err, &qe) || qe.Class != "CommandNotFound" || qe.Command != "no-such-command" {
		t.Errorf("an unknown command: %v, want a CommandNotFound Error naming it", err)
	}
	if err := q.DeviceDel(t.Context(), "vol-1", 5*time.Second); err != nil {
		t.Errorf("DeviceDel: %v", err)
	}
	if v, err := q.VNC(t.Context()); err != nil || !v.Enabled || v.Service != "5901" {
		t.Errorf("VNC = %+v, %v", v, err)
	}
	select {
	case ev := <-events:
		if ev.Name != "DEVICE_DELETED" {
			t.Errorf("first event after negotiation = %s, want DEVICE_DELETED", ev.Name)
		}
	case <-time.After(5 * time.Second):
		t.Error("events are not passed to the callback")
	}
	// QEMU exiting ends the connection: Done closes, commands fail.
	q.Run(t.Context(), "quit", nil, nil)
	select {
	case <-q.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the monitor went away")
	}
	if err := q.Run(t.Context(), "query-status", nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after the end = %v, want ErrClosed", err)
	}
	q.Close()
}
