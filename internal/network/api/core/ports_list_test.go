package core_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// stamp matches the rendered timestamps, which differ from run to run.
var stamp = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`)

// TestPortListGolden pins the bytes of GET /v2.0/ports for a port with
// every attribute set, as the admin (who reads the binding attributes)
// and as the network's owner (from whom get_port's attribute rules hide
// them): the key set, the values and their order and escaping must stay
// what they were before the list was made fast. The ids and timestamps
// are replaced by names before comparing.
func TestPortListGolden(t *testing.T) {
	c := nettest.Start(t, "alice")
	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	nid := net["id"].(string)
	v4 := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.0/24"})
	sg := c.MustCreate(t, "alice", "security-groups", "security_group", map[string]any{"name": "web"})
	// One subnet: the addresses of a port are in subnet order, and the
	// ids of two would differ from run to run.
	// The admin creates alice's port with the binding attributes only an
	// admin may set; a second, bare port shows the empty values.
	p := c.MustCreate(t, "", "ports", "port", map[string]any{
		"network_id": nid, "project_id": nettest.Project("alice"), "name": "p <1> & ü", "description": "d\"q",
		"mac_address": "fa:16:3e:aa:bb:cc", "admin_state_up": false, "device_id": "dev-1", "device_owner": "compute:nova",
		"fixed_ips":             []any{map[string]any{"subnet_id": v4["id"], "ip_address": "10.0.0.7"}, map[string]any{"subnet_id": v4["id"], "ip_address": "10.0.0.9"}},
		"security_groups":       []any{sg["id"]},
		"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.0.100"}, map[string]any{"ip_address": "10.0.1.0/24", "mac_address": "fa:16:3e:00:00:01"}},
		"extra_dhcp_opts": []any{map[string]any{"opt_name": "bootfile-name", "opt_value": "pxelinux.0"},
			map[string]any{"opt_name": "tftp-server", "opt_value": "2001:db8::9", "ip_version": 6}},
		"binding:host_id": "host-1", "binding:vnic_type": "normal", "binding:profile": map[string]any{"local_link": "<x>", "n": 2},
		"dns_name": "vm1", "qos_policy_id": "qos-1",
	})
	pid := p["id"].(string)
	if st, _ := c.Call(t, "alice", "PUT", "/v2.0/ports/"+pid+"/tags/blue", nil); st != 201 {
		t.Fatalf("tag = %d", st)
	}
	if st, _ := c.Call(t, "alice", "PUT", "/v2.0/ports/"+pid+"/tags/a%20tag", nil); st != 201 {
		t.Fatalf("tag = %d", st)
	}
	bare := c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": nid, "mac_address": "fa:16:3e:aa:bb:cd",
		"fixed_ips": []any{}, "port_security_enabled": false})
	names := strings.NewReplacer(nid, "NET", v4["id"].(string), "SUBNET",
		sg["id"].(string), "SG", pid, "PORT", bare["id"].(string), "BARE")
	// The unsorted lists come in id order, which differs from run to run:
	// their elements are compared in a fixed order.
	for _, tc := range []struct {
		name, token, query string
		unsorted           bool
	}{
		{"admin", apitest.Admin, "", true},
		{"member", "alice", "", true},
		{"member-fields", "alice", "?fields=id&fields=binding:host_id&fields=fixed_ips&fields=tags", true},
		{"admin-sorted-filtered", apitest.Admin, "?sort_key=name&sort_dir=desc&network_id=" + nid + "&tags-any=blue,red", false},
		{"member-filtered", "alice", "?device_id=dev-1&fixed_ips=ip_address%3D10.0.0.7&binding:host_id=host-1", false},
		{"admin-paged", apitest.Admin, "?sort_key=name&limit=1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, apitest.Request{Method: "GET", Path: "/v2.0/ports" + tc.query, Token: tc.token})
			if r.Status != 200 {
				t.Fatalf("list = %d %s", r.Status, r.Body)
			}
			got := stamp.ReplaceAllString(names.Replace(string(r.Body)), `"TIME"`)
			got = strings.ReplaceAll(got, c.URL, "URL")
			if tc.unsorted {
				got = inOrder(t, got)
			}
			golden := filepath.Join("testdata", "ports-"+tc.name+".json")
			if *update {
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got+"\n" != string(want) {
				t.Errorf("GET /v2.0/ports%s as %s =\n%s\nwant\n%s", tc.query, tc.name, got, want)
			}
		})
	}
}

// inOrder sorts the elements of a {"ports": [...]} body, keeping each
// element's bytes.
func inOrder(t *testing.T, body string) string {
	var top struct{ Ports []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &top); err != nil || !strings.HasPrefix(body, `{"ports":[`) {
		t.Fatalf("body %s: %v", body, err)
	}
	els := make([]string, len(top.Ports))
	for i, p := range top.Ports {
		els[i] = string(p)
	}
	slices.Sort(els)
	return `{"ports":[` + strings.Join(els, ",") + `]}`
}

// BenchmarkListPorts1000 is GET /v2.0/ports of 1,000 ports as the admin,
// through the API's handler in process (no socket), as bench/netbench
// measures it against a running cloud.
func BenchmarkListPorts1000(b *testing.B) {
	benchList(b, apitest.Admin)
}

// BenchmarkListPorts1000Member is the same list as the project that owns
// the network and its ports, from which the binding attributes are
// hidden.
func BenchmarkListPorts1000Member(b *testing.B) {
	benchList(b, "alice")
}

func benchList(b *testing.B, token string) {
	c := nettest.Start(b, "alice")
	net := c.MustCreate(b, "alice", "networks", "network", map[string]any{"name": "n"})
	nid := net["id"].(string)
	c.MustCreate(b, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.0/20"})
	if st, body := c.Call(b, "", "PUT", "/v2.0/quotas/"+nettest.Project("alice"), map[string]any{"quota": map[string]any{"port": -1}}); st != 200 {
		b.Fatalf("quota = %d %v", st, body)
	}
	for range 2 {
		ps := make([]any, 500)
		for i := range ps {
			ps[i] = map[string]any{"network_id": nid, "name": fmt.Sprintf("p%d", i), "device_owner": "compute:nova"}
		}
		if st, body := c.Call(b, "alice", "POST", "/v2.0/ports", map[string]any{"ports": ps}); st != 201 {
			b.Fatalf("bulk create = %d %v", st, body)
		}
	}
	h := c.Config.Handler
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/v2.0/ports", nil)
		req.Header.Set("X-Auth-Token", token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() < 1000*500 {
			b.Fatalf("list = %d, %d bytes", rec.Code, rec.Body.Len())
		}
	}
}
