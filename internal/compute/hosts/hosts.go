// Package hosts holds what compute knows of its hosts: the services
// (nova-compute of each host, the scheduler and conductor of this
// cloud) with their liveness, the hypervisors (compute nodes), the
// aggregates and the availability zones they make, and the legacy
// os-hosts view.
package hosts

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service manages hosts, aggregates and zones.
type Service struct {
	cfg   compute.Config
	store compute.Store
	deps  compute.Deps
}

// New returns the hosts of store; deps gives their liveness and the
// clock. Hosts in no aggregate zone are in cfg's default zone ("nova").
func New(cfg compute.Config, store compute.Store, deps compute.Deps) *Service {
	if cfg.DefaultAvailabilityZone == "" {
		cfg.DefaultAvailabilityZone = DefaultZone
	}
	return &Service{cfg: cfg, store: store, deps: deps}
}

// Service binaries as os-services lists them.
const (
	BinaryCompute   = "nova-compute"
	BinaryScheduler = "nova-scheduler"
	BinaryConductor = "nova-conductor"
)

// controlHost is the host name the scheduler and conductor of this cloud
// are listed under.
func controlHost() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

// ensureControlServices creates the scheduler and conductor rows of this
// cloud the first time services are listed (they run in-process).
func (s *Service) ensureControlServices(ctx context.Context) error {
	host := controlHost()
	for _, b := range []string{BinaryScheduler, BinaryConductor} {
		now := s.deps.Clock()
		if _, err := s.store.UpsertService(ctx, &compute.HostService{Host: host, Binary: b, Zone: InternalZone, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// view adds liveness and the zone to a service row: a compute service is
// up while its agent beats, and in its host's zone; the control services
// run in this process, in the internal zone. The zone stored with the row
// is what the host reported when it registered, so it is not shown: the
// aggregates decide it, as in Nova.
func (s *Service) view(hs compute.HostService, zones Zones) ServiceView {
	hs.Zone = zones.Service(hs)
	v := ServiceView{HostService: hs, UpdatedAt: hs.UpdatedAt}
	if hs.Binary != BinaryCompute {
		v.Up = !hs.ForcedDown
		return v
	}
	if s.deps.Liveness != nil {
		if st, ok := s.deps.Liveness.Status(compute.HeartbeatService, hs.Host); ok {
			v.Up = st.Up && !hs.ForcedDown
			if !st.LastSeen.IsZero() {
				v.UpdatedAt = st.LastSeen.UTC()
			}
		}
	}
	return v
}

// Services lists services (every compute host plus the scheduler
// and conductor of this cloud), filtered by host and binary when set.
func (s *Service) Services(ctx context.Context, host, binary string) ([]ServiceView, error) {
	if err := s.ensureControlServices(ctx); err != nil {
		return nil, err
	}
	rows, err := s.store.ListServices(ctx, host, binary)
	if err != nil {
		return nil, err
	}
	zones, err := s.HostZones(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceView, len(rows))
	for i, r := range rows {
		out[i] = s.view(r, zones)
	}
	return out, nil
}

// UpdateService changes a service by uuid.
func (s *Service) UpdateService(ctx context.Context, id string, u ServiceUpdate) (*ServiceView, error) {
	hs, err := s.store.GetService(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Service %s not found.", id)
	}
	if err != nil {
		return nil, err
	}
	if hs.Binary != BinaryCompute {
		return nil, apierr.BadRequest("Updating a %s service is not supported. Only nova-compute services can be updated.", hs.Binary)
	}
	return s.applyUpdate(ctx, hs, u)
}

func (s *Service) applyUpdate(ctx context.Context, hs *compute.HostService, u ServiceUpdate) (*ServiceView, error) {
	if u.ForcedDown != nil && !*u.ForcedDown {
		ms, err := s.store.ListMigrations(ctx, compute.MigrationFilter{Host: hs.Host, Status: "done", Type: "evacuation"})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.SourceCompute == hs.Host {
				return nil, apierr.BadRequest("Unable to force up host %s as `done` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to `completed` before retrying this request.", hs.Host)
			}
		}
	}
	out, err := s.store.UpdateService(ctx, hs.ID, func(r *compute.HostService) error {
		if u.Disabled != nil {
			r.Disabled = *u.Disabled
			if !r.Disabled {
				r.DisabledReason = ""
			}
		}
		if u.DisabledReason != nil {
			r.DisabledReason = *u.DisabledReason
		}
		if u.ForcedDown != nil {
			r.ForcedDown = *u.ForcedDown
		}
		r.UpdatedAt = s.deps.Clock()
		return nil
	})
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Service %s not found.", hs.ID)
	}
	if err != nil {
		return nil, err
	}
	zones, err := s.HostZones(ctx)
	if err != nil {
		return nil, err
	}
	v := s.view(*out, zones)
	return &v, nil
}

// UpdateServiceByHost changes the service of (host, binary), the
// pre-2.53 enable/disable/force-down calls.
func (s *Service) UpdateServiceByHost(ctx context.Context, host, binary string, u ServiceUpdate) (*ServiceView, error) {
	if err := s.ensureControlServices(ctx); err != nil {
		return nil, err
	}
	rows, err := s.store.ListServices(ctx, host, binary)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || host == "" || binary == "" {
		return nil, apierr.NotFound("Service %s could not be found.", host)
	}
	return s.applyUpdate(ctx, &rows[0], u)
}

// DeleteService removes a service; a compute host that still has
// instances is a 409. Before 2.53 id is the integer id.
func (s *Service) DeleteService(ctx context.Context, id string) error {
	hs, err := s.findService(ctx, id)
	if err != nil {
		return err
	}
	if hs.Binary == BinaryCompute {
		insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: hs.Host, Limit: 1})
		if err != nil {
			return err
		}
		if len(insts) > 0 {
			return apierr.Conflict("Unable to delete compute service that is hosting instances. Migrate or delete the instances first.")
		}
		ms, err := s.store.ListMigrations(ctx, compute.MigrationFilter{Host: hs.Host})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !slices.Contains([]string{"confirmed", "reverted", "error", "failed", "completed", "cancelled", "done"}, m.Status) {
				return apierr.Conflict("Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.")
			}
		}
	}
	err = s.store.DeleteService(ctx, hs.ID)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("Service %s not found.", id)
	}
	return err
}

