// Package volumes holds compute's use cases of block-storage volumes
// (Nova's os-volume_attachments and the volume side of a server's create):
// attach, detach, list and show a server's attachments, update one
// (delete_on_termination), and the preparation of a create's
// block_device_mapping_v2 entries that are volumes.
//
//	attach ─► check the server, the volume (the user's token) ─► the
//	          mapping stored with its device name ─► AttachmentCreate
//	          (the volume is reserved) ─► conductor: AttachmentUpdate with
//	          the host's connector, the host plugs it, AttachmentComplete
//	detach ─► the mapping marked detaching ─► conductor: the host unplugs
//	          it, AttachmentDelete, the mapping removed
//
// A shelved-offloaded server has no host: its attach and detach are done
// here at once, and the conductor connects its volumes when it is
// unshelved, as Nova does.
package volumes

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service is the volume use cases over compute's store and the
// block-storage service (Deps.Volumes).
type Service struct {
	store compute.Store
	deps  compute.Deps
}

// New returns the volume use cases.
func New(store compute.Store, deps compute.Deps) *Service {
	return &Service{store: store, deps: deps}
}

// attachStates are Nova's check_instance_state of attach_volume and
// detach_volume.
var attachStates = compute.StateCheck{VM: []string{
	compute.VMActive, compute.VMPaused, compute.VMStopped, compute.VMResized,
	compute.VMSoftDel, compute.VMShelved, compute.VMShelvedOf,
}}

// devicePath is Nova's block_device.match_device.
var devicePath = regexp.MustCompile(`^(/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$`)

// need returns the block-storage service, or Nova's answer in a cloud
// without one.
func (s *Service) need() (compute.Volumes, error) {
	if s.deps.Volumes == nil {
		return nil, apierr.BadRequest("The block-storage service is not available in this cloud.")
	}
	return s.deps.Volumes, nil
}

// NotAttached is Nova's answer for a volume the server does not have.
func NotAttached(serverID, volumeID string) error {
	return apierr.NotFound("Instance %s is not attached to volume %s", serverID, volumeID)
}

// List returns the server's volumes.
func (s *Service) List(ctx context.Context, c compute.Caller, serverID string) ([]compute.BlockDeviceMapping, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, serverID, false)
	if err != nil {
		return nil, err
	}
	return volinfo.Attached(inst.BlockDevices), nil
}

// Show returns the server's mapping of one volume.
func (s *Service) Show(ctx context.Context, c compute.Caller, serverID, volumeID string) (compute.BlockDeviceMapping, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, serverID, false)
	if err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	i := volinfo.Find(inst.BlockDevices, volumeID)
	if i < 0 {
		return compute.BlockDeviceMapping{}, NotAttached(serverID, volumeID)
	}
	return inst.BlockDevices[i], nil
}

// AttachRequest is a validated os-volume_attachments POST.
type AttachRequest struct {
	VolumeID            string
	Device              string // "" lets compute choose
	Tag                 string // 2.49
	DeleteOnTermination bool   // 2.79
	// Multiattach says the request's microversion (2.60+) may attach a
	// multiattach volume.
	Multiattach bool
}

