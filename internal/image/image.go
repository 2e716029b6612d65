package image

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/image/datastore"
	"github.com/gostack/gostack/internal/image/filestore"
	"github.com/gostack/gostack/internal/platform/apierr"
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
	// Data is where images' data lives; nil means files under
	// <DataDir>/images.
	Data datastore.Store
}

func (c *Config) setDefaults() {
	c.MaxImageSize = cmp.Or(c.MaxImageSize, 1<<40)
	c.MaxMembers = cmp.Or(c.MaxMembers, 128)
	c.MaxTags = cmp.Or(c.MaxTags, 128)
	c.MaxProperties = cmp.Or(c.MaxProperties, 128)
}

// Unified-limit resource names (Glance's).
const (
	LimitImageCount     = "image_count_total"
	LimitImageSize      = "image_size_total"
	LimitStageSize      = "image_stage_total"
	LimitImageUploading = "image_count_uploading"
)

// OverQuota is Glance's refusal of a request past a unified limit: a 413,
// for data size and image count limits alike.
func OverQuota(resource string, limit, used int64) *apierr.Error {
	return apierr.TooLarge("Quota exceeded for %s: limit %d, in use %d", resource, limit, used)
}

// Inspector reads image data and returns its virtual size, or an error
// when the data does not match declaredFormat or is unsafe (a qcow2
// backing file). An error that is not an *apierr.Error refusing the
// request (400, 403 or 409) is answered as a 400.
type Inspector interface {
	Inspect(r io.ReaderAt, size int64, declaredFormat string) (virtualSize int64, err error)
}

// Store keeps images, their tags, properties and members. A missing
// image or member is apierr.ErrNotFound, a taken id apierr.ErrDuplicate;
// the service turns them into Glance's messages.
type Store interface {
	// Migrate applies the migrations of every image table, the import
	// flow's and the metadata catalog's included.
	Migrate(ctx context.Context) error
	// CreateImage inserts img. With maxImages ≥ 0 it refuses with
	// OverQuota when the owner already has that many images, counted in
	// the same transaction.
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

	// AddMember adds a member; a duplicate is apierr.ErrDuplicate, a
	// missing image apierr.ErrNotFound. With maxMembers ≥ 0 the image may
	// hold at most that many.
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
	data    datastore.Store
	staging *filestore.Store
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
	data := cfg.Data
	if data == nil {
		fs, err := filestore.New(filepath.Join(dir, "images"))
		if err != nil {
			return nil, err
		}
		data = datastore.Files{FS: fs}
	}
	staging, err := filestore.New(filepath.Join(dir, "staging"))
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: store, data: data, staging: staging, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
	return s, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// Data returns where image data lives.
func (s *Service) Data() datastore.Store { return s.data }

// StoreName is the identifier of the one store image data lives in.
func (s *Service) StoreName() string { return s.data.Name() }

// Staging returns where the import flow stages data. The image service
// owns it too: deleting an image removes what was staged for it, and
// Recover removes what a crash left there.
func (s *Service) Staging() *filestore.Store { return s.staging }

// imageErr turns the store's ErrNotFound for image id into Glance's 404.
// Errors of the caller's own (an UpdateImage fn's) pass unchanged.
func imageErr(err error, id string) error {
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("No image found with ID %s", id)
	}
	return err
}

// Get returns an image by id, whoever may see it.
func (s *Service) Get(ctx context.Context, id string) (*Image, error) {
	img, err := s.store.GetImage(ctx, id)
	return img, imageErr(err, id)
}

// Change reads image id, lets fn change it and stores the result in one
// transaction, whoever asks; an error from fn aborts and is returned as
// is. The import flow records its progress on images with it.
func (s *Service) Change(ctx context.Context, id string, fn func(*Image) error) (*Image, error) {
	img, err := s.store.UpdateImage(ctx, id, fn)
	return img, imageErr(err, id)
}

// setStatus moves an image to status to, provided it is in one of from
// (compare-and-swap); otherwise a 409.
func (s *Service) setStatus(ctx context.Context, id string, from []Status, to Status) (*Image, error) {
	return s.Change(ctx, id, func(img *Image) error {
		if !slices.Contains(from, img.Status) {
			return apierr.Conflict("Image status transition from %s to %s is not allowed", img.Status, to)
		}
		img.Status = to
		return nil
	})
}

// dataInfo describes an image's stored data, for activate.
type dataInfo struct {
	filestore.Written
	VirtualSize int64 // 0: unknown
	// Location is the data's URL in the store.
	Location string
}

// activate records an image's data and makes it active, provided it is
// in one of from (compare-and-swap). A checksum given at create time
// (os_hash_value / checksum) that does not match is a 400.
func (s *Service) activate(ctx context.Context, id string, from []Status, d dataInfo) (*Image, error) {
	return s.Change(ctx, id, func(img *Image) error {
		if !slices.Contains(from, img.Status) {
			return apierr.Conflict("Image status transition from %s to active is not allowed", img.Status)
		}
		if img.Checksum != "" && img.Checksum != d.MD5 {
			return apierr.BadRequest("The checksum of the uploaded data (%s) does not match the image's checksum (%s).", d.MD5, img.Checksum)
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
		img.Stores = s.data.Name()
		img.Locations = []Location{{URL: d.Location, Metadata: map[string]any{"store": s.data.Name()}}}
		img.Status = StatusActive
		return nil
	})
}
