package servers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/compute/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Create validates req, checks quota and stores MaxCount (at
// least MinCount) instances in BUILD/scheduling, records a "create"
// action for each and hands them to the conductor.
func (s *Service) Create(ctx context.Context, c compute.Caller, req CreateRequest) (*CreateResult, error) {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return nil, err
	}
	if req.MinCount == 0 {
		req.MinCount = 1
	}
	if req.MaxCount == 0 {
		req.MaxCount = req.MinCount
	}
	if req.MinCount < 1 || req.MaxCount < 1 {
		return nil, apierr.BadRequest("Invalid input for field/attribute min_count. Value: %d. %d is less than the minimum of 1", req.MinCount, req.MinCount)
	}
	if req.MinCount > req.MaxCount {
		return nil, apierr.BadRequest("min_count must be <= max_count")
	}
	if req.Hostname != "" && req.MaxCount > 1 {
		return nil, apierr.BadRequest("Unable to allocate a single hostname to multiple instances")
	}

	// Zone, and the admins' legacy zone:host:node.
	az, host, node, err := parseAZ(req.AvailabilityZone)
	if err != nil {
		return nil, err
	}
	// A host named in the zone, or (2.74) asked for directly, is the
	// caller's policy's to allow.
	if (host != "" || node != "") && !c.May(policies.ServersCreateForcedHost) {
		return nil, apierr.Forbidden("Policy doesn't allow %s to be performed.", policies.ServersCreateForcedHost)
	}
	if (req.Host != "" || req.HypervisorHostname != "") && !c.May(policies.ServersCreateRequestedDest) {
		return nil, apierr.Forbidden("Policy doesn't allow %s to be performed.", policies.ServersCreateRequestedDest)
	}
	if req.Host != "" {
		host = req.Host
	}
	if req.HypervisorHostname != "" {
		node = req.HypervisorHostname
	}
	if err := s.hosts.CheckRequested(ctx, host, node); err != nil {
		return nil, err
	}
	if az != "" && host == "" {
		ok, err := s.hosts.ZoneExists(ctx, az)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierr.BadRequest("The requested availability zone is not available")
		}
	}

	flavor, err := s.flavors.Visible(ctx, req.FlavorRef, c.ProjectID, c.Admin)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, apierr.BadRequest("Flavor %s could not be found.", req.FlavorRef)
		}
		return nil, err
	}
	if flavor.Disabled {
		return nil, apierr.BadRequest("Flavor %s could not be found.", req.FlavorRef)
	}

	// What the server boots: its image, or its volume (checked with the
	// caller's token, as are the other volumes of its block devices).
	boot, err := volumes.New(s.store, s.deps).PrepareBoot(ctx, c, flavor, req.ImageRef, req.BlockDevices, req.MaxCount)
	if err != nil {
		return nil, err
	}
	req.BlockDevices = boot.Devices
	imageRef, image := boot.ImageRef, boot.Image

	secGroups := req.SecurityGroups
	if len(secGroups) == 0 {
		secGroups = []string{"default"}
	}
	if s.net == nil {
		// Without a network service no network or port can be found,
		// and the only security group is the implicit default.
		if err := checkNetworks(req.Networks); err != nil {
			return nil, err
		}
		for _, g := range secGroups {
			if g != "default" {
				return nil, apierr.BadRequest("Security group %s not found.", g)
			}
		}
	} else {
		// The networks are checked with the caller's token; "auto" and
		// an absent list become the network the project sees.
		if req.Networks, err = s.net.Resolve(ctx, c, req.Networks, secGroups, req.MaxCount, req.Minor); err != nil {
			return nil, err
		}
	}

	var keyData string
	if req.KeyName != "" {
		k, err := s.store.GetKeypair(ctx, c.UserID, req.KeyName)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, apierr.BadRequest("Invalid key_name provided.")
		}
		if err != nil {
			return nil, err
		}
		keyData = k.PublicKey
	}

	if err := s.quotas.CheckMetadata(ctx, c.ProjectID, req.Metadata); err != nil {
		return nil, err
	}
	var maxPath, maxContent int
	for _, f := range req.Personality {
		maxPath = max(maxPath, len(f.Path))
		maxContent = max(maxContent, len(f.Contents))
	}
	if err := s.quotas.CheckInjectedFiles(ctx, c.ProjectID, len(req.Personality), maxPath, maxContent); err != nil {
		return nil, err
	}

	var group *compute.ServerGroup
	if g := req.Hints["group"]; len(g) > 0 {
		group, err = s.store.GetServerGroup(ctx, g[0])
		if errors.Is(err, apierr.ErrNotFound) || err == nil && group.ProjectID != c.ProjectID && !c.Admin {
			return nil, apierr.BadRequest("Instance group %s could not be found.", g[0])
		}
		if err != nil {
			return nil, err
		}
	}

	n, err := s.quotas.InstancesThatFit(ctx, c, flavor, req.MinCount, req.MaxCount)
	if err != nil {
		return nil, err
	}
	if group != nil {
		l, err := s.quotas.Limit(ctx, c.ProjectID, "server_group_members")
		if err != nil {
			return nil, err
		}
		if l >= 0 && int64(len(group.Members)+n) > l {
			return nil, apierr.Forbidden("Quota exceeded, too many servers in group")
		}
	}

	adminPass := req.AdminPass
	if adminPass == "" {
		adminPass = compute.GeneratePassword()
	}
	res := reservationID()
	insts := make([]*compute.Instance, n)
	for i := range insts {
		insts[i] = s.newInstance(c, req, flavor, image, i, n, res)
		insts[i].ImageRef = imageRef
		for j := range insts[i].BlockDevices {
			if insts[i].BlockDevices[j].ID != "" {
				insts[i].BlockDevices[j].ID = uuid.NewString()
			}
		}
		insts[i].KeyData = keyData
		insts[i].AvailabilityZone, insts[i].RequestedAZ = az, az
		insts[i].RequestedHost, insts[i].RequestedNode = host, node
		insts[i].SecurityGroups = slices.Clone(secGroups)
		if group != nil {
			insts[i].ServerGroup = group.ID
		}
	}
	// The store counts again after its insert and undoes it when the
	// instances no longer fit: creates racing in one project cannot pass
	// the limits together (Nova's recheck_quota).
	err = s.store.CreateInstances(ctx, insts, func(ctx context.Context, u compute.InstanceUsage) error {
		return s.quotas.CheckInstances(ctx, c, flavor, int64(n), u, fmt.Sprint(n))
	})
	if errors.Is(err, apierr.ErrNotFound) && group != nil {
		return nil, apierr.BadRequest("Instance group %s could not be found.", group.ID)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i, inst := range insts {
		ids[i] = inst.ID
		if err := compute.RecordAction(ctx, s.store, c, inst.ID, "create", s.deps.Clock()); err != nil {
			return nil, err
		}
	}
	cond.Build(context.WithoutCancel(ctx), compute.BuildRequest{InstanceIDs: ids, Caller: c, Image: image, AdminPassword: adminPass})
	return &CreateResult{Instances: insts, ReservationID: res, AdminPass: adminPass}, nil
}

