package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const imageCols = `id, name, status, visibility, protected, os_hidden, checksum, os_hash_algo,
	os_hash_value, size, virtual_size, disk_format, container_format, min_disk, min_ram,
	owner, stores, locations, revision, created_at, updated_at`

func scanImage(sc db.Scanner) (*image.Image, int64, error) {
	var (
		img      image.Image
		name     sql.NullString
		size, vs sql.NullInt64
		status   string
		locs     string
		rev      int64
	)
	err := sc.Scan(&img.ID, &name, &status, &img.Visibility, &img.Protected, &img.Hidden,
		&img.Checksum, &img.HashAlgo, &img.HashValue, &size, &vs, &img.DiskFormat,
		&img.ContainerFormat, &img.MinDisk, &img.MinRAM, &img.Owner, &img.Stores, &locs,
		&rev, &img.CreatedAt, &img.UpdatedAt)
	if err != nil {
		return nil, 0, err
	}
	img.Name = db.StringPtr(name)
	img.Size = db.IntPtr(size)
	img.VirtualSize = db.IntPtr(vs)
	img.Status = image.Status(status)
	img.CreatedAt = img.CreatedAt.UTC()
	img.UpdatedAt = img.UpdatedAt.UTC()
	if locs != "" && locs != "[]" {
		if err := json.Unmarshal([]byte(locs), &img.Locations); err != nil {
			return nil, 0, fmt.Errorf("image %s: locations: %w", img.ID, err)
		}
	}
	img.Tags = []string{}
	img.Properties = map[string]string{}
	return &img, rev, nil
}

func encodeLocations(ls []image.Location) string {
	if len(ls) == 0 {
		return "[]"
	}
	b, err := json.Marshal(ls)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// CreateImage implements image.Store.
func (s *Store) CreateImage(ctx context.Context, img *image.Image, maxImages int64) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if maxImages >= 0 {
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM images WHERE owner = $1`, img.Owner).Scan(&n); err != nil {
				return err
			}
			if n+1 > maxImages {
				return image.OverQuota(image.LimitImageCount, maxImages, n)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO images (`+imageCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, $19, $20)`,
			img.ID, db.NullString(img.Name), string(img.Status), img.Visibility, img.Protected, img.Hidden,
			img.Checksum, img.HashAlgo, img.HashValue, db.NullInt(img.Size), db.NullInt(img.VirtualSize),
			img.DiskFormat, img.ContainerFormat, img.MinDisk, img.MinRAM, img.Owner, img.Stores,
			encodeLocations(img.Locations), img.CreatedAt, img.UpdatedAt)
		if err != nil {
			if db.IsUnique(err) {
				return apierr.ErrDuplicate
			}
			return err
		}
		return writeTagsProps(ctx, tx, img, nil)
	})
}

// writeTagsProps replaces the tags and properties of img that differ from old.
func writeTagsProps(ctx context.Context, tx *sql.Tx, img, old *image.Image) error {
	var oldTags []string
	var oldProps map[string]string
	if old != nil {
		oldTags, oldProps = old.Tags, old.Properties
	}
	for _, t := range oldTags {
		if !slices.Contains(img.Tags, t) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM image_tags WHERE image_id = $1 AND value = $2`, img.ID, t); err != nil {
				return err
			}
		}
	}
	for _, t := range img.Tags {
		if !slices.Contains(oldTags, t) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO image_tags (image_id, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`, img.ID, t); err != nil {
				return err
			}
		}
	}
	for k := range oldProps {
		if _, ok := img.Properties[k]; !ok {
			if _, err := tx.ExecContext(ctx, `DELETE FROM image_properties WHERE image_id = $1 AND name = $2`, img.ID, k); err != nil {
				return err
			}
		}
	}
	for k, v := range img.Properties {
		if ov, ok := oldProps[k]; ok && ov == v {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO image_properties (image_id, name, value) VALUES ($1, $2, $3)
			ON CONFLICT (image_id, name) DO UPDATE SET value = excluded.value`, img.ID, k, v); err != nil {
			return err
		}
	}
	return nil
}

// GetImage implements image.Store.
func (s *Store) GetImage(ctx context.Context, id string) (img *image.Image, err error) {
	// The image row and its tags and properties are read from one
	// snapshot, so an update is seen whole or not at all.
	err = s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		img, _, err = getImage(ctx, tx, id)
		return err
	})
	return img, err
}

func getImage(ctx context.Context, q db.Querier, id string) (*image.Image, int64, error) {
	img, rev, err := scanImage(q.QueryRowContext(ctx, `SELECT `+imageCols+` FROM images WHERE id = $1`, id))
	if err != nil {
		return nil, 0, db.NotFound(err)
	}
	if err := loadExtras(ctx, q, map[string]*image.Image{id: img}); err != nil {
		return nil, 0, err
	}
	return img, rev, nil
}