// Attach reserves the volume for the server and records the mapping,
// then hands the connection to the conductor (or, for a server without a
// host, completes it at once). It answers as Nova does before the volume
// is plugged: the volume is reserved, and becomes in-use once attached.
func (s *Service) Attach(ctx context.Context, c compute.Caller, serverID string, req AttachRequest) (compute.BlockDeviceMapping, error) {
	vols, err := s.need()
	if err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, serverID, false)
	if err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	if err := compute.LockError(c, inst); err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	if err := attachStates.Check("attach_volume", inst); err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	if req.Device != "" && !devicePath.MatchString(req.Device) {
		return compute.BlockDeviceMapping{}, apierr.BadRequest("The supplied device path (%s) is invalid.", req.Device)
	}
	offloaded := inst.VMState == compute.VMShelvedOf
	if offloaded && req.Tag != "" {
		return compute.BlockDeviceMapping{}, apierr.BadRequest("Tagged volume attachment is not supported for shelved-offloaded instances.")
	}
	cond, err := s.deps.NeedConductor()
	if err != nil && !offloaded {
		return compute.BlockDeviceMapping{}, err
	}
	vol, err := getVolume(ctx, vols, c.Token, req.VolumeID)
	if err != nil {
		return compute.BlockDeviceMapping{}, err
	}
	if vol.Multiattach && !req.Multiattach {
		return compute.BlockDeviceMapping{}, apierr.BadRequest("Multiattach volumes are only supported starting with compute API version 2.60.")
	}
	if volinfo.Find(inst.BlockDevices, vol.ID) >= 0 || vol.AttachedTo(inst.ID) {
		return compute.BlockDeviceMapping{}, alreadyAttached(vol.ID)
	}

	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "attach_volume", s.deps.Clock()); err != nil {
		return compute.BlockDeviceMapping{}, err
	}

	// The mapping is stored first, with its device name, so that two
	// attaches at once cannot take the same name or the same volume.
	minusOne := -1
	bdm := compute.BlockDeviceMapping{
		ID: uuid.NewString(), SourceType: "volume", DestinationType: "volume", UUID: vol.ID, VolumeID: vol.ID,
		BootIndex: &minusOne, DeleteOnTermination: req.DeleteOnTermination, Tag: req.Tag, VolumeSize: vol.SizeGB,
	}
	if _, err := compute.Step(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		if volinfo.Find(i.BlockDevices, vol.ID) >= 0 {
			return alreadyAttached(vol.ID)
		}
		if !offloaded {
			name, err := DeviceName(i, req.Device)
			if err != nil {
				return err
			}
			bdm.DeviceName = name
		}
		i.BlockDevices = append(i.BlockDevices, bdm)
		return nil
	}); err != nil {
		return compute.BlockDeviceMapping{}, goneAsNotFound(err, inst.ID)
	}
	attID, _, err := vols.AttachmentCreate(ctx, c.Token, vol.ID, inst.ID, nil)
	if err != nil {
		s.drop(ctx, inst.ID, bdm.ID)
		return compute.BlockDeviceMapping{}, volumeError(err, vol.ID)
	}
	bdm.AttachmentID = attID
	if _, err := compute.Step(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		j := slices.IndexFunc(i.BlockDevices, func(b compute.BlockDeviceMapping) bool { return b.ID == bdm.ID })
		if j < 0 {
			return compute.ErrGone
		}
		i.BlockDevices[j].AttachmentID = attID
		return nil
	}); err != nil {
		// Deleted meanwhile: the reservation goes with it.
		_ = vols.AttachmentDelete(context.WithoutCancel(ctx), c.Token, attID)
		return compute.BlockDeviceMapping{}, goneAsNotFound(err, inst.ID)
	}
	if offloaded {
		// No host to plug it into: the volume is in-use at once and is
		// connected when the server is unshelved (Nova's
		// _attach_volume_shelved_offloaded).
		if err := vols.AttachmentComplete(ctx, c.Token, attID); err != nil {
			_ = vols.AttachmentDelete(context.WithoutCancel(ctx), c.Token, attID)
			s.drop(ctx, inst.ID, bdm.ID)
			return compute.BlockDeviceMapping{}, volumeError(err, vol.ID)
		}
		return bdm, nil
	}
	cond.Run(context.WithoutCancel(ctx), compute.Op{Kind: compute.OpAttachVolume, InstanceID: inst.ID, Caller: c, VolumeID: vol.ID})
	return bdm, nil
}

