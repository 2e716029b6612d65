package image

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/platform/quota"
)

// Config is the image service's configuration.
type Config struct {
	// DataDir holds image data: <DataDir>/images and <DataDir>/staging.
	DataDir string
	// MaxImageSize caps one image's data in bytes (Glance's
	// image_size_cap; default 1 TiB).
	MaxImageSize int64
	// Limits gives unified limits (resources image_count_total,
	// image_size_total in MiB, image_stage_total in MiB,
	// image_count_uploading); nil means unlimited.
	Limits quota.LimitSource
	// Inspector, when set, reads uploaded data and checks it against the
	// declared disk_format before the image becomes active.
	Inspector Inspector
	// MaxMembers caps the members of one image (Glance's
	// image_member_quota, default 128; -1 unlimited).
	MaxMembers int64
	// MaxTags caps the tags of one image (image_tag_quota, default 128).
	MaxTags int
	// MaxProperties caps extra properties (image_property_quota, 128).
	MaxProperties int
}

func (c *Config) setDefaults() {
	if c.MaxImageSize == 0 {
		c.MaxImageSize = 1 << 40
	}
	if c.MaxMembers == 0 {
		c.MaxMembers = 128
	}
	if c.MaxTags == 0 {
		c.MaxTags = 128
	}
	if c.MaxProperties == 0 {
		c.MaxProperties = 128
	}
}

// Unified-limit resource names (Glance's).
const (
	LimitImageCount     = "image_count_total"
	LimitImageSize      = "image_size_total"
	LimitStageSize      = "image_stage_total"
	LimitImageUploading = "image_count_uploading"
)

// Inspector reads image data and returns its virtual size, or an error
// when the data does not match declaredFormat or is unsafe (a qcow2
// backing file). An error that is not one of this package's typed errors
// is answered as a 400.
type Inspector interface {
	Inspect(r io.ReaderAt, size int64, declaredFormat string) (virtualSize int64, err error)
}

// Store is the persistence the image service needs, split by area.
type Store interface {
	ImageStore
	ImportStore
	MetadefStore
}

// ImageStore keeps images, their tags, properties and members.
type ImageStore interface {
	Migrate(ctx context.Context) error
	// CreateImage inserts img. With maxImages ≥ 0 it refuses with a
	// *QuotaError when the owner already has that many images, counted
	// in the same transaction.
	CreateImage(ctx context.Context, img *Image, maxImages int64) error
	GetImage(ctx context.Context, id string) (*Image, error)
	ListImages(ctx context.Context, f ImageFilter) ([]*Image, error)
	// UpdateImage reads the image, lets fn change it and writes it back
	// atomically (compare-and-swap on a revision, retried). An error from
	// fn aborts and is returned as is.
	UpdateImage(ctx context.Context, id string, fn func(*Image) error) (*Image, error)
	// DeleteImage removes the image, its members, tags and properties
	// after check (may be nil) accepts it.
	DeleteImage(ctx context.Context, id string, check func(*Image) error) (*Image, error)
	// ImageUsage counts an owner's images: all of them, the bytes of
	// their data, and those being uploaded or imported.
	ImageUsage(ctx context.Context, owner string) (Usage, error)

	// AddMember adds a member; a duplicate is a *ConflictError. With
	// maxMembers ≥ 0 the image may hold at most that many.
	AddMember(ctx context.Context, m *Member, maxMembers int64) error
	GetMember(ctx context.Context, imageID, memberID string) (*Member, error)
	ListMembers(ctx context.Context, imageID string) ([]*Member, error)
	UpdateMember(ctx context.Context, m *Member) error
	DeleteMember(ctx context.Context, imageID, memberID string) error
}

// Usage is an owner's image usage.
type Usage struct {
	Count     int64
	Bytes     int64
	Uploading int64
}

// SortKey is one sort criterion of a list.
type SortKey struct {
	Key  string // an image attribute
	Desc bool
}

