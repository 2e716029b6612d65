package compute

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// CreateServers validates req, checks quota and stores MaxCount (at
// least MinCount) instances in BUILD/scheduling, records a "create"
// action for each and hands them to the conductor.
func (s *Service) CreateServers(ctx context.Context, c Caller, req CreateServer) (*CreateResult, error) {
	cond, err := s.conductor()
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
		return nil, invalid("Invalid input for field/attribute min_count. Value: %d. %d is less than the minimum of 1", req.MinCount, req.MinCount)
	}
	if req.MinCount > req.MaxCount {
		return nil, invalid("min_count must be <= max_count")
	}
	if req.Hostname != "" && req.MaxCount > 1 {
		return nil, invalid("Unable to allocate a single hostname to multiple instances")
	}

	// Zone, and the admins' legacy zone:host:node.
	az, host, node, err := parseAZ(req.AvailabilityZone)
	if err != nil {
		return nil, err
	}
	if (host != "" || node != "") && !c.Admin {
		return nil, forbidden("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.")
	}
	if req.Host != "" {
		host = req.Host
	}
	if req.HypervisorHostname != "" {
		node = req.HypervisorHostname
	}
	if err := s.checkRequestedHost(ctx, host, node); err != nil {
		return nil, err
	}
	if az != "" && host == "" {
		ok, err := s.zoneExists(ctx, az)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, invalid("The requested availability zone is not available")
		}
	}

	flavor, err := s.VisibleFlavor(ctx, req.FlavorRef, c.ProjectID, c.Admin)
	if err != nil {
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return nil, invalid("Flavor %s could not be found.", req.FlavorRef)
		}
		return nil, err
	}
	if flavor.Disabled {
		return nil, invalid("Flavor %s could not be found.", req.FlavorRef)
	}

	// Block devices: we have no block storage service yet, so only
	// image-backed servers (and local ephemeral/swap disks) are served.
	for _, b := range req.BlockDevices {
		if b.SourceType == "volume" || b.SourceType == "snapshot" || b.DestinationType == "volume" {
			return nil, invalid("Block Device Mapping is Invalid: booting from or attaching volumes needs the block storage service, which this cloud does not provide yet.")
		}
	}
	imageRef := req.ImageRef
	if imageRef == "" {
		for _, b := range req.BlockDevices {
			if b.SourceType == "image" && b.BootIndex != nil && *b.BootIndex == 0 {
				imageRef = b.UUID
			}
		}
	}
	if imageRef == "" {
		return nil, invalid("Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.")
	}
	imgs, err := s.images()
	if err != nil {
		return nil, err
	}
	image, err := imgs.Get(ctx, c.Token, imageRef)
	if errors.Is(err, ErrNotFound) {
		return nil, invalid("Image %s could not be found.", imageRef)
	}
	if err != nil {
		return nil, err
	}
	if err := checkFlavorImage(c, flavor, image); err != nil {
		return nil, err
	}

	// Networks and security groups: no network service yet.
	if err := checkNetworks(req.Networks); err != nil {
		return nil, err
	}
	secGroups := req.SecurityGroups
	if len(secGroups) == 0 {
		secGroups = []string{"default"}
	}
	for _, g := range secGroups {
		if g != "default" {
			return nil, invalid("Security group %s not found.", g)
		}
	}

	var keyData string
	if req.KeyName != "" {
		k, err := s.store.GetKeypair(ctx, c.UserID, req.KeyName)
		if errors.Is(err, ErrNotFound) {
			return nil, invalid("Invalid key_name provided.")
		}
		if err != nil {
			return nil, err
		}
		keyData = k.PublicKey
	}

	if err := s.checkMetadata(ctx, c.ProjectID, req.Metadata); err != nil {
		return nil, err
	}
	if err := s.checkInjectedFiles(ctx, c.ProjectID, req.Personality); err != nil {
		return nil, err
	}

	var group *ServerGroup
	if g := req.Hints["group"]; len(g) > 0 {
		group, err = s.store.GetServerGroup(ctx, g[0])
		if errors.Is(err, ErrNotFound) || err == nil && group.ProjectID != c.ProjectID && !c.Admin {
			return nil, invalid("Instance group %s could not be found.", g[0])
		}
		if err != nil {
			return nil, err
		}
	}

	n, err := s.instancesThatFit(ctx, c, flavor, req.MinCount, req.MaxCount)
	if err != nil {
		return nil, err
	}
	if group != nil {
		l, err := s.limit(ctx, c.ProjectID, "server_group_members")
		if err != nil {
			return nil, err
		}
		if l >= 0 && int64(len(group.Members)+n) > l {
			return nil, forbidden("Quota exceeded, too many servers in group")
		}
	}

	adminPass := req.AdminPass
	if adminPass == "" {
		adminPass = generatePassword()
	}
	res := reservationID()
	insts := make([]*Instance, n)
	for i := range insts {
		insts[i] = s.newInstance(c, req, flavor, image, i, n, res)
		insts[i].ImageRef = imageRef
		insts[i].KeyData = keyData
		insts[i].AvailabilityZone = az
		insts[i].RequestedHost, insts[i].RequestedNode = host, node
		insts[i].SecurityGroups = slices.Clone(secGroups)
		if group != nil {
			insts[i].ServerGroup = group.ID
		}
	}
	err = s.store.CreateInstances(ctx, insts, func(q db.Querier, u InstanceUsage) error {
		return s.checkInstanceQuota(ctx, q, c, flavor, int64(n), u, fmt.Sprint(n))
	})
	if errors.Is(err, ErrNotFound) && group != nil {
		return nil, invalid("Instance group %s could not be found.", group.ID)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i, inst := range insts {
		ids[i] = inst.ID
		if err := s.recordAction(ctx, c, inst.ID, "create"); err != nil {
			return nil, err
		}
	}
	cond.Build(context.WithoutCancel(ctx), BuildRequest{InstanceIDs: ids, Caller: c, Image: image, AdminPassword: adminPass})
	return &CreateResult{Instances: insts, ReservationID: res, AdminPass: adminPass}, nil
}

