package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	imgapi "github.com/gostack/gostack/internal/image/api"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestRoutesNamePolicies: every route that needs a token names the rule
// that guards it, and every rule it names has a default.
func TestRoutesNamePolicies(t *testing.T) {
	apitest.CheckRoutes(t, imgapi.New(nil, nil, nil, nil, nil, nil).Routes(), imgapi.PolicyDefaults())
}

// TestPolicyOrder: as in Glance, a malformed request is refused as such
// before any rule, an image the caller may not see is not found, and a
// rule refuses only what the caller can see.
func TestPolicyOrder(t *testing.T) {
	e := setup(t)
	priv := e.json("alice", "POST", "/v2/images", map[string]any{"name": "p", "visibility": "private",
		"disk_format": "raw", "container_format": "bare"}, 201)["id"].(string)
	pub := e.json("admin", "POST", "/v2/images", map[string]any{"name": "q", "visibility": "public",
		"disk_format": "raw", "container_format": "bare"}, 201)["id"].(string)
	patch := []map[string]any{{"op": "replace", "path": "/name", "value": "x"}}

	// Bob cannot see alice's private image: 404, but a wrong media type
	// is a 415 first.
	e.json("bob", "PATCH", "/v2/images/"+priv, patch, 404)
	if code, _, _ := e.do("bob", "PATCH", "/v2/images/"+priv, "application/json", strings.NewReader("[]")); code != 415 {
		t.Fatalf("patch json on an unseen image: %d", code)
	}
	if code, _, _ := e.do("bob", "PUT", "/v2/images/"+priv+"/file", "application/json", strings.NewReader("x")); code != 415 {
		t.Fatalf("upload json on an unseen image: %d", code)
	}
	if code, _, _ := e.do("bob", "PUT", "/v2/images/"+priv+"/stage", "text/plain", strings.NewReader("x")); code != 415 {
		t.Fatalf("stage text on an unseen image: %d", code)
	}
	e.json("bob", "POST", "/v2/images/"+priv+"/members", map[string]any{"bogus": 1}, 400)
	e.json("bob", "POST", "/v2/images/"+priv+"/import", map[string]any{"method": map[string]any{"name": "bogus"}}, 400)
	e.json("bob", "POST", "/v2/images/"+priv+"/import", map[string]any{"method": map[string]any{"name": "glance-direct"}}, 404)

	// Bob sees the admin's public image but may not change it: the rule
	// named in the refusal is the route's.
	code, b, _ := e.do("bob", "PATCH", "/v2/images/"+pub, "application/openstack-images-v2.1-json-patch", jsonBody(patch))
	if code != 403 || !strings.Contains(string(b), "modify_image") {
		t.Fatalf("patch another project's public image: %d %s", code, b)
	}
	e.json("bob", "DELETE", "/v2/images/"+pub, nil, 403)
	e.json("bob", "POST", "/v2/images/"+pub+"/actions/deactivate", nil, 403)
	if code, _, _ := e.do("bob", "PUT", "/v2/images/"+pub+"/stage", "application/octet-stream", strings.NewReader("x")); code != 403 {
		t.Fatalf("stage into another project's image: %d", code)
	}
	// Import on a visible image reaches the import flow's own checks: a
	// queued image cannot be copied, whoever asks.
	e.json("bob", "POST", "/v2/images/"+pub+"/import", map[string]any{"method": map[string]any{"name": "copy-image"}}, 409)
	e.json("bob", "GET", "/v2/images/"+pub+"/tasks", nil, 200)
	e.json("bob", "GET", "/v2/images/"+priv+"/tasks", nil, 404)

	// add_image looks at the owner the body asks for.
	e.json("alice", "POST", "/v2/images", map[string]any{"name": "o", "owner": "p-bob"}, 403)
	e.json("admin", "POST", "/v2/images", map[string]any{"name": "o", "owner": "p-bob"}, 201)

	// Discovery and schemas need a token only.
	e.json("bob", "GET", "/v2/info/import", nil, 200)
	e.json("bob", "GET", "/v2/info/stores", nil, 200)
	e.json("bob", "GET", "/v2/info/stores/detail", nil, 403)
	e.json("bob", "GET", "/v2/schemas/image", nil, 200)
	e.json("", "GET", "/v2/schemas/image", nil, 401)
}

func jsonBody(v any) *bytes.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