// Detach starts the detach of a volume from the server: the host
// unplugs it and the attachment ends in the background (202). The root
// volume is not detached.
func (s *Service) Detach(ctx context.Context, c compute.Caller, serverID, volumeID string) error {
	vols, err := s.need()
	if err != nil {
		return err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, serverID, false)
	if err != nil {
		return err
	}
	if err := compute.LockError(c, inst); err != nil {
		return err
	}
	if err := attachStates.Check("detach_volume", inst); err != nil {
		return err
	}
	vol, err := getVolume(ctx, vols, c.Token, volumeID)
	if err != nil {
		return err
	}
	i := volinfo.Find(inst.BlockDevices, vol.ID)
	if i < 0 {
		return NotAttached(serverID, volumeID)
	}
	bdm := inst.BlockDevices[i]
	if bdm.IsRoot() {
		return apierr.BadRequest("Cannot detach a root device volume")
	}
	offloaded := inst.VMState == compute.VMShelvedOf
	// Cinder's begin_detaching: only an attached volume can be detached.
	if bdm.Detaching || !offloaded && vol.Status != "in-use" {
		return apierr.BadRequest("Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
	}
	cond, err := s.deps.NeedConductor()
	if err != nil && !offloaded {
		return err
	}
	if _, err := compute.Step(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		j := volinfo.Find(i.BlockDevices, vol.ID)
		if j < 0 {
			return NotAttached(serverID, volumeID)
		}
		if i.BlockDevices[j].Detaching {
			return apierr.BadRequest("Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
		}
		i.BlockDevices[j].Detaching = true
		return nil
	}); err != nil {
		return goneAsNotFound(err, inst.ID)
	}
	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "detach_volume", s.deps.Clock()); err != nil {
		return err
	}
	if offloaded {
		// Nova's _local_cleanup_bdm_volumes: no host holds it.
		if bdm.AttachmentID != "" {
			if err := vols.AttachmentDelete(ctx, c.Token, bdm.AttachmentID); err != nil && !apierr.IsNotFound(err) {
				s.undetach(ctx, inst.ID, bdm.ID)
				return volumeError(err, vol.ID)
			}
		}
		s.drop(ctx, inst.ID, bdm.ID)
		return nil
	}
	cond.Run(context.WithoutCancel(ctx), compute.Op{Kind: compute.OpDetachVolume, InstanceID: inst.ID, Caller: c, VolumeID: vol.ID})
	return nil
}

// UpdateRequest is a validated os-volume_attachments PUT.
type UpdateRequest struct {
	// VolumeID is the body's volumeId: the attached volume, or another
	// one to swap to.
	VolumeID string
	// DeleteOnTermination (2.85) changes the flag when set.
	DeleteOnTermination *bool
	// Device, Tag, ServerID, ID: 2.85 accepts them only unchanged.
	Device, Tag, ServerID, ID *string
}

// Update changes the mapping of an attached volume (2.85's
// delete_on_termination). A different volumeId asks for a swap, which
// no driver of this cloud can do: once the volumes are checked as Nova
// checks them, it is refused.
func (s *Service) Update(ctx context.Context, c compute.Caller, serverID, volumeID string, req UpdateRequest) error {
	vols, err := s.need()
	if err != nil {
		return err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, serverID, false)
	if err != nil {
		return err
	}
	if req.VolumeID != volumeID {
		if _, err := getVolume(ctx, vols, c.Token, volumeID); err != nil {
			return err
		}
		if _, err := getVolume(ctx, vols, c.Token, req.VolumeID); apierr.IsNotFound(err) {
			return apierr.BadRequest("Volume %s could not be found.", req.VolumeID)
		} else if err != nil {
			return err
		}
		if err := compute.LockError(c, inst); err != nil {
			return err
		}
		if volinfo.Find(inst.BlockDevices, volumeID) < 0 {
			return apierr.NotFound("The volume was either invalid or not attached to the instance.")
		}
		// Nova's swap needs a driver that copies one volume into the
		// other under the running guest (libvirt's block copy).
		return apierr.BadRequest("Swapping volume %s for volume %s is not supported by the compute drivers of this cloud.", volumeID, req.VolumeID)
	}
	i := volinfo.Find(inst.BlockDevices, volumeID)
	if i < 0 {
		return NotAttached(serverID, volumeID)
	}
	bdm := inst.BlockDevices[i]
	for _, f := range []struct {
		name      string
		got, have *string
	}{{"id", req.ID, &bdm.VolumeID}, {"serverId", req.ServerID, &inst.ID}, {"device", req.Device, &bdm.DeviceName}, {"tag", req.Tag, &bdm.Tag}} {
		if f.got != nil && *f.got != *f.have {
			return apierr.BadRequest("The %s property is not mutable", f.name)
		}
	}
	if req.DeleteOnTermination == nil {
		return nil
	}
	_, err = compute.UpdateInstance(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		j := volinfo.Find(i.BlockDevices, volumeID)
		if j < 0 {
			return NotAttached(serverID, volumeID)
		}
		i.BlockDevices[j].DeleteOnTermination = *req.DeleteOnTermination
		return nil
	})
	return err
}

