package api_test

import (
	"testing"
)

func TestAggregates(t *testing.T) {
	srv := setupServers(t)
	run(t, srv, []step{
		{name: "user cannot list", tok: "user", method: "GET", path: "/v2.1/os-aggregates", status: 403},
		{name: "create", method: "POST", path: "/v2.1/os-aggregates", body: `{"aggregate":{"name":"agg1","availability_zone":"az1"}}`, status: 200,
			contains: []string{`"name":"agg1"`, `"availability_zone":"az1"`, `"deleted":false`}, lacks: []string{`"hosts"`, `"uuid"`}},
		{name: "create 2.41 uuid", ver: "2.41", method: "POST", path: "/v2.1/os-aggregates", body: `{"aggregate":{"name":"agg2"}}`, status: 200, contains: []string{`"uuid"`, `"availability_zone":null`}},
		{name: "create no name", method: "POST", path: "/v2.1/os-aggregates", body: `{"aggregate":{}}`, status: 400, contains: []string{`'name' is a required property`}},
		{name: "create unknown", method: "POST", path: "/v2.1/os-aggregates", body: `{"aggregate":{"name":"x","color":1}}`, status: 400},
		{name: "list", method: "GET", path: "/v2.1/os-aggregates", status: 200, contains: []string{`"agg1"`, `"agg2"`, `"metadata":{"availability_zone":"az1"}`}},
		{name: "bad id", method: "GET", path: "/v2.1/os-aggregates/x", status: 400},
		{name: "missing", method: "GET", path: "/v2.1/os-aggregates/999", status: 404},
		{name: "update empty", method: "PUT", path: "/v2.1/os-aggregates/1", body: `{"aggregate":{}}`, status: 400},
		{name: "update", method: "PUT", path: "/v2.1/os-aggregates/1", body: `{"aggregate":{"name":"agg1b"}}`, status: 200, contains: []string{`"name":"agg1b"`}},
		{name: "set metadata", method: "POST", path: "/v2.1/os-aggregates/1/action", body: `{"set_metadata":{"metadata":{"k":"v","gone":null}}}`, status: 200, contains: []string{`"k":"v"`}},
		{name: "add unknown host", method: "POST", path: "/v2.1/os-aggregates/1/action", body: `{"add_host":{"host":"nohost"}}`, status: 404},
		{name: "unknown action", method: "POST", path: "/v2.1/os-aggregates/1/action", body: `{"dance":{}}`, status: 400},
		{name: "user action", tok: "user", method: "POST", path: "/v2.1/os-aggregates/1/action", body: `{"set_metadata":{"metadata":{"k":"v"}}}`, status: 403},
		{name: "images before 2.81", method: "POST", path: "/v2.1/os-aggregates/1/images", body: `{"cache":[{"id":"` + testImage + `"}]}`, status: 404},
		{name: "images bad id", ver: "2.81", method: "POST", path: "/v2.1/os-aggregates/1/images", body: `{"cache":[{"id":"x"}]}`, status: 400},
		{name: "images", ver: "2.81", method: "POST", path: "/v2.1/os-aggregates/1/images", body: `{"cache":[{"id":"` + testImage + `"}]}`, status: 202},
		{name: "delete", method: "DELETE", path: "/v2.1/os-aggregates/2", status: 200},
		{name: "deleted", method: "GET", path: "/v2.1/os-aggregates/2", status: 404},
	})
}

