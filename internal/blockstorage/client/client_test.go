package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// volume stores an available volume of token's project on the backend
// double's pool.
func volume(t *testing.T, c *bstest.Cloud, token string, multiattach bool) string {
	t.Helper()
	id := uuid.NewString()
	v := &blockstorage.Volume{ID: id, ProjectID: bstest.Project(token), UserID: "u-" + token, SizeGB: 2,
		Status: blockstorage.StatusAvailable, AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova",
		Host: bstest.Host, ProviderLocation: "/volumes/" + id, ConsumesQuota: true, Multiattach: multiattach, Bootable: true,
		ImageMetadata: map[string]string{"image_id": "img", "min_ram": "64"}}
	err := c.Svc.Store().Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateVolume(ctx, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Nova's attach and detach through the client, against the service.
func TestAttachFlow(t *testing.T) {
	c := bstest.Start(t, "alice")
	vol := volume(t, c, "alice", false)
	ctx := context.Background()
	for _, base := range []string{c.URL, c.URL + "/v3", c.URL + "/v3/p-alice/"} {
		t.Run(base, func(t *testing.T) {
			cl := client.New(base, nil)
			server := uuid.NewString()
			a, err := cl.AttachmentCreate(ctx, "alice", vol, server, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != "reserved" || a.Instance != server || a.VolumeID != vol || a.Connection != nil {
				t.Errorf("create: %+v", a)
			}
			// A second reservation is refused with Cinder's message.
			_, err = cl.AttachmentCreate(ctx, "alice", vol, uuid.NewString(), nil)
			if e, ok := apierr.As(err); !ok || e.Code != 400 || e.Type != "badRequest" ||
				e.Message != "Invalid volume: Volume "+vol+" status must be available to reserve, but the current status is reserved." {
				t.Errorf("second create: %v", err)
			}
			a, err = cl.AttachmentUpdate(ctx, "alice", a.ID, map[string]any{"host": "compute1"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != "attaching" || a.Connection == nil || a.Connection.DriverVolumeType != "file" ||
				a.Connection.Data["device_path"] != "/volumes/"+vol || a.Connection.Data["access_mode"] != "rw" ||
				a.ConnectionInfo["attachment_id"] != a.ID {
				t.Errorf("update: %+v (connection %+v)", a, a.Connection)
			}
			if _, ok := a.Connection.Data["attachment_id"]; ok {
				t.Errorf("nested data keeps attachment_id: %v", a.Connection.Data)
			}
			if err := cl.AttachmentComplete(ctx, "alice", a.ID); err != nil {
				t.Fatal(err)
			}
			got, err := cl.GetAttachment(ctx, "alice", a.ID)
			if err != nil || got.Status != "attached" || got.AttachMode != "rw" {
				t.Errorf("show: %+v, %v", got, err)
			}
			l, err := cl.ListAttachments(ctx, "alice", nil)
			if err != nil || len(l) != 1 || l[0].ID != a.ID {
				t.Errorf("list: %v, %v", l, err)
			}
			v, err := cl.GetVolume(ctx, "alice", vol)
			if err != nil {
				t.Fatal(err)
			}
			if v.ID != vol || v.Status != "in-use" || v.Size != 2 || !v.Bootable || v.AvailabilityZone != "nova" ||
				v.ImageMetadata["min_ram"] != "64" {
				t.Errorf("volume: %+v", v)
			}
			if err := cl.AttachmentDelete(ctx, "alice", a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.GetAttachment(ctx, "alice", a.ID); !apierr.IsNotFound(err) {
				t.Errorf("show after delete: %v, want 404", err)
			}
			// The legacy reservation.
			if err := cl.ReserveVolume(ctx, "alice", vol); err != nil {
				t.Fatal(err)
			}
			if v, _ := cl.GetVolume(ctx, "alice", vol); v.Status != "attaching" {
				t.Errorf("after reserve: %s", v.Status)
			}
			if err := cl.UnreserveVolume(ctx, "alice", vol); err != nil {
				t.Fatal(err)
			}
			if v, _ := cl.GetVolume(ctx, "alice", vol); v.Status != "available" {
				t.Errorf("after unreserve: %s", v.Status)
			}
		})
	}
}

// Errors keep Cinder's status, fault name and message.
func TestErrors(t *testing.T) {
	c := bstest.Start(t, "alice")
	cl := client.New(c.URL, nil)
	ctx := context.Background()
	id := uuid.NewString()
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		typ    string
		msg    string
	}{
		{"unknown volume", func() error { _, err := cl.GetVolume(ctx, "alice", id); return err }, 404, "itemNotFound", "Volume " + id + " could not be found."},
		{"attach an unknown volume", func() error { _, err := cl.AttachmentCreate(ctx, "alice", id, "", nil); return err }, 404, "itemNotFound", "Volume " + id + " could not be found."},
		{"unknown attachment", func() error { return cl.AttachmentComplete(ctx, "alice", id) }, 404, "itemNotFound",
			"Volume attachment could not be found with filter: attachment_id = " + id + "."},
		{"no token", func() error { _, err := cl.GetVolume(ctx, "", id); return err }, 401, "unauthorized", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			e, ok := apierr.As(err)
			if !ok || e.Code != tc.status || e.Type != tc.typ || (tc.msg != "" && e.Message != tc.msg) {
				t.Errorf("%v (%#v), want %d %s %q", err, e, tc.status, tc.typ, tc.msg)
			}
		})
	}
}

// What the client sends and how it reads answers, for the calls whose
// service side other areas build (volume create, snapshots): against a
// recorder that answers as Cinder does.
func TestRequests(t *testing.T) {
	type seen struct {
		method, path, version, token string
		body                         map[string]any
	}
	var got seen
	answer := ""
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{method: r.Method, path: r.URL.RequestURI(), version: r.Header.Get("OpenStack-API-Version"), token: r.Header.Get("X-Auth-Token")}
		json.Unmarshal(b, &got.body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	cl := client.New(srv.URL+"/v3/p1", srv.Client())
	ctx := context.Background()
	snap := `{"snapshot": {"id": "s1", "volume_id": "v1", "status": "creating", "size": 1, "name": "n",
		"os-extended-snapshot-attributes:progress": "0%", "os-extended-snapshot-attributes:project_id": "p1", "metadata": {}}}`
	for _, tc := range []struct {
		name   string
		answer string
		status int
		call   func() (any, error)
		method string
		path   string
		body   string
		check  func(v any) bool
	}{
		{"create volume from an image", `{"volume": {"id": "v1", "status": "creating", "size": 1, "bootable": "false"}}`, 202,
			func() (any, error) {
				return cl.CreateVolume(ctx, "tok", client.CreateVolumeRequest{Size: 1, Name: "boot", ImageRef: "img", AvailabilityZone: "nova"})
			},
			"POST", "/v3/volumes", `{"volume": {"size": 1, "name": "boot", "imageRef": "img", "availability_zone": "nova"}}`,
			func(v any) bool {
				vol := v.(*client.Volume)
				return vol.ID == "v1" && vol.Status == "creating" && !vol.Bootable
			}},
		{"delete volume", ``, 202, func() (any, error) { return nil, cl.DeleteVolume(ctx, "tok", "v1") }, "DELETE", "/v3/volumes/v1", ``, nil},
		{"list volumes", `{"volumes": [{"id": "v1", "bootable": "true", "attachments": [{"id": "v1", "attachment_id": "a1", "server_id": "s", "device": "/dev/vdb"}]}]}`, 200,
			func() (any, error) { return cl.ListVolumes(ctx, "tok", map[string][]string{"all_tenants": {"1"}}) },
			"GET", "/v3/volumes/detail?all_tenants=1", ``,
			func(v any) bool {
				l := v.([]client.Volume)
				return len(l) == 1 && l[0].Bootable && l[0].Attachments[0].AttachmentID == "a1" && l[0].Attachments[0].Device == "/dev/vdb"
			}},
		{"create snapshot", snap, 202,
			func() (any, error) {
				return cl.CreateSnapshot(ctx, "tok", client.CreateSnapshotRequest{VolumeID: "v1", Name: "n", Force: true})
			},
			"POST", "/v3/snapshots", `{"snapshot": {"volume_id": "v1", "name": "n", "force": true}}`,
			func(v any) bool {
				s := v.(*client.Snapshot)
				return s.ID == "s1" && s.Progress == "0%" && s.ProjectID == "p1"
			}},
		{"get snapshot", snap, 200, func() (any, error) { return cl.GetSnapshot(ctx, "tok", "s1") }, "GET", "/v3/snapshots/s1", ``,
			func(v any) bool { return v.(*client.Snapshot).VolumeID == "v1" }},
		{"delete snapshot", ``, 202, func() (any, error) { return nil, cl.DeleteSnapshot(ctx, "tok", "s1") }, "DELETE", "/v3/snapshots/s1", ``, nil},
		{"list snapshots", `{"snapshots": [{"id": "s1"}, {"id": "s2"}]}`, 200, func() (any, error) { return cl.ListSnapshots(ctx, "tok", nil) },
			"GET", "/v3/snapshots/detail", ``, func(v any) bool { return len(v.([]client.Snapshot)) == 2 }},
		{"a body that is not Cinder's", `oops`, 500, func() (any, error) { _, err := cl.GetSnapshot(ctx, "tok", "s1"); return nil, nil_(err) },
			"GET", "/v3/snapshots/s1", ``, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer, status = tc.answer, tc.status
			v, err := tc.call()
			if err != nil {
				t.Fatal(err)
			}
			if got.method != tc.method || got.path != tc.path || got.version != "volume "+client.Version || got.token != "tok" {
				t.Errorf("sent %+v, want %s %s", got, tc.method, tc.path)
			}
			if tc.body != "" {
				var want map[string]any
				json.Unmarshal([]byte(tc.body), &want)
				if b1, b2 := mustJSON(want), mustJSON(got.body); b1 != b2 {
					t.Errorf("body %s, want %s", b2, b1)
				}
			}
			if tc.check != nil && !tc.check(v) {
				t.Errorf("answer read as %+v", v)
			}
		})
	}
}

// nil_ turns the expected error of a non-Cinder body into nil, and a
// missing or wrong one into a test failure's error.
func nil_(err error) error {
	e, ok := apierr.As(err)
	if !ok || e.Code != 500 || e.Message != "oops" {
		return &apierr.Error{Code: 0, Message: "unexpected: " + errString(err)}
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
