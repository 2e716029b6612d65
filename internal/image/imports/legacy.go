package imports

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The tasks API (POST /v2/tasks) is Glance's first, now deprecated, way
// to import an image: an "import" task creates an image from
// input.image_properties and fills it with the data at input.import_from.
// Glance keeps it for admins (tasks_api_access); this file runs those
// tasks with the same fetch as web-download and the same upload path as
// PUT /file.

// TaskTypeLegacyImport is the type of the tasks POST /v2/tasks creates.
const TaskTypeLegacyImport = "import"

// TaskTypes returns the task types of Glance's task schema.
func TaskTypes() []string { return []string{TaskTypeLegacyImport, TaskTypeImport, "location_import"} }

// TaskStatuses returns the statuses a task may have.
func TaskStatuses() []TaskStatus {
	return []TaskStatus{TaskPending, TaskProcessing, TaskSuccess, TaskFailure}
}

// legacyInput is the input of an "import" task.
type legacyInput struct {
	ImportFrom       string
	ImportFromFormat string
	ImageProperties  map[string]any
	// raw is the whole input, for what is checked when the task runs.
	raw map[string]any
}

// parseLegacyInput checks what Glance checks of an import task's input
// when it creates the task: import_from, whose refusal is a 400. The
// other keys are checked when the task runs (completeLegacyInput).
func (s *Service) parseLegacyInput(input map[string]any) (legacyInput, error) {
	in := legacyInput{raw: input}
	from, _ := input["import_from"].(string)
	switch {
	case input["import_from"] == nil:
		return in, apierr.BadRequest("Invalid location: None")
	case from == "":
		return in, apierr.BadRequest("Invalid location: %v", input["import_from"])
	case strings.HasPrefix(from, "http://"), strings.HasPrefix(from, "https://"):
	case strings.HasPrefix(from, "file:///"), strings.HasPrefix(from, "filesystem:///"):
		return in, apierr.BadRequest("File based imports are not allowed. Please use a non-local source of image data.")
	default:
		return in, apierr.BadRequest("The given uri is not valid. Please specify a valid uri from the following list of supported uri ['http']")
	}
	if err := s.filter.allowString(from); err != nil {
		return in, apierr.BadRequest("URI for legacy import task does not pass filtering: %s", from)
	}
	in.ImportFrom = from
	return in, nil
}

// completeLegacyInput checks the rest of an import task's input when the
// task runs, as Glance's task executor does: the task was created (201)
// and a missing or malformed key fails it with this message.
func completeLegacyInput(in *legacyInput) error {
	for _, k := range []string{"import_from_format", "image_properties"} {
		if _, ok := in.raw[k]; !ok {
			return fmt.Errorf("Input does not contain '%s' field", k)
		}
	}
	f, ok := in.raw["import_from_format"].(string)
	if !ok {
		return errors.New("Input field 'import_from_format' must be a string.")
	}
	in.ImportFromFormat = f
	switch p := in.raw["image_properties"].(type) {
	case nil:
		in.ImageProperties = map[string]any{}
	case map[string]any:
		in.ImageProperties = p
	default:
		return errors.New("Input field 'image_properties' must be an object.")
	}
	return nil
}

// CreateTask creates a task of the tasks API (POST /v2/tasks) and runs
// it in the background. Only "import" tasks may be created this way: the
// other types of Glance's schema are the import API's and the location
// API's own, which create them.
func (s *Service) CreateTask(ctx context.Context, c image.Caller, typ string, input map[string]any, requestID string) (*Task, error) {
	if typ != TaskTypeLegacyImport {
		return nil, apierr.BadRequest("Tasks of type %s are created by the image service itself; POST /v2/tasks creates tasks of type import.", typ)
	}
	in, err := s.parseLegacyInput(input)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Task{
		ID: uuid.NewString(), Type: typ, Status: TaskPending, Owner: c.ProjectID, UserID: c.UserID,
		RequestID: requestID, Input: raw, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreateTask(ctx, t); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, apierr.Conflict("Task %s already exists", t.ID)
		}
		return nil, err
	}
	s.spawn(func(ctx context.Context) { s.runLegacy(ctx, t, c, in) })
	return t, nil
}

