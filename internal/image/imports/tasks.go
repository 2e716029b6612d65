package imports

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func taskNotFound(id string) error {
	return apierr.NotFound("Task with the given id %s was not found", id)
}

// ImageTasks lists the tasks of an image the caller may see
// (GET /v2/images/{id}/tasks).
func (s *Service) ImageTasks(ctx context.Context, c image.Caller, id string) ([]*Task, error) {
	if _, err := s.img.Show(ctx, c, id); err != nil {
		return nil, err
	}
	return s.store.ListTasks(ctx, TaskFilter{ImageID: id})
}

// Task returns a task the caller may see.
func (s *Service) Task(ctx context.Context, c image.Caller, id string) (*Task, error) {
	t, err := s.store.GetTask(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, taskNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if !c.Admin && t.Owner != c.ProjectID {
		return nil, taskNotFound(id)
	}
	return t, nil
}
