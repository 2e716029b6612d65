// Package servers holds the servers' use cases other than their actions:
// create (with its flavor, image, keypair, zone, group and quota checks;
// the quota counted again after the insert, as Nova's recheck does), list
// and show, update,
// metadata and tags, the instance actions recorded, external events, and
// the migrations of a server.
package servers

import (
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/flavors"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/quotas"
)

// Service manages servers.
type Service struct {
	store   compute.Store
	deps    compute.Deps
	quotas  *quotas.Service
	flavors *flavors.Service
	hosts   *hosts.Service
	net     Network
}

// New returns the servers of store; deps carries the conductor that
// builds them, the image service they boot from and the networking
// service their ports are made in (which must offer all of Network).
func New(store compute.Store, deps compute.Deps, q *quotas.Service, f *flavors.Service, h *hosts.Service) *Service {
	s := &Service{store: store, deps: deps, quotas: q, flavors: f, hosts: h}
	if deps.Network != nil {
		n, ok := deps.Network.(Network)
		if !ok {
			// A wiring mistake, found at start-up rather than by a
			// cloud that silently boots servers without ports.
			panic(fmt.Sprintf("servers: %T does not offer servers.Network", deps.Network))
		}
		s.net = n
	}
	return s
}

// The compute API (compute/api) decodes JSON, checks Nova's JSON schema
// for the request's microversion and the route's policy rule, and fills
// in the Caller (Admin by the rule context_is_admin). The Service checks
// everything that needs state (flavor, image, keypair, group, quota, the
// instance's state) and answers with *apierr.Error refusals in Nova's
// words. Every *Instance returned is a fresh copy the caller may keep.

// CreateRequest is a validated create request.
type CreateRequest struct {
	Name        string
	Hostname    string // 2.90; "" = derived from Name
	Description *string
	ImageRef    string // "" when booting from a volume
	FlavorRef   string
	KeyName     string
	UserData    string // base64
	ConfigDrive bool
	Metadata    map[string]string
	// AvailabilityZone may be "zone", "zone:host" or "zone:host:node"
	// (the latter two for admins).
	AvailabilityZone string
	// Hints are os:scheduler_hints; single values become one-element lists.
	Hints               map[string][]string
	MinCount, MaxCount  int // both 1 when not given
	ReturnReservationID bool
	Tags                []string
	BlockDevices        []compute.BlockDeviceMapping
	Networks            compute.NetworkRequest
	AccessIPv4          string
	AccessIPv6          string
	DiskConfig          string // OS-DCF:diskConfig: AUTO, MANUAL or "" (MANUAL)
	AdminPass           string // "" = generate one
	SecurityGroups      []string
	Host                string // 2.74, admin
	HypervisorHostname  string // 2.74, admin
	TrustedCerts        []string
	// Minor is the request's microversion (2.Minor): "auto" networks
	// are 2.37's.
	Minor int
	// Personality is the number of injected files (checked against the
	// injected_files quota before 2.57).
	Personality []InjectedFile
}

// InjectedFile is one personality entry (before 2.57).
type InjectedFile struct {
	Path     string
	Contents string // base64
}

// CreateResult is what a create answers.
type CreateResult struct {
	Instances     []*compute.Instance
	ReservationID string
	AdminPass     string
}

// UpdateRequest is PUT /servers/{id}; nil fields are unchanged.
type UpdateRequest struct {
	Name        *string
	Description *string // "" clears (null in JSON sets nil → pass pointer to "")
	AccessIPv4  *string
	AccessIPv6  *string
	Hostname    *string // 2.90
	DiskConfig  *string // OS-DCF:diskConfig: AUTO or MANUAL
}

// ExternalEvent is one os-server-external-events entry.
type ExternalEvent struct {
	Name     string // network-changed, network-vif-plugged, volume-extended, ...
	ServerID string `json:"server_uuid"`
	Tag      string
	Status   string // completed (default), failed, in-progress
	Code     int    // set by ExternalEvents: 200 or 404 or 422
}
