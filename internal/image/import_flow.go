package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// ConfigureImport sets the import flow's configuration. Call it once,
// before the service serves requests; without it the defaults apply
// (web-download off).
func (s *Service) ConfigureImport(c ImportConfig) error {
	c.setDefaults()
	f, err := newHostFilter(c.AllowedHosts)
	if err != nil {
		return err
	}
	for _, m := range c.Methods {
		switch m {
		case MethodGlanceDirect, MethodWebDownload, MethodCopyImage, MethodGlanceDownload:
		default:
			return fmt.Errorf("image: unknown import method %q", m)
		}
	}
	st := &s.imp
	st.mu.Lock()
	defer st.mu.Unlock()
	st.cfg, st.filter, st.set = c, f, true
	return nil
}

// imports returns the import state, set up on first use.
func (s *Service) imports() *importState {
	st := &s.imp
	st.once.Do(func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if !st.set {
			st.cfg.setDefaults()
			st.filter, _ = newHostFilter(nil)
		}
		st.client = st.cfg.HTTPClient
		if st.client == nil {
			st.client = st.filter.client()
		}
		st.sem = make(chan struct{}, st.cfg.Workers)
		st.ctx, st.cancel = context.WithCancel(context.Background())
	})
	return st
}

// ImportMethods lists the enabled import methods (GET /v2/info/import).
func (s *Service) ImportMethods() []string {
	return slices.Clone(s.imports().cfg.Methods)
}

func (s *Service) methodEnabled(m string) bool {
	return slices.Contains(s.imports().cfg.Methods, m)
}

// StoreInfo describes one store (GET /v2/info/stores).
type StoreInfo struct {
	ID          string
	Description string
	Default     bool
	Type        string
}

// Stores lists the stores image data may live in.
func (s *Service) Stores() []StoreInfo {
	return []StoreInfo{{ID: StoreFile, Description: "Local file system under the data directory", Default: true, Type: "file"}}
}

