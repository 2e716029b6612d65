package api_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/policies"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
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

func setupServers(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := setupServersWith(t, "")
	return srv
}

// setupServersWith is setupServers with the operator's policy file
// (compute.yaml) holding policyFile when it is not empty; it returns the
// store too, for tests that add hosts.
func setupServersWith(t *testing.T, policyFile string) (*httptest.Server, *cstore.Store) {
	t.Helper()
	st := cstore.New(dbtest.Open(t))
	deps := compute.Deps{
		Conductor: &fakeConductor{store: st},
		Images: &fakeImages{images: map[string]compute.ImageMeta{testImage: {
			ID: testImage, Name: "cirros", Status: "active", DiskFormat: "qcow2", ContainerFormat: "bare",
			Visibility: "public", Size: 1 << 20,
		}}},
	}
	pol, err := policy.New(policies.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if policyFile != "" {
		path := filepath.Join(t.TempDir(), "compute.yaml")
		if err := os.WriteFile(path, []byte(policyFile), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := pol.LoadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	v := tokens{
		"admin":  {UserID: "u-admin", ProjectID: "p-admin", Roles: []string{"admin", "member", "reader"}},
		"user":   {UserID: "u-user", ProjectID: "p-user", Roles: []string{"member", "reader"}},
		"other":  {UserID: "u-other", ProjectID: "p-other", Roles: []string{"member", "reader"}},
		"reader": {UserID: "u-reader", ProjectID: "p-user", Roles: []string{"reader"}},
	}
	srv := serve(t, st, deps, pol, v)
	run(t, srv, []step{{name: "flavor", method: "POST", path: "/v2.1/flavors", body: `{"flavor":{"name":"m1.tiny","id":"1","ram":512,"vcpus":1,"disk":1}}`, status: 200}})
	return srv, st
}

// call makes one request and decodes the answer.
func call(t *testing.T, srv *httptest.Server, tok, ver, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("X-Auth-Token", tok)
	if ver != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+ver)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: invalid JSON %q", method, path, b)
		}
	}
	return resp.StatusCode, m, resp.Header
}