// newInstance builds instance i of n of a create request.
func (s *Service) newInstance(c compute.Caller, req CreateRequest, flavor *compute.Flavor, image *compute.ImageMeta, i, n int, res string) *compute.Instance {
	id := uuid.NewString()
	name := req.Name
	hostname := req.Hostname
	if hostname == "" {
		hostname = sanitizeHostname(name, "")
		if hostname == "" {
			hostname = "Server-" + id
		} else if n > 1 {
			hostname = fmt.Sprintf("%s-%d", hostname, i+1)
		}
	}
	if n > 1 {
		name = fmt.Sprintf("%s-%d", name, i+1)
	}
	hints := make(map[string][]string, len(req.Hints))
	for k, v := range req.Hints {
		hints[k] = slices.Clone(v)
	}
	inst := &compute.Instance{
		ID:             id,
		Name:           name,
		Hostname:       hostname,
		Description:    req.Description,
		ProjectID:      c.ProjectID,
		UserID:         c.UserID,
		Flavor:         *flavor,
		KeyName:        req.KeyName,
		UserData:       req.UserData,
		ConfigDrive:    req.ConfigDrive,
		Metadata:       copyMap(req.Metadata),
		Tags:           slices.Clone(req.Tags),
		LaunchIndex:    i,
		ReservationID:  res,
		VMState:        compute.VMBuilding,
		TaskState:      compute.TaskScheduling,
		AccessIPv4:     compute.NormalizeIP(req.AccessIPv4),
		AccessIPv6:     compute.NormalizeIP(req.AccessIPv6),
		SchedulerHints: hints,
		BlockDevices:   slices.Clone(req.BlockDevices),
		Networks:       req.Networks,
		TrustedCerts:   slices.Clone(req.TrustedCerts),
		DiskConfig:     compute.DiskConfigOr(req.DiskConfig, imageDiskConfig(image)),
		SystemMetadata: sysmeta.FromImage(nil, image, flavor),
	}
	if inst.Tags == nil {
		inst.Tags = []string{}
	}
	if image != nil {
		inst.KernelID = image.Properties["kernel_id"]
		inst.RamdiskID = image.Properties["ramdisk_id"]
	}
	return inst
}

// parseAZ splits Nova's "zone", "zone:host", "zone:host:node" and
// "zone::node".
func parseAZ(s string) (az, host, node string, err error) {
	switch strings.Count(s, ":") {
	case 0:
		return s, "", "", nil
	case 1:
		az, host, _ = strings.Cut(s, ":")
		return az, host, "", nil
	case 2:
		p := strings.SplitN(s, ":", 3)
		return p[0], p[1], p[2], nil
	}
	return "", "", "", apierr.BadRequest("Invalid input received: Unable to parse availability_zone")
}

// checkNetworks refuses explicit networks and ports: without a network
// service none can be found, as Nova answers for a missing one.
func checkNetworks(n compute.NetworkRequest) error {
	for _, e := range n.Entries {
		if e.Port != "" {
			return apierr.BadRequest("Port id %s could not be found.", e.Port)
		}
		if e.UUID != "" {
			return apierr.BadRequest("Network %s could not be found.", e.UUID)
		}
	}
	return nil
}
