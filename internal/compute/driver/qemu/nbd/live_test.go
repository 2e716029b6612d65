package nbd

import (
	"bufio"
	"encoding/json"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// qemu91 is a fake source QEMU with the QMP schema of QEMU 9.1, which
// removed block migration: migrate refuses "blk" and "inc", and the
// "block" capability is gone. It records the commands it ran; its mirror
// jobs are ready at once, or fail when failJob is set.
type qemu91 struct {
	mu      sync.Mutex
	cmds    []string
	args    map[string][]map[string]any
	jobs    map[string]string // id → status
	failJob bool
}

func (f *qemu91) handle(cmd string, args map[string]any) (ret any, errDesc string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, cmd)
	f.args[cmd] = append(f.args[cmd], args)
	switch cmd {
	case "blockdev-add", "blockdev-del", "cont":
	case "blockdev-mirror":
		if args["copy-mode"] != "write-blocking" {
			// Not an error of QEMU's: the test's own check, reported as one.
			return nil, "mirror without write-blocking"
		}
		f.jobs[args["job-id"].(string)] = "ready"
	case "query-jobs":
		var out []map[string]any
		for id, st := range f.jobs {
			j := map[string]any{"id": id, "status": st, "type": "mirror"}
			if f.failJob {
				j["status"], j["error"] = "concluded", "Input/output error"
			}
			out = append(out, j)
		}
		return out, ""
	case "migrate":
		for _, k := range []string{"blk", "inc"} {
			if _, ok := args[k]; ok {
				return nil, "Parameter '" + k + "' is unexpected"
			}
		}
	case "migrate-set-capabilities":
		return nil, "Invalid parameter 'block'"
	case "query-migrate":
		return map[string]any{"status": "completed"}, ""
	case "query-status":
		return map[string]any{"status": "postmigrate"}, ""
	case "block-job-cancel":
		f.jobs[args["device"].(string)] = "concluded"
	case "job-dismiss":
		delete(f.jobs, args["id"].(string))
	default:
		return nil, "The command " + cmd + " has not been found"
	}
	return map[string]any{}, ""
}

// serve answers one QMP client on a unix socket under dir.
func (f *qemu91) serve(t *testing.T) *qmp.Conn {
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
		c.Write([]byte(`{"QMP":{"version":{},"capabilities":[]}}` + "\n"))
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			var m struct {
				Execute   string          `json:"execute"`
				ID        json.RawMessage `json:"id"`
				Arguments map[string]any  `json:"arguments"`
			}
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				return
			}
			if m.Execute == "qmp_capabilities" {
				c.Write([]byte(`{"return":{}}` + "\n"))
				continue
			}
			ret, desc := f.handle(m.Execute, m.Arguments)
			reply := map[string]any{"id": m.ID, "return": ret}
			if desc != "" {
				reply = map[string]any{"id": m.ID, "error": map[string]any{"class": "GenericError", "desc": desc}}
			}
			b, _ := json.Marshal(reply)
			c.Write(append(b, '\n'))
		}
	}()
	q, err := qmp.Dial(t.Context(), sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// TestMigrateQEMU91: the source's side of a live migration runs on a
// QEMU without block migration: every writable drive is mirrored into
// the destination's export (the root disk's overlay only), the memory
// sent with a plain migrate, and the mirrors ended once it completed;
// a mirror that fails stops the migration before any memory moves and
// the guest goes on.
func TestMigrateQEMU91(t *testing.T) {
	dest := instdir.Handover{Mirror: "127.0.0.1:10809", Drives: map[string]string{
		instdir.RootDrive: "tok-drive-root", instdir.EphDrive: "tok-drive-eph0"}}
	drives := []string{instdir.RootDrive, instdir.EphDrive}

	f := &qemu91{args: map[string][]map[string]any{}, jobs: map[string]string{}}
	q := f.serve(t)
	waited := false
	if err := Migrate(t.Context(), q, drives, "qcow2", dest, "127.0.0.1:4444", true, func() error { waited = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if !waited {
		t.Error("Migrate did not wait for the memory")
	}
	syncs := map[string]string{}
	for _, a := range f.args["blockdev-mirror"] {
		syncs[a["device"].(string)] = a["sync"].(string)
	}
	if syncs[instdir.RootDrive] != "top" || syncs[instdir.EphDrive] != "full" {
		t.Errorf("mirror sync modes = %v, want the root disk's top only, the rest full", syncs)
	}
	if got := f.args["migrate"]; len(got) != 1 || got[0]["uri"] != "tcp:127.0.0.1:4444" {
		t.Errorf("migrate = %v", got)
	}
	// The mirrors end after the memory moved, and nothing is left.
	migrated, cancelled := slices.Index(f.cmds, "migrate"), slices.Index(f.cmds, "block-job-cancel")
	if cancelled < migrated || len(f.args["block-job-cancel"]) != 2 || len(f.jobs) != 0 || len(f.args["blockdev-del"]) != 2 {
		t.Errorf("commands %v; jobs left %v", f.cmds, f.jobs)
	}
	for _, a := range f.args["block-job-cancel"] {
		if a["force"] != false {
			t.Errorf("a mirror ended with force after the migration: %v", a)
		}
	}

	// A failed mirror: no memory moves, the guest continues.
	f2 := &qemu91{args: map[string][]map[string]any{}, jobs: map[string]string{}, failJob: true}
	q2 := f2.serve(t)
	err := Migrate(t.Context(), q2, drives, "qcow2", dest, "127.0.0.1:4444", true, func() error { return nil })
	if err == nil || !strings.Contains(err.Error(), "Input/output error") {
		t.Errorf("Migrate with a failing mirror = %v, want QEMU's reason", err)
	}
	if slices.Contains(f2.cmds, "migrate") {
		t.Errorf("memory sent though a mirror failed: %v", f2.cmds)
	}

	// A destination that takes no copy of a drive is refused.
	f3 := &qemu91{args: map[string][]map[string]any{}, jobs: map[string]string{}}
	if err := Migrate(t.Context(), f3.serve(t), []string{instdir.RootDrive, instdir.SwapDrive}, "raw", dest, "x:1", true, func() error { return nil }); err == nil {
		t.Error("Migrate without an export for the swap disk succeeded")
	}
}
