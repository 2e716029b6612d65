package network

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// Config is the service's configuration.
type Config struct {
	// TenantType is the provider type of a network created without one.
	TenantType string
	// VLANRanges ("physnet:min:max") and VNIRanges ("min:max") are the
	// segmentation ids tenant networks get.
	VLANRanges []string
	VNIRanges  []string
	// DNSDomain is the domain of dns_assignment host names.
	DNSDomain string
	// Mechanism is the mechanism driver that binds ports: MechNoop (the
	// default; API only) or MechLinuxBridge (the network agents build
	// the data plane and report ports up).
	Mechanism string
	// Limits, when set, is the Keystone unified-limits source of quotas.
	Limits quota.LimitSource
	// Notify, when set, tells the compute service about its servers'
	// ports (package spec posts them to its os-server-external-events);
	// it is called after the change commits.
	Notify func(context.Context, []NovaEvent)
}

// Service is what Neutron's use cases share: the store, the
// configuration, quotas and the hooks between areas. The use cases
// themselves are in the area packages (networks, subnets, ports,
// routers, floatingips, secgroups, extras), each a thin wrapper over it.
type Service struct {
	store  Store
	cfg    Config
	vlans  map[string][2]int64 // physical network -> VLAN id range
	vni    [2]int64
	Quotas *quota.Quotas
	// Hooks are set once, before the service serves, by the areas that
	// must act when another area deletes something.
	Hooks Hooks
}

// Hooks are the calls from an area to one built on top of it: ports and
// networks are deleted by packages that routers and floating IPs
// import, so L3 registers what it must check or clean up here. A nil
// hook does nothing.
type Hooks struct {
	// CheckPortDelete refuses deleting a port another resource owns (a
	// router's interface or gateway, a floating IP's port) through the
	// ports API.
	CheckPortDelete func(ctx context.Context, tx Tx, p *Port) error
	// PortDeleted runs in the transaction that deletes a port: floating
	// IPs on it are disassociated, port forwardings to it deleted.
	PortDeleted func(ctx context.Context, tx Tx, portID string) error
	// NetworkDeleting runs in the transaction that deletes a network,
	// before its ports go: its floating IPs are deleted.
	NetworkDeleting func(ctx context.Context, tx Tx, networkID string) error
}

// CheckPortDelete runs the CheckPortDelete hook, if any.
func (s *Service) CheckPortDelete(ctx context.Context, tx Tx, p *Port) error {
	if s.Hooks.CheckPortDelete == nil {
		return nil
	}
	return s.Hooks.CheckPortDelete(ctx, tx, p)
}

// PortDeleted runs the PortDeleted hook, if any.
func (s *Service) PortDeleted(ctx context.Context, tx Tx, portID string) error {
	if s.Hooks.PortDeleted == nil {
		return nil
	}
	return s.Hooks.PortDeleted(ctx, tx, portID)
}

// NetworkDeleting runs the NetworkDeleting hook, if any.
func (s *Service) NetworkDeleting(ctx context.Context, tx Tx, networkID string) error {
	if s.Hooks.NetworkDeleting == nil {
		return nil
	}
	return s.Hooks.NetworkDeleting(ctx, tx, networkID)
}

// Segments returns the configured tenant segmentation ranges: VLAN ids
// by physical network, and the VXLAN VNI range (zero when none).
func (s *Service) Segments() (vlans map[string][2]int64, vni [2]int64) {
	return s.vlans, s.vni
}

// Store is the service's persistence: every use case runs in one Update
// (read-write) or View (read-only snapshot) transaction over a Tx.
type Store = db.TxStore[Tx]

// Tx is what one transaction can do: the row operations of every
// resource. Each area declares its part next to its use cases.
type Tx interface {
	// Querier is the transaction itself, for the shared quota tables and
	// ipam, which run their own SQL inside the caller's transaction.
	Querier() db.Querier
	StdTx
	NetworkTx
	SubnetTx
	PortTx
	RouterTx
	SecurityGroupTx
	ExtrasTx
	AutoAllocTx
}

// DefaultQuotas are Neutron's default quotas.
var defaultQuotas = map[string]int64{
	"network":             100,
	"subnet":              100,
	"subnetpool":          -1,
	"port":                500,
	"router":              10,
	"floatingip":          50,
	"security_group":      10,
	"security_group_rule": 100,
	"rbac_policy":         10,
}