// findService finds a service by uuid or by integer id.
func (s *Service) findService(ctx context.Context, id string) (*compute.HostService, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		rows, err := s.store.ListServices(ctx, "", "")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.IntID == n {
				return &r, nil
			}
		}
		return nil, apierr.NotFound("Service %s not found.", id)
	}
	hs, err := s.store.GetService(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.NotFound("Service %s not found.", id)
	}
	return hs, err
}

// hypervisor builds the view of a node with its service's state.
func (s *Service) hypervisor(ctx context.Context, n compute.ComputeNode, svcs []compute.HostService, withServers bool) (HypervisorView, error) {
	v := HypervisorView{ComputeNode: n}
	for _, hs := range svcs {
		if hs.Host == n.Host && hs.Binary == BinaryCompute {
			v.Service = hs
			v.Disabled = hs.Disabled
			v.Up = s.view(hs, Zones{}).Up // only its liveness: hypervisors show no zone
		}
	}
	if withServers {
		insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: n.Host, Node: n.HypervisorHostname})
		if err != nil {
			return v, err
		}
		v.Servers = []HypervisorServer{}
		for _, i := range insts {
			v.Servers = append(v.Servers, HypervisorServer{ID: i.ID, Name: i.InstanceName()})
		}
	}
	return v, nil
}

