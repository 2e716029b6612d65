package api_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/policies"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
	"github.com/gostack/gostack/internal/platform/policy"
)

const testImage = "11111111-2222-3333-4444-555555555555"

// fakeConductor carries out builds and actions at once, in the store.
type fakeConductor struct{ store compute.Store }

func (c *fakeConductor) set(id string, fn func(*compute.Instance)) {
	c.store.UpdateInstance(context.Background(), id, true, func(i *compute.Instance) error { fn(i); return nil })
}

func (c *fakeConductor) Build(ctx context.Context, b compute.BuildRequest) {
	for _, id := range b.InstanceIDs {
		c.set(id, func(i *compute.Instance) {
			now := time.Now()
			i.VMState, i.TaskState, i.PowerState = compute.VMActive, "", int(driver.Running)
			i.Host, i.Node, i.LaunchedAt = "host1", "node1", &now
		})
	}
}

func (c *fakeConductor) Run(ctx context.Context, op compute.Op) {
	end := map[compute.OpKind]string{
		compute.OpStop: compute.VMStopped, compute.OpPause: compute.VMPaused, compute.OpSuspend: compute.VMSuspended,
		compute.OpRescue: compute.VMRescued, compute.OpShelve: compute.VMShelvedOf, compute.OpShelveOffload: compute.VMShelvedOf,
		compute.OpResize: compute.VMResized, compute.OpMigrate: compute.VMResized,
	}
	c.set(op.InstanceID, func(i *compute.Instance) {
		i.TaskState = ""
		if op.Kind == compute.OpDelete {
			now := time.Now()
			i.VMState, i.Deleted, i.DeletedAt, i.TerminatedAt = compute.VMDeleted, true, &now, &now
			return
		}
		if s, ok := end[op.Kind]; ok {
			i.VMState = s
		} else {
			i.VMState = compute.VMActive
		}
	})
}

func (c *fakeConductor) ConsoleOutput(ctx context.Context, inst *compute.Instance, lines int) (string, error) {
	return "login:", nil
}

func (c *fakeConductor) VNCConsole(ctx context.Context, inst *compute.Instance) (compute.ConsoleURL, error) {
	return compute.ConsoleURL{Protocol: "vnc", Type: "novnc", URL: "http://console/" + inst.ID}, nil
}

func (c *fakeConductor) Diagnostics(ctx context.Context, inst *compute.Instance) (driver.Diagnostics, error) {
	return driver.Diagnostics{State: driver.Running, Driver: "fake", NumCPUs: 1, CPUTimeNS: []int64{5}, MemoryMaxMB: 512}, nil
}

// fakeImages is an image service with one image.
type fakeImages struct {
	mu     sync.Mutex
	images map[string]compute.ImageMeta
}

func (f *fakeImages) Get(ctx context.Context, token, id string) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.images[id]
	if !ok {
		return nil, apierr.ErrNotFound
	}
	return &m, nil
}

func (f *fakeImages) Create(ctx context.Context, token string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m.ID = uuid.NewString()
	m.Status = "queued"
	f.images[m.ID] = m
	return &m, nil
}

func (f *fakeImages) Upload(ctx context.Context, token, id string, data io.Reader, size int64) error {
	return nil
}

func (f *fakeImages) Delete(ctx context.Context, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.images[id]; !ok {
		return apierr.ErrNotFound
	}
	delete(f.images, id)
	return nil
}

