package extras_test

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// The metering item routes, once routes.go has them.
func TestMeteringItems(t *testing.T) {
	srv := setup(t)
	r := srv.Do(t, apitest.Request{Method: "POST", Path: "/v2.0/metering/metering-labels", Token: apitest.Admin,
		Body: `{"metering_label": {"name": "web", "description": "d"}}`})
	id := r.JSON()["metering_label"].(map[string]any)["id"].(string)
	r = srv.Do(t, apitest.Request{Method: "POST", Path: "/v2.0/metering/metering-label-rules", Token: apitest.Admin,
		Body: `{"metering_label_rule": {"remote_ip_prefix": "fd02::/64", "direction": "ingress", "metering_label_id": "` + id + `"}}`})
	rule := r.JSON()["metering_label_rule"].(map[string]any)["id"].(string)
	labels, rules := "/v2.0/metering/metering-labels/", "/v2.0/metering/metering-label-rules/"
	srv.Run(t, []apitest.Step{
		{Name: "show label as member", Token: "alice", Method: "GET", Path: labels + id, Status: 404},
		{Name: "show label", Method: "GET", Path: labels + id, Status: 200, Contains: []string{`"project_id":"p-admin"`, `"name":"web"`}},
		{Name: "show rule", Method: "GET", Path: rules + rule, Status: 200, Contains: []string{`"remote_ip_prefix":"fd02::/64"`, `"excluded":false`}},
		{Name: "missing rule", Method: "GET", Path: rules + "nope", Status: 404, Contains: []string{"Metering label rule nope does not exist."}},
		{Name: "delete rule as member", Token: "alice", Method: "DELETE", Path: rules + rule, Status: 404},
		{Name: "delete rule", Method: "DELETE", Path: rules + rule, Status: 204},
		{Name: "rule gone", Method: "GET", Path: "/v2.0/metering/metering-label-rules?id=" + rule, Status: 200, Contains: []string{`"metering_label_rules":[]`}},
		{Name: "delete label", Method: "DELETE", Path: labels + id, Status: 204},
		{Name: "label gone", Method: "GET", Path: labels + id, Status: 404, Contains: []string{`"MeteringLabelNotFound"`}},
		{Name: "delete label again", Method: "DELETE", Path: labels + id, Status: 404},
	})
}