// Stage stores data in the staging area for a later glance-direct import
// (PUT /v2/images/{id}/stage): queued → uploading, back to queued when
// the data does not arrive whole. Stage data counts against the same
// size cap and quotas as an upload.
func (s *Service) Stage(ctx context.Context, c Caller, id string, r io.Reader) error {
	if !s.methodEnabled(MethodGlanceDirect) {
		return notFound("image stage", id)
	}
	img, err := s.Show(ctx, c, id)
	if err != nil {
		return err
	}
	if err := c.authorize("modify_image", img); err != nil {
		return err
	}
	if img.Status != StatusQueued {
		return conflict("Image with status %s cannot be staged; it must be queued.", img.Status)
	}
	capBytes, err := s.uploadCap(ctx, img.Owner)
	if err != nil {
		return err
	}
	host := s.imports().cfg.StageHost
	_, err = s.store.UpdateImage(ctx, id, func(img *Image) error {
		if img.Status != StatusQueued {
			return conflict("Image with status %s cannot be staged; it must be queued.", img.Status)
		}
		img.Status = StatusUploading
		if host != "" {
			setProp(img, PropStageHost, host)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.staging.Put(ctx, id, r, capBytes); err != nil {
		// The data did not arrive whole: nothing staged, queued again.
		_ = s.staging.Delete(context.WithoutCancel(ctx), id)
		_, _ = s.store.UpdateImage(context.WithoutCancel(ctx), id, func(img *Image) error {
			if img.Status == StatusUploading {
				img.Status = StatusQueued
				delete(img.Properties, PropStageHost)
			}
			return nil
		})
		return err
	}
	return nil
}

// DiscardStaged removes what was staged for an image (on delete).
func (s *Service) DiscardStaged(ctx context.Context, id string) error {
	return s.staging.Delete(ctx, id)
}

// ImportRequest is the body of POST /v2/images/{id}/import.
type ImportRequest struct {
	Method               string
	URI                  string // web-download
	GlanceImageID        string // glance-download
	GlanceRegion         string
	GlanceInterface      string
	Stores               []string
	AllStores            bool
	AllStoresMustSucceed *bool
	// Body is the request as received; it is kept as the task's input.
	Body json.RawMessage
}

// Import starts importing data into image id with the method of req
// (POST /v2/images/{id}/import). It checks what Glance checks before
// answering 202, records a task and runs it in the background. It
// returns no task (and no error) when there is nothing to do: copy-image
// to every store of an image that is in all of them.
func (s *Service) Import(ctx context.Context, c Caller, id string, req ImportRequest, requestID string) (*Task, error) {
	st := s.imports()
	if !s.methodEnabled(req.Method) {
		return nil, invalid("Import method %s is not valid. Valid methods: %s", req.Method, strings.Join(st.cfg.Methods, ", "))
	}
	img, err := s.Show(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case img.Status == StatusActive && req.Method != MethodCopyImage:
		return nil, conflict("Image with status active cannot be target for import")
	case img.Status != StatusActive && req.Method == MethodCopyImage:
		return nil, conflict("Only images with status active can be targeted for copying")
	case img.Status != StatusQueued && (req.Method == MethodWebDownload || req.Method == MethodGlanceDownload):
		return nil, conflict("Image needs to be in 'queued' state to use '%s' method", req.Method)
	case img.Status != StatusUploading && req.Method == MethodGlanceDirect:
		return nil, conflict("Image needs to be staged before 'glance-direct' method can be used")
	case img.ContainerFormat == "":
		return nil, conflict("'container_format' needs to be set before import")
	case img.DiskFormat == "":
		return nil, conflict("'disk_format' needs to be set before import")
	}
	if req.Method == MethodGlanceDownload {
		if req.GlanceRegion == "" {
			return nil, invalid("'glance_region' needs to be set for glance-download import method")
		}
		if req.GlanceImageID == "" {
			return nil, invalid("'glance_image_id' needs to be set for glance-download import method")
		}
		if _, err := uuid.Parse(req.GlanceImageID); err != nil {
			return nil, invalid("Remote image id does not look like a UUID: %s", req.GlanceImageID)
		}
	}
	rule := "modify_image"
	if req.Method == MethodCopyImage {
		rule = "copy_image"
	}
	if err := c.authorize(rule, img); err != nil {
		return nil, err
	}
	lock := img.Properties[PropImportTask]
	if lock != "" {
		if t, err := s.store.GetTask(ctx, lock); err == nil && (t.Status == TaskPending || t.Status == TaskProcessing) {
			return nil, conflict("New operation on image '%s' is not permitted as prior operation is still in progress", id)
		}
	}
	stores := req.Stores
	if req.AllStores || len(stores) == 0 {
		stores = []string{StoreFile}
	}
	for _, name := range stores {
		if name != StoreFile {
			return nil, conflict("Store for identifier %s not found", name)
		}
	}
	if req.Method == MethodCopyImage {
		present := slices.Contains(strings.Split(img.Stores, ","), StoreFile)
		if present && !req.AllStores {
			return nil, invalid("Image is already present at store '%s'", StoreFile)
		}
		if present {
			// Nothing to copy: say so the way a finished copy does.
			_, err := s.store.UpdateImage(ctx, id, func(img *Image) error {
				setProp(img, PropImportingToStores, "")
				if _, ok := img.Properties[PropFailedImport]; !ok {
					setProp(img, PropFailedImport, "")
				}
				return nil
			})
			return nil, err
		}
	}
	if req.Method == MethodWebDownload {
		if err := st.filter.allowString(req.URI); err != nil {
			return nil, invalid("URI for web-download does not pass filtering: %s", req.URI)
		}
	}

	input, err := json.Marshal(map[string]any{"image_id": id, "import_req": req.Body, "backend": stores})
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Task{
		ID: uuid.NewString(), Type: TaskTypeImport, Status: TaskPending, Owner: c.ProjectID,
		UserID: c.UserID, RequestID: requestID, ImageID: id, Input: input, CreatedAt: now, UpdatedAt: now,
	}
	if _, err := s.store.UpdateImage(ctx, id, func(img *Image) error {
		if img.Properties[PropImportTask] != lock {
			return conflict("New operation on image '%s' is not permitted as prior operation is still in progress", id)
		}
		switch req.Method {
		case MethodGlanceDirect:
			if img.Status != StatusUploading {
				return conflict("Image needs to be staged before 'glance-direct' method can be used")
			}
			img.Status = StatusImporting
		case MethodWebDownload, MethodGlanceDownload:
			if img.Status != StatusQueued {
				return conflict("Image needs to be in 'queued' state to use '%s' method", req.Method)
			}
			img.Status = StatusImporting
		}
		setProp(img, PropImportTask, t.ID)
		setProp(img, PropImportingToStores, strings.Join(stores, ","))
		setProp(img, PropFailedImport, "")
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.store.CreateTask(ctx, t); err != nil {
		s.failImport(context.WithoutCancel(ctx), t, img.Status, fmt.Errorf("recording the task: %w", err))
		return nil, err
	}
	_, _ = s.store.DeleteExpiredTasks(ctx, now)
	s.startImport(t, img.Status)
	return t, nil
}

// setProp sets an extra property, creating the map if needed.
func setProp(img *Image, k, v string) {
	if img.Properties == nil {
		img.Properties = map[string]string{}
	}
	img.Properties[k] = v
}

// startImport runs t in the background, at most Workers at once.
func (s *Service) startImport(t *Task, prior Status) {
	st := s.imports()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return // Recover picks it up at the next start
	}
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		select {
		case st.sem <- struct{}{}:
		case <-st.ctx.Done():
			return
		}
		defer func() { <-st.sem }()
		s.runImport(st.ctx, t, prior)
	}()
}

// CloseImports stops running imports and waits for them. Their tasks stay
// pending or processing, for RecoverImports to run again.
func (s *Service) CloseImports() {
	st := s.imports()
	st.mu.Lock()
	st.closed = true
	st.mu.Unlock()
	st.cancel()
	st.wg.Wait()
}

// RecoverImports runs again the imports a previous process left
// unfinished, and removes expired tasks. Call it after Recover.
func (s *Service) RecoverImports(ctx context.Context) error {
	if _, err := s.store.DeleteExpiredTasks(ctx, s.now()); err != nil {
		return err
	}
	ts, err := s.store.ListTasks(ctx, TaskFilter{Type: TaskTypeImport, Statuses: []TaskStatus{TaskPending, TaskProcessing}})
	if err != nil {
		return err
	}
	for _, t := range ts {
		prior := StatusQueued
		if importMethod(t) == MethodGlanceDirect {
			prior = StatusUploading
		}
		s.startImport(t, prior)
	}
	return nil
}

// importMethod reads the method name out of a task's input.
func importMethod(t *Task) string {
	var in struct {
		ImportReq struct {
			Method map[string]any `json:"method"`
		} `json:"import_req"`
	}
	_ = json.Unmarshal(t.Input, &in)
	name, _ := in.ImportReq.Method["name"].(string)
	return name
}

// importParams reads the method's parameters out of a task's input.
func importParams(t *Task) map[string]string {
	var in struct {
		ImportReq struct {
			Method map[string]any `json:"method"`
		} `json:"import_req"`
	}
	_ = json.Unmarshal(t.Input, &in)
	out := map[string]string{}
	for k, v := range in.ImportReq.Method {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// ImportError is why an import task failed; it is the task's message.
type ImportError struct{ Msg string }

func (e *ImportError) Error() string { return e.Msg }

// runImport does the work of one import task and records its outcome.
func (s *Service) runImport(ctx context.Context, t *Task, prior Status) {
	if _, err := s.store.UpdateTask(ctx, t.ID, func(t *Task) error {
		if t.Status != TaskPending && t.Status != TaskProcessing {
			return errTaskDone
		}
		t.Status, t.UpdatedAt = TaskProcessing, s.now()
		return nil
	}); err != nil {
		if !errors.Is(err, errTaskDone) && ctx.Err() == nil {
			slog.Error("image import: cannot start task", "task", t.ID, "err", err)
		}
		return
	}
	method := importMethod(t)
	var copied map[string]string
	var err error
	switch method {
	case MethodGlanceDirect:
		err = s.checkStaged(ctx, t.ImageID)
	case MethodWebDownload:
		err = s.webDownload(ctx, t.ImageID, importParams(t)["uri"])
	case MethodGlanceDownload:
		copied, err = s.glanceDownload(ctx, t, importParams(t))
	case MethodCopyImage:
		err = s.copyWithinStore(ctx, t.ImageID)
	default:
		err = &ImportError{Msg: fmt.Sprintf("unknown import method %q", method)}
	}
	if err == nil {
		err = s.finishImport(ctx, t, method, copied)
	}
	if ctx.Err() != nil {
		return // shutting down: the task stays processing, Recover runs it again
	}
	if err != nil {
		s.failImport(ctx, t, prior, err)
		return
	}
	s.endTask(ctx, t.ID, TaskSuccess, "", map[string]any{"image_id": t.ImageID})
}

var errTaskDone = errors.New("task already finished")

// checkStaged makes sure glance-direct has data to import.
func (s *Service) checkStaged(ctx context.Context, id string) error {
	if _, err := os.Stat(s.staging.Path(id)); err != nil {
		return &ImportError{Msg: "No staged data found for the image; stage it first."}
	}
	return nil
}

// copyWithinStore is copy-image to a store that does not yet hold the
// data. With one store there is none: the API answers before a task.
func (s *Service) copyWithinStore(ctx context.Context, id string) error {
	return nil
}

// finishImport inspects the staged data, moves it to the store and makes
// the image active.
func (s *Service) finishImport(ctx context.Context, t *Task, method string, copied map[string]string) error {
	id := t.ImageID
	if method == MethodCopyImage {
		_, err := s.store.UpdateImage(ctx, id, func(img *Image) error {
			setProp(img, PropImportingToStores, "")
			delete(img.Properties, PropImportTask)
			return nil
		})
		return err
	}
	img, err := s.store.GetImage(ctx, id)
	if err != nil {
		return err
	}
	if copied != nil {
		// glance-download brings the source's formats along.
		img.DiskFormat, img.ContainerFormat = copied["disk_format"], copied["container_format"]
	}
	f, err := os.Open(s.staging.Path(id))
	if err != nil {
		if img.Status == StatusActive {
			return nil // a restart after the work was done
		}
		return &ImportError{Msg: "The staged data is gone."}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if s.cfg.MaxImageSize > 0 && fi.Size() > s.cfg.MaxImageSize {
		return &ImportError{Msg: fmt.Sprintf("Image exceeds the maximum image size of %d bytes.", s.cfg.MaxImageSize)}
	}
	var virtual int64
	if s.cfg.Inspector != nil {
		virtual, err = s.cfg.Inspector.Inspect(f, fi.Size(), img.DiskFormat)
		if err != nil {
			return &ImportError{Msg: "Image data failed inspection: " + err.Error()}
		}
	}
	w, err := s.data.Put(ctx, id, io.NewSectionReader(f, 0, fi.Size()), s.cfg.MaxImageSize)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateImage(ctx, id, func(img *Image) error {
		if img.Status != StatusImporting {
			return conflict("Image status changed to %s during the import", img.Status)
		}
		if img.Checksum != "" && img.Checksum != w.MD5 {
			return &ImportError{Msg: fmt.Sprintf("The checksum of the imported data (%s) does not match the image's checksum (%s).", w.MD5, img.Checksum)}
		}
		for k, v := range copied {
			switch k {
			case "disk_format":
				img.DiskFormat = v
			case "container_format":
				img.ContainerFormat = v
			default:
				setProp(img, k, v)
			}
		}
		size := w.Size
		img.Size = &size
		if virtual > 0 {
			img.VirtualSize = &virtual
		}
		img.Checksum, img.HashAlgo, img.HashValue = w.MD5, "sha512", w.SHA512
		img.Stores = StoreFile
		img.Status = StatusActive
		setProp(img, PropImportingToStores, "")
		delete(img.Properties, PropImportTask)
		delete(img.Properties, PropStageHost)
		return nil
	})
	if err != nil {
		_ = s.data.Delete(context.WithoutCancel(ctx), id)
		return err
	}
	_ = s.staging.Delete(ctx, id)
	return nil
}

// failImport records a failed import: the image goes back to queued (an
// active image being copied stays active), the store is listed in
// os_glance_failed_import, the staged and stored data are removed.
func (s *Service) failImport(ctx context.Context, t *Task, prior Status, cause error) {
	msg := cause.Error()
	var ie *ImportError
	if !errors.As(cause, &ie) {
		slog.Error("image import failed", "task", t.ID, "image", t.ImageID, "err", cause)
	}
	_ = s.staging.Delete(ctx, t.ImageID)
	_, err := s.store.UpdateImage(ctx, t.ImageID, func(img *Image) error {
		if img.Properties[PropImportTask] != t.ID {
			return errTaskDone // another import owns the image now
		}
		if img.Status == StatusImporting {
			img.Status = StatusQueued
		}
		setProp(img, PropImportingToStores, "")
		setProp(img, PropFailedImport, StoreFile)
		delete(img.Properties, PropImportTask)
		delete(img.Properties, PropStageHost)
		return nil
	})
	if err != nil && !IsNotFound(err) && !errors.Is(err, errTaskDone) {
		slog.Error("image import: cannot record failure on the image", "image", t.ImageID, "err", err)
	}
	s.endTask(ctx, t.ID, TaskFailure, msg, nil)
}

// endTask records a task's outcome.
func (s *Service) endTask(ctx context.Context, id string, status TaskStatus, msg string, result map[string]any) {
	// The work is done and the image already changed: record the outcome
	// even when shutdown has cancelled the import's context, so a restart
	// does not run a finished task again.
	ctx = context.WithoutCancel(ctx)
	_, err := s.store.UpdateTask(ctx, id, func(t *Task) error {
		now := s.now()
		exp := now.Add(s.imports().cfg.TaskTTL)
		t.Status, t.Message, t.UpdatedAt, t.ExpiresAt = status, msg, now, &exp
		if result != nil {
			t.Result, _ = json.Marshal(result)
		}
		return nil
	})
	if err != nil && !IsNotFound(err) {
		slog.Error("image import: cannot record task outcome", "task", id, "err", err)
	}
}

// glanceDownload copies an image of this cloud's image service (the
// "remote" Glance of the request's region) into the staging area, and
// returns the attributes to copy along.
func (s *Service) glanceDownload(ctx context.Context, t *Task, p map[string]string) (map[string]string, error) {
	cfg := s.imports().cfg
	region := cfg.Region
	if region == "" {
		region = "RegionOne"
	}
	if p["glance_region"] != region {
		return nil, &ImportError{Msg: fmt.Sprintf("No image service found in region %q", p["glance_region"])}
	}
	switch iface := p["glance_service_interface"]; iface {
	case "", "public", "internal", "admin":
	default:
		return nil, &ImportError{Msg: fmt.Sprintf("No image service endpoint with interface %q", iface)}
	}
	src, err := s.Show(ctx, Caller{ProjectID: t.Owner, UserID: t.UserID}, p["glance_image_id"])
	if err != nil {
		if IsNotFound(err) {
			return nil, &ImportError{Msg: fmt.Sprintf("Remote image %s not found", p["glance_image_id"])}
		}
		return nil, err
	}
	if src.Status != StatusActive {
		return nil, &ImportError{Msg: fmt.Sprintf("Remote image %s is %s, not active", src.ID, src.Status)}
	}
	rc, _, err := s.data.Open(ctx, src.ID)
	if err != nil {
		return nil, &ImportError{Msg: fmt.Sprintf("Remote image %s has no data", src.ID)}
	}
	defer rc.Close()
	if _, err := s.staging.Put(ctx, t.ImageID, rc, s.cfg.MaxImageSize); err != nil {
		return nil, err
	}
	copied := map[string]string{"disk_format": src.DiskFormat, "container_format": src.ContainerFormat}
	for k, v := range src.Properties {
		if reservedProperty(k) {
			continue
		}
		for _, pat := range cfg.DownloadProperties {
			if ok, _ := path.Match(pat, k); ok {
				copied[k] = v
				break
			}
		}
	}
	return copied, nil
}

// ImageTasks lists the tasks of an image the caller may see
// (GET /v2/images/{id}/tasks).
func (s *Service) ImageTasks(ctx context.Context, c Caller, id string) ([]*Task, error) {
	if _, err := s.Show(ctx, c, id); err != nil {
		return nil, err
	}
	return s.store.ListTasks(ctx, TaskFilter{ImageID: id})
}

// ListTasks lists tasks (GET /v2/tasks; admin by policy). Non-admins see
// their project's.
func (s *Service) ListTasks(ctx context.Context, c Caller, f TaskFilter) ([]*Task, error) {
	if !c.Admin {
		f.Owner = c.ProjectID
	}
	return s.store.ListTasks(ctx, f)
}

// GetTask returns a task the caller may see.
func (s *Service) GetTask(ctx context.Context, c Caller, id string) (*Task, error) {
	t, err := s.store.GetTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Admin && t.Owner != c.ProjectID {
		return nil, notFound("task", id)
	}
	return t, nil
}