func TestHostAPIs(t *testing.T) {
	srv := setupServers(t)
	const uuid0 = "00000000-0000-0000-0000-000000000000"
	run(t, srv, []step{
		{name: "services user", tok: "user", method: "GET", path: "/v2.1/os-services", status: 403},
		{name: "services", method: "GET", path: "/v2.1/os-services", status: 200, contains: []string{`"services":[`}},
		{name: "services strict 2.75", ver: "2.75", method: "GET", path: "/v2.1/os-services?color=1", status: 400},
		{name: "service update needs uuid", ver: "2.53", method: "PUT", path: "/v2.1/os-services/12", body: `{"status":"disabled"}`, status: 400, contains: []string{"Invalid uuid 12"}},
		{name: "service update nothing", ver: "2.53", method: "PUT", path: "/v2.1/os-services/" + uuid0, body: `{}`, status: 400, contains: []string{"No updates were requested"}},
		{name: "service reason with enabled", ver: "2.53", method: "PUT", path: "/v2.1/os-services/" + uuid0, body: `{"status":"enabled","disabled_reason":"x"}`, status: 400},
		{name: "service update missing", ver: "2.53", method: "PUT", path: "/v2.1/os-services/" + uuid0, body: `{"status":"disabled"}`, status: 404},
		{name: "legacy unknown action", method: "PUT", path: "/v2.1/os-services/dance", body: `{"host":"h","binary":"nova-compute"}`, status: 404},
		{name: "legacy force-down before 2.11", method: "PUT", path: "/v2.1/os-services/force-down", body: `{"host":"h","binary":"nova-compute","forced_down":true}`, status: 404},
		{name: "legacy disable needs host", method: "PUT", path: "/v2.1/os-services/disable", body: `{"binary":"nova-compute"}`, status: 400},
		{name: "service delete bad id", method: "DELETE", path: "/v2.1/os-services/x", status: 400},

		{name: "hypervisors user", tok: "user", method: "GET", path: "/v2.1/os-hypervisors", status: 403},
		{name: "hypervisors", method: "GET", path: "/v2.1/os-hypervisors", status: 200, contains: []string{`"hypervisors":[]`}},
		{name: "hypervisors detail", method: "GET", path: "/v2.1/os-hypervisors/detail", status: 200},
		{name: "hypervisor pattern paging", ver: "2.53", method: "GET", path: "/v2.1/os-hypervisors?hypervisor_hostname_pattern=x&limit=1", status: 400},
		{name: "hypervisor pattern none", ver: "2.53", method: "GET", path: "/v2.1/os-hypervisors?hypervisor_hostname_pattern=x", status: 404},
		{name: "hypervisor show bad uuid", ver: "2.53", method: "GET", path: "/v2.1/os-hypervisors/1", status: 400},
		{name: "hypervisor show bad int", method: "GET", path: "/v2.1/os-hypervisors/abc", status: 404},
		{name: "statistics", method: "GET", path: "/v2.1/os-hypervisors/statistics", status: 200, contains: []string{`"count":0`}},
		{name: "statistics gone 2.88", ver: "2.88", method: "GET", path: "/v2.1/os-hypervisors/statistics", status: 404},
		{name: "search", method: "GET", path: "/v2.1/os-hypervisors/foo/search", status: 404, contains: []string{"No hypervisor matching 'foo'"}},
		{name: "search gone 2.53", ver: "2.53", method: "GET", path: "/v2.1/os-hypervisors/foo/search", status: 404},

		{name: "migrations user", tok: "user", method: "GET", path: "/v2.1/os-migrations", status: 403},
		{name: "migrations", ver: "2.80", method: "GET", path: "/v2.1/os-migrations", status: 200, contains: []string{`"migrations":[]`}},

		{name: "usage user list", tok: "user", method: "GET", path: "/v2.1/os-simple-tenant-usage", status: 403},
		{name: "usage bad time", method: "GET", path: "/v2.1/os-simple-tenant-usage?start=yesterday", status: 400},
		{name: "usage reversed", method: "GET", path: "/v2.1/os-simple-tenant-usage?start=2020-01-02T00:00:00&end=2020-01-01T00:00:00", status: 400},
		{name: "usage list", method: "GET", path: "/v2.1/os-simple-tenant-usage?start=2020-01-01T00:00:00&detailed=1", status: 200, contains: []string{`"tenant_usages"`}},
		{name: "usage own", tok: "user", method: "GET", path: "/v2.1/os-simple-tenant-usage/p-user?start=2020-01-01T00:00:00", status: 200, contains: []string{`"tenant_usage"`}},
		{name: "usage other", tok: "user", method: "GET", path: "/v2.1/os-simple-tenant-usage/p-other", status: 403},
	})
}
