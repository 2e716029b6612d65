package image

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// ImportStore is the persistence of the interoperable import flow: the
// tasks that run imports and survive a restart.
type ImportStore interface {
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

// StoreFile is the one store gostack has: files under the data dir.
const StoreFile = "file"

// Reserved properties the import flow keeps on images (Glance's names;
// users may not set os_glance_*).
const (
	PropImportTask        = "os_glance_import_task"
	PropImportingToStores = "os_glance_importing_to_stores"
	PropFailedImport      = "os_glance_failed_import"
	PropStageHost         = "os_glance_stage_host"
)

// ImportConfig configures the interoperable import flow.
type ImportConfig struct {
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

func (c *ImportConfig) setDefaults() {
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

// importState is the import flow's part of Service: its configuration,
// the semaphore bounding running imports and what Close waits for.
type importState struct {
	once   sync.Once
	mu     sync.Mutex
	cfg    ImportConfig
	set    bool
	filter *hostFilter
	client *http.Client
	sem    chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}
