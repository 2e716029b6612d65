package imports

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

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Stage stores data in the staging area for a later glance-direct import
// (PUT /v2/images/{id}/stage): queued → uploading, back to queued when
// the data does not arrive whole. Stage data counts against the same
// size cap and quotas as an upload. Whether the caller may modify the
// image is the API's policy check (modify_image), as in Glance.
func (s *Service) Stage(ctx context.Context, c image.Caller, id string, r io.Reader) error {
	if !s.Enabled(MethodGlanceDirect) {
		return apierr.NotFound("No image stage found with ID %s", id)
	}
	img, err := s.img.Show(ctx, c, id)
	if err != nil {
		return err
	}
	if img.Status != image.StatusQueued {
		return apierr.Conflict("Image with status %s cannot be staged; it must be queued.", img.Status)
	}
	capBytes, err := s.img.UploadCap(ctx, img.Owner)
	if err != nil {
		return err
	}
	host := s.cfg.StageHost
	_, err = s.img.Change(ctx, id, func(img *image.Image) error {
		if img.Status != image.StatusQueued {
			return apierr.Conflict("Image with status %s cannot be staged; it must be queued.", img.Status)
		}
		img.Status = image.StatusUploading
		if host != "" {
			setProp(img, PropStageHost, host)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.img.Staging().Put(ctx, id, r, capBytes); err != nil {
		// The data did not arrive whole: nothing staged, queued again.
		_ = s.img.Staging().Delete(context.WithoutCancel(ctx), id)
		_, _ = s.img.Change(context.WithoutCancel(ctx), id, func(img *image.Image) error {
			if img.Status == image.StatusUploading {
				img.Status = image.StatusQueued
				delete(img.Properties, PropStageHost)
			}
			return nil
		})
		return err
	}
	return nil
}

// Request is the body of POST /v2/images/{id}/import.
type Request struct {
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
func (s *Service) Import(ctx context.Context, c image.Caller, id string, req Request, requestID string) (*Task, error) {
	if !s.Enabled(req.Method) {
		return nil, apierr.BadRequest("Import method %s is not valid. Valid methods: %s", req.Method, strings.Join(s.cfg.Methods, ", "))
	}
	img, err := s.img.Show(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case img.Status == image.StatusActive && req.Method != MethodCopyImage:
		return nil, apierr.Conflict("Image with status active cannot be target for import")
	case img.Status != image.StatusActive && req.Method == MethodCopyImage:
		return nil, apierr.Conflict("Only images with status active can be targeted for copying")
	case img.Status != image.StatusQueued && (req.Method == MethodWebDownload || req.Method == MethodGlanceDownload):
		return nil, apierr.Conflict("Image needs to be in 'queued' state to use '%s' method", req.Method)
	case img.Status != image.StatusUploading && req.Method == MethodGlanceDirect:
		return nil, apierr.Conflict("Image needs to be staged before 'glance-direct' method can be used")
	case img.ContainerFormat == "":
		return nil, apierr.Conflict("'container_format' needs to be set before import")
	case img.DiskFormat == "":
		return nil, apierr.Conflict("'disk_format' needs to be set before import")
	}
	if req.Method == MethodGlanceDownload {
		if req.GlanceRegion == "" {
			return nil, apierr.BadRequest("'glance_region' needs to be set for glance-download import method")
		}
		if req.GlanceImageID == "" {
			return nil, apierr.BadRequest("'glance_image_id' needs to be set for glance-download import method")
		}
		if _, err := uuid.Parse(req.GlanceImageID); err != nil {
			return nil, apierr.BadRequest("Remote image id does not look like a UUID: %s", req.GlanceImageID)
		}
	}
	rule := "modify_image"
	if req.Method == MethodCopyImage {
		rule = "copy_image"
	}
	if err := c.Authorize(rule, img); err != nil {
		return nil, err
	}
	lock := img.Properties[PropImportTask]
	if lock != "" {
		if t, err := s.store.GetTask(ctx, lock); err == nil && (t.Status == TaskPending || t.Status == TaskProcessing) {
			return nil, apierr.Conflict("New operation on image '%s' is not permitted as prior operation is still in progress", id)
		}
	}
	stores := req.Stores
	if req.AllStores || len(stores) == 0 {
		stores = []string{s.img.StoreName()}
	}
	for _, name := range stores {
		if name != s.img.StoreName() {
			return nil, apierr.Conflict("Store for identifier %s not found", name)
		}
	}
	if req.Method == MethodCopyImage {
		present := slices.Contains(strings.Split(img.Stores, ","), s.img.StoreName())
		if present && !req.AllStores {
			return nil, apierr.BadRequest("Image is already present at store '%s'", s.img.StoreName())
		}
		if present {
			// Nothing to copy: say so the way a finished copy does.
			_, err := s.img.Change(ctx, id, func(img *image.Image) error {
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
		if err := s.filter.allowString(req.URI); err != nil {
			return nil, apierr.BadRequest("URI for web-download does not pass filtering: %s", req.URI)
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
	if _, err := s.img.Change(ctx, id, func(img *image.Image) error {
		if img.Properties[PropImportTask] != lock {
			return apierr.Conflict("New operation on image '%s' is not permitted as prior operation is still in progress", id)
		}
		switch req.Method {
		case MethodGlanceDirect:
			if img.Status != image.StatusUploading {
				return apierr.Conflict("Image needs to be staged before 'glance-direct' method can be used")
			}
			img.Status = image.StatusImporting
		case MethodWebDownload, MethodGlanceDownload:
			if img.Status != image.StatusQueued {
				return apierr.Conflict("Image needs to be in 'queued' state to use '%s' method", req.Method)
			}
			img.Status = image.StatusImporting
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
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, apierr.Conflict("Task %s already exists", t.ID)
		}
		return nil, err
	}
	_, _ = s.store.DeleteExpiredTasks(ctx, now)
	s.startImport(t, img.Status)
	return t, nil
}

// setProp sets an extra property, creating the map if needed.
func setProp(img *image.Image, k, v string) {
	if img.Properties == nil {
		img.Properties = map[string]string{}
	}
	img.Properties[k] = v
}

// importMethod reads the method name out of a task's input.
func importMethod(t *Task) string { return importParams(t)["name"] }

// importParams reads the method's name and parameters out of a task's
// input.
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

// importError is why an import task failed; it is the task's message.
type importError struct{ Msg string }

func (e *importError) Error() string { return e.Msg }

// runImport does the work of one import task and records its outcome.
func (s *Service) runImport(ctx context.Context, t *Task, prior image.Status) {
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
		err = &importError{Msg: fmt.Sprintf("unknown import method %q", method)}
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
	if _, err := os.Stat(s.img.Staging().Path(id)); err != nil {
		return &importError{Msg: "No staged data found for the image; stage it first."}
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
		_, err := s.img.Change(ctx, id, func(img *image.Image) error {
			setProp(img, PropImportingToStores, "")
			delete(img.Properties, PropImportTask)
			return nil
		})
		return err
	}
	img, err := s.img.Get(ctx, id)
	if err != nil {
		return err
	}
	if copied != nil {
		// glance-download brings the source's formats along.
		img.DiskFormat, img.ContainerFormat = copied["disk_format"], copied["container_format"]
	}
	f, err := os.Open(s.img.Staging().Path(id))
	if err != nil {
		if img.Status == image.StatusActive {
			return nil // a restart after the work was done
		}
		return &importError{Msg: "The staged data is gone."}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if s.img.Config().MaxImageSize > 0 && fi.Size() > s.img.Config().MaxImageSize {
		return &importError{Msg: fmt.Sprintf("Image exceeds the maximum image size of %d bytes.", s.img.Config().MaxImageSize)}
	}
	var virtual int64
	if s.img.Config().Inspector != nil {
		virtual, err = s.img.Config().Inspector.Inspect(f, fi.Size(), img.DiskFormat)
		if err != nil {
			return &importError{Msg: "Image data failed inspection: " + err.Error()}
		}
	}
	w, loc, err := s.img.Data().Put(ctx, id, io.NewSectionReader(f, 0, fi.Size()), fi.Size(), s.img.Config().MaxImageSize)
	if err != nil {
		return err
	}
	_, err = s.img.Change(ctx, id, func(img *image.Image) error {
		if img.Status != image.StatusImporting {
			return apierr.Conflict("Image status changed to %s during the import", img.Status)
		}
		if img.Checksum != "" && img.Checksum != w.MD5 {
			return &importError{Msg: fmt.Sprintf("The checksum of the imported data (%s) does not match the image's checksum (%s).", w.MD5, img.Checksum)}
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
		img.Stores = s.img.StoreName()
		img.Locations = []image.Location{{URL: loc, Metadata: map[string]any{"store": s.img.StoreName()}}}
		img.Status = image.StatusActive
		setProp(img, PropImportingToStores, "")
		delete(img.Properties, PropImportTask)
		delete(img.Properties, PropStageHost)
		return nil
	})
	if err != nil {
		_ = s.img.Data().Delete(context.WithoutCancel(ctx), id)
		return err
	}
	_ = s.img.Staging().Delete(ctx, id)
	return nil
}

// failImport records a failed import: the image goes back to queued (an
// active image being copied stays active), the store is listed in
// os_glance_failed_import, the staged and stored data are removed.
func (s *Service) failImport(ctx context.Context, t *Task, prior image.Status, cause error) {
	msg := cause.Error()
	var ie *importError
	if !errors.As(cause, &ie) {
		slog.Error("image import failed", "task", t.ID, "image", t.ImageID, "err", cause)
	}
	_ = s.img.Staging().Delete(ctx, t.ImageID)
	_, err := s.img.Change(ctx, t.ImageID, func(img *image.Image) error {
		if img.Properties[PropImportTask] != t.ID {
			return errTaskDone // another import owns the image now
		}
		if img.Status == image.StatusImporting {
			img.Status = image.StatusQueued
		}
		setProp(img, PropImportingToStores, "")
		setProp(img, PropFailedImport, s.img.StoreName())
		delete(img.Properties, PropImportTask)
		delete(img.Properties, PropStageHost)
		return nil
	})
	if err != nil && !apierr.IsNotFound(err) && !errors.Is(err, errTaskDone) {
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
		exp := now.Add(s.cfg.TaskTTL)
		t.Status, t.Message, t.UpdatedAt, t.ExpiresAt = status, msg, now, &exp
		if result != nil {
			t.Result, _ = json.Marshal(result)
		}
		return nil
	})
	if err != nil && !errors.Is(err, apierr.ErrNotFound) {
		slog.Error("image import: cannot record task outcome", "task", id, "err", err)
	}
}

// glanceDownload copies an image of this cloud's image service (the
// "remote" Glance of the request's region) into the staging area, and
// returns the attributes to copy along.
func (s *Service) glanceDownload(ctx context.Context, t *Task, p map[string]string) (map[string]string, error) {
	cfg := s.cfg
	region := cfg.Region
	if region == "" {
		region = "RegionOne"
	}
	if p["glance_region"] != region {
		return nil, &importError{Msg: fmt.Sprintf("No image service found in region %q", p["glance_region"])}
	}
	switch iface := p["glance_service_interface"]; iface {
	case "", "public", "internal", "admin":
	default:
		return nil, &importError{Msg: fmt.Sprintf("No image service endpoint with interface %q", iface)}
	}
	src, err := s.img.Show(ctx, image.Caller{ProjectID: t.Owner, UserID: t.UserID}, p["glance_image_id"])
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, &importError{Msg: fmt.Sprintf("Remote image %s not found", p["glance_image_id"])}
		}
		return nil, err
	}
	if src.Status != image.StatusActive {
		return nil, &importError{Msg: fmt.Sprintf("Remote image %s is %s, not active", src.ID, src.Status)}
	}
	rc, _, err := s.img.Data().Open(ctx, src.ID)
	if err != nil {
		return nil, &importError{Msg: fmt.Sprintf("Remote image %s has no data", src.ID)}
	}
	defer rc.Close()
	if _, err := s.img.Staging().Put(ctx, t.ImageID, rc, s.img.Config().MaxImageSize); err != nil {
		return nil, err
	}
	copied := map[string]string{"disk_format": src.DiskFormat, "container_format": src.ContainerFormat}
	for k, v := range src.Properties {
		if image.IsReserved(k) {
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