// Hypervisors lists hypervisors; pattern filters hypervisor_hostname
// (substring, as Nova's search); withServers adds their servers.
func (s *Service) Hypervisors(ctx context.Context, pattern string, withServers bool) ([]HypervisorView, error) {
	like := ""
	if pattern != "" {
		r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
		like = "%" + r.Replace(pattern) + "%"
	}
	nodes, err := s.store.ListNodes(ctx, "", like)
	if err != nil {
		return nil, err
	}
	if pattern != "" && len(nodes) == 0 {
		return nil, apierr.NotFound("No hypervisor matching '%s' could be found.", pattern)
	}
	svcs, err := s.store.ListServices(ctx, "", BinaryCompute)
	if err != nil {
		return nil, err
	}
	out := make([]HypervisorView, 0, len(nodes))
	for _, n := range nodes {
		v, err := s.hypervisor(ctx, n, svcs, withServers)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Hypervisor returns one hypervisor by uuid (or, before 2.53, integer id
// as a string).
func (s *Service) Hypervisor(ctx context.Context, id string, withServers bool) (*HypervisorView, error) {
	var node *compute.ComputeNode
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		nodes, err := s.store.ListNodes(ctx, "", "")
		if err != nil {
			return nil, err
		}
		for i := range nodes {
			if nodes[i].IntID == n {
				node = &nodes[i]
			}
		}
	} else {
		node, err = s.store.GetNode(ctx, id)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return nil, err
		}
	}
	if node == nil {
		return nil, apierr.NotFound("Hypervisor with ID '%s' could not be found.", id)
	}
	svcs, err := s.store.ListServices(ctx, node.Host, BinaryCompute)
	if err != nil {
		return nil, err
	}
	v, err := s.hypervisor(ctx, *node, svcs, withServers)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Zones lists the availability zones of the compute hosts
// (os-availability-zone): the zones of aggregates, and the default zone
// for hosts in none; with detail, each zone's hosts and their services.
// Zones with hosts are listed even when all their hosts are disabled
// (Nova lists them as unavailable).
func (s *Service) Zones(ctx context.Context, detail bool) ([]Zone, error) {
	// The control rows only add to the "internal" zone; a store that
	// cannot write them must not take the zone list down.
	_ = s.ensureControlServices(ctx)
	svcs, err := s.store.ListServices(ctx, "", "")
	if err != nil {
		return nil, err
	}
	zones, err := s.HostZones(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Zone{}
	var order []string
	zone := func(name string) *Zone {
		z, ok := byName[name]
		if !ok {
			z = &Zone{Name: name}
			if detail {
				z.Hosts = map[string]map[string]ServiceState{}
			}
			byName[name] = z
			order = append(order, name)
		}
		return z
	}
	zone(zones.Default()).Available = true
	for _, hs := range svcs {
		name := zones.Service(hs)
		if name == InternalZone && !detail {
			continue
		}
		z := zone(name)
		v := s.view(hs, zones)
		if !hs.Disabled {
			z.Available = true
		}
		if detail {
			if z.Hosts[hs.Host] == nil {
				z.Hosts[hs.Host] = map[string]ServiceState{}
			}
			z.Hosts[hs.Host][hs.Binary] = ServiceState{Available: v.Up, Active: !hs.Disabled, UpdatedAt: v.UpdatedAt}
		}
	}
	out := make([]Zone, 0, len(order))
	for _, n := range order {
		out = append(out, *byName[n])
	}
	return out, nil
}

// os-hosts (deprecated, until 2.42): the hosts of the cloud by service,
// and a compute host's resources.

// Entry is one os-hosts row: a host and one of its services.
type Entry struct {
	Host    string
	Service string // compute, scheduler, conductor (the service's topic)
	Zone    string
}

// Resource is one row of GET /os-hosts/{host}: the host's totals,
// what it uses now, what its instances' flavors add up to, and the
// latter per project.
type Resource struct {
	Host     string
	Project  string // (total), (used_now), (used_max) or a project id
	CPU      int64
	MemoryMB int64
	DiskGB   int64
}

// topic is the os-hosts service name of a binary (nova-compute → compute).
func topic(binary string) string { return strings.TrimPrefix(binary, "nova-") }

// List lists each enabled service of each host, with its zone; zone
// "" lists every zone, as Nova's os-hosts index.
func (s *Service) List(ctx context.Context, zone string) ([]Entry, error) {
	if err := s.ensureControlServices(ctx); err != nil {
		return nil, err
	}
	rows, err := s.store.ListServices(ctx, "", "")
	if err != nil {
		return nil, err
	}
	zones, err := s.HostZones(ctx)
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for _, r := range rows {
		if r.Disabled {
			continue
		}
		z := zones.Service(r)
		if zone != "" && z != zone {
			continue
		}
		out = append(out, Entry{Host: r.Host, Service: topic(r.Binary), Zone: z})
	}
	return out, nil
}

// computeService returns the compute service of host, or a 404
// in Nova's words.
func (s *Service) computeService(ctx context.Context, host string) (*compute.HostService, error) {
	rows, err := s.store.ListServices(ctx, host, BinaryCompute)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].Host == host {
			return &rows[i], nil
		}
	}
	return nil, apierr.NotFound("Compute host %s could not be found.", host)
}

// Resources returns Nova's os-hosts show rows of a compute host.
func (s *Service) Resources(ctx context.Context, host string) ([]Resource, error) {
	if _, err := s.computeService(ctx, host); err != nil {
		return nil, err
	}
	nodes, err := s.store.ListNodes(ctx, host, "")
	if err != nil {
		return nil, err
	}
	total := Resource{Host: host, Project: "(total)"}
	now := Resource{Host: host, Project: "(used_now)"}
	for _, n := range nodes {
		total.CPU += n.VCPUs
		total.MemoryMB += n.MemoryMB
		total.DiskGB += n.LocalGB
		now.CPU += n.VCPUsUsed
		now.MemoryMB += n.MemoryMBUsed
		now.DiskGB += n.LocalGBUsed
	}
	insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: host})
	if err != nil {
		return nil, err
	}
	max := Resource{Host: host, Project: "(used_max)"}
	byProject := map[string]*Resource{}
	var projects []string
	for _, i := range insts {
		cpu, mem, disk := int64(i.Flavor.VCPUs), int64(i.Flavor.RAM), int64(i.Flavor.Disk+i.Flavor.Ephemeral)
		max.CPU += cpu
		max.MemoryMB += mem
		max.DiskGB += disk
		p := byProject[i.ProjectID]
		if p == nil {
			p = &Resource{Host: host, Project: i.ProjectID}
			byProject[i.ProjectID] = p
			projects = append(projects, i.ProjectID)
		}
		p.CPU += cpu
		p.MemoryMB += mem
		p.DiskGB += disk
	}
	out := []Resource{total, now, max}
	for _, p := range projects {
		out = append(out, *byProject[p])
	}
	return out, nil
}

