package servers

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Get returns an instance the caller may see: its own project's, or
// any for admins. Deleted instances and other projects' are
// 404 "Instance <id> could not be found.".
func (s *Service) Get(ctx context.Context, c compute.Caller, id string) (*compute.Instance, error) {
	return compute.VisibleInstance(ctx, s.store, c, id, false)
}

// List lists instances. f.ProjectID is set by the API: the caller's
// project, or "" for an admin listing all_tenants. Nova's rules for the
// status filter, name regex and deleted are applied here.
func (s *Service) List(ctx context.Context, c compute.Caller, f compute.InstanceFilter) ([]compute.Instance, error) {
	if !c.Admin {
		// remove_invalid_options: non-admins see their project, and may
		// not ask for deleted servers.
		f.ProjectID = c.ProjectID
		f.Deleted = nil
	}
	if len(f.VMStates) == 1 && f.VMStates[0] == compute.VMDeleted {
		if !c.Admin {
			return nil, apierr.Forbidden("Only administrators may list deleted instances")
		}
		t := true
		f.Deleted = &t
	}
	if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
		return nil, apierr.BadRequest("The value of changes-since must be less than or equal to changes-before.")
	}
	if f.Name != "" {
		// Nova matches with Python's re; what Go's RE2 cannot compile
		// is matched literally rather than refused.
		if _, err := regexp.Compile(f.Name); err != nil {
			f.Name = regexp.QuoteMeta(f.Name)
		}
	}
	out, err := s.store.ListInstances(ctx, f)
	if errors.Is(err, apierr.ErrNotFound) && f.Marker != "" {
		return nil, apierr.BadRequest("marker [%s] not found", f.Marker)
	}
	return out, err
}

// Update changes name, description, access IPs, hostname or
// OS-DCF:diskConfig.
func (s *Service) Update(ctx context.Context, c compute.Caller, id string, u UpdateRequest) (*compute.Instance, error) {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, false); err != nil {
		return nil, err
	}
	if u.Name != nil {
		if err := compute.ValidName("name", *u.Name); err != nil {
			return nil, err
		}
	}
	return compute.UpdateInstance(ctx, s.store, id, func(inst *compute.Instance) error {
		if u.Name != nil {
			inst.Name = *u.Name
		}
		if u.Description != nil {
			if *u.Description == "" {
				inst.Description = nil
			} else {
				d := *u.Description
				inst.Description = &d
			}
		}
		if u.AccessIPv4 != nil {
			inst.AccessIPv4 = compute.NormalizeIP(*u.AccessIPv4)
		}
		if u.AccessIPv6 != nil {
			inst.AccessIPv6 = compute.NormalizeIP(*u.AccessIPv6)
		}
		if u.Hostname != nil {
			inst.Hostname = *u.Hostname
		}
		if u.DiskConfig != nil {
			inst.DiskConfig = compute.DiskConfigOr(*u.DiskConfig, inst.DiskConfig)
		}
		return nil
	})
}

// Metadata returns a server's metadata.
func (s *Service) Metadata(ctx context.Context, c compute.Caller, id string) (map[string]string, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	return copyMap(inst.Metadata), nil
}

// metadataState is the check_instance_state of Nova's metadata calls.
var metadataState = compute.StateCheck{VM: []string{compute.VMActive, compute.VMPaused, compute.VMSuspended, compute.VMStopped}, AnyTask: true}

// SetMetadata merges md into the metadata, or replaces it all.
// The metadata_items quota applies.
func (s *Service) SetMetadata(ctx context.Context, c compute.Caller, id string, md map[string]string, replace bool) (map[string]string, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	check := func(i *compute.Instance) error {
		if err := compute.LockError(c, i); err != nil {
			return err
		}
		if err := metadataState.Check("update metadata", i); err != nil {
			return err
		}
		out = copyMap(md)
		if !replace {
			out = copyMap(i.Metadata)
			for k, v := range md {
				out[k] = v
			}
		}
		return nil
	}
	if err := check(inst); err != nil {
		return nil, err
	}
	if err := s.quotas.CheckMetadata(ctx, inst.ProjectID, out); err != nil {
		return nil, err
	}
	_, err = compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if err := check(i); err != nil {
			return err
		}
		i.Metadata = copyMap(out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if replace {
		return copyMap(md), nil
	}
	return out, nil
}

// DeleteMetadata removes one key (404 when absent).
func (s *Service) DeleteMetadata(ctx context.Context, c compute.Caller, id, key string) error {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, false); err != nil {
		return err
	}
	_, err := compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if _, ok := i.Metadata[key]; !ok {
			return apierr.NotFound("Metadata item was not found")
		}
		if err := compute.LockError(c, i); err != nil {
			return err
		}
		if err := metadataState.Check("delete metadata", i); err != nil {
			return err
		}
		delete(i.Metadata, key)
		return nil
	})
	return err
}

// Tags returns a server's tags (2.26+).
func (s *Service) Tags(ctx context.Context, c compute.Caller, id string) ([]string, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	if inst.Tags == nil {
		return []string{}, nil
	}
	return slices.Clone(inst.Tags), nil
}

// maxTags is Nova's MAX_TAG_COUNT.
const maxTags = 50

// tagState is the state server tags may change in.
var tagState = compute.StateCheck{VM: []string{compute.VMActive, compute.VMPaused, compute.VMSuspended, compute.VMStopped}, AnyTask: true, NotLaunched: true}