// loadExtras fills in the tags and properties of imgs.
func loadExtras(ctx context.Context, q db.Querier, imgs map[string]*image.Image) error {
	if len(imgs) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(imgs))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var a db.Args
		in := db.List(&a, chunk)
		rows, err := q.QueryContext(ctx, `SELECT image_id, value FROM image_tags WHERE image_id IN (`+in+`) ORDER BY value`, a.Vals...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			imgs[id].Tags = append(imgs[id].Tags, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, `SELECT image_id, name, value FROM image_properties WHERE image_id IN (`+in+`)`, a.Vals...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				rows.Close()
				return err
			}
			imgs[id].Properties[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// UpdateImage implements image.Store.
func (s *Store) UpdateImage(ctx context.Context, id string, fn func(*image.Image) error) (*image.Image, error) {
	for attempt := 0; ; attempt++ {
		var out *image.Image
		raced := false
		err := s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			old, rev, err := getImage(ctx, tx, id)
			if err != nil {
				return err
			}
			img := old.Clone()
			if err := fn(img); err != nil {
				return err
			}
			img.ID = id
			img.UpdatedAt = db.Now()
			res, err := tx.ExecContext(ctx, `UPDATE images SET name = $1, status = $2, visibility = $3,
				protected = $4, os_hidden = $5, checksum = $6, os_hash_algo = $7, os_hash_value = $8,
				size = $9, virtual_size = $10, disk_format = $11, container_format = $12, min_disk = $13,
				min_ram = $14, owner = $15, stores = $16, locations = $17, revision = revision + 1,
				updated_at = $18 WHERE id = $19 AND revision = $20`,
				db.NullString(img.Name), string(img.Status), img.Visibility, img.Protected, img.Hidden,
				img.Checksum, img.HashAlgo, img.HashValue, db.NullInt(img.Size), db.NullInt(img.VirtualSize),
				img.DiskFormat, img.ContainerFormat, img.MinDisk, img.MinRAM, img.Owner, img.Stores,
				encodeLocations(img.Locations), img.UpdatedAt, id, rev)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				raced = true
				return errRaced
			}
			if err := writeTagsProps(ctx, tx, img, old); err != nil {
				return err
			}
			out = img
			return nil
		})
		if raced && attempt < 20 {
			continue
		}
		if err != nil {
			return nil, err
		}
		slices.Sort(out.Tags)
		return out, nil
	}
}

var errRaced = errors.New("image changed concurrently")

// DeleteImage implements image.Store.
func (s *Store) DeleteImage(ctx context.Context, id string, check func(*image.Image) error) (*image.Image, error) {
	var out *image.Image
	err := s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		img, rev, err := getImage(ctx, tx, id)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(img); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM images WHERE id = $1 AND revision = $2`, id, rev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apierr.Conflict("The image changed while being deleted; try again.")
		}
		out = img
		return nil
	})
	return out, err
}

// ImageUsage implements image.Store.
func (s *Store) ImageUsage(ctx context.Context, owner string) (image.Usage, error) {
	var u image.Usage
	err := s.db.Reader().QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(COALESCE(size, 0)), 0),
		COALESCE(SUM(CASE WHEN status IN ('saving', 'uploading', 'importing') THEN 1 ELSE 0 END), 0)
		FROM images WHERE owner = $1`, owner).Scan(&u.Count, &u.Bytes, &u.Uploading)
	return u, err
}

// sortColumns maps sort keys to columns.
var sortColumns = map[string]string{
	"name": "name", "status": "status", "container_format": "container_format",
	"disk_format": "disk_format", "size": "size", "id": "id", "created_at": "created_at",
	"updated_at": "updated_at", "visibility": "visibility", "owner": "owner",
	"min_disk": "min_disk", "min_ram": "min_ram", "virtual_size": "virtual_size",
	"protected": "protected", "os_hidden": "os_hidden",
}

