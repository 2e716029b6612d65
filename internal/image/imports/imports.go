// Package imports is Glance's interoperable image import: data staged
// with PUT /v2/images/{id}/stage (glance-direct), fetched from an
// allowed web server (web-download) or from another image of the cloud
// (glance-download), or copied between stores (copy-image), by tasks
// that run in the background and survive a restart.
//
//	POST /import ──▶ Service.Import: checks, locks the image
//	                 (os_glance_import_task), records a Task, answers 202
//	  workers (at most Config.Workers at once)
//	    ├─ stage the data: checkStaged | webDownload | glanceDownload
//	    ├─ finishImport: inspect, staging ──▶ image data, image active
//	    └─ or failImport: image queued again, os_glance_failed_import
//	  Recover at start runs again the tasks a previous process left.
//
// The tasks API's "import" tasks (POST /v2/tasks, legacy.go) create an
// image and fill it from a web server through the same allow-list.
//
// The images themselves and their data stores belong to the image
// service (package image); this package only moves data into them.
package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/image"
)

// Store is the persistence of the import flow: the tasks that run
// imports. A missing task is apierr.ErrNotFound, a taken id
// apierr.ErrDuplicate.
type Store interface {
	CreateTask(ctx context.Context, t *Task) error
	GetTask(ctx context.Context, id string) (*Task, error)
	// ListTasks lists tasks, newest first: of one image when imageID is
	// set, of one owner when owner is set, in one of statuses if given.
	ListTasks(ctx context.Context, f TaskFilter) ([]*Task, error)
	// UpdateTask reads the task, lets fn change it and writes it back in
	// one transaction; an error from fn aborts and is returned as is.
	UpdateTask(ctx context.Context, id string, fn func(*Task) error) (*Task, error)
	// DeleteExpiredTasks removes finished tasks whose expiry has passed.
	DeleteExpiredTasks(ctx context.Context, now time.Time) (int64, error)
}

// TaskFilter selects tasks.
type TaskFilter struct {
	ImageID  string
	Owner    string
	Type     string
	Statuses []TaskStatus
	Limit    int
	Marker   string
}

// TaskStatus is a task's place in its life: pending → processing →
// success | failure.
type TaskStatus string

const (
	TaskPending    TaskStatus = "pending"
	TaskProcessing TaskStatus = "processing"
	TaskSuccess    TaskStatus = "success"
	TaskFailure    TaskStatus = "failure"
)

// TaskTypeImport is the type of the tasks the import API creates
// (Glance's api_image_import).
const TaskTypeImport = "api_image_import"

// Task is one asynchronous operation on an image.
type Task struct {
	ID        string
	Type      string
	Status    TaskStatus
	Owner     string // project
	UserID    string
	RequestID string // of the request that created it
	ImageID   string
	Input     json.RawMessage // {"image_id":…, "import_req": <the import body>, "backend": [...]}
	Result    json.RawMessage // null until it ends
	Message   string
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt *time.Time // set when the task ends
}

// The import methods (the "method.name" of an import request).
const (
	MethodGlanceDirect   = "glance-direct"
	MethodWebDownload    = "web-download"
	MethodCopyImage      = "copy-image"
	MethodGlanceDownload = "glance-download"
)

// Reserved properties the import flow keeps on images (Glance's names;
// users may not set os_glance_*).
const (
	PropImportTask        = "os_glance_import_task"
	PropImportingToStores = "os_glance_importing_to_stores"
	PropFailedImport      = "os_glance_failed_import"
	PropStageHost         = "os_glance_stage_host"
)

// Config configures the import flow.
type Config struct {
	// Methods lists the enabled import methods; nil enables glance-direct,
	// web-download (when AllowedHosts is not empty), copy-image and
	// glance-download.
	Methods []string
	// AllowedHosts is web-download's allow-list: host names, IP
	// addresses or CIDR prefixes. Only http and https URLs to these hosts
	// (and redirects to them) are fetched; empty disables web-download.
	AllowedHosts []string
	// Workers bounds the imports that run at once (default 4).
	Workers int
	// TaskTTL is how long finished tasks are kept (Glance's
	// task_time_to_live, default 48 h).
	TaskTTL time.Duration
	// Region is this cloud's region: glance-download copies from the
	// image service of that region, which is this one.
	Region string
	// DownloadProperties are the properties glance-download copies from
	// the source image (shell patterns; default Glance's
	// glance_download_properties).
	DownloadProperties []string
	// HTTPClient fetches web-download URLs; nil builds one that enforces
	// AllowedHosts on every connection.
	HTTPClient *http.Client
	// StageHost, when set, is recorded as os_glance_stage_host on staged
	// images (Glance's worker_self_reference_url).
	StageHost string
}