// SetEnabled enables or disables the compute service of host (PUT
// /os-hosts/{host} status) and returns "enabled" or "disabled".
func (s *Service) SetEnabled(ctx context.Context, host string, enabled bool) (string, error) {
	hs, err := s.computeService(ctx, host)
	if err != nil {
		return "", err
	}
	disabled := !enabled
	if _, err := s.applyUpdate(ctx, hs, ServiceUpdate{Disabled: &disabled}); err != nil {
		return "", err
	}
	if enabled {
		return "enabled", nil
	}
	return "disabled", nil
}

// SetMaintenance is PUT /os-hosts/{host} maintenance_mode. Like
// Nova's libvirt driver, ours have no maintenance mode: an existing host
// answers 501.
func (s *Service) SetMaintenance(ctx context.Context, host string, on bool) (string, error) {
	if _, err := s.computeService(ctx, host); err != nil {
		return "", err
	}
	return "", apierr.NotImplemented("Virt driver does not implement host maintenance mode.")
}

// PowerAction is GET /os-hosts/{host}/{reboot,shutdown,startup}. As
// with Nova's libvirt driver, hosts are not powered through the API: an
// existing host answers 501.
func (s *Service) PowerAction(ctx context.Context, host, action string) error {
	if _, err := s.computeService(ctx, host); err != nil {
		return err
	}
	return apierr.NotImplemented("Virt driver does not implement host power management.")
}

// Up says whether a host's nova-compute service is up: a recent
// heartbeat and not forced down.
func (s *Service) Up(ctx context.Context, host string) (bool, error) {
	svcs, err := s.store.ListServices(ctx, host, "nova-compute")
	if err != nil {
		return false, err
	}
	if len(svcs) > 0 && svcs[0].ForcedDown {
		return false, nil
	}
	if s.deps.Liveness == nil {
		return false, nil
	}
	st, ok := s.deps.Liveness.Status(compute.HeartbeatService, host)
	return ok && st.Up, nil
}

// Exists says whether host runs a nova-compute service.
func (s *Service) Exists(ctx context.Context, host string) (bool, error) {
	svcs, err := s.store.ListServices(ctx, host, "nova-compute")
	return len(svcs) > 0, err
}

// CheckRequested makes sure a requested host (and node) exist.
func (s *Service) CheckRequested(ctx context.Context, host, node string) error {
	if host != "" {
		svcs, err := s.store.ListServices(ctx, host, "nova-compute")
		if err != nil {
			return err
		}
		if len(svcs) == 0 {
			return apierr.BadRequest("Compute host %s could not be found.", host)
		}
	}
	if node != "" {
		nodes, err := s.store.ListNodes(ctx, host, "")
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(nodes, func(n compute.ComputeNode) bool { return n.HypervisorHostname == node }) {
			return apierr.BadRequest("Compute host %s could not be found.", node)
		}
	}
	return nil
}

// ServiceView is an os-services entry with its liveness.
type ServiceView struct {
	compute.HostService
	Up        bool      // heartbeat recent and not forced down
	UpdatedAt time.Time // last heartbeat, else the row's
}

// ServiceUpdate changes a service (2.53+ by id, earlier by host+binary).
type ServiceUpdate struct {
	Disabled       *bool
	DisabledReason *string
	ForcedDown     *bool
}

// HypervisorView is an os-hypervisors entry.
type HypervisorView struct {
	compute.ComputeNode
	Up       bool
	Disabled bool
	Service  compute.HostService
	Servers  []HypervisorServer // when asked for
}

// HypervisorServer is a server on a hypervisor.
type HypervisorServer struct {
	ID   string
	Name string // instance name (instance-0000000a)
}

// Zone is a zone as os-availability-zone shows it.
type Zone struct {
	Name      string
	Available bool
	// Hosts maps host name to service binary to its state (detail only).
	Hosts map[string]map[string]ServiceState
}

// ServiceState is one service of a host in an availability zone.
type ServiceState struct {
	Available bool
	Active    bool
	UpdatedAt time.Time
}