// List filters on name, status and properties, in id order.
func (f *fakeImages) List(ctx context.Context, token string, filters map[string]string) ([]compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []compute.ImageMeta
	for _, id := range slices.Sorted(maps.Keys(f.images)) {
		m := f.images[id]
		ok := true
		for k, v := range filters {
			switch k {
			case "name":
				ok = ok && m.Name == v
			case "status":
				ok = ok && m.Status == v
			case "updated_at":
			default:
				ok = ok && m.Properties[k] == v
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeImages) UpdateProperties(ctx context.Context, token, id string, set map[string]string, remove []string) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.images[id]
	if !ok {
		return nil, apierr.ErrNotFound
	}
	props := maps.Clone(m.Properties)
	if props == nil {
		props = map[string]string{}
	}
	maps.Copy(props, set)
	for _, k := range remove {
		delete(props, k)
	}
	m.Properties = props
	f.images[id] = m
	return &m, nil
}

func setupServers(t *testing.T) *apitest.Server {
	t.Helper()
	srv, _ := setupServersWith(t, "")
	return srv
}

// setupServersWith is setupServers with the operator's policy file
// (compute.yaml) holding policyFile when it is not empty; it returns the
// store too, for tests that add hosts.
func setupServersWith(t *testing.T, policyFile string) (*apitest.Server, *cstore.Store) {
	t.Helper()
	st := cstore.New(dbtest.Open(t))
	deps := compute.Deps{
		Conductor: &fakeConductor{store: st},
		Images: &fakeImages{images: map[string]compute.ImageMeta{testImage: {
			ID: testImage, Name: "cirros", Status: "active", DiskFormat: "qcow2", ContainerFormat: "bare",
			Visibility: "public", Size: 1 << 20,
		}}},
	}
	path := ""
	if policyFile != "" {
		path = filepath.Join(t.TempDir(), "compute.yaml")
		if err := os.WriteFile(path, []byte(policyFile), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pol, err := policy.Load(policies.Defaults(), path)
	if err != nil {
		t.Fatal(err)
	}
	v := apitest.Tokens("user", "other")
	// A reader of the user's project: it may look, not act.
	v["reader"] = &auth.Credentials{UserID: "u-reader", ProjectID: "p-user", Roles: []string{"reader"}}
	srv := serve(t, st, deps, pol, v)
	srv.Run(t, []apitest.Step{{Name: "flavor", Method: "POST", Path: "/v2.1/flavors", Body: `{"flavor":{"name":"m1.tiny","id":"1","ram":512,"vcpus":1,"disk":1}}`, Status: 200}})
	return srv, st
}

// call makes one request, its microversion in OpenStack-API-Version,
// and decodes the answer.
func call(t *testing.T, srv *apitest.Server, tok, ver, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := apitest.Request{Method: method, Path: path, Token: tok}
	if body != "" {
		req.Body = body
	}
	if ver != "" {
		req.Header = []string{"OpenStack-API-Version", "compute " + ver}
	}
	r := srv.Do(t, req)
	m := r.JSON()
	if len(r.Body) > 0 && m == nil {
		t.Fatalf("%s %s: invalid JSON %q", method, path, r.Body)
	}
	return r.Status, m, r.Header
}

func createServer(t *testing.T, srv *apitest.Server, tok, ver, extra string) string {
	t.Helper()
	body := `{"server":{"name":"vm1","imageRef":"` + testImage + `","flavorRef":"1"` + extra + `}}`
	code, m, hdr := call(t, srv, tok, ver, "POST", "/v2.1/servers", body)
	if code != 202 {
		t.Fatalf("create = %d: %v", code, m)
	}
	s := m["server"].(map[string]any)
	id := s["id"].(string)
	if hdr.Get("Location") != srv.URL+"/v2.1/servers/"+id {
		t.Fatalf("Location = %q", hdr.Get("Location"))
	}
	if s["adminPass"] == "" || s["OS-DCF:diskConfig"] != "MANUAL" {
		t.Fatalf("create body %v", s)
	}
	return id
}

func TestServerSchemas(t *testing.T) {
	srv := setupServers(t)
	img := `"imageRef":"` + testImage + `","flavorRef":"1"`
	srv.Run(t, []apitest.Step{
		{Name: "no networks 2.37", Token: "user", Version: "2.37", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `}}`, Status: 400, Contains: []string{`'networks' is a required property`}},
		{Name: "bad networks 2.37", Token: "user", Version: "2.37", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"some"}}`, Status: 400},
		{Name: "unknown field", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"color":"red"}}`, Status: 400, Contains: []string{`Additional properties are not allowed ('color' was unexpected)`}},
		{Name: "description before 2.19", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"description":"d"}}`, Status: 400, Contains: []string{`'description' was unexpected`}},
		{Name: "tags before 2.52", Token: "user", Version: "2.51", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"none","tags":["x"]}}`, Status: 400},
		{Name: "personality gone 2.57", Token: "user", Version: "2.57", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"none","personality":[]}}`, Status: 400},
		{Name: "leading space", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":" a",` + img + `}}`, Status: 400},
		{Name: "no name", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{` + img + `}}`, Status: 400, Contains: []string{`'name' is a required property`}},
		{Name: "bad accessIPv4", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"accessIPv4":"1.2.3"}}`, Status: 400},
		{Name: "bad user_data", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"user_data":"!!!"}}`, Status: 400},
		{Name: "bad metadata key", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"metadata":{"a/b":"c"}}}`, Status: 400},
		{Name: "min > max", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"min_count":3,"max_count":2}}`, Status: 400},
		{Name: "no image", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a","flavorRef":"1"}}`, Status: 400, Contains: []string{`Missing imageRef attribute`}},
		{Name: "bad hint", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `},"os:scheduler_hints":{"group":"nope"}}`, Status: 400},
		{Name: "host needs 2.74", Token: "admin", Version: "2.73", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"none","host":"h"}}`, Status: 400},
		{Name: "host is admin's", Token: "user", Version: "2.74", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"none","host":"h"}}`, Status: 403},
		{Name: "hostname 2.90", Token: "user", Version: "2.90", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `,"networks":"none","hostname":"-bad"}}`, Status: 400},
		{Name: "malformed", Token: "user", Method: "POST", Path: "/v2.1/servers", Body: `{"server":`, Status: 400, Contains: []string{`Malformed request body`}},
		{Name: "reader cannot create", Token: "reader", Method: "POST", Path: "/v2.1/servers", Body: `{"server":{"name":"a",` + img + `}}`, Status: 403},
		{Name: "bad limit", Token: "user", Method: "GET", Path: "/v2.1/servers?limit=x", Status: 400},
		{Name: "bad status 2.38", Token: "user", Version: "2.38", Method: "GET", Path: "/v2.1/servers?status=FOO", Status: 400, Contains: []string{"Invalid status value"}},
		{Name: "bad status 2.37", Token: "user", Version: "2.37", Method: "GET", Path: "/v2.1/servers?status=FOO", Status: 200, Contains: []string{`{"servers":[]}`}},
		{Name: "all_tenants is admin's", Token: "user", Method: "GET", Path: "/v2.1/servers?all_tenants=1", Status: 403},
		{Name: "user sort by host", Token: "user", Method: "GET", Path: "/v2.1/servers?sort_key=host", Status: 403},
		{Name: "bad sort key", Token: "user", Method: "GET", Path: "/v2.1/servers?sort_key=color", Status: 400},
		{Name: "ignored sort key", Token: "user", Method: "GET", Path: "/v2.1/servers?sort_key=vcpus", Status: 200},
		{Name: "ignored sort key 2.75", Token: "user", Version: "2.75", Method: "GET", Path: "/v2.1/servers?sort_key=vcpus", Status: 400},
		{Name: "unknown query 2.75", Token: "user", Version: "2.75", Method: "GET", Path: "/v2.1/servers?color=red", Status: 400},
		{Name: "unknown query 2.74", Token: "user", Version: "2.74", Method: "GET", Path: "/v2.1/servers?color=red", Status: 200},
		{Name: "bad marker", Token: "user", Method: "GET", Path: "/v2.1/servers?marker=" + testImage, Status: 400, Contains: []string{"marker [" + testImage + "] not found"}},
		{Name: "missing server", Token: "user", Method: "GET", Path: "/v2.1/servers/" + testImage, Status: 404},
		{Name: "missing server action", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"os-stop":null}`, Status: 404},
		{Name: "unknown action", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"dance":null}`, Status: 400, Contains: []string{"There is no such action: dance"}},
		{Name: "two actions", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"os-stop":null,"os-start":null}`, Status: 400},
		{Name: "bad reboot", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"reboot":{"type":"WARM"}}`, Status: 400},
		{Name: "crash dump before 2.17", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"trigger_crash_dump":null}`, Status: 404},
		{Name: "vnc after 2.5", Token: "user", Version: "2.6", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"os-getVNCConsole":{"type":"novnc"}}`, Status: 404},
		{Name: "live migrate force gone 2.68", Token: "admin", Version: "2.68", Method: "POST", Path: "/v2.1/servers/" + testImage + "/action", Body: `{"os-migrateLive":{"host":null,"block_migration":"auto","force":false}}`, Status: 400},
		{Name: "remote console before 2.6", Token: "user", Method: "POST", Path: "/v2.1/servers/" + testImage + "/remote-consoles", Body: `{"remote_console":{"protocol":"vnc","type":"novnc"}}`, Status: 404},
		{Name: "tags before 2.26", Token: "user", Method: "GET", Path: "/v2.1/servers/" + testImage + "/tags", Status: 404},
	})
}