func createServer(t *testing.T, srv *httptest.Server, tok, ver, extra string) string {
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
	run(t, srv, []step{
		{name: "no networks 2.37", tok: "user", ver: "2.37", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `}}`, status: 400, contains: []string{`'networks' is a required property`}},
		{name: "bad networks 2.37", tok: "user", ver: "2.37", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"some"}}`, status: 400},
		{name: "unknown field", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"color":"red"}}`, status: 400, contains: []string{`Additional properties are not allowed ('color' was unexpected)`}},
		{name: "description before 2.19", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"description":"d"}}`, status: 400, contains: []string{`'description' was unexpected`}},
		{name: "tags before 2.52", tok: "user", ver: "2.51", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"none","tags":["x"]}}`, status: 400},
		{name: "personality gone 2.57", tok: "user", ver: "2.57", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"none","personality":[]}}`, status: 400},
		{name: "leading space", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":" a",` + img + `}}`, status: 400},
		{name: "no name", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{` + img + `}}`, status: 400, contains: []string{`'name' is a required property`}},
		{name: "bad accessIPv4", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"accessIPv4":"1.2.3"}}`, status: 400},
		{name: "bad user_data", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"user_data":"!!!"}}`, status: 400},
		{name: "bad metadata key", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"metadata":{"a/b":"c"}}}`, status: 400},
		{name: "min > max", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"min_count":3,"max_count":2}}`, status: 400},
		{name: "no image", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a","flavorRef":"1"}}`, status: 400, contains: []string{`Missing imageRef attribute`}},
		{name: "bad hint", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `},"os:scheduler_hints":{"group":"nope"}}`, status: 400},
		{name: "host needs 2.74", tok: "admin", ver: "2.73", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"none","host":"h"}}`, status: 400},
		{name: "host is admin's", tok: "user", ver: "2.74", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"none","host":"h"}}`, status: 403},
		{name: "hostname 2.90", tok: "user", ver: "2.90", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `,"networks":"none","hostname":"-bad"}}`, status: 400},
		{name: "malformed", tok: "user", method: "POST", path: "/v2.1/servers", body: `{"server":`, status: 400, contains: []string{`Malformed request body`}},
		{name: "reader cannot create", tok: "reader", method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"a",` + img + `}}`, status: 403},
		{name: "bad limit", tok: "user", method: "GET", path: "/v2.1/servers?limit=x", status: 400},
		{name: "bad status 2.38", tok: "user", ver: "2.38", method: "GET", path: "/v2.1/servers?status=FOO", status: 400, contains: []string{"Invalid status value"}},
		{name: "bad status 2.37", tok: "user", ver: "2.37", method: "GET", path: "/v2.1/servers?status=FOO", status: 200, contains: []string{`{"servers":[]}`}},
		{name: "all_tenants is admin's", tok: "user", method: "GET", path: "/v2.1/servers?all_tenants=1", status: 403},
		{name: "user sort by host", tok: "user", method: "GET", path: "/v2.1/servers?sort_key=host", status: 403},
		{name: "bad sort key", tok: "user", method: "GET", path: "/v2.1/servers?sort_key=color", status: 400},
		{name: "ignored sort key", tok: "user", method: "GET", path: "/v2.1/servers?sort_key=vcpus", status: 200},
		{name: "ignored sort key 2.75", tok: "user", ver: "2.75", method: "GET", path: "/v2.1/servers?sort_key=vcpus", status: 400},
		{name: "unknown query 2.75", tok: "user", ver: "2.75", method: "GET", path: "/v2.1/servers?color=red", status: 400},
		{name: "unknown query 2.74", tok: "user", ver: "2.74", method: "GET", path: "/v2.1/servers?color=red", status: 200},
		{name: "bad marker", tok: "user", method: "GET", path: "/v2.1/servers?marker=" + testImage, status: 400, contains: []string{"marker [" + testImage + "] not found"}},
		{name: "missing server", tok: "user", method: "GET", path: "/v2.1/servers/" + testImage, status: 404},
		{name: "missing server action", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"os-stop":null}`, status: 404},
		{name: "unknown action", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"dance":null}`, status: 400, contains: []string{"There is no such action: dance"}},
		{name: "two actions", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"os-stop":null,"os-start":null}`, status: 400},
		{name: "bad reboot", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"reboot":{"type":"WARM"}}`, status: 400},
		{name: "crash dump before 2.17", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"trigger_crash_dump":null}`, status: 404},
		{name: "vnc after 2.5", tok: "user", ver: "2.6", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"os-getVNCConsole":{"type":"novnc"}}`, status: 404},
		{name: "live migrate force gone 2.68", tok: "admin", ver: "2.68", method: "POST", path: "/v2.1/servers/" + testImage + "/action", body: `{"os-migrateLive":{"host":null,"block_migration":"auto","force":false}}`, status: 400},
		{name: "remote console before 2.6", tok: "user", method: "POST", path: "/v2.1/servers/" + testImage + "/remote-consoles", body: `{"remote_console":{"protocol":"vnc","type":"novnc"}}`, status: 404},
		{name: "tags before 2.26", tok: "user", method: "GET", path: "/v2.1/servers/" + testImage + "/tags", status: 404},
	})
}

func TestServerRoundTrip(t *testing.T) {
	srv := setupServers(t)
	id := createServer(t, srv, "user", "2.1", "")
	sp := "/v2.1/servers/" + id
	run(t, srv, []step{
		{name: "show 2.1", tok: "user", method: "GET", path: sp, status: 200,
			contains: []string{`"status":"ACTIVE"`, `"flavor":{"id":"1"`, `"OS-EXT-STS:vm_state":"active"`, `"config_drive":""`, `"progress":0`, `"security_groups":[{"name":"default"}]`},
			lacks:    []string{`OS-EXT-SRV-ATTR`, `"locked"`, `"host_status"`}},
		{name: "show 2.92 admin", tok: "admin", ver: "2.92", method: "GET", path: sp, status: 200,
			contains: []string{`"original_name":"m1.tiny"`, `"extra_specs":{}`, `"OS-EXT-SRV-ATTR:host":"host1"`, `"OS-EXT-SRV-ATTR:hostname":"vm1"`, `"locked":false`, `"locked_reason":null`, `"tags":[]`, `"server_groups":[]`, `"trusted_image_certificates":null`, `"host_status"`}},
		{name: "show 2.90 user hostname", tok: "user", ver: "2.90", method: "GET", path: sp, status: 200, contains: []string{`"OS-EXT-SRV-ATTR:hostname":"vm1"`}, lacks: []string{`OS-EXT-SRV-ATTR:host"`, `"host_status"`}},
		{name: "other project 404", tok: "other", method: "GET", path: sp, status: 404},
		{name: "list", tok: "user", method: "GET", path: "/v2.1/servers", status: 200, contains: []string{`"id":"` + id + `"`, `"name":"vm1"`}, lacks: []string{`"status"`}},
		{name: "detail", tok: "user", method: "GET", path: "/v2.1/servers/detail?name=vm", status: 200, contains: []string{`"status":"ACTIVE"`}},
		{name: "list limit", tok: "user", method: "GET", path: "/v2.1/servers?limit=1", status: 200, contains: []string{`"servers_links"`}},
		{name: "admin all_tenants", tok: "admin", method: "GET", path: "/v2.1/servers?all_tenants", status: 200, contains: []string{id}},
		{name: "admin own project only", tok: "admin", method: "GET", path: "/v2.1/servers", status: 200, lacks: []string{id}},
		{name: "update", tok: "user", ver: "2.19", method: "PUT", path: sp, body: `{"server":{"name":"vm2","description":"d"}}`, status: 200, contains: []string{`"name":"vm2"`, `"description":"d"`}, lacks: []string{`"OS-EXT-STS:vm_state"`}},
		{name: "update 2.75 full", tok: "user", ver: "2.75", method: "PUT", path: sp, body: `{"server":{"accessIPv4":"10.0.0.1"}}`, status: 200, contains: []string{`"accessIPv4":"10.0.0.1"`, `"OS-EXT-STS:vm_state"`}},
		{name: "update unknown", tok: "user", method: "PUT", path: sp, body: `{"server":{"color":"red"}}`, status: 400},
		{name: "reader cannot stop", tok: "reader", method: "POST", path: sp + "/action", body: `{"os-stop":null}`, status: 403},
		{name: "stop", tok: "user", method: "POST", path: sp + "/action", body: `{"os-stop":null}`, status: 202},
		{name: "stopped", tok: "user", method: "GET", path: sp, status: 200, contains: []string{`"status":"SHUTOFF"`}},
		{name: "start", tok: "user", method: "POST", path: sp + "/action", body: `{"os-start":null}`, status: 202},
		{name: "reboot", tok: "user", method: "POST", path: sp + "/action", body: `{"reboot":{"type":"soft"}}`, status: 202},
		{name: "console output", tok: "user", method: "POST", path: sp + "/action", body: `{"os-getConsoleOutput":{"length":5}}`, status: 200, contains: []string{`{"output":"login:"}`}},
		{name: "vnc 2.5", tok: "user", ver: "2.5", method: "POST", path: sp + "/action", body: `{"os-getVNCConsole":{"type":"novnc"}}`, status: 200, contains: []string{`"console":{"type":"novnc","url":"http://console/`}},
		{name: "remote console", tok: "user", ver: "2.6", method: "POST", path: sp + "/remote-consoles", body: `{"remote_console":{"protocol":"vnc","type":"novnc"}}`, status: 200, contains: []string{`"protocol":"vnc"`}},
		{name: "lock reason", tok: "user", ver: "2.73", method: "POST", path: sp + "/action", body: `{"lock":{"locked_reason":"why"}}`, status: 202},
		{name: "locked", tok: "user", ver: "2.73", method: "GET", path: sp, status: 200, contains: []string{`"locked":true`, `"locked_reason":"why"`}},
		{name: "unlock", tok: "user", method: "POST", path: sp + "/action", body: `{"unlock":null}`, status: 202},
		{name: "user cannot reset", tok: "user", method: "POST", path: sp + "/action", body: `{"os-resetState":{"state":"error"}}`, status: 403},
		{name: "reset state", tok: "admin", method: "POST", path: sp + "/action", body: `{"os-resetState":{"state":"active"}}`, status: 202},
		{name: "create image 2.45", tok: "user", ver: "2.45", method: "POST", path: sp + "/action", body: `{"createImage":{"name":"snap"}}`, status: 202, contains: []string{`"image_id"`}},
		{name: "diagnostics is admin's", tok: "user", method: "GET", path: sp + "/diagnostics", status: 403},
		{name: "diagnostics 2.48", tok: "admin", ver: "2.48", method: "GET", path: sp + "/diagnostics", status: 200, contains: []string{`"driver":"libvirt"`, `"state":"running"`}},
		{name: "diagnostics 2.1", tok: "admin", method: "GET", path: sp + "/diagnostics", status: 200, contains: []string{`"cpu0_time":5`}},

		{name: "metadata set", tok: "user", method: "POST", path: sp + "/metadata", body: `{"metadata":{"a":"1","b":"2"}}`, status: 200, contains: []string{`"a":"1"`, `"b":"2"`}},
		{name: "metadata replace", tok: "user", method: "PUT", path: sp + "/metadata", body: `{"metadata":{"c":"3"}}`, status: 200, contains: []string{`{"metadata":{"c":"3"}}`}},
		{name: "metadata item", tok: "user", method: "GET", path: sp + "/metadata/c", status: 200, contains: []string{`{"meta":{"c":"3"}}`}},
		{name: "metadata item mismatch", tok: "user", method: "PUT", path: sp + "/metadata/c", body: `{"meta":{"d":"4"}}`, status: 400, contains: []string{"Request body and URI mismatch"}},
		{name: "metadata item put", tok: "user", method: "PUT", path: sp + "/metadata/d", body: `{"meta":{"d":"4"}}`, status: 200},
		{name: "metadata delete", tok: "user", method: "DELETE", path: sp + "/metadata/c", status: 204},
		{name: "metadata missing", tok: "user", method: "GET", path: sp + "/metadata/c", status: 404},
		{name: "metadata list", tok: "reader", method: "GET", path: sp + "/metadata", status: 200, contains: []string{`{"metadata":{"d":"4"}}`}},

		{name: "tag add", tok: "user", ver: "2.26", method: "PUT", path: sp + "/tags/t1", status: 201},
		{name: "tag add again", tok: "user", ver: "2.26", method: "PUT", path: sp + "/tags/t1", status: 204},
		{name: "tag check", tok: "user", ver: "2.26", method: "GET", path: sp + "/tags/t1", status: 204},
		{name: "tag missing", tok: "user", ver: "2.26", method: "GET", path: sp + "/tags/t2", status: 404},
		{name: "tags replace", tok: "user", ver: "2.26", method: "PUT", path: sp + "/tags", body: `{"tags":["x","y"]}`, status: 200, contains: []string{`"x"`, `"y"`}},
		{name: "tags filter", tok: "user", ver: "2.26", method: "GET", path: "/v2.1/servers?tags=x", status: 200, contains: []string{id}},
		{name: "tags delete", tok: "user", ver: "2.26", method: "DELETE", path: sp + "/tags", status: 204},
		{name: "tags list", tok: "user", ver: "2.26", method: "GET", path: sp + "/tags", status: 200, contains: []string{`{"tags":[]}`}},

		{name: "ips", tok: "user", method: "GET", path: sp + "/ips", status: 200, contains: []string{`{"addresses":{}}`}},
		{name: "ips net", tok: "user", method: "GET", path: sp + "/ips/private", status: 404},
		{name: "password", tok: "user", method: "GET", path: sp + "/os-server-password", status: 200, contains: []string{`{"password":""}`}},
		{name: "interfaces", tok: "user", method: "GET", path: sp + "/os-interface", status: 200, contains: []string{`{"interfaceAttachments":[]}`}},
		{name: "attach interface", tok: "user", method: "POST", path: sp + "/os-interface", body: `{"interfaceAttachment":{}}`, status: 400, contains: []string{"network service is not available"}},
		{name: "volumes", tok: "user", method: "GET", path: sp + "/os-volume_attachments", status: 200, contains: []string{`{"volumeAttachments":[]}`}},
		{name: "topology", tok: "user", ver: "2.78", method: "GET", path: sp + "/topology", status: 200, contains: []string{`"pagesize_kb":null`}},

		{name: "actions", tok: "user", method: "GET", path: sp + "/os-instance-actions", status: 200, contains: []string{`"action":"create"`, `"action":"stop"`}},
		{name: "actions paged", tok: "user", ver: "2.58", method: "GET", path: sp + "/os-instance-actions?limit=1", status: 200, contains: []string{`"links"`, `"updated_at"`}},
		{name: "external events", tok: "admin", method: "POST", path: "/v2.1/os-server-external-events", body: `{"events":[{"name":"network-changed","server_uuid":"` + id + `"}]}`, status: 200, contains: []string{`"code":200`}},
		{name: "external events unknown", tok: "admin", method: "POST", path: "/v2.1/os-server-external-events", body: `{"events":[{"name":"network-changed","server_uuid":"` + testImage + `"}]}`, status: 404},
		{name: "external events user", tok: "user", method: "POST", path: "/v2.1/os-server-external-events", body: `{"events":[{"name":"network-changed","server_uuid":"` + id + `"}]}`, status: 403},

		{name: "delete", tok: "user", method: "DELETE", path: sp, status: 204},
		{name: "deleted", tok: "user", method: "GET", path: sp, status: 404},
		{name: "deleted actions", tok: "admin", method: "GET", path: sp + "/os-instance-actions", status: 200, contains: []string{`"action":"delete"`}},
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
