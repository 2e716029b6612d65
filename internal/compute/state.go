package compute

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// passwordChars are the characters of generated passwords: no 0, 1, I,
// O or l, which read alike.
const passwordChars = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// InstanceNotFound is Nova's InstanceNotFound.
func InstanceNotFound(id string) error {
	return apierr.NotFound("Instance %s could not be found.", id)
}

// VisibleInstance returns an instance the caller may see: non-admins only
// their project's; deleted ones only with includeDeleted.
func VisibleInstance(ctx context.Context, st Store, c Caller, id string, includeDeleted bool) (*Instance, error) {
	inst, err := st.GetInstance(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, InstanceNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if !c.Admin && inst.ProjectID != c.ProjectID || inst.Deleted && !includeDeleted {
		return nil, InstanceNotFound(id)
	}
	return inst, nil
}

// UpdateInstance is Store.UpdateInstance of a live instance, with Nova's
// not-found message.
func UpdateInstance(ctx context.Context, st Store, id string, fn func(*Instance) error) (*Instance, error) {
	inst, err := st.UpdateInstance(ctx, id, false, fn)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, InstanceNotFound(id)
	}
	return inst, err
}

// StateError is Nova's InstanceInvalidState as the API words it
// (common.raise_http_conflict_for_instance_invalid_state): a state of
// None (no task, never launched) gives the generic sentence.
func StateError(action, id, attr, state string) error {
	if state == "" {
		return apierr.Conflict("Instance %s is in an invalid state for '%s'", id, action)
	}
	return apierr.Conflict("Cannot '%s' instance %s while it is in %s %s", action, id, attr, state)
}

// StateCheck is one @check_instance_state: allowed vm_states (VM, nil =
// any), allowed task_states (Task: nil is (None,) unless AnyTask; "" is
// None) and whether the instance must have been launched once.
type StateCheck struct {
	VM          []string
	Task        []string
	AnyTask     bool
	NotLaunched bool // must_have_launched=False
}

// taskNone is the default task_state=(None,) of check_instance_state.
var taskNone = []string{""}

// Check applies the decorator to inst for the API action name.
func (sc StateCheck) Check(action string, inst *Instance) error {
	if sc.VM != nil && !slices.Contains(sc.VM, inst.VMState) {
		return StateError(action, inst.ID, "vm_state", inst.VMState)
	}
	if !sc.AnyTask {
		allowed := sc.Task
		if allowed == nil {
			allowed = taskNone
		}
		if !slices.Contains(allowed, inst.TaskState) {
			return StateError(action, inst.ID, "task_state", inst.TaskState)
		}
	}
	if !sc.NotLaunched && inst.LaunchedAt == nil {
		return StateError(action, inst.ID, "launched_at", "")
	}
	return nil
}

// LockError is Nova's check_instance_lock: a locked instance refuses
// everyone but admins.
func LockError(c Caller, inst *Instance) error {
	if inst.Locked && !c.Admin {
		return apierr.Conflict("Instance %s is locked", inst.ID)
	}
	return nil
}

// RecordAction starts an os-instance-actions record of the caller's
// request at time at.
func RecordAction(ctx context.Context, st Store, c Caller, instanceID, action string, at time.Time) error {
	return st.StartAction(ctx, &InstanceAction{
		InstanceID: instanceID, Action: action, RequestID: c.RequestID,
		UserID: c.UserID, ProjectID: c.ProjectID, StartTime: at,
	})
}

// NeedConductor returns the conductor, or the 503 a cloud without one
// answers.
func (d Deps) NeedConductor() (Conductor, error) {
	if d.Conductor == nil {
		return nil, apierr.Unavailable("The compute conductor is not available.")
	}
	return d.Conductor, nil
}

// NeedImages returns the image service, or a 503.
func (d Deps) NeedImages() (Images, error) {
	if d.Images == nil {
		return nil, apierr.Unavailable("The image service is not available.")
	}
	return d.Images, nil
}

// randomString returns n characters of alphabet from crypto/rand.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error (it aborts the program
	// when the system's generator fails).
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// GeneratePassword is Nova's generate_password: 12 characters without
// the look-alikes 0, 1, I, O and l.
func GeneratePassword() string { return randomString(passwordChars, 12) }

// CheckFlavorImage is Nova's _validate_flavor_image for an image-backed
// server. A flavor without a root disk is refused unless zeroDisk (the
// caller's os_compute_api:servers:create:zero_disk_flavor).
func CheckFlavorImage(flavor *Flavor, image *ImageMeta, zeroDisk bool) error {
	if image.Status != "active" {
		return apierr.BadRequest("Image %s is not active.", image.ID)
	}
	if flavor.RAM < image.MinRAM {
		return apierr.BadRequest("Flavor's memory is too small for requested image.")
	}
	const gi = 1 << 30
	dest := flavor.Disk * gi
	if dest == 0 {
		if !zeroDisk {
			return apierr.Forbidden("Only volume-backed servers are allowed for flavors with zero disk.")
		}
		return nil
	}
	if image.Size > dest {
		return apierr.BadRequest("Flavor's disk is too small for requested image. Flavor disk is %d bytes, image is %d bytes.", dest, image.Size)
	}
	if image.MinDisk*gi > dest {
		return apierr.BadRequest("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is %d bytes, minimum size is %d bytes.", dest, image.MinDisk*gi)
	}
	return nil
}