// spawn runs fn in the background, at most Workers at once; nothing
// runs once Close has begun.
func (s *Service) spawn(fn func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.sem <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		defer func() { <-s.sem }()
		fn(s.ctx)
	}()
}

// runLegacy runs an import task: it creates the image as the task's
// creator (c, whose policy checks still apply), downloads the data into
// it, and records the outcome. A failure deletes the image it created,
// as Glance's flow reverts.
func (s *Service) runLegacy(ctx context.Context, t *Task, c image.Caller, in legacyInput) {
	if _, err := s.store.UpdateTask(ctx, t.ID, func(t *Task) error {
		if t.Status != TaskPending {
			return errTaskDone
		}
		t.Status, t.UpdatedAt = TaskProcessing, s.now()
		return nil
	}); err != nil {
		if !errors.Is(err, errTaskDone) && ctx.Err() == nil {
			slog.Error("image task: cannot start", "task", t.ID, "err", err)
		}
		return
	}
	if err := completeLegacyInput(&in); err != nil {
		s.endTask(ctx, t.ID, TaskFailure, err.Error(), nil)
		return
	}
	img, err := s.img.Create(ctx, c, in.ImageProperties)
	if err != nil {
		s.endTask(ctx, t.ID, TaskFailure, failureMessage(err), nil)
		return
	}
	// The task names its image from now on, so that a restart that
	// interrupts it can remove the image (recoverLegacy).
	if _, err := s.store.UpdateTask(ctx, t.ID, func(t *Task) error {
		t.ImageID, t.UpdatedAt = img.ID, s.now()
		return nil
	}); err != nil {
		s.revertLegacy(ctx, img.ID)
		s.endTask(ctx, t.ID, TaskFailure, failureMessage(err), nil)
		return
	}
	err = s.uploadFrom(ctx, c, img.ID, in.ImportFrom)
	if ctx.Err() != nil {
		return // shutting down: recoverLegacy ends the task at the next start
	}
	if err != nil {
		s.revertLegacy(ctx, img.ID)
		s.endTask(ctx, t.ID, TaskFailure, "Uploading the image failed due to: "+failureMessage(err), nil)
		return
	}
	s.endTask(ctx, t.ID, TaskSuccess, "", map[string]any{"image_id": img.ID})
}

// uploadFrom downloads uri into image id through the image service's
// upload (queued → saving → active, the size cap, quotas, inspection).
func (s *Service) uploadFrom(ctx context.Context, c image.Caller, id, uri string) error {
	resp, err := s.fetch(ctx, uri, "legacy import task")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	img, err := s.img.Upload(ctx, c, id, resp.Body, resp.ContentLength)
	if err != nil {
		return err
	}
	if resp.ContentLength >= 0 && img.Size != nil && *img.Size != resp.ContentLength {
		return &importError{Msg: fmt.Sprintf("Downloaded %d bytes of %s, expected %d", *img.Size, uri, resp.ContentLength)}
	}
	return nil
}

// revertLegacy deletes the image a failed import task created, protected
// or not: it never became usable.
func (s *Service) revertLegacy(ctx context.Context, id string) {
	ctx = context.WithoutCancel(ctx)
	_, err := s.img.Change(ctx, id, func(img *image.Image) error {
		img.Protected = false
		return nil
	})
	if err == nil {
		err = s.img.Delete(ctx, image.Caller{Admin: true}, id)
	}
	if err != nil && !apierr.IsNotFound(err) {
		slog.Error("image task: cannot delete the image of a failed task", "image", id, "err", err)
	}
}