// TimeCond is a created_at / updated_at filter: Op is one of eq, neq,
// gt, gte, lt, lte.
type TimeCond struct {
	Op string
	T  time.Time
}

// ImageFilter selects images for a list. The caller decides what is
// visible (see Service.List).
type ImageFilter struct {
	Caller Caller
	// Visibility is "" (Glance's default view), "all", or one value.
	Visibility string
	// MemberStatus filters shared images by the caller's membership
	// ("accepted" by default; "all").
	MemberStatus           string
	IDs                    []string
	Names                  []string
	Statuses               []string
	Owners                 []string
	Tags                   []string // all must be present
	Hidden                 *bool
	Protected              *bool
	Size, SizeMin, SizeMax *int64
	CreatedAt              []TimeCond
	UpdatedAt              []TimeCond
	DiskFormats            []string
	ContainerFormats       []string
	Properties             map[string][]string // any of the values
	Sort                   []SortKey
	Limit                  int // 0: no limit
	Marker                 string
}

// Service is the image service's business logic.
type Service struct {
	cfg     Config
	store   Store
	data    DataStore
	staging *FileStore
	imp     importState
	now     func() time.Time
}

// New returns the image service over store, migrating it.
func New(ctx context.Context, cfg Config, store Store) (*Service, error) {
	cfg.setDefaults()
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	dir := cfg.DataDir
	if dir == "" {
		return nil, fmt.Errorf("image: DataDir is required")
	}
	data, err := NewFileStore(filepath.Join(dir, "images"))
	if err != nil {
		return nil, err
	}
	staging, err := NewFileStore(filepath.Join(dir, "staging"))
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: store, data: data, staging: staging, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
	return s, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Data returns where image data lives.
func (s *Service) Data() DataStore { return s.data }

// Staging returns where the import flow stages data.
func (s *Service) Staging() *FileStore { return s.staging }

// Get returns an image by id, whoever may see it.
func (s *Service) Get(ctx context.Context, id string) (*Image, error) {
	return s.store.GetImage(ctx, id)
}

// SetStatus moves an image to status to, provided it is in one of from
// (compare-and-swap); otherwise a *ConflictError.
func (s *Service) SetStatus(ctx context.Context, id string, from []Status, to Status) (*Image, error) {
	return s.store.UpdateImage(ctx, id, func(img *Image) error {
		if !slices.Contains(from, img.Status) {
			return conflict("Image status transition from %s to %s is not allowed", img.Status, to)
		}
		img.Status = to
		return nil
	})
}

// DataInfo describes an image's stored data, for Activate.
type DataInfo struct {
	Written
	VirtualSize int64 // 0: unknown
	Store       string
}

// Activate records an image's data and makes it active, provided it is
// in one of from (compare-and-swap). A checksum given at create time
// (os_hash_value / checksum) that does not match is a *ValidationError.
func (s *Service) Activate(ctx context.Context, id string, from []Status, d DataInfo) (*Image, error) {
	return s.store.UpdateImage(ctx, id, func(img *Image) error {
		if !slices.Contains(from, img.Status) {
			return conflict("Image status transition from %s to active is not allowed", img.Status)
		}
		if img.Checksum != "" && img.Checksum != d.MD5 {
			return invalid("The checksum of the uploaded data (%s) does not match the image's checksum (%s).", d.MD5, img.Checksum)
		}
		size := d.Size
		img.Size = &size
		if d.VirtualSize > 0 {
			vs := d.VirtualSize
			img.VirtualSize = &vs
		}
		img.Checksum = d.MD5
		img.HashAlgo = "sha512"
		img.HashValue = d.SHA512
		img.Stores = d.Store
		if img.Stores == "" {
			img.Stores = "file"
		}
		if fs, ok := s.data.(*FileStore); ok && img.Stores == "file" {
			img.Locations = []Location{{URL: "file://" + fs.Path(id), Metadata: map[string]any{"store": "file"}}}
		}
		img.Status = StatusActive
		return nil
	})
}