var timeOps = map[string]string{"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// ListImages implements image.Store.
func (s *Store) ListImages(ctx context.Context, f image.ImageFilter) ([]*image.Image, error) {
	var w db.Where
	ms := f.MemberStatus
	if ms == "" {
		ms = image.MemberAccepted
	}
	memberOf := func() string {
		c := `EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.member_id = ` + w.Add(f.Caller.ProjectID)
		if ms != "all" {
			c += ` AND m.status = ` + w.Add(ms)
		}
		return c + `)`
	}
	p := f.Caller.ProjectID
	if f.Caller.Admin {
		switch f.Visibility {
		case "":
			w.And(`(visibility <> 'community' OR owner = ` + w.Add(p) + `)`)
		case "all":
		default:
			w.And(`visibility = ` + w.Add(f.Visibility))
		}
		if f.MemberStatus != "" && f.MemberStatus != "all" {
			w.And(memberOf())
		}
	} else {
		owner := func() string { return w.Add(p) }
		switch f.Visibility {
		case "":
			w.And(`(owner = ` + owner() + ` OR visibility = 'public' OR (visibility = 'shared' AND ` + memberOf() + `))`)
		case "all":
			w.And(`(owner = ` + owner() + ` OR visibility IN ('public', 'community') OR (visibility = 'shared' AND ` + memberOf() + `))`)
		case image.Public, image.Community:
			w.And(`visibility = ` + w.Add(f.Visibility))
		case image.Private:
			w.And(`visibility = 'private' AND owner = ` + owner())
		case image.Shared:
			if f.MemberStatus != "" {
				w.And(`visibility = 'shared' AND ` + memberOf())
			} else {
				w.And(`visibility = 'shared' AND (owner = ` + owner() + ` OR ` + memberOf() + `)`)
			}
		default:
			w.And(`visibility = ` + w.Add(f.Visibility))
		}
	}
	w.In("id", f.IDs)
	w.In("name", f.Names)
	w.In("status", f.Statuses)
	w.In("owner", f.Owners)
	w.In("disk_format", f.DiskFormats)
	w.In("container_format", f.ContainerFormats)
	for _, t := range f.Tags {
		w.And(`EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id AND t.value = ` + w.Add(t) + `)`)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Properties)) {
		w.And(`EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = images.id AND p.name = ` + w.Add(k) +
			` AND p.value IN (` + db.List(&w.Args, f.Properties[k]) + `))`)
	}
	if f.Hidden != nil {
		w.And(`os_hidden = ` + w.Add(*f.Hidden))
	}
	if f.Protected != nil {
		w.And(`protected = ` + w.Add(*f.Protected))
	}
	if f.Size != nil {
		w.And(`size = ` + w.Add(*f.Size))
	}
	if f.SizeMin != nil {
		w.And(`size >= ` + w.Add(*f.SizeMin))
	}
	if f.SizeMax != nil {
		w.And(`size <= ` + w.Add(*f.SizeMax))
	}
	for _, tc := range f.CreatedAt {
		op, ok := timeOps[tc.Op]
		if !ok {
			return nil, apierr.BadRequest("Invalid operator %s", tc.Op)
		}
		w.And(`created_at ` + op + ` ` + w.Add(tc.T.UTC()))
	}
	for _, tc := range f.UpdatedAt {
		op, ok := timeOps[tc.Op]
		if !ok {
			return nil, apierr.BadRequest("Invalid operator %s", tc.Op)
		}
		w.And(`updated_at ` + op + ` ` + w.Add(tc.T.UTC()))
	}

	order, err := orderBy(f.Sort)
	if err != nil {
		return nil, err
	}
	q := `SELECT id FROM images` + w.Clause() + ` ORDER BY ` + order
	r := s.db.Reader()
	ids, err := db.Strings(ctx, r, q, w.Vals...)
	if err != nil {
		return nil, err
	}
	if f.Marker != "" {
		i := slices.Index(ids, f.Marker)
		if i < 0 {
			return nil, apierr.BadRequest("marker not found")
		}
		ids = ids[i+1:]
	}
	if f.Limit > 0 && len(ids) > f.Limit {
		ids = ids[:f.Limit]
	}
	return s.loadImages(ctx, r, ids)
}

// loadImages reads the images ids, in that order.
func (s *Store) loadImages(ctx context.Context, q db.Querier, ids []string) ([]*image.Image, error) {
	byID := map[string]*image.Image{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var a db.Args
		rows, err := q.QueryContext(ctx, `SELECT `+imageCols+` FROM images WHERE id IN (`+db.List(&a, chunk)+`)`, a.Vals...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			img, _, err := scanImage(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			byID[img.ID] = img
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if err := loadExtras(ctx, q, byID); err != nil {
		return nil, err
	}
	out := make([]*image.Image, 0, len(ids))
	for _, id := range ids {
		if img, ok := byID[id]; ok {
			out = append(out, img)
		}
	}
	return out, nil
}

// orderBy renders sort keys, always ending with id so the order is total.
// NULLs sort first ascending, as on MySQL where Glance usually runs.
func orderBy(keys []image.SortKey) (string, error) {
	if len(keys) == 0 {
		keys = []image.SortKey{{Key: "created_at", Desc: true}}
	}
	var parts []string
	hasID := false
	last := true
	for _, k := range keys {
		col, ok := sortColumns[k.Key]
		if !ok {
			return "", apierr.BadRequest("Invalid sort key: %s", k.Key)
		}
		if col == "id" {
			hasID = true
		}
		if k.Desc {
			parts = append(parts, col+" DESC NULLS LAST")
		} else {
			parts = append(parts, col+" ASC NULLS FIRST")
		}
		last = k.Desc
	}
	if !hasID {
		if last {
			parts = append(parts, "id DESC")
		} else {
			parts = append(parts, "id ASC")
		}
	}
	return strings.Join(parts, ", "), nil
}