// DeviceName is the device a new volume of inst gets: want when it is
// free, else the next free /dev/vdX after the root disk and the
// flavor's ephemeral and swap disks (Nova's get_next_device_name).
func DeviceName(inst *compute.Instance, want string) (string, error) {
	prefix := "/dev/vd"
	if root := inst.RootDeviceName; root != "" {
		if m := devicePath.FindStringSubmatch(root); m != nil {
			prefix = m[1]
		}
	}
	used := map[string]bool{}
	// The root disk and the flavor's local disks come first.
	local := 1
	if inst.Flavor.Ephemeral > 0 {
		local++
	}
	if inst.Flavor.Swap > 0 {
		local++
	}
	for n := range local {
		used[suffix(n)] = true
	}
	for _, b := range inst.BlockDevices {
		if m := devicePath.FindStringSubmatch(b.DeviceName); m != nil {
			used[m[2]] = true
		}
	}
	if want != "" {
		m := devicePath.FindStringSubmatch(want)
		if used[m[2]] {
			return "", apierr.BadRequest("The supplied device path (%s) is in use.", want)
		}
		return want, nil
	}
	for n := 0; n < 26*27; n++ {
		if !used[suffix(n)] {
			return prefix + suffix(n), nil
		}
	}
	return "", apierr.BadRequest("No free disk device names for prefix '%s'", prefix)
}

// suffix is the n-th disk letter sequence: a..z, aa..zz.
func suffix(n int) string {
	if n < 26 {
		return string(rune('a' + n))
	}
	return string(rune('a'+n/26-1)) + string(rune('a'+n%26))
}

// drop removes a mapping whose attach did not happen.
func (s *Service) drop(ctx context.Context, id, bdmID string) {
	_, _ = compute.Step(context.WithoutCancel(ctx), s.store, id, func(i *compute.Instance) error {
		i.BlockDevices = slices.DeleteFunc(i.BlockDevices, func(b compute.BlockDeviceMapping) bool { return b.ID == bdmID })
		return nil
	})
}

// undetach clears the detaching mark of a detach that did not happen.
func (s *Service) undetach(ctx context.Context, id, bdmID string) {
	_, _ = compute.Step(context.WithoutCancel(ctx), s.store, id, func(i *compute.Instance) error {
		for j := range i.BlockDevices {
			if i.BlockDevices[j].ID == bdmID {
				i.BlockDevices[j].Detaching = false
			}
		}
		return nil
	})
}

// getVolume reads a volume with the caller's token, in Nova's words
// when it is missing.
func getVolume(ctx context.Context, vols compute.Volumes, token, id string) (*volinfo.Volume, error) {
	v, err := vols.GetVolume(ctx, token, id)
	if errors.Is(err, apierr.ErrNotFound) || apierr.IsNotFound(err) {
		return nil, apierr.NotFound("Volume %s could not be found.", id)
	}
	return v, err
}

func alreadyAttached(id string) error {
	return apierr.BadRequest("Invalid volume: volume %s already attached", id)
}

// volumeError is a refusal of the block-storage service as Nova passes
// it on: a missing volume is 404, any other refusal an invalid volume
// (400); the service's own failures stay what they are.
func volumeError(err error, id string) error {
	if errors.Is(err, apierr.ErrNotFound) || apierr.IsNotFound(err) {
		return apierr.NotFound("Volume %s could not be found.", id)
	}
	if e, ok := apierr.As(err); ok && e.Code >= 400 && e.Code < 500 {
		msg := e.Message
		if !strings.HasPrefix(msg, "Invalid volume") {
			msg = "Invalid volume: " + msg
		}
		return apierr.BadRequest("%s", msg).WithCause(err)
	}
	return fmt.Errorf("block-storage service: %w", err)
}

// goneAsNotFound turns a delete that won into the instance's 404.
func goneAsNotFound(err error, id string) error {
	if errors.Is(err, compute.ErrGone) {
		return compute.InstanceNotFound(id)
	}
	return err
}

// OpExtend is the conductor operation that makes the guest see an
// attached volume's new size (Nova's extend_volume).
const OpExtend compute.OpKind = "extend_volume"

// Extended takes the block-storage service's volume-extended event for a
// server on a host: the action extend_volume is recorded and the
// conductor has the host grow the volume to the size the block-storage
// service now gives it. A server without the volume is left alone by the
// conductor, as Nova's compute manager only logs it.
func (s *Service) Extended(ctx context.Context, c compute.Caller, inst *compute.Instance, volumeID string) error {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return err
	}
	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "extend_volume", s.deps.Clock()); err != nil {
		return err
	}
	cond.Run(context.WithoutCancel(ctx), compute.Op{Kind: OpExtend, InstanceID: inst.ID, Caller: c, VolumeID: volumeID})
	return nil
}
