// Package api is the HTTP face of Glance's tasks API (/v2/tasks): its
// routes, handlers and schemas. The image API mounts these routes beside
// its own, so that they share its authentication, policy and error body;
// the tasks themselves run in package imports.
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Glance's paging defaults (limit_param_default, api_limit_max).
const (
	defaultLimit = 25
	maxLimit     = 1000
)

// Handler serves the tasks API.
type Handler struct {
	imp    *imports.Service
	api    *httpapi.API
	caller func(*http.Request) image.Caller
}

// New returns the tasks API over imp; a is the image API it is mounted
// in (its policy checks), caller tells who asks.
func New(imp *imports.Service, a *httpapi.API, caller func(*http.Request) image.Caller) *Handler {
	return &Handler{imp: imp, api: a, caller: caller}
}

// Routes is the tasks API's route table: tasks_api_access on every
// route first, the operation's own rule once the request is read, as in
// Glance.
func (h *Handler) Routes() []httpapi.Route {
	type R = httpapi.Route
	return []R{
		{Method: "POST", Pattern: "/v2/tasks", Policy: "tasks_api_access", Handler: h.createTask},
		{Method: "GET", Pattern: "/v2/tasks", Policy: "tasks_api_access", Handler: h.listTasks},
		{Method: "GET", Pattern: "/v2/tasks/{task_id}", Policy: "tasks_api_access", Handler: h.showTask},
		{Method: "DELETE", Pattern: "/v2/tasks/{task_id}", Policy: "tasks_api_access", Handler: h.deleteTask},
	}
}

// PolicyDefaults are Glance's task rules: tasks_api_access guards the
// API; the rules of each operation default to anyone who passed it.
func PolicyDefaults() map[string]string {
	return map[string]string{
		"get_task":         "rule:default",
		"get_tasks":        "rule:default",
		"add_task":         "rule:default",
		"modify_task":      "rule:default",
		"tasks_api_access": "rule:context_is_admin",
	}
}

const timeFormat = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// readBody reads the request body, at most max bytes.
func readBody(r *http.Request, max int) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		return nil, &apierr.Error{Code: http.StatusBadRequest, Message: "Could not read the request body.", Err: err}
	}
	if len(body) > max {
		return nil, apierr.TooLarge("Request is too large.")
	}
	return body, nil
}

// createTask is POST /v2/tasks: 201 with the task and its Location.
func (h *Handler) createTask(w http.ResponseWriter, r *http.Request) error {
	body, err := taskBody(r)
	if err != nil {
		return err
	}
	if err := h.api.Authorize(r, "add_task", nil); err != nil {
		return err
	}
	input, _ := body["input"].(map[string]any)
	t, err := h.imp.CreateTask(r.Context(), h.caller(r), body["type"].(string), input, httpapi.RequestID(r.Context()))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v2/tasks/"+t.ID)
	return httpapi.WriteJSON(w, http.StatusCreated, renderTask(t))
}

// taskBody reads a task creation body and checks it as Glance does: the
// required keys first, then the task schema.
func taskBody(r *http.Request) (map[string]any, error) {
	raw, err := readBody(r, httpapi.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, apierr.BadRequest("Body expected in request.")
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, apierr.BadRequest("Malformed JSON in request body.")
	}
	body, _ := v.(map[string]any)
	for _, k := range []string{"type", "input"} {
		if _, ok := body[k]; !ok {
			return nil, apierr.BadRequest("Task '%s' is required", k)
		}
	}
	if msg := checkTaskSchema(body); msg != "" {
		return nil, apierr.BadRequest("Provided object does not match schema 'task': %s", msg)
	}
	return body, nil
}

var uuidPattern = regexp.MustCompile(`^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$`)

