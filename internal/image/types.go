package image

import (
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/image/datastore"
)

// Status is an image's place in Glance's status machine.
type Status string

const (
	StatusQueued      Status = "queued"
	StatusSaving      Status = "saving"
	StatusActive      Status = "active"
	StatusKilled      Status = "killed"
	StatusDeleted     Status = "deleted"
	StatusPendingDel  Status = "pending_delete"
	StatusDeactivated Status = "deactivated"
	StatusUploading   Status = "uploading"
	StatusImporting   Status = "importing"
)

// Statuses lists every status, for filter validation.
func Statuses() []Status {
	return []Status{StatusQueued, StatusSaving, StatusActive, StatusKilled, StatusDeleted,
		StatusPendingDel, StatusDeactivated, StatusUploading, StatusImporting}
}

// Visibility values.
const (
	Public    = "public"
	Private   = "private"
	Shared    = "shared"
	Community = "community"
)

// DiskFormats are Glance's default disk formats.
func DiskFormats() []string {
	return []string{"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"}
}

// ContainerFormats are Glance's default container formats.
func ContainerFormats() []string {
	return []string{"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}
}

// Image is one image's metadata.
type Image struct {
	ID              string
	Name            *string // null when never set
	Status          Status
	Visibility      string
	Protected       bool
	Hidden          bool // os_hidden
	Checksum        string
	HashAlgo        string
	HashValue       string
	Size            *int64
	VirtualSize     *int64
	DiskFormat      string // "" is null
	ContainerFormat string // "" is null
	MinDisk         int
	MinRAM          int
	Owner           string
	Tags            []string
	// Properties are the extra properties, all strings.
	Properties map[string]string
	// Stores names the stores holding the data ("file"), comma separated.
	Stores string
	// Locations are where the data is (Glance's show_multiple_locations).
	Locations []Location
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Clone returns a deep copy.
func (i *Image) Clone() *Image {
	c := *i
	c.Tags = slices.Clone(i.Tags)
	c.Locations = slices.Clone(i.Locations)
	if i.Properties != nil {
		c.Properties = make(map[string]string, len(i.Properties))
		for k, v := range i.Properties {
			c.Properties[k] = v
		}
	}
	if i.Name != nil {
		n := *i.Name
		c.Name = &n
	}
	if i.Size != nil {
		n := *i.Size
		c.Size = &n
	}
	if i.VirtualSize != nil {
		n := *i.VirtualSize
		c.VirtualSize = &n
	}
	return &c
}

// Location is one place an image's data lives.
type Location struct {
	URL      string         `json:"url"`
	Metadata map[string]any `json:"metadata"`
}

// MemberStatus values.
const (
	MemberPending  = "pending"
	MemberAccepted = "accepted"
	MemberRejected = "rejected"
)

// Member is a project an image is shared with.
type Member struct {
	ImageID   string
	MemberID  string // project id
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Caller is who asks: the project of the token, and whether the caller
// is an admin (Glance's context_is_admin).
type Caller struct {
	ProjectID string
	UserID    string
	Admin     bool
	// Enforce, when set, enforces a policy rule (publicize_image,
	// communitize_image, ...) against an image; the API fills it in.
	Enforce func(rule string, img *Image) error
}

// Authorize enforces rule against img through Enforce; without one (a
// caller inside the service) everything is allowed.
func (c Caller) Authorize(rule string, img *Image) error {
	if c.Enforce == nil {
		return nil
	}
	return c.Enforce(rule, img)
}

// CanSee reports whether the caller may see img at all (Glance answers
// 404 otherwise). isMember tells whether the caller's project is a
// member of a shared image.
func (c Caller) CanSee(img *Image, isMember bool) bool {
	switch {
	case c.Admin, img.Owner != "" && img.Owner == c.ProjectID:
		return true
	case img.Visibility == Public, img.Visibility == Community:
		return true
	case img.Visibility == Shared:
		return isMember
	}
	return false
}

// StoreFile is the one store gostack has: files under the data dir.
const StoreFile = datastore.FileName

// IsReserved reports whether a property name belongs to Glance
// (os_glance_*), which users may not set.
func IsReserved(name string) bool {
	return strings.HasPrefix(name, "os_glance")
}

// coreAttributes are the image attributes that are not extra properties.
var coreAttributes = []string{
	"id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
	"os_hash_algo", "os_hash_value", "size", "virtual_size", "disk_format",
	"container_format", "min_disk", "min_ram", "owner", "tags", "created_at",
	"updated_at", "self", "file", "schema", "locations", "direct_url", "stores",
}

// IsCoreAttribute reports whether name is an image attribute rather than
// an extra property.
func IsCoreAttribute(name string) bool { return slices.Contains(coreAttributes, name) }