func TestServerRoundTrip(t *testing.T) {
	srv := setupServers(t)
	id := createServer(t, srv, "user", "2.1", "")
	sp := "/v2.1/servers/" + id
	srv.Run(t, []apitest.Step{
		{Name: "show 2.1", Token: "user", Method: "GET", Path: sp, Status: 200,
			Contains: []string{`"status":"ACTIVE"`, `"flavor":{"id":"1"`, `"OS-EXT-STS:vm_state":"active"`, `"config_drive":""`, `"progress":0`, `"security_groups":[{"name":"default"}]`},
			Lacks:    []string{`OS-EXT-SRV-ATTR`, `"locked"`, `"host_status"`}},
		{Name: "show 2.92 admin", Token: "admin", Version: "2.92", Method: "GET", Path: sp, Status: 200,
			Contains: []string{`"original_name":"m1.tiny"`, `"extra_specs":{}`, `"OS-EXT-SRV-ATTR:host":"host1"`, `"OS-EXT-SRV-ATTR:hostname":"vm1"`, `"locked":false`, `"locked_reason":null`, `"tags":[]`, `"server_groups":[]`, `"trusted_image_certificates":null`, `"host_status"`}},
		{Name: "show 2.90 user hostname", Token: "user", Version: "2.90", Method: "GET", Path: sp, Status: 200, Contains: []string{`"OS-EXT-SRV-ATTR:hostname":"vm1"`}, Lacks: []string{`OS-EXT-SRV-ATTR:host"`, `"host_status"`}},
		{Name: "other project 404", Token: "other", Method: "GET", Path: sp, Status: 404},
		{Name: "list", Token: "user", Method: "GET", Path: "/v2.1/servers", Status: 200, Contains: []string{`"id":"` + id + `"`, `"name":"vm1"`}, Lacks: []string{`"status"`}},
		{Name: "detail", Token: "user", Method: "GET", Path: "/v2.1/servers/detail?name=vm", Status: 200, Contains: []string{`"status":"ACTIVE"`}},
		{Name: "list limit", Token: "user", Method: "GET", Path: "/v2.1/servers?limit=1", Status: 200, Contains: []string{`"servers_links"`}},
		{Name: "admin all_tenants", Token: "admin", Method: "GET", Path: "/v2.1/servers?all_tenants", Status: 200, Contains: []string{id}},
		{Name: "admin own project only", Token: "admin", Method: "GET", Path: "/v2.1/servers", Status: 200, Lacks: []string{id}},
		{Name: "update", Token: "user", Version: "2.19", Method: "PUT", Path: sp, Body: `{"server":{"name":"vm2","description":"d"}}`, Status: 200, Contains: []string{`"name":"vm2"`, `"description":"d"`}, Lacks: []string{`"OS-EXT-STS:vm_state"`}},
		{Name: "update 2.75 full", Token: "user", Version: "2.75", Method: "PUT", Path: sp, Body: `{"server":{"accessIPv4":"10.0.0.1"}}`, Status: 200, Contains: []string{`"accessIPv4":"10.0.0.1"`, `"OS-EXT-STS:vm_state"`}},
		{Name: "update unknown", Token: "user", Method: "PUT", Path: sp, Body: `{"server":{"color":"red"}}`, Status: 400},
		{Name: "reader cannot stop", Token: "reader", Method: "POST", Path: sp + "/action", Body: `{"os-stop":null}`, Status: 403},
		{Name: "stop", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"os-stop":null}`, Status: 202},
		{Name: "stopped", Token: "user", Method: "GET", Path: sp, Status: 200, Contains: []string{`"status":"SHUTOFF"`}},
		{Name: "start", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"os-start":null}`, Status: 202},
		{Name: "reboot", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"reboot":{"type":"soft"}}`, Status: 202},
		{Name: "console output", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"os-getConsoleOutput":{"length":5}}`, Status: 200, Contains: []string{`{"output":"login:"}`}},
		{Name: "vnc 2.5", Token: "user", Version: "2.5", Method: "POST", Path: sp + "/action", Body: `{"os-getVNCConsole":{"type":"novnc"}}`, Status: 200, Contains: []string{`"console":{"type":"novnc","url":"http://console/`}},
		{Name: "remote console", Token: "user", Version: "2.6", Method: "POST", Path: sp + "/remote-consoles", Body: `{"remote_console":{"protocol":"vnc","type":"novnc"}}`, Status: 200, Contains: []string{`"protocol":"vnc"`}},
		{Name: "lock reason", Token: "user", Version: "2.73", Method: "POST", Path: sp + "/action", Body: `{"lock":{"locked_reason":"why"}}`, Status: 202},
		{Name: "locked", Token: "user", Version: "2.73", Method: "GET", Path: sp, Status: 200, Contains: []string{`"locked":true`, `"locked_reason":"why"`}},
		{Name: "unlock", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"unlock":null}`, Status: 202},
		{Name: "user cannot reset", Token: "user", Method: "POST", Path: sp + "/action", Body: `{"os-resetState":{"state":"error"}}`, Status: 403},
		{Name: "reset state", Token: "admin", Method: "POST", Path: sp + "/action", Body: `{"os-resetState":{"state":"active"}}`, Status: 202},
		{Name: "create image 2.45", Token: "user", Version: "2.45", Method: "POST", Path: sp + "/action", Body: `{"createImage":{"name":"snap"}}`, Status: 202, Contains: []string{`"image_id"`}},
		{Name: "diagnostics is admin's", Token: "user", Method: "GET", Path: sp + "/diagnostics", Status: 403},
		{Name: "diagnostics 2.48", Token: "admin", Version: "2.48", Method: "GET", Path: sp + "/diagnostics", Status: 200, Contains: []string{`"driver":"libvirt"`, `"state":"running"`}},
		{Name: "diagnostics 2.1", Token: "admin", Method: "GET", Path: sp + "/diagnostics", Status: 200, Contains: []string{`"cpu0_time":5`}},

		{Name: "metadata set", Token: "user", Method: "POST", Path: sp + "/metadata", Body: `{"metadata":{"a":"1","b":"2"}}`, Status: 200, Contains: []string{`"a":"1"`, `"b":"2"`}},
		{Name: "metadata replace", Token: "user", Method: "PUT", Path: sp + "/metadata", Body: `{"metadata":{"c":"3"}}`, Status: 200, Contains: []string{`{"metadata":{"c":"3"}}`}},
		{Name: "metadata item", Token: "user", Method: "GET", Path: sp + "/metadata/c", Status: 200, Contains: []string{`{"meta":{"c":"3"}}`}},
		{Name: "metadata item mismatch", Token: "user", Method: "PUT", Path: sp + "/metadata/c", Body: `{"meta":{"d":"4"}}`, Status: 400, Contains: []string{"Request body and URI mismatch"}},
		{Name: "metadata item put", Token: "user", Method: "PUT", Path: sp + "/metadata/d", Body: `{"meta":{"d":"4"}}`, Status: 200},
		{Name: "metadata delete", Token: "user", Method: "DELETE", Path: sp + "/metadata/c", Status: 204},
		{Name: "metadata missing", Token: "user", Method: "GET", Path: sp + "/metadata/c", Status: 404},
		{Name: "metadata list", Token: "reader", Method: "GET", Path: sp + "/metadata", Status: 200, Contains: []string{`{"metadata":{"d":"4"}}`}},

		{Name: "tag add", Token: "user", Version: "2.26", Method: "PUT", Path: sp + "/tags/t1", Status: 201},
		{Name: "tag add again", Token: "user", Version: "2.26", Method: "PUT", Path: sp + "/tags/t1", Status: 204},
		{Name: "tag check", Token: "user", Version: "2.26", Method: "GET", Path: sp + "/tags/t1", Status: 204},
		{Name: "tag missing", Token: "user", Version: "2.26", Method: "GET", Path: sp + "/tags/t2", Status: 404},
		{Name: "tags replace", Token: "user", Version: "2.26", Method: "PUT", Path: sp + "/tags", Body: `{"tags":["x","y"]}`, Status: 200, Contains: []string{`"x"`, `"y"`}},
		{Name: "tags filter", Token: "user", Version: "2.26", Method: "GET", Path: "/v2.1/servers?tags=x", Status: 200, Contains: []string{id}},
		{Name: "tags delete", Token: "user", Version: "2.26", Method: "DELETE", Path: sp + "/tags", Status: 204},
		{Name: "tags list", Token: "user", Version: "2.26", Method: "GET", Path: sp + "/tags", Status: 200, Contains: []string{`{"tags":[]}`}},

		{Name: "ips", Token: "user", Method: "GET", Path: sp + "/ips", Status: 200, Contains: []string{`{"addresses":{}}`}},
		{Name: "ips net", Token: "user", Method: "GET", Path: sp + "/ips/private", Status: 404},
		{Name: "password", Token: "user", Method: "GET", Path: sp + "/os-server-password", Status: 200, Contains: []string{`{"password":""}`}},
		{Name: "interfaces", Token: "user", Method: "GET", Path: sp + "/os-interface", Status: 200, Contains: []string{`{"interfaceAttachments":[]}`}},
		{Name: "attach interface", Token: "user", Method: "POST", Path: sp + "/os-interface", Body: `{"interfaceAttachment":{}}`, Status: 400, Contains: []string{"network service is not available"}},
		{Name: "volumes", Token: "user", Method: "GET", Path: sp + "/os-volume_attachments", Status: 200, Contains: []string{`{"volumeAttachments":[]}`}},
		{Name: "topology", Token: "user", Version: "2.78", Method: "GET", Path: sp + "/topology", Status: 200, Contains: []string{`"pagesize_kb":null`}},

		{Name: "actions", Token: "user", Method: "GET", Path: sp + "/os-instance-actions", Status: 200, Contains: []string{`"action":"create"`, `"action":"stop"`}},
		{Name: "actions paged", Token: "user", Version: "2.58", Method: "GET", Path: sp + "/os-instance-actions?limit=1", Status: 200, Contains: []string{`"links"`, `"updated_at"`}},
		{Name: "external events", Token: "admin", Method: "POST", Path: "/v2.1/os-server-external-events", Body: `{"events":[{"name":"network-changed","server_uuid":"` + id + `"}]}`, Status: 200, Contains: []string{`"code":200`}},
		{Name: "external events unknown", Token: "admin", Method: "POST", Path: "/v2.1/os-server-external-events", Body: `{"events":[{"name":"network-changed","server_uuid":"` + testImage + `"}]}`, Status: 404},
		{Name: "external events user", Token: "user", Method: "POST", Path: "/v2.1/os-server-external-events", Body: `{"events":[{"name":"network-changed","server_uuid":"` + id + `"}]}`, Status: 403},

		{Name: "delete", Token: "user", Method: "DELETE", Path: sp, Status: 204},
		{Name: "deleted", Token: "user", Method: "GET", Path: sp, Status: 404},
		{Name: "deleted actions", Token: "admin", Method: "GET", Path: sp + "/os-instance-actions", Status: 200, Contains: []string{`"action":"delete"`}},
	})

	// Multi-create with a reservation id.
	code, m, _ := call(t, srv, "user", "2.1", "POST", "/v2.1/servers", `{"server":{"name":"many","imageRef":"`+testImage+`","flavorRef":"1","min_count":2,"return_reservation_id":true}}`)
	if code != 202 || m["reservation_id"] == nil || m["server"] != nil {
		t.Fatalf("multi-create = %d %v", code, m)
	}
	code, m, _ = call(t, srv, "user", "2.1", "GET", "/v2.1/servers?reservation_id="+m["reservation_id"].(string), "")
	if code != 200 || len(m["servers"].([]any)) != 2 {
		t.Fatalf("by reservation = %d %v", code, m)
	}
}