func validTag(t string) error {
	if t == "" || len([]rune(t)) > 60 || strings.ContainsAny(t, "/,") {
		return apierr.BadRequest("Tag '%s' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: '%s' does not match '^[^,/]*$'", t, t)
	}
	return nil
}

// ReplaceTags sets the tag list (at most 50, each 1–60 chars, no
// '/' or ','); add=true adds one tag to it instead (tags[0]).
func (s *Service) ReplaceTags(ctx context.Context, c compute.Caller, id string, tags []string, add bool) ([]string, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	action := "update tags"
	if add {
		action = "update tag"
		if len(tags) != 1 {
			return nil, apierr.BadRequest("Exactly one tag is added at a time.")
		}
	}
	if err := tagState.Check(action, inst); err != nil {
		return nil, err
	}
	for _, t := range tags {
		if err := validTag(t); err != nil {
			return nil, err
		}
	}
	if !add && len(tags) > maxTags {
		return nil, apierr.BadRequest("The number of tags exceeded the per-server limit %d", maxTags)
	}
	up, err := compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if err := tagState.Check(action, i); err != nil {
			return err
		}
		if !add {
			i.Tags = dedupe(tags)
			return nil
		}
		if slices.Contains(i.Tags, tags[0]) {
			return nil
		}
		if len(i.Tags) >= maxTags {
			return apierr.BadRequest("The number of tags exceeded the per-server limit %d", maxTags)
		}
		i.Tags = append(i.Tags, tags[0])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(up.Tags), nil
}

func dedupe(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// DeleteTag removes one tag (404 when absent); tag ""
// removes them all.
func (s *Service) DeleteTag(ctx context.Context, c compute.Caller, id, tag string) error {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return err
	}
	action := "delete tag"
	if tag == "" {
		action = "delete tags"
	}
	if err := tagState.Check(action, inst); err != nil {
		return err
	}
	_, err = compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if err := tagState.Check(action, i); err != nil {
			return err
		}
		if tag == "" {
			i.Tags = []string{}
			return nil
		}
		n := slices.Index(i.Tags, tag)
		if n < 0 {
			return apierr.NotFound("Instance %s has no tag '%s'", id, tag)
		}
		i.Tags = slices.Delete(i.Tags, n, n+1)
		return nil
	})
	return err
}

// InstanceActions lists a server's actions. A deleted server's are
// shown too, to whoever may see the server: Nova reads the instance with
// read_deleted since microversion 2.21, whose tests check exactly that.
func (s *Service) InstanceActions(ctx context.Context, c compute.Caller, id string, f compute.ActionFilter) ([]compute.InstanceAction, error) {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, true); err != nil {
		return nil, err
	}
	out, err := s.store.ListActions(ctx, id, f)
	if errors.Is(err, apierr.ErrNotFound) && f.Marker != "" {
		return nil, apierr.NotFound("Action not found for request_id %s", f.Marker)
	}
	return out, err
}

// InstanceAction returns one action with its events, of a deleted
// server too (as InstanceActions).
func (s *Service) InstanceAction(ctx context.Context, c compute.Caller, id, requestID string) (*compute.InstanceAction, error) {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, true); err != nil {
		return nil, err
	}
	a, err := s.store.GetAction(ctx, id, requestID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Action for request_id %s on instance %s not found", requestID, id)
	}
	return a, err
}

// tagRequired are the external events that need a tag.
var tagRequired = []string{"volume-extended", "power-update", "accelerator-request-bound"}

// ExternalEvents delivers events to the servers' hosts; each event comes
// back with its Code and Status: 200 for an instance on a host, 404 for
// an unknown one, 422 for one not on a host yet, 400 for a missing tag.
// The API answers 200 when every event is 200 and 207 otherwise, as Nova.
func (s *Service) ExternalEvents(ctx context.Context, c compute.Caller, events []ExternalEvent) ([]ExternalEvent, error) {
	out := make([]ExternalEvent, len(events))
	for i, e := range events {
		if e.Status == "" {
			e.Status = "completed"
		}
		inst, err := s.store.GetInstance(ctx, e.ServerID)
		switch {
		case errors.Is(err, apierr.ErrNotFound) || err == nil && inst.Deleted:
			e.Status, e.Code = "failed", 404
		case err != nil:
			return nil, err
		case slices.Contains(tagRequired, e.Name) && e.Tag == "":
			e.Status, e.Code = "failed", 400
		case inst.Host == "":
			e.Status, e.Code = "failed", 422
		default:
			e.Status, e.Code = "completed", 200
			// The network service says a port of the server changed (a
			// floating IP associated, an address added): the cache is
			// read again, in the instance's queue behind its operations.
			if e.Name == "network-changed" && s.deps.Conductor != nil && s.net != nil {
				s.deps.Conductor.Run(context.WithoutCancel(ctx), compute.Op{Kind: compute.OpRefreshNetwork, InstanceID: inst.ID, Caller: c})
			}
			// The block-storage service grew a volume of the server: its
			// host makes the guest see the new size.
			if e.Name == "volume-extended" && s.deps.Conductor != nil {
				if err := volumes.New(s.store, s.deps).Extended(ctx, c, inst, e.Tag); err != nil {
					return nil, err
				}
			}
		}
		out[i] = e
	}
	return out, nil
}
