package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// taskEnv serves the image API with the tasks API's imports allowed from
// a local web server, which serves /img (data), /big (more than the
// image size cap of setup) and nothing else.
func taskEnv(t *testing.T, data []byte) (*env, string) {
	t.Helper()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/img":
			w.Write(data)
		case "/big":
			w.Write(make([]byte, 2<<20))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(web.Close)
	u, _ := url.Parse(web.URL)
	return setupWith(t, imports.Config{AllowedHosts: []string{u.Hostname()}}), web.URL
}

// waitTask polls a task until it has ended, or fails after 10 s.
func (e *env) waitTask(id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		task := e.json(apitest.Admin, "GET", "/v2/tasks/"+id, nil, 200)
		if s := task["status"]; s == "success" || s == "failure" {
			return task
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("task %s never ended: %v", id, task)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTaskImport(t *testing.T) {
	data := bytes.Repeat([]byte("gostack"), 1000)
	e, web := taskEnv(t, data)
	body := map[string]any{"type": "import", "input": map[string]any{
		"import_from": web + "/img", "import_from_format": "raw",
		"image_properties": map[string]any{"name": "from-task", "disk_format": "raw", "container_format": "bare", "hw_rng_model": "virtio"},
	}}
	r := e.srv.Do(t, apitest.Request{Method: "POST", Path: "/v2/tasks", Token: apitest.Admin, Body: body})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	created := r.JSON()
	id, _ := created["id"].(string)
	if r.Header.Get("Location") != "/v2/tasks/"+id || created["type"] != "import" || created["owner"] != "p-admin" ||
		created["schema"] != "/v2/schemas/task" || created["self"] != "/v2/tasks/"+id || created["result"] != nil {
		t.Fatalf("created task: %v (Location %q)", created, r.Header.Get("Location"))
	}
	if s := created["status"]; s != "pending" && s != "processing" {
		t.Errorf("created task status %v", s)
	}
	if in, _ := created["input"].(map[string]any); in["import_from"] != web+"/img" {
		t.Errorf("created task input %v", created["input"])
	}

	done := e.waitTask(id)
	if done["status"] != "success" || done["message"] != "" || done["expires_at"] == nil {
		t.Fatalf("task: %v", done)
	}
	res, _ := done["result"].(map[string]any)
	imgID, _ := res["image_id"].(string)
	img := e.json(apitest.Admin, "GET", "/v2/images/"+imgID, nil, 200)
	if img["status"] != "active" || img["name"] != "from-task" || img["size"] != float64(len(data)) || img["hw_rng_model"] != "virtio" || img["owner"] != "p-admin" {
		t.Fatalf("imported image: %v", img)
	}
	updated, _ := time.Parse(time.RFC3339, done["updated_at"].(string))
	expires, _ := time.Parse(time.RFC3339, done["expires_at"].(string))
	if got := expires.Sub(updated); got != 48*time.Hour {
		t.Errorf("expires_at - updated_at = %v, want 48h", got)
	}

	// The list shows the task without input, result and message.
	list := e.json(apitest.Admin, "GET", "/v2/tasks", nil, 200)
	tasks, _ := list["tasks"].([]any)
	if len(tasks) != 1 || list["schema"] != "/v2/schemas/tasks" || list["first"] != "/v2/tasks" {
		t.Fatalf("list: %v", list)
	}
	stub := tasks[0].(map[string]any)
	for _, k := range []string{"input", "result", "message"} {
		if _, ok := stub[k]; ok {
			t.Errorf("list shows %s: %v", k, stub)
		}
	}
	if stub["id"] != id || stub["status"] != "success" || stub["expires_at"] == nil {
		t.Errorf("list entry: %v", stub)
	}
}

func TestTaskImportFailure(t *testing.T) {
	e, web := taskEnv(t, []byte("data"))
	for name, tc := range map[string]struct {
		props   map[string]any
		from    string
		message string
	}{
		"missing data":         {map[string]any{"name": "x", "disk_format": "raw", "container_format": "bare"}, web + "/nothing", "Uploading the image failed due to: Cannot download " + web + "/nothing: 404 Not Found"},
		"bad image":            {map[string]any{"name": "x", "disk_format": "floppy"}, web + "/img", "Invalid value 'floppy' for disk_format"},
		"too large, protected": {map[string]any{"name": "x", "disk_format": "raw", "container_format": "bare", "protected": true}, web + "/big", "Uploading the image failed due to: "},
	} {
		t.Run(name, func(t *testing.T) {
			task := e.json(apitest.Admin, "POST", "/v2/tasks", map[string]any{"type": "import", "input": map[string]any{
				"import_from": tc.from, "import_from_format": "raw", "image_properties": tc.props}}, 201)
			done := e.waitTask(task["id"].(string))
			if done["status"] != "failure" || done["result"] != nil || done["expires_at"] == nil {
				t.Fatalf("task: %v", done)
			}
			if msg, _ := done["message"].(string); tc.message != "" && !bytes.Contains([]byte(msg), []byte(tc.message)) {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
			// The image the task created is gone, protected or not.
			if imgs := e.json(apitest.Admin, "GET", "/v2/images", nil, 200)["images"].([]any); len(imgs) != 0 {
				t.Errorf("images left: %v", imgs)
			}
		})
	}
}

// TestTaskIncompleteInput: Glance checks only import_from when it
// creates a task; its executor checks the other keys, so a task without
// them is created (201) and then fails with Glance's message.
func TestTaskIncompleteInput(t *testing.T) {
	e, web := taskEnv(t, []byte("data"))
	for name, tc := range map[string]struct {
		input   map[string]any
		message string
	}{
		"no format":           {map[string]any{"import_from": web + "/img", "image_properties": map[string]any{}}, "Input does not contain 'import_from_format' field"},
		"no properties":       {map[string]any{"import_from": web + "/img", "import_from_format": "raw"}, "Input does not contain 'image_properties' field"},
		"format not a string": {map[string]any{"import_from": web + "/img", "import_from_format": 1, "image_properties": map[string]any{}}, "Input field 'import_from_format' must be a string."},
		"properties a list":   {map[string]any{"import_from": web + "/img", "import_from_format": "raw", "image_properties": []any{}}, "Input field 'image_properties' must be an object."},
	} {
		t.Run(name, func(t *testing.T) {
			task := e.json(apitest.Admin, "POST", "/v2/tasks", map[string]any{"type": "import", "input": tc.input}, 201)
			done := e.waitTask(task["id"].(string))
			if done["status"] != "failure" || done["message"] != tc.message || done["result"] != nil {
				t.Fatalf("task: %v, want failure %q", done, tc.message)
			}
		})
	}
	if imgs := e.json(apitest.Admin, "GET", "/v2/images", nil, 200)["images"].([]any); len(imgs) != 0 {
		t.Errorf("images created: %v", imgs)
	}
}

func TestTaskAPIErrors(t *testing.T) {
	e, web := taskEnv(t, []byte("data"))
	ok := fmt.Sprintf(`{"type": "import", "input": {"import_from": %q, "import_from_format": "raw", "image_properties": {}}}`, web+"/img")
	e.srv.Run(t, []apitest.Step{
		// tasks_api_access comes first: a member is refused whatever the body.
		{Name: "member create", Token: "alice", Method: "POST", Path: "/v2/tasks", Body: `{}`, Status: 403},
		{Name: "member list", Token: "alice", Method: "GET", Path: "/v2/tasks", Status: 403},
		{Name: "member show", Token: "alice", Method: "GET", Path: "/v2/tasks/" + "00000000-0000-0000-0000-000000000000", Status: 403},
		{Name: "no body", Method: "POST", Path: "/v2/tasks", Status: 400, Contains: []string{"Body expected in request."}},
		{Name: "bad json", Method: "POST", Path: "/v2/tasks", Body: `{"type":`, Status: 400, Contains: []string{"Malformed JSON in request body."}},
		{Name: "no type", Method: "POST", Path: "/v2/tasks", Body: `{"input": {}}`, Status: 400, Contains: []string{"Task 'type' is required"}},
		{Name: "no input", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import"}`, Status: 400, Contains: []string{"Task 'input' is required"}},
		{Name: "bad type", Method: "POST", Path: "/v2/tasks", Body: `{"type": "export", "input": {}}`, Status: 400,
			Contains: []string{`Provided object does not match schema 'task': 'export' is not one of ['import', 'api_image_import', 'location_import']`}},
		{Name: "input not object", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": "x"}`, Status: 400, Contains: []string{`'x' is not of type 'null', 'object'`}},
		{Name: "extra key", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": {}, "foo": 1}`, Status: 400,
			Contains: []string{`Additional properties are not allowed ('foo' was unexpected)`}},
		{Name: "import type of the import API", Method: "POST", Path: "/v2/tasks", Body: `{"type": "api_image_import", "input": {}}`, Status: 400},
		{Name: "no import_from", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": {}}`, Status: 400, Contains: []string{"Invalid location: None"}},
		{Name: "file import", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": {"import_from": "file:///etc/passwd"}}`, Status: 400,
			Contains: []string{"File based imports are not allowed. Please use a non-local source of image data."}},
		{Name: "ftp import", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": {"import_from": "ftp://x/y"}}`, Status: 400,
			Contains: []string{"The given uri is not valid."}},
		{Name: "host off the allow-list", Method: "POST", Path: "/v2/tasks", Body: `{"type": "import", "input": {"import_from": "http://example.com/x", "import_from_format": "raw", "image_properties": {}}}`, Status: 400,
			Contains: []string{"URI for legacy import task does not pass filtering: http://example.com/x"}},
		{Name: "nothing was created", Method: "GET", Path: "/v2/tasks", Status: 200, Contains: []string{`"tasks":[]`}},

		{Name: "bad sort dir", Method: "GET", Path: "/v2/tasks?sort_dir=up", Status: 400, Contains: []string{"Invalid sort direction: up"}},
		{Name: "bad status", Method: "GET", Path: "/v2/tasks?status=done", Status: 400, Contains: []string{"Invalid status value: done"}},
		{Name: "bad type filter", Method: "GET", Path: "/v2/tasks?type=api_image_import", Status: 400, Contains: []string{"Invalid type value: api_image_import"}},
		{Name: "bad marker", Method: "GET", Path: "/v2/tasks?marker=x", Status: 400, Contains: []string{"Invalid marker format"}},
		{Name: "unknown marker", Method: "GET", Path: "/v2/tasks?marker=00000000-0000-0000-0000-000000000000", Status: 400,
			Contains: []string{"Task with the given id 00000000-0000-0000-0000-000000000000 was not found"}},
		{Name: "bad limit", Method: "GET", Path: "/v2/tasks?limit=x", Status: 400, Contains: []string{"limit param must be an integer"}},
		{Name: "negative limit", Method: "GET", Path: "/v2/tasks?limit=-1", Status: 400, Contains: []string{"limit param must be positive"}},
		{Name: "bad sort key", Method: "GET", Path: "/v2/tasks?sort_key=name", Status: 400, Contains: []string{"Sort key supplied was not valid."}},
		{Name: "unknown task", Method: "GET", Path: "/v2/tasks/00000000-0000-0000-0000-000000000000", Status: 404,
			Contains: []string{"Task with the given id 00000000-0000-0000-0000-000000000000 was not found"}},
		{Name: "delete refused", Method: "DELETE", Path: "/v2/tasks/00000000-0000-0000-0000-000000000000", Status: 405,
			Contains: []string{"They are auto deleted after reaching the time based on their expires_at property."}},
		{Name: "member delete", Token: "alice", Method: "DELETE", Path: "/v2/tasks/00000000-0000-0000-0000-000000000000", Status: 403},

		{Name: "schema", Method: "GET", Path: "/v2/schemas/task", Status: 200, Contains: []string{`"name":"task"`, `"input"`, `"api_image_import"`}},
		{Name: "collection schema", Method: "GET", Path: "/v2/schemas/tasks", Status: 200, Contains: []string{`"name":"tasks"`, `"expires_at"`}, Lacks: []string{`"input"`, `"message"`}},
		{Name: "valid", Method: "POST", Path: "/v2/tasks", Body: ok, Status: 201},
	})
}

func TestTaskListPaging(t *testing.T) {
	e, web := taskEnv(t, []byte("data"))
	var ids []string
	for range 3 {
		task := e.json(apitest.Admin, "POST", "/v2/tasks", map[string]any{"type": "import", "input": map[string]any{
			"import_from": web + "/img", "import_from_format": "raw", "image_properties": map[string]any{"disk_format": "raw", "container_format": "bare"}}}, 201)
		ids = append(ids, task["id"].(string))
		e.waitTask(ids[len(ids)-1])
	}
	page := func(q string) ([]string, string) {
		t.Helper()
		l := e.json(apitest.Admin, "GET", "/v2/tasks"+q, nil, 200)
		var got []string
		for _, x := range l["tasks"].([]any) {
			got = append(got, x.(map[string]any)["id"].(string))
		}
		next, _ := l["next"].(string)
		return got, next
	}
	all, _ := page("?sort_key=id&sort_dir=asc")
	if len(all) != 3 || !(all[0] < all[1] && all[1] < all[2]) {
		t.Fatalf("sorted by id: %v", all)
	}
	first, next := page("?sort_key=id&sort_dir=asc&limit=2")
	if len(first) != 2 || first[0] != all[0] || next == "" {
		t.Fatalf("first page %v, next %q", first, next)
	}
	rest, next := page(next[len("/v2/tasks"):])
	if len(rest) != 1 || rest[0] != all[2] || next != "" {
		t.Fatalf("second page %v, next %q", rest, next)
	}
	if got, _ := page("?status=failure"); len(got) != 0 {
		t.Errorf("status=failure: %v", got)
	}
	if got, _ := page("?type=import&status=success"); len(got) != 3 {
		t.Errorf("type=import&status=success: %v", got)
	}
}
