package api_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func TestAggregates(t *testing.T) {
	srv := setupServers(t)
	srv.Run(t, []apitest.Step{
		{Name: "user cannot list", Token: "user", Method: "GET", Path: "/v2.1/os-aggregates", Status: 403},
		{Name: "create", Method: "POST", Path: "/v2.1/os-aggregates", Body: `{"aggregate":{"name":"agg1","availability_zone":"az1"}}`, Status: 200,
			Contains: []string{`"name":"agg1"`, `"availability_zone":"az1"`, `"deleted":false`}, Lacks: []string{`"hosts"`, `"uuid"`}},
		{Name: "create 2.41 uuid", Version: "2.41", Method: "POST", Path: "/v2.1/os-aggregates", Body: `{"aggregate":{"name":"agg2"}}`, Status: 200, Contains: []string{`"uuid"`, `"availability_zone":null`}},
		{Name: "create no name", Method: "POST", Path: "/v2.1/os-aggregates", Body: `{"aggregate":{}}`, Status: 400, Contains: []string{`'name' is a required property`}},
		{Name: "create unknown", Method: "POST", Path: "/v2.1/os-aggregates", Body: `{"aggregate":{"name":"x","color":1}}`, Status: 400},
		{Name: "list", Method: "GET", Path: "/v2.1/os-aggregates", Status: 200, Contains: []string{`"agg1"`, `"agg2"`, `"metadata":{"availability_zone":"az1"}`}},
		{Name: "bad id", Method: "GET", Path: "/v2.1/os-aggregates/x", Status: 400},
		{Name: "missing", Method: "GET", Path: "/v2.1/os-aggregates/999", Status: 404},
		{Name: "update empty", Method: "PUT", Path: "/v2.1/os-aggregates/1", Body: `{"aggregate":{}}`, Status: 400},
		{Name: "update", Method: "PUT", Path: "/v2.1/os-aggregates/1", Body: `{"aggregate":{"name":"agg1b"}}`, Status: 200, Contains: []string{`"name":"agg1b"`}},
		{Name: "set metadata", Method: "POST", Path: "/v2.1/os-aggregates/1/action", Body: `{"set_metadata":{"metadata":{"k":"v","gone":null}}}`, Status: 200, Contains: []string{`"k":"v"`}},
		{Name: "add unknown host", Method: "POST", Path: "/v2.1/os-aggregates/1/action", Body: `{"add_host":{"host":"nohost"}}`, Status: 404},
		{Name: "unknown action", Method: "POST", Path: "/v2.1/os-aggregates/1/action", Body: `{"dance":{}}`, Status: 400},
		{Name: "user action", Token: "user", Method: "POST", Path: "/v2.1/os-aggregates/1/action", Body: `{"set_metadata":{"metadata":{"k":"v"}}}`, Status: 403},
		{Name: "images before 2.81", Method: "POST", Path: "/v2.1/os-aggregates/1/images", Body: `{"cache":[{"id":"` + testImage + `"}]}`, Status: 404},
		{Name: "images bad id", Version: "2.81", Method: "POST", Path: "/v2.1/os-aggregates/1/images", Body: `{"cache":[{"id":"x"}]}`, Status: 400},
		{Name: "images", Version: "2.81", Method: "POST", Path: "/v2.1/os-aggregates/1/images", Body: `{"cache":[{"id":"` + testImage + `"}]}`, Status: 202},
		{Name: "delete", Method: "DELETE", Path: "/v2.1/os-aggregates/2", Status: 200},
		{Name: "deleted", Method: "GET", Path: "/v2.1/os-aggregates/2", Status: 404},
	})
}

