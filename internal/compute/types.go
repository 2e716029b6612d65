package compute

import "time"

// Flavor is a server size: vCPUs, RAM, disks.
type Flavor struct {
	ID          string // Nova's flavorid: any string, a UUID by default
	Name        string
	Description string
	RAM         int64 // MiB
	VCPUs       int64
	Disk        int64 // root disk, GiB
	Ephemeral   int64 // GiB
	Swap        int64 // MiB
	RXTXFactor  float64
	IsPublic    bool
	Disabled    bool
	ExtraSpecs  map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Keypair is an SSH public key (or x509 certificate) owned by a user.
type Keypair struct {
	ID          int64
	Name        string
	UserID      string
	Type        string // "ssh" or "x509"
	PublicKey   string
	Fingerprint string
	CreatedAt   time.Time
	// PrivateKey is set only on the keypair just generated, never stored.
	PrivateKey string
}

// Keypair types.
const (
	KeypairSSH  = "ssh"
	KeypairX509 = "x509"
)

// ServerGroup places servers on hosts with or against each other.
type ServerGroup struct {
	ID        string
	Name      string
	ProjectID string
	UserID    string
	Policy    string // affinity, anti-affinity, soft-affinity, soft-anti-affinity
	// Rules holds max_server_per_host for anti-affinity (2.64+).
	Rules     map[string]int64
	Members   []string
	CreatedAt time.Time
}

// Server group policies.
const (
	PolicyAffinity         = "affinity"
	PolicyAntiAffinity     = "anti-affinity"
	PolicySoftAffinity     = "soft-affinity"
	PolicySoftAntiAffinity = "soft-anti-affinity"
)

// AvailabilityZone is a zone as os-availability-zone shows it.
type AvailabilityZone struct {
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

// QuotaDetail is one resource of a quota set with its usage.
type QuotaDetail struct {
	Limit    int64
	InUse    int64
	Reserved int64
}