// newInstance builds instance i of n of a create request.
func (s *Service) newInstance(c Caller, req CreateServer, flavor *Flavor, image *ImageMeta, i, n int, res string) *Instance {
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
	inst := &Instance{
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
		VMState:        VMBuilding,
		TaskState:      TaskScheduling,
		AccessIPv4:     normalizeIP(req.AccessIPv4),
		AccessIPv6:     normalizeIP(req.AccessIPv6),
		SchedulerHints: hints,
		BlockDevices:   slices.Clone(req.BlockDevices),
		Networks:       req.Networks,
		TrustedCerts:   slices.Clone(req.TrustedCerts),
		DiskConfig:     diskConfigOr(req.DiskConfig, imageDiskConfig(image)),
		SystemMetadata: imageSystemMetadata(nil, image, flavor),
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
	return "", "", "", invalid("Invalid input received: Unable to parse availability_zone")
}

// checkRequestedHost makes sure a requested host (and node) exist.
func (s *Service) checkRequestedHost(ctx context.Context, host, node string) error {
	if host != "" {
		svcs, err := s.store.ListServices(ctx, host, "nova-compute")
		if err != nil {
			return err
		}
		if len(svcs) == 0 {
			return invalid("Compute host %s could not be found.", host)
		}
	}
	if node != "" {
		nodes, err := s.store.ListNodes(ctx, host, "")
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(nodes, func(n ComputeNode) bool { return n.HypervisorHostname == node }) {
			return invalid("Compute host %s could not be found.", node)
		}
	}
	return nil
}

// checkFlavorImage is Nova's _validate_flavor_image for an image-backed
// server.
func checkFlavorImage(c Caller, flavor *Flavor, image *ImageMeta) error {
	if image.Status != "active" {
		return invalid("Image %s is not active.", image.ID)
	}
	if flavor.RAM < image.MinRAM {
		return invalid("Flavor's memory is too small for requested image.")
	}
	const gi = 1 << 30
	dest := flavor.Disk * gi
	if dest == 0 {
		if !c.Admin {
			return forbidden("Only volume-backed servers are allowed for flavors with zero disk.")
		}
		return nil
	}
	if image.Size > dest {
		return invalid("Flavor's disk is too small for requested image. Flavor disk is %d bytes, image is %d bytes.", dest, image.Size)
	}
	if image.MinDisk*gi > dest {
		return invalid("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is %d bytes, minimum size is %d bytes.", dest, image.MinDisk*gi)
	}
	return nil
}

// checkNetworks refuses explicit networks and ports: without a network
// service none can be found, as Nova answers for a missing one.
func checkNetworks(n NetworkRequest) error {
	for _, e := range n.Entries {
		if e.Port != "" {
			return invalid("Port id %s could not be found.", e.Port)
		}
		if e.UUID != "" {
			return invalid("Network %s could not be found.", e.UUID)
		}
	}
	return nil
}

// checkInjectedFiles is Nova's _check_injected_file_quota.
func (s *Service) checkInjectedFiles(ctx context.Context, projectID string, files []InjectedFile) error {
	if len(files) == 0 {
		return nil
	}
	l, err := s.limit(ctx, projectID, "injected_files")
	if err != nil {
		return err
	}
	if l >= 0 && int64(len(files)) > l {
		return forbidden("Personality file limit exceeded")
	}
	var maxPath, maxContent int
	for _, f := range files {
		maxPath = max(maxPath, len(f.Path))
		maxContent = max(maxContent, len(f.Contents))
	}
	if l, err = s.limit(ctx, projectID, "injected_file_path_bytes"); err != nil {
		return err
	}
	if l >= 0 && int64(maxPath) > l {
		return forbidden("Personality file path exceeds maximum %d", l)
	}
	if l, err = s.limit(ctx, projectID, "injected_file_content_bytes"); err != nil {
		return err
	}
	if l >= 0 && int64(maxContent) > l {
		return forbidden("Personality file content exceeds maximum %d", l)
	}
	return nil
}

// instanceLimits returns the instances, cores and ram limits of the
// project and those the user has of their own (absent = none).
func (s *Service) instanceLimits(ctx context.Context, q db.Querier, c Caller) (project, user map[string]int64, err error) {
	project = map[string]int64{}
	for _, r := range []string{"instances", "cores", "ram"} {
		if project[r], err = s.quotas.Limit(ctx, q, c.ProjectID, r); err != nil {
			return nil, nil, err
		}
	}
	uq, err := s.store.UserQuotas(ctx, c.ProjectID, c.UserID)
	if err != nil {
		return nil, nil, err
	}
	user = map[string]int64{}
	for _, r := range []string{"instances", "cores", "ram"} {
		if l, ok := uq[r]; ok {
			user[r] = l
		}
	}
	return project, user, nil
}

// instancesThatFit is Nova's check_num_instances_quota: as many of
// [min, max] instances of flavor as the quotas let in, or the 403.
func (s *Service) instancesThatFit(ctx context.Context, c Caller, flavor *Flavor, minN, maxN int) (int, error) {
	u, err := s.store.CountInstanceUsage(ctx, c.ProjectID, c.UserID)
	if err != nil {
		return 0, err
	}
	var project, user map[string]int64
	err = s.store.InTx(ctx, func(q db.Querier) error {
		var err error
		project, user, err = s.instanceLimits(ctx, q, c)
		return err
	})
	if err != nil {
		return 0, err
	}
	per := map[string]int64{"instances": 1, "cores": flavor.VCPUs, "ram": flavor.RAM}
	allowed := int64(maxN)
	for _, lim := range []struct {
		limits map[string]int64
		used   map[string]int64
	}{
		{project, map[string]int64{"instances": u.Instances, "cores": u.Cores, "ram": u.RAM}},
		{user, map[string]int64{"instances": u.UserInstances, "cores": u.UserCores, "ram": u.UserRAM}},
	} {
		for r, l := range lim.limits {
			if l < 0 || per[r] == 0 {
				continue
			}
			allowed = min(allowed, max(0, (l-lim.used[r])/per[r]))
		}
	}
	if allowed >= int64(minN) {
		return int(allowed), nil
	}
	requested := fmt.Sprint(minN)
	if minN != maxN {
		requested = fmt.Sprintf("%d-%d", minN, maxN)
	}
	err = s.store.InTx(ctx, func(q db.Querier) error {
		return s.checkInstanceQuota(ctx, q, c, flavor, int64(maxN), u, requested)
	})
	if err == nil {
		// The counts moved between the two reads; report what is left.
		return 0, forbidden("Quota exceeded for instances: Requested %s, but already used %d of %d instances", requested, u.Instances, project["instances"])
	}
	return 0, err
}

// checkInstanceQuota checks n more instances of flavor against the
// project's and the user's limits, given usage u.
func (s *Service) checkInstanceQuota(ctx context.Context, q db.Querier, c Caller, flavor *Flavor, n int64, u InstanceUsage, requested string) error {
	project, user, err := s.instanceLimits(ctx, q, c)
	if err != nil {
		return err
	}
	used := map[string]int64{"instances": u.Instances, "cores": u.Cores, "ram": u.RAM}
	userUsed := map[string]int64{"instances": u.UserInstances, "cores": u.UserCores, "ram": u.UserRAM}
	delta := map[string]int64{"instances": n, "cores": n * flavor.VCPUs, "ram": n * flavor.RAM}
	req := map[string]string{"instances": requested, "cores": fmt.Sprint(delta["cores"]), "ram": fmt.Sprint(delta["ram"])}
	for _, lim := range []struct{ limits, used map[string]int64 }{{user, userUsed}, {project, used}} {
		var overs []quota.Over
		for _, r := range []string{"instances", "cores", "ram"} {
			l, ok := lim.limits[r]
			if !ok || l < 0 || delta[r] <= 0 {
				continue
			}
			if lim.used[r]+delta[r] > l {
				overs = append(overs, quota.Over{Resource: r, Limit: l, Used: lim.used[r], Requested: delta[r]})
			}
		}
		if len(overs) > 0 {
			return forbidden("%s", quotaMessage(overs, req))
		}
	}
	return nil
}
