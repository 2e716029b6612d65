package compute

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// now is the service clock in UTC, at the database's precision.
func (s *Service) now() time.Time {
	n := time.Now
	if s.deps.Now != nil {
		n = s.deps.Now
	}
	return n().UTC().Truncate(time.Microsecond)
}

// instanceNotFound is Nova's InstanceNotFound.
func instanceNotFound(id string) error {
	return notFound("Instance %s could not be found.", id)
}

// visibleInstance returns an instance the caller may see: non-admins only
// their project's; deleted ones only with includeDeleted.
func (s *Service) visibleInstance(ctx context.Context, c Caller, id string, includeDeleted bool) (*Instance, error) {
	inst, err := s.store.GetInstance(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, instanceNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if !c.Admin && inst.ProjectID != c.ProjectID || inst.Deleted && !includeDeleted {
		return nil, instanceNotFound(id)
	}
	return inst, nil
}

// updateInstance is store.UpdateInstance with Nova's not-found message.
func (s *Service) updateInstance(ctx context.Context, id string, fn func(*Instance) error) (*Instance, error) {
	inst, err := s.store.UpdateInstance(ctx, id, false, fn)
	if errors.Is(err, ErrNotFound) {
		return nil, instanceNotFound(id)
	}
	return inst, err
}

// stateError is Nova's InstanceInvalidState as the API words it
// (common.raise_http_conflict_for_instance_invalid_state): a state of
// None (no task, never launched) gives the generic sentence.
func stateError(action, id, attr, state string) error {
	if state == "" {
		return conflict("Instance %s is in an invalid state for '%s'", id, action)
	}
	return conflict("Cannot '%s' instance %s while it is in %s %s", action, id, attr, state)
}

// stateCheck is one @check_instance_state: allowed vm_states (nil = any),
// allowed task_states (nil = any; "" is None) and whether the instance
// must have been launched once.
type stateCheck struct {
	vm          []string
	task        []string
	anyTask     bool
	notLaunched bool // must_have_launched=False
}

// taskNone is the default task_state=(None,) of check_instance_state.
var taskNone = []string{""}

// check applies the decorator to inst for the API action name.
func (sc stateCheck) check(action string, inst *Instance) error {
	if sc.vm != nil && !slices.Contains(sc.vm, inst.VMState) {
		return stateError(action, inst.ID, "vm_state", inst.VMState)
	}
	if !sc.anyTask {
		allowed := sc.task
		if allowed == nil {
			allowed = taskNone
		}
		if !slices.Contains(allowed, inst.TaskState) {
			return stateError(action, inst.ID, "task_state", inst.TaskState)
		}
	}
	if !sc.notLaunched && inst.LaunchedAt == nil {
		return stateError(action, inst.ID, "launched_at", "")
	}
	return nil
}

// lockError is Nova's check_instance_lock: a locked instance refuses
// everyone but admins.
func lockError(c Caller, inst *Instance) error {
	if inst.Locked && !c.Admin {
		return conflict("Instance %s is locked", inst.ID)
	}
	return nil
}

// recordAction starts an os-instance-actions record for the caller.
func (s *Service) recordAction(ctx context.Context, c Caller, instanceID, action string) error {
	return s.store.StartAction(ctx, &InstanceAction{
		InstanceID: instanceID, Action: action, RequestID: c.RequestID,
		UserID: c.UserID, ProjectID: c.ProjectID, StartTime: s.now(),
	})
}

// conductor returns the conductor, or the 503 a cloud without one gives.
func (s *Service) conductor() (Conductor, error) {
	if s.deps.Conductor == nil {
		return nil, &UnavailableError{Msg: "The compute conductor is not available."}
	}
	return s.deps.Conductor, nil
}

// images returns the image service, or a 503.
func (s *Service) images() (Images, error) {
	if s.deps.Images == nil {
		return nil, &UnavailableError{Msg: "The image service is not available."}
	}
	return s.deps.Images, nil
}

const (
	lowerDigits   = "abcdefghijklmnopqrstuvwxyz0123456789"
	passwordChars = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
)

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

// generatePassword is Nova's generate_password: 12 characters without
// the look-alikes 0, 1, I, O and l.
func generatePassword() string { return randomString(passwordChars, 12) }

// reservationID is Nova's generate_uid('r'): "r-" and 8 [a-z0-9].
func reservationID() string { return "r-" + randomString(lowerDigits, 8) }

// sanitizeHostname is Nova's utils.sanitize_hostname: latin-1 only,
// at most 63 characters, spaces, underscores and dots become hyphens,
// other non-word characters go, lower case, no leading or trailing '.'
// or '-'; an empty result is def.
func sanitizeHostname(name, def string) string {
	var rs []rune
	for _, r := range name {
		if r <= 0xff {
			rs = append(rs, r)
		}
	}
	if len(rs) > 63 {
		rs = rs[:63]
	}
	var b strings.Builder
	for _, r := range rs {
		switch {
		case r == ' ' || r == '_' || r == '.' || r == '-':
			b.WriteRune('-')
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 0xc0 && r != 0xd7 && r != 0xf7:
			b.WriteRune(r) // latin-1 letters are \w
		}
	}
	h := strings.Trim(strings.ToLower(b.String()), ".-")
	if h == "" {
		r := []rune(def)
		if len(r) > 63 {
			r = r[:63]
		}
		return string(r)
	}
	return h
}

// limit returns a project's limit of one resource (-1 = unlimited).
func (s *Service) limit(ctx context.Context, projectID, resource string) (int64, error) {
	var l int64
	err := s.store.InTx(ctx, func(q db.Querier) error {
		var err error
		l, err = s.quotas.Limit(ctx, q, projectID, resource)
		return err
	})
	return l, err
}

// checkMetadata is Nova's _check_metadata_properties_quota: the number
// of items against metadata_items, then keys 1–255 and values ≤ 255.
func (s *Service) checkMetadata(ctx context.Context, projectID string, md map[string]string) error {
	if len(md) == 0 {
		return nil
	}
	limit, err := s.limit(ctx, projectID, "metadata_items")
	if err != nil {
		return err
	}
	if limit >= 0 && int64(len(md)) > limit {
		return forbidden("Maximum number of metadata items exceeds %d", limit)
	}
	for k, v := range md {
		if k == "" {
			return invalid("Invalid metadata: Metadata property key blank.")
		}
		if len(k) > 255 {
			return invalid("Invalid metadata size: Metadata property key greater than 255 characters.")
		}
		if len(v) > 255 {
			return invalid("Invalid metadata size: Metadata property value greater than 255 characters.")
		}
	}
	return nil
}

// quotaMessage words an over-quota error as Nova's TooManyInstances:
// "Quota exceeded for instances, cores: Requested 1, 2, but already used
// 10, 18 of 10, 20 instances, cores".
func quotaMessage(overs []quota.Over, requested map[string]string) string {
	var names, reqs, used, limits []string
	for _, o := range overs {
		names = append(names, o.Resource)
		r, ok := requested[o.Resource]
		if !ok {
			r = fmt.Sprint(o.Requested)
		}
		reqs = append(reqs, r)
		used = append(used, fmt.Sprint(o.Used))
		limits = append(limits, fmt.Sprint(o.Limit))
	}
	n := strings.Join(names, ", ")
	return fmt.Sprintf("Quota exceeded for %s: Requested %s, but already used %s of %s %s", n,
		strings.Join(reqs, ", "), strings.Join(used, ", "), strings.Join(limits, ", "), n)
}

// copyMap returns a copy of m, never nil.
func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
