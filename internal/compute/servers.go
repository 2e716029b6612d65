package compute

import (
	"time"
)

// This file is the contract between the compute API (package api) and the
// servers part of the Service. The API decodes JSON, checks the JSON
// schema for the request's microversion and the route's policy, and
// fills in Caller (Admin when the caller holds the admin role). The
// Service checks everything that needs state (flavor, image, keypair,
// group, quota, the instance's state) and answers with typed errors.
//
// Every *Instance returned is a fresh copy the caller may keep.

// CreateServer is a validated create request.
type CreateServer struct {
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
	BlockDevices        []BlockDeviceMapping
	Networks            NetworkRequest
	AccessIPv4          string
	AccessIPv6          string
	DiskConfig          string // OS-DCF:diskConfig: AUTO, MANUAL or "" (MANUAL)
	AdminPass           string // "" = generate one
	SecurityGroups      []string
	Host                string // 2.74, admin
	HypervisorHostname  string // 2.74, admin
	TrustedCerts        []string
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
	Instances     []*Instance
	ReservationID string
	AdminPass     string
}

// ServerUpdate is PUT /servers/{id}; nil fields are unchanged.
type ServerUpdate struct {
	Name        *string
	Description *string // "" clears (null in JSON sets nil → pass pointer to "")
	AccessIPv4  *string
	AccessIPv6  *string
	Hostname    *string // 2.90
	DiskConfig  *string // OS-DCF:diskConfig: AUTO or MANUAL
}

// ServerAction is one POST /servers/{id}/action, by its JSON key.
type ServerAction struct {
	Kind string // reboot, os-stop, os-start, pause, unpause, suspend, resume, lock, unlock,
	// rescue, unrescue, rebuild, resize, confirmResize, revertResize, migrate,
	// os-migrateLive, evacuate, shelve, shelveOffload, unshelve, createImage,
	// createBackup, changePassword, os-resetState, trigger_crash_dump,
	// forceDelete, restore, addSecurityGroup, removeSecurityGroup

	RebootType        string // SOFT or HARD
	FlavorRef         string // resize
	ImageRef          string // rebuild; rescue's rescue_image_ref
	Name              string // rebuild (new server name), createImage, createBackup
	Metadata          map[string]string
	MetadataSet       bool // rebuild: metadata given (may be empty)
	AdminPass         string
	Host              string // migrate (2.56), os-migrateLive, evacuate, unshelve (2.91)
	BlockMigration    *bool  // nil = "auto" (2.25+)
	Force             bool   // os-migrateLive / evacuate force (≤2.67)
	OnSharedStorage   *bool  // evacuate (≤2.13)
	State             string // os-resetState: active or error
	LockedReason      string // lock (2.73)
	BackupType        string
	Rotation          int
	AZ                *string // unshelve availability_zone (2.77; null unpins at 2.91)
	Description       *string // rebuild (2.19)
	KeyName           *string // rebuild (2.54): nil = unchanged, "" = unset
	UserData          *string // rebuild (2.57)
	Hostname          *string // rebuild (2.90)
	TrustedCerts      []string
	PreserveEphemeral bool
	AccessIPv4        *string
	AccessIPv6        *string
	SecurityGroup     string // add/removeSecurityGroup name
	DiskConfig        string
}

// ActionResult is what an action answers besides 202.
type ActionResult struct {
	Instance  *Instance // rebuild shows the server
	ImageID   string    // createImage, createBackup
	AdminPass string    // rescue, rebuild, evacuate (when generated)
}

// ExternalEvent is one os-server-external-events entry.
type ExternalEvent struct {
	Name     string // network-changed, network-vif-plugged, volume-extended, ...
	ServerID string `json:"server_uuid"`
	Tag      string
	Status   string // completed (default), failed, in-progress
	Code     int    // set by the Service: 200 or 404 or 422
}

// ServiceView is an os-services entry with its liveness.
type ServiceView struct {
	HostService
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
	ComputeNode
	Up       bool
	Disabled bool
	Service  HostService
	Servers  []HypervisorServer // when asked for
}

// HypervisorServer is a server on a hypervisor.
type HypervisorServer struct {
	ID   string
	Name string // instance name (instance-0000000a)
}