func (c *Config) setDefaults() {
	if c.Methods == nil {
		c.Methods = []string{MethodGlanceDirect, MethodCopyImage, MethodGlanceDownload}
		if len(c.AllowedHosts) > 0 {
			c.Methods = []string{MethodGlanceDirect, MethodWebDownload, MethodCopyImage, MethodGlanceDownload}
		}
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.TaskTTL <= 0 {
		c.TaskTTL = 48 * time.Hour
	}
	if c.DownloadProperties == nil {
		c.DownloadProperties = []string{"hw_*", "trait:*", "os_distro", "os_secure_boot", "os_type"}
	}
}

// Service runs imports into the images of an image service.
type Service struct {
	img    *image.Service
	store  Store
	cfg    Config
	filter *hostFilter
	client *http.Client
	now    func() time.Time

	// sem bounds the running imports; ctx is cancelled by Close, which
	// waits for wg.
	sem    chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
}

// New returns the import flow of img, its tasks kept in store (migrated
// with the image service's tables). Call Close when done.
func New(img *image.Service, store Store, cfg Config) (*Service, error) {
	cfg.setDefaults()
	f, err := newHostFilter(cfg.AllowedHosts)
	if err != nil {
		return nil, err
	}
	for _, m := range cfg.Methods {
		switch m {
		case MethodGlanceDirect, MethodWebDownload, MethodCopyImage, MethodGlanceDownload:
		default:
			return nil, fmt.Errorf("image: unknown import method %q", m)
		}
	}
	s := &Service{
		img: img, store: store, cfg: cfg, filter: f, client: cfg.HTTPClient,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		sem: make(chan struct{}, cfg.Workers),
	}
	if s.client == nil {
		s.client = f.client()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Methods lists the enabled import methods (GET /v2/info/import).
func (s *Service) Methods() []string { return slices.Clone(s.cfg.Methods) }

// Enabled reports whether import method m is enabled.
func (s *Service) Enabled(m string) bool { return slices.Contains(s.cfg.Methods, m) }

// StoreInfo describes one store (GET /v2/info/stores).
type StoreInfo struct {
	ID          string
	Description string
	Default     bool
	Type        string
}

// Stores lists the stores image data may live in.
func (s *Service) Stores() []StoreInfo {
	if s.img.StoreName() != image.StoreFile {
		return []StoreInfo{{ID: s.img.StoreName(), Description: "The cloud's object storage", Default: true, Type: s.img.StoreName()}}
	}
	return []StoreInfo{{ID: image.StoreFile, Description: "Local file system under the data directory", Default: true, Type: "file"}}
}

// startImport runs t in the background, at most Workers at once.
func (s *Service) startImport(t *Task, prior image.Status) {
	// After Close nothing runs: Recover picks the task up at the next
	// start.
	s.spawn(func(ctx context.Context) { s.runImport(ctx, t, prior) })
}

// Close stops running imports and waits for them. Their tasks stay
// pending or processing, for Recover to run again.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// Recover runs again the imports a previous process left unfinished,
// ends the tasks API's import tasks it left (recoverLegacy), and removes
// expired tasks. Call it after the image service's Recover.
func (s *Service) Recover(ctx context.Context) error {
	if _, err := s.store.DeleteExpiredTasks(ctx, s.now()); err != nil {
		return err
	}
	if err := s.recoverLegacy(ctx); err != nil {
		return err
	}
	ts, err := s.store.ListTasks(ctx, TaskFilter{Type: TaskTypeImport, Statuses: []TaskStatus{TaskPending, TaskProcessing}})
	if err != nil {
		return err
	}
	for _, t := range ts {
		prior := image.StatusQueued
		if importMethod(t) == MethodGlanceDirect {
			prior = image.StatusUploading
		}
		s.startImport(t, prior)
	}
	return nil
}