// checkTaskSchema validates body against Glance's task schema and returns
// jsonschema's message for the first violation, or "".
func checkTaskSchema(body map[string]any) string {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var extra []string
	for _, k := range keys {
		v := body[k]
		isStr := func() bool { _, ok := v.(string); return ok }
		switch k {
		case "type":
			if !slices.Contains(imports.TaskTypes(), fmt.Sprint(v)) || !isStr() {
				return fmt.Sprintf("%s is not one of %s", pyRepr(v), pyList(imports.TaskTypes()))
			}
		case "status":
			var ss []string
			for _, s := range imports.TaskStatuses() {
				ss = append(ss, string(s))
			}
			if !slices.Contains(ss, fmt.Sprint(v)) || !isStr() {
				return fmt.Sprintf("%s is not one of %s", pyRepr(v), pyList(ss))
			}
		case "input", "result":
			if _, ok := v.(map[string]any); !ok && v != nil {
				return fmt.Sprintf("%s is not of type 'null', 'object'", pyRepr(v))
			}
		case "expires_at":
			if !isStr() && v != nil {
				return fmt.Sprintf("%s is not of type 'null', 'string'", pyRepr(v))
			}
		case "id":
			if !isStr() {
				return fmt.Sprintf("%s is not of type 'string'", pyRepr(v))
			}
			if !uuidPattern.MatchString(v.(string)) {
				return fmt.Sprintf("%s does not match %s", pyRepr(v), pyRepr(uuidPattern.String()))
			}
		case "owner", "message", "image_id", "request_id", "user_id", "created_at", "updated_at", "self", "schema":
			if !isStr() {
				return fmt.Sprintf("%s is not of type 'string'", pyRepr(v))
			}
		default:
			extra = append(extra, pyRepr(k))
		}
	}
	switch len(extra) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("Additional properties are not allowed (%s was unexpected)", extra[0])
	}
	return fmt.Sprintf("Additional properties are not allowed (%s were unexpected)", strings.Join(extra, ", "))
}