func TestHostAPIs(t *testing.T) {
	srv := setupServers(t)
	const uuid0 = "00000000-0000-0000-0000-000000000000"
	srv.Run(t, []apitest.Step{
		{Name: "services user", Token: "user", Method: "GET", Path: "/v2.1/os-services", Status: 403},
		{Name: "services", Method: "GET", Path: "/v2.1/os-services", Status: 200, Contains: []string{`"services":[`}},
		{Name: "services strict 2.75", Version: "2.75", Method: "GET", Path: "/v2.1/os-services?color=1", Status: 400},
		{Name: "service update needs uuid", Version: "2.53", Method: "PUT", Path: "/v2.1/os-services/12", Body: `{"status":"disabled"}`, Status: 400, Contains: []string{"Invalid uuid 12"}},
		{Name: "service update nothing", Version: "2.53", Method: "PUT", Path: "/v2.1/os-services/" + uuid0, Body: `{}`, Status: 400, Contains: []string{"No updates were requested"}},
		{Name: "service reason with enabled", Version: "2.53", Method: "PUT", Path: "/v2.1/os-services/" + uuid0, Body: `{"status":"enabled","disabled_reason":"x"}`, Status: 400},
		{Name: "service update missing", Version: "2.53", Method: "PUT", Path: "/v2.1/os-services/" + uuid0, Body: `{"status":"disabled"}`, Status: 404},
		{Name: "legacy unknown action", Method: "PUT", Path: "/v2.1/os-services/dance", Body: `{"host":"h","binary":"nova-compute"}`, Status: 404},
		{Name: "legacy force-down before 2.11", Method: "PUT", Path: "/v2.1/os-services/force-down", Body: `{"host":"h","binary":"nova-compute","forced_down":true}`, Status: 404},
		{Name: "legacy disable needs host", Method: "PUT", Path: "/v2.1/os-services/disable", Body: `{"binary":"nova-compute"}`, Status: 400},
		{Name: "service delete bad id", Method: "DELETE", Path: "/v2.1/os-services/x", Status: 400},

		{Name: "hypervisors user", Token: "user", Method: "GET", Path: "/v2.1/os-hypervisors", Status: 403},
		{Name: "hypervisors", Method: "GET", Path: "/v2.1/os-hypervisors", Status: 200, Contains: []string{`"hypervisors":[]`}},
		{Name: "hypervisors detail", Method: "GET", Path: "/v2.1/os-hypervisors/detail", Status: 200},
		{Name: "hypervisor pattern paging", Version: "2.53", Method: "GET", Path: "/v2.1/os-hypervisors?hypervisor_hostname_pattern=x&limit=1", Status: 400},
		{Name: "hypervisor pattern none", Version: "2.53", Method: "GET", Path: "/v2.1/os-hypervisors?hypervisor_hostname_pattern=x", Status: 404},
		{Name: "hypervisor show bad uuid", Version: "2.53", Method: "GET", Path: "/v2.1/os-hypervisors/1", Status: 400},
		{Name: "hypervisor show bad int", Method: "GET", Path: "/v2.1/os-hypervisors/abc", Status: 404},
		{Name: "statistics", Method: "GET", Path: "/v2.1/os-hypervisors/statistics", Status: 200, Contains: []string{`"count":0`}},
		{Name: "statistics gone 2.88", Version: "2.88", Method: "GET", Path: "/v2.1/os-hypervisors/statistics", Status: 404},
		{Name: "search", Method: "GET", Path: "/v2.1/os-hypervisors/foo/search", Status: 404, Contains: []string{"No hypervisor matching 'foo'"}},
		{Name: "search gone 2.53", Version: "2.53", Method: "GET", Path: "/v2.1/os-hypervisors/foo/search", Status: 404},

		{Name: "migrations user", Token: "user", Method: "GET", Path: "/v2.1/os-migrations", Status: 403},
		{Name: "migrations", Version: "2.80", Method: "GET", Path: "/v2.1/os-migrations", Status: 200, Contains: []string{`"migrations":[]`}},

		{Name: "usage user list", Token: "user", Method: "GET", Path: "/v2.1/os-simple-tenant-usage", Status: 403},
		{Name: "usage bad time", Method: "GET", Path: "/v2.1/os-simple-tenant-usage?start=yesterday", Status: 400},
		{Name: "usage reversed", Method: "GET", Path: "/v2.1/os-simple-tenant-usage?start=2020-01-02T00:00:00&end=2020-01-01T00:00:00", Status: 400},
		{Name: "usage list", Method: "GET", Path: "/v2.1/os-simple-tenant-usage?start=2020-01-01T00:00:00&detailed=1", Status: 200, Contains: []string{`"tenant_usages"`}},
		{Name: "usage own", Token: "user", Method: "GET", Path: "/v2.1/os-simple-tenant-usage/p-user?start=2020-01-01T00:00:00", Status: 200, Contains: []string{`"tenant_usage"`}},
		{Name: "usage other", Token: "user", Method: "GET", Path: "/v2.1/os-simple-tenant-usage/p-other", Status: 403},
	})
}

// TestHostZoneEverywhere checks that every API shows the zone of a
// host's aggregates: os-services (which used to show the zone the host
// registered with), os-availability-zone detail, os-hosts and the
// servers on the host.
func TestHostZoneEverywhere(t *testing.T) {
	srv, st := setupServersWith(t, "")
	if _, err := st.UpsertService(context.Background(), &compute.HostService{Host: "host1", Binary: "nova-compute", Zone: "nova"}); err != nil {
		t.Fatal(err)
	}
	srv.Run(t, []apitest.Step{
		{Name: "aggregate", Method: "POST", Path: "/v2.1/os-aggregates", Body: `{"aggregate":{"name":"agg1","availability_zone":"az1"}}`, Status: 200},
		{Name: "add host", Method: "POST", Path: "/v2.1/os-aggregates/1/action", Body: `{"add_host":{"host":"host1"}}`, Status: 200},
		{Name: "services", Method: "GET", Path: "/v2.1/os-services?binary=nova-compute", Status: 200,
			Contains: []string{`"host":"host1"`, `"zone":"az1"`}, Lacks: []string{`"zone":"nova"`}},
		{Name: "control services", Method: "GET", Path: "/v2.1/os-services?binary=nova-scheduler", Status: 200,
			Contains: []string{`"zone":"internal"`}},
		{Name: "zone detail", Method: "GET", Path: "/v2.1/os-availability-zone/detail", Status: 200,
			Contains: []string{`{"hosts":{"host1":{"nova-compute":`, `"zoneName":"az1"`}},
		{Name: "os-hosts", Method: "GET", Path: "/v2.1/os-hosts?zone=az1", Status: 200,
			Contains: []string{`{"host_name":"host1","service":"compute","zone":"az1"}`}},
	})
	id := createServer(t, srv, "user", "", "")
	srv.Run(t, []apitest.Step{
		{Name: "server", Token: "user", Method: "GET", Path: "/v2.1/servers/" + id, Status: 200,
			Contains: []string{`"OS-EXT-AZ:availability_zone":"az1"`}},
		{Name: "servers detail", Token: "user", Method: "GET", Path: "/v2.1/servers/detail", Status: 200,
			Contains: []string{`"OS-EXT-AZ:availability_zone":"az1"`}},
	})
}
