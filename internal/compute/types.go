package compute

import (
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

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

// ValidName checks Nova's name rule: 1-255 characters, printable, no
// leading or trailing whitespace.
func ValidName(what, s string) error {
	if s == "" || len(s) > 255 {
		return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. %s must be between 1 and 255 characters long", s, what)
	}
	if strings.TrimSpace(s) != s {
		return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. '%s' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'", s, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return apierr.BadRequest("Invalid input for field/attribute name. Value: %s. Invalid characters in %s", s, what)
		}
	}
	return nil
}

// PyList prints names as Python prints a list of strings.
func PyList(names []string) string {
	out := "["
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += "'" + n + "'"
	}
	return out + "]"
}