// New returns the service over st.
func New(cfg Config, st Store) (*Service, error) {
	if cfg.TenantType == "" {
		cfg.TenantType = "vxlan"
	}
	if cfg.DNSDomain == "" {
		cfg.DNSDomain = "openstacklocal."
	}
	s := &Service{store: st, cfg: cfg, vlans: map[string][2]int64{}}
	for _, r := range cfg.VLANRanges {
		parts := strings.Split(r, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("vlan range %q: want physnet:min:max", r)
		}
		lo, hi, err := bounds(parts[1], parts[2], 1, 4094)
		if err != nil {
			return nil, fmt.Errorf("vlan range %q: %w", r, err)
		}
		s.vlans[parts[0]] = [2]int64{lo, hi}
	}
	for _, r := range cfg.VNIRanges {
		parts := strings.Split(r, ":")
		if len(parts) != 2 {
			return nil, fmt.Errorf("vni range %q: want min:max", r)
		}
		lo, hi, err := bounds(parts[0], parts[1], 1, 1<<24-1)
		if err != nil {
			return nil, fmt.Errorf("vni range %q: %w", r, err)
		}
		s.vni = [2]int64{lo, hi}
	}
	defs := map[string]int64{}
	for k, v := range defaultQuotas {
		defs[k] = v
	}
	q, err := quota.New(quota.Config{Service: "network", Defaults: defs, Source: cfg.Limits})
	if err != nil {
		return nil, err
	}
	s.Quotas = q
	return s, nil
}

func bounds(a, b string, min, max int64) (int64, int64, error) {
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || lo < min || hi > max || lo > hi {
		return 0, 0, fmt.Errorf("want %d <= min <= max <= %d", min, max)
	}
	return lo, hi, nil
}

// Notify sends events about servers' ports to compute, after the
// transaction that changed them committed. Ports that are not a server's
// are left out.
func (s *Service) Notify(ctx context.Context, name string, ports ...*Port) {
	if s.cfg.Notify == nil {
		return
	}
	var evs []NovaEvent
	for _, p := range ports {
		if p != nil && p.DeviceID != "" && strings.HasPrefix(p.DeviceOwner, "compute:") {
			evs = append(evs, NovaEvent{Name: name, ServerID: p.DeviceID, Tag: p.ID})
		}
	}
	s.cfg.Notify(ctx, evs)
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Store returns the service's store, for the area packages built on it.
func (s *Service) Store() Store { return s.store }

// Scope is who asks: a project, and whether the policy makes the caller
// an admin (context_is_admin), who sees every project's resources.
type Scope struct {
	ProjectID string
	Admin     bool
}

// Sees reports whether a resource of project is the caller's to see
// without sharing.
func (sc Scope) Sees(project string) bool { return sc.Admin || sc.ProjectID == project }

// NotFound is Neutron's 404 for a resource kind ("Network", "Subnet") and
// id: type NetworkNotFound, "Network <id> could not be found."
func NotFound(kind, id string) *apierr.Error {
	return apierr.NotFound("%s %s could not be found.", kind, id).WithType(strings.ReplaceAll(kind, " ", "") + "NotFound")
}

// BadRequest is Neutron's 400 with its generic type.
func BadRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest(format, args...).WithType("HTTPBadRequest")
}

// InvalidInput is Neutron's InvalidInput (400): "Invalid input for
// operation: <msg>."
func InvalidInput(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Invalid input for operation: "+format+".", args...).WithType("InvalidInput")
}

// Conflict is a 409 of Neutron type typ.
func Conflict(typ, format string, args ...any) *apierr.Error {
	return apierr.Conflict(format, args...).WithType(typ)
}

// Limit is a project's quota of resource. It may ask Keystone (unified
// limits), so it is read before the transaction that checks it.
func (s *Service) Limit(ctx context.Context, project, resource string) (int64, error) {
	return s.Quotas.Limit(ctx, s.store.Pool(), project, resource)
}

// CheckQuota refuses taking delta more of a project's resource past
// limit: Neutron's OverQuota (409), counted inside the transaction.
func (s *Service) CheckQuota(ctx context.Context, tx Tx, project, resource string, delta, limit int64) error {
	if limit < 0 || delta <= 0 {
		return nil
	}
	used, err := tx.CountOwned(ctx, resource, project)
	if err != nil {
		return err
	}
	if used+delta > limit {
		return Conflict("OverQuota", "Quota exceeded for resources: ['%s'].", resource)
	}
	return nil
}