// failureMessage is the task message of err: the public message of an
// API error, the text of anything else.
func failureMessage(err error) string {
	if e, ok := apierr.As(err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// recoverLegacy ends the import tasks a previous process left pending or
// processing: they fail, and the image a processing one created is
// deleted. They are not run again because the policy checks of their
// creator's request (publicize_image, ...) cannot be made again without
// that request.
func (s *Service) recoverLegacy(ctx context.Context) error {
	ts, err := s.store.ListTasks(ctx, TaskFilter{Type: TaskTypeLegacyImport, Statuses: []TaskStatus{TaskPending, TaskProcessing}})
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ImageID != "" {
			if img, err := s.img.Get(ctx, t.ImageID); err == nil && img.Status != image.StatusActive {
				s.revertLegacy(ctx, t.ImageID)
			}
		}
		s.endTask(ctx, t.ID, TaskFailure, "The image service restarted before the task finished; create the task again.", nil)
	}
	return nil
}

// TaskQuery is a GET /v2/tasks request: the filters, the order and the
// page.
type TaskQuery struct {
	Type    string
	Status  TaskStatus
	SortKey string // a task attribute; "" is created_at
	Asc     bool
	Marker  string
	Limit   int // < 0: no limit
}

// ValidTaskSortKey reports whether k may sort a task list: the columns
// of Glance's tasks table.
func ValidTaskSortKey(k string) bool {
	switch k {
	case "id", "type", "status", "owner", "image_id", "request_id", "user_id",
		"expires_at", "created_at", "updated_at", "deleted", "deleted_at":
		return true
	}
	return false
}

// ListTasks is GET /v2/tasks: expired tasks are removed first, as Glance
// does on every list; non-admins see their project's tasks. Sorting and
// paging happen here rather than in SQL: tasks live for TaskTTL, so the
// table stays small, and the order of a NULL expires_at is then the same
// on every database (first in ascending order, as in Glance on MySQL).
func (s *Service) ListTasks(ctx context.Context, c image.Caller, q TaskQuery) ([]*Task, error) {
	if _, err := s.store.DeleteExpiredTasks(ctx, s.now()); err != nil {
		return nil, err
	}
	f := TaskFilter{Type: q.Type}
	if !c.Admin {
		f.Owner = c.ProjectID
	}
	if q.Status != "" {
		f.Statuses = []TaskStatus{q.Status}
	}
	ts, err := s.store.ListTasks(ctx, f)
	if err != nil {
		return nil, err
	}
	key := q.SortKey
	if key == "" {
		key = "created_at"
	}
	if !ValidTaskSortKey(key) {
		return nil, apierr.BadRequest("Sort key supplied was not valid.")
	}
	order := func(a, b *Task) int {
		r := cmp.Or(compareTaskKey(a, b, key), a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		if !q.Asc {
			r = -r
		}
		return r
	}
	slices.SortFunc(ts, order)
	if q.Marker != "" {
		m, err := s.Task(ctx, c, q.Marker)
		if err != nil {
			return nil, apierr.BadRequest("%s", failureMessage(err))
		}
		i := 0
		for i < len(ts) && order(ts[i], m) <= 0 {
			i++
		}
		ts = ts[i:]
	}
	if q.Limit >= 0 && len(ts) > q.Limit {
		ts = ts[:q.Limit]
	}
	return ts, nil
}

// compareTaskKey compares two tasks by one attribute.
func compareTaskKey(a, b *Task, key string) int {
	switch key {
	case "id":
		return strings.Compare(a.ID, b.ID)
	case "type":
		return strings.Compare(a.Type, b.Type)
	case "status":
		return strings.Compare(string(a.Status), string(b.Status))
	case "owner":
		return strings.Compare(a.Owner, b.Owner)
	case "image_id":
		return strings.Compare(a.ImageID, b.ImageID)
	case "request_id":
		return strings.Compare(a.RequestID, b.RequestID)
	case "user_id":
		return strings.Compare(a.UserID, b.UserID)
	case "created_at":
		return a.CreatedAt.Compare(b.CreatedAt)
	case "updated_at":
		return a.UpdatedAt.Compare(b.UpdatedAt)
	case "expires_at":
		return compareTimes(a.ExpiresAt, b.ExpiresAt)
	}
	return 0 // deleted, deleted_at: the same for every listed task
}

// compareTimes orders a missing time first.
func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}