// pyRepr writes a JSON value as Python's repr does, as jsonschema's
// messages show it.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		if strings.Contains(v, "'") && !strings.Contains(v, `"`) {
			return `"` + v + `"`
		}
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func pyList(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = pyRepr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// listTasks is GET /v2/tasks: the tasks without their input, result and
// message, newest first by default, 25 a page.
func (h *Handler) listTasks(w http.ResponseWriter, r *http.Request) error {
	q, err := taskQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if err := h.api.Authorize(r, "get_tasks", nil); err != nil {
		return err
	}
	ts, err := h.imp.ListTasks(r.Context(), h.caller(r), q)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		out = append(out, renderTaskSummary(t))
	}
	params := r.URL.Query()
	params.Del("marker")
	body := map[string]any{"tasks": out, "first": "/v2/tasks", "schema": "/v2/schemas/tasks"}
	if len(params) > 0 {
		body["first"] = "/v2/tasks?" + params.Encode()
	}
	if len(ts) > 0 && len(ts) == q.Limit {
		params.Set("marker", ts[len(ts)-1].ID)
		body["next"] = "/v2/tasks?" + params.Encode()
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

// taskQuery reads a task list's parameters with Glance's checks, in its
// order. Parameters that are not filters Glance knows are ignored.
func taskQuery(v url.Values) (imports.TaskQuery, error) {
	q := imports.TaskQuery{SortKey: v.Get("sort_key"), Limit: defaultLimit, Marker: v.Get("marker")}
	switch d := v.Get("sort_dir"); d {
	case "", "desc":
	case "asc":
		q.Asc = true
	default:
		return q, apierr.BadRequest("Invalid sort direction: %s", d)
	}
	if _, ok := v["sort_dir"]; ok && v.Get("sort_dir") == "" {
		return q, apierr.BadRequest("Invalid sort direction: ")
	}
	if s := v.Get("status"); s != "" {
		if !slices.Contains(imports.TaskStatuses(), imports.TaskStatus(s)) {
			return q, apierr.BadRequest("Invalid status value: %s", s)
		}
		q.Status = imports.TaskStatus(s)
	}
	if t := v.Get("type"); t != "" {
		// Glance filters on the tasks API's own type only.
		if t != imports.TaskTypeLegacyImport {
			return q, apierr.BadRequest("Invalid type value: %s", t)
		}
		q.Type = t
	}
	if q.Marker != "" {
		if _, err := uuid.Parse(q.Marker); err != nil {
			return q, apierr.BadRequest("Invalid marker format")
		}
	}
	if l, ok := v["limit"]; ok {
		n, err := strconv.Atoi(l[0])
		if err != nil {
			return q, apierr.BadRequest("limit param must be an integer")
		}
		if n < 0 {
			return q, apierr.BadRequest("limit param must be positive")
		}
		q.Limit = n
	}
	q.Limit = min(q.Limit, maxLimit)
	if q.SortKey != "" && !imports.ValidTaskSortKey(q.SortKey) {
		return q, apierr.BadRequest("Sort key supplied was not valid.")
	}
	return q, nil
}

// showTask is GET /v2/tasks/{id}.
func (h *Handler) showTask(w http.ResponseWriter, r *http.Request) error {
	if err := h.api.Authorize(r, "get_task", nil); err != nil {
		return err
	}
	t, err := h.imp.Task(r.Context(), h.caller(r), r.PathValue("task_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, renderTask(t))
}

// deleteTask is DELETE /v2/tasks/{id}, which Glance refuses: tasks go
// when they expire.
func (h *Handler) deleteTask(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Allow", "GET")
	return apierr.New(http.StatusMethodNotAllowed, "This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property.")
}

// renderTask is a task as GET /v2/tasks/{id} shows it: the attributes
// with no value (image, request, user, expiry) are left out, as Glance
// does.
func renderTask(t *imports.Task) map[string]any {
	m := renderTaskSummary(t)
	m["input"] = rawOrNull(t.Input)
	m["result"] = rawOrNull(t.Result)
	m["message"] = t.Message
	for k, v := range map[string]string{"image_id": t.ImageID, "request_id": t.RequestID, "user_id": t.UserID} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// renderTaskSummary is a task as GET /v2/tasks lists it (Glance leaves out input, result and message).
func renderTaskSummary(t *imports.Task) map[string]any {
	m := map[string]any{
		"id": t.ID, "type": t.Type, "status": string(t.Status), "owner": t.Owner,
		"created_at": fmtTime(t.CreatedAt), "updated_at": fmtTime(t.UpdatedAt),
		"self": "/v2/tasks/" + t.ID, "schema": "/v2/schemas/task",
	}
	if t.ExpiresAt != nil {
		m["expires_at"] = fmtTime(*t.ExpiresAt)
	}
	return m
}

func rawOrNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// taskSchema is Glance's task schema; partial leaves out what a task
// list does not show (input, result, message).
func taskSchema(partial bool) map[string]any {
	typ := func(desc string, t ...any) map[string]any {
		m := map[string]any{"description": desc, "type": "string"}
		if len(t) > 0 {
			m["type"] = t
		}
		return m
	}
	readOnly := map[string]any{"readOnly": true, "type": "string"}
	statuses := []string{}
	for _, s := range imports.TaskStatuses() {
		statuses = append(statuses, string(s))
	}
	props := map[string]any{
		"id":         map[string]any{"description": "An identifier for the task", "type": "string", "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
		"type":       map[string]any{"description": "The type of task represented by this content", "type": "string", "enum": imports.TaskTypes()},
		"status":     map[string]any{"description": "The current status of this task", "type": "string", "enum": statuses},
		"input":      typ("The parameters required by task, JSON blob", "null", "object"),
		"result":     typ("The result of current task, JSON blob", "null", "object"),
		"owner":      typ("An identifier for the owner of this task"),
		"message":    typ("Human-readable informative message only included when appropriate (usually on failure)"),
		"image_id":   typ("Image associated with the task"),
		"request_id": typ("Human-readable informative request-id"),
		"user_id":    typ("User associated with the task"),
		"expires_at": typ("Datetime when this resource would be subject to removal", "null", "string"),
		"created_at": typ("Datetime when this resource was created"),
		"updated_at": typ("Datetime when this resource was updated"),
		"self":       readOnly,
		"schema":     readOnly,
	}
	if partial {
		delete(props, "input")
		delete(props, "result")
		delete(props, "message")
	}
	return map[string]any{"name": "task", "properties": props, "additionalProperties": false}
}

// Schemas maps the tasks API's paths under /v2/schemas/ to their
// documents.
func Schemas() map[string]func() map[string]any {
	return map[string]func() map[string]any{
		"task": func() map[string]any { return taskSchema(false) },
		"tasks": func() map[string]any {
			return map[string]any{
				"name": "tasks",
				"properties": map[string]any{
					"tasks":  map[string]any{"type": "array", "items": taskSchema(true)},
					"schema": map[string]any{"type": "string"},
					"first":  map[string]any{"type": "string"},
					"next":   map[string]any{"type": "string"},
				},
				"links": []map[string]string{
					{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"}, {"rel": "describedby", "href": "{schema}"},
				},
			}
		},
	}
}
