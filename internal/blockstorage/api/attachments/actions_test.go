package attachments_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/attachments"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
)

func action(name string, args any) map[string]any { return map[string]any{name: args} }

// The legacy flow, step by step: each action's answer and the volume's
// state after it.
func TestLegacyActions(t *testing.T) {
	c := bstest.Start(t, "alice", "bob")
	vol := volume(t, c, "alice", nil)
	path := "/v3/volumes/" + vol + "/action"
	server, other := uuid.NewString(), uuid.NewString()
	for _, tc := range []struct {
		name         string
		token        string
		body         map[string]any
		status       int
		msg          string
		vstat, astat string
	}{
		{"reserve", "alice", action("os-reserve", map[string]any{}), 202, "", "attaching", "detached"},
		{"reserve twice", "alice", action("os-reserve", nil), 400, "Volume status must be available to reserve, but the status is attaching.", "attaching", "detached"},
		{"unreserve", "alice", action("os-unreserve", map[string]any{}), 202, "", "available", "detached"},
		{"unreserve again changes nothing", "alice", action("os-unreserve", nil), 202, "", "available", "detached"},
		{"another project", "bob", action("os-reserve", map[string]any{}), 404, "could not be found", "available", "detached"},
		{"begin detaching a free volume", "alice", action("os-begin_detaching", nil), 400, "Volume status must be 'in-use'", "available", "detached"},
		{"initialize without a connector", "alice", action("os-initialize_connection", map[string]any{}), 400, "Must specify 'connector'", "available", "detached"},
		{"attach without a mountpoint", "alice", action("os-attach", map[string]any{"instance_uuid": server}), 400, "'mountpoint' is a required property", "available", "detached"},
		{"attach to nothing", "alice", action("os-attach", map[string]any{"mountpoint": "/dev/vdb"}), 400, "invalid target", "available", "detached"},
		{"attach with a bad mode", "alice", action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb", "mode": "x"}), 400, "invalid mode", "available", "detached"},
		{"attach with an unknown attribute", "alice", action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb", "x": 1}), 400, "'x' was unexpected", "available", "detached"},
		{"attach to a bad uuid", "alice", action("os-attach", map[string]any{"instance_uuid": "nope", "mountpoint": "/dev/vdb"}), 400, "InvalidUUID", "available", "detached"},
		{"reserve before attach", "alice", action("os-reserve", map[string]any{}), 202, "", "attaching", "detached"},
		{"attach", "alice", action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb"}), 202, "", "in-use", "attached"},
		{"attach again to the same server", "alice", action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb"}), 202, "", "in-use", "attached"},
		{"attach to another server", "alice", action("os-attach", map[string]any{"instance_uuid": other, "mountpoint": "/dev/vdb"}), 400,
			"Error attaching volume - InvalidVolume: Invalid volume: volume is already attached and multiple attachments are not enabled", "in-use", "attached"},
		{"begin detaching", "alice", action("os-begin_detaching", nil), 202, "", "detaching", "attached"},
		{"roll detaching", "alice", action("os-roll_detaching", nil), 202, "", "in-use", "attached"},
		{"force detach is an admin's", "alice", action("os-force_detach", map[string]any{}), 403, "", "in-use", "attached"},
		{"detach", "alice", action("os-detach", map[string]any{}), 202, "", "available", "detached"},
		{"detach a detached volume", "alice", action("os-detach", map[string]any{}), 202, "", "available", "detached"},
		{"attach to a host", "alice", action("os-attach", map[string]any{"host_name": "backup-host", "mountpoint": "/mnt"}), 202, "", "in-use", "attached"},
		{"detach by id of no attachment", "alice", action("os-detach", map[string]any{"attachment_id": uuid.NewString()}), 202, "", "in-use", "attached"},
		{"force detach by an admin", "", action("os-force_detach", map[string]any{"connector": nil}), 202, "", "available", "detached"},
	} {
		st, body := c.Call(t, tc.token, "POST", path, tc.body)
		if st != tc.status || (tc.msg != "" && !strings.Contains(fault(body), tc.msg)) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, st, fault(body), tc.status, tc.msg)
		}
		if s, a := state(t, c, vol); s != tc.vstat || a != tc.astat {
			t.Errorf("%s: volume %s/%s, want %s/%s", tc.name, s, a, tc.vstat, tc.astat)
		}
	}
	if st, _ := c.Call(t, "alice", "POST", "/v3/volumes/"+uuid.NewString()+"/action", action("os-reserve", map[string]any{})); st != 404 {
		t.Errorf("reserve of an unknown volume: %d, want 404", st)
	}
	if st, _ := c.Call(t, "alice", "POST", "/v3/volumes/xxx/action", action("os-detach", map[string]any{})); st != 404 {
		t.Errorf("detach of xxx: %d, want 404", st)
	}
}

func fault(body map[string]any) string {
	for _, v := range body {
		if m, ok := v.(map[string]any); ok {
			if s, ok := m["message"].(string); ok {
				return s
			}
		}
	}
	return ""
}

// os-initialize_connection answers the nested connection info; Tempest's
// force detach of an attached volume an admin put in error leaves it
// available; a detach of a volume with two attachments needs the id.
func TestConnectionsAndForceDetach(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", func(v *blockstorage.Volume) { v.Multiattach = true })
	path := "/v3/volumes/" + vol + "/action"
	st, body := c.Call(t, "alice", "POST", path, action("os-initialize_connection", map[string]any{"connector": connector}))
	ci, _ := body["connection_info"].(map[string]any)
	data, _ := ci["data"].(map[string]any)
	if st != 200 || ci["driver_volume_type"] != "file" || data["device_path"] != "/volumes/"+vol || data["access_mode"] != "rw" {
		t.Fatalf("initialize: %d %v", st, body)
	}
	if st, body = c.Call(t, "alice", "POST", path, action("os-terminate_connection", map[string]any{"connector": connector})); st != 202 || calls(c, "Disconnect") != 1 {
		t.Fatalf("terminate: %d %v, %d Disconnect calls", st, body, calls(c, "Disconnect"))
	}
	for range 2 {
		if st, body = c.Call(t, "alice", "POST", path, action("os-attach", map[string]any{"instance_uuid": uuid.NewString(), "mountpoint": "/dev/vdb"})); st != 202 {
			t.Fatalf("attach: %d %v", st, body)
		}
	}
	if st, body = c.Call(t, "alice", "POST", path, action("os-detach", nil)); st != 400 || !strings.Contains(fault(body), "More than one attachment") {
		t.Errorf("detach of two without an id: %d %v", st, body)
	}
	_, body = c.Call(t, "alice", "GET", "/v3/attachments?volume_id="+vol, nil, latest)
	l, _ := body["attachments"].([]any)
	if len(l) != 2 {
		t.Fatalf("attachments: %v", body)
	}
	first := l[0].(map[string]any)["id"].(string)
	if st, body = c.Call(t, "alice", "POST", path, action("os-detach", map[string]any{"attachment_id": first})); st != 202 {
		t.Fatalf("detach by id: %d %v", st, body)
	}
	wantState(t, c, vol, "in-use", "attached")
	// An admin's reset to error, then a force detach of the last one.
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		v, err := tx.GetVolume(ctx, vol)
		if err != nil {
			return err
		}
		v.Status = blockstorage.StatusError
		return tx.UpdateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	second := l[1].(map[string]any)["id"].(string)
	if st, body = c.Call(t, "", "POST", path, action("os-force_detach", map[string]any{"connector": nil, "attachment_id": second})); st != 202 {
		t.Fatalf("force detach: %d %v", st, body)
	}
	wantState(t, c, vol, "available", "detached")
	if st, body = c.Call(t, "", "POST", path, action("os-force_detach", "x")); st != 400 {
		t.Errorf("force detach with a string: %d %v, want 400", st, body)
	}
}

// A read-only volume attaches ro only.
func TestReadonlyAttach(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", func(v *blockstorage.Volume) { v.AdminMetadata = map[string]string{"readonly": "True"} })
	path := "/v3/volumes/" + vol + "/action"
	server := uuid.NewString()
	if st, body := c.Call(t, "alice", "POST", path, action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb"})); st != 400 ||
		fault(body) != "Invalid attaching mode 'rw' for volume "+vol+"." {
		t.Errorf("rw attach: %d %v", st, body)
	}
	if st, body := c.Call(t, "alice", "POST", path, action("os-attach", map[string]any{"instance_uuid": server, "mountpoint": "/dev/vdb", "mode": "ro"})); st != 202 {
		t.Errorf("ro attach: %d %v", st, body)
	}
	wantState(t, c, vol, "in-use", "attached")
}

// Repair puts back what a crash left between a connect's or a
// disconnect's two transactions, and leaves settled attachments alone.
func TestRepair(t *testing.T) {
	c := bstest.Start(t, "alice")
	conn := &blockstorage.Connection{DriverVolumeType: "file", Data: map[string]any{}}
	for _, tc := range []struct {
		name string
		att  blockstorage.Attachment
		// init is the volume's status (and attach_status) before the
		// repair.
		init, want   string
		vstat, astat string
	}{
		{"connect cut short", blockstorage.Attachment{Status: "attaching", Connector: connector}, "attaching", "reserved", "reserved", "reserved"},
		{"connected, not completed", blockstorage.Attachment{Status: "attaching", Connector: connector, Connection: conn}, "attaching", "attaching", "attaching", "attaching"},
		{"disconnect of an attached one cut short", blockstorage.Attachment{Status: "detaching", Connector: connector, Connection: conn, AttachedAt: time0()}, "detaching", "attached", "in-use", "attached"},
		{"disconnect of a connected one cut short", blockstorage.Attachment{Status: "detaching", Connector: connector, Connection: conn}, "detaching", "attaching", "attaching", "attaching"},
		{"disconnect of a reserved one cut short", blockstorage.Attachment{Status: "detaching", Connector: connector}, "detaching", "reserved", "reserved", "reserved"},
		{"attached", blockstorage.Attachment{Status: "attached", Connection: conn, AttachedAt: time0()}, "in-use", "attached", "in-use", "attached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vol := volume(t, c, "alice", func(v *blockstorage.Volume) {
				v.Status, v.AttachStatus = tc.init, tc.att.Status
				if tc.init == "in-use" {
					v.AttachStatus = "attached"
				}
			})
			a := tc.att
			a.ID, a.VolumeID, a.ProjectID, a.Mode = uuid.NewString(), vol, "p-alice", "rw"
			ctx := context.Background()
			err := c.Svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { return tx.CreateAttachment(ctx, &a) })
			if err != nil {
				t.Fatal(err)
			}
			if err := attachments.New(c.Svc).Repair(ctx); err != nil {
				t.Fatal(err)
			}
			_, body := c.Call(t, "alice", "GET", "/v3/attachments/"+a.ID, nil, latest)
			if got := attachment(body)["status"]; got != tc.want {
				t.Errorf("attachment %v, want %s", got, tc.want)
			}
			wantState(t, c, vol, tc.vstat, tc.astat)
		})
	}
}

func time0() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
