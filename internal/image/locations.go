package image

import (
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Location schemes a client may add: the http store only. file:// would
// let a client point an image at any file on the server.
var locationSchemes = []string{"http", "https"}

var (
	md5Re  = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	hashRe = regexp.MustCompile(`^[0-9a-fA-F]+$`)
)

// hashLengths are the hex lengths of the hashes Glance accepts.
var hashLengths = map[string]int{"sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128, "md5": 32}

// parseLocation reads one location value of a patch.
func parseLocation(v any) (Location, map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Location{}, nil, apierr.BadRequest("Invalid location: must be an object with url and metadata.")
	}
	for k := range m {
		if k != "url" && k != "metadata" && k != "validation_data" {
			return Location{}, nil, apierr.BadRequest("Invalid location: unexpected member %q.", k)
		}
	}
	u, ok := m["url"].(string)
	if !ok || u == "" || len(u) > 2048 {
		return Location{}, nil, apierr.BadRequest("Invalid location: url must be a string.")
	}
	pu, err := url.Parse(u)
	if err != nil || !slices.Contains(locationSchemes, strings.ToLower(pu.Scheme)) || pu.Host == "" {
		return Location{}, nil, apierr.BadRequest("Invalid location %s: the scheme must be one of %s.", u, strings.Join(locationSchemes, ", "))
	}
	md := map[string]any{}
	if raw, ok := m["metadata"]; ok {
		if md, ok = raw.(map[string]any); !ok {
			return Location{}, nil, apierr.BadRequest("Invalid location: metadata must be an object.")
		}
	}
	var vd map[string]string
	if raw, ok := m["validation_data"]; ok {
		rm, ok := raw.(map[string]any)
		if !ok {
			return Location{}, nil, apierr.BadRequest("Invalid location: validation_data must be an object.")
		}
		vd = map[string]string{}
		for k, x := range rm {
			s, ok := x.(string)
			if !ok || (k != "checksum" && k != "os_hash_algo" && k != "os_hash_value") {
				return Location{}, nil, apierr.BadRequest("Invalid validation_data member %q.", k)
			}
			vd[k] = s
		}
		if c := vd["checksum"]; c != "" && !md5Re.MatchString(c) {
			return Location{}, nil, apierr.BadRequest("Invalid checksum in validation_data.")
		}
		algo, val := vd["os_hash_algo"], vd["os_hash_value"]
		if (algo == "") != (val == "") {
			return Location{}, nil, apierr.BadRequest("validation_data needs both os_hash_algo and os_hash_value.")
		}
		if algo != "" {
			if _, ok := hashLengths[algo]; !ok {
				return Location{}, nil, apierr.BadRequest("Unsupported os_hash_algo %q.", algo)
			}
			// As Glance's schema: a hex string of at most 128 digits. A
			// value that cannot be of algo still conflicts with the image's
			// own hash (409) in applyValidation, which is what clients see
			// from Glance.
			if !hashRe.MatchString(val) || len(val) > 128 {
				return Location{}, nil, apierr.BadRequest("Invalid os_hash_value for %s.", algo)
			}

		}
	}
	return Location{URL: u, Metadata: md}, vd, nil
}

// applyValidation records validation data on img; data that disagrees
// with what the image already has is a conflict.
func applyValidation(img *Image, vd map[string]string) error {
	if len(vd) == 0 {
		return nil
	}
	cur := map[string]string{"checksum": img.Checksum, "os_hash_algo": img.HashAlgo, "os_hash_value": img.HashValue}
	for k, v := range vd {
		if cur[k] != "" && cur[k] != v {
			return apierr.Conflict("The image's %s does not match the location's validation data.", k)
		}
	}
	if vd["checksum"] != "" {
		img.Checksum = vd["checksum"]
	}
	if algo := vd["os_hash_algo"]; algo != "" {
		if len(vd["os_hash_value"]) != hashLengths[algo] {
			return apierr.BadRequest("Invalid os_hash_value for %s.", algo)
		}
		img.HashAlgo, img.HashValue = algo, vd["os_hash_value"]
	}
	return nil
}

// patchLocations applies a patch on /locations.
func (s *Service) patchLocations(c Caller, img *Image, op patch.Op) error {
	if err := c.Authorize("set_image_location", img); err != nil {
		return err
	}
	switch img.Status {
	case StatusQueued, StatusActive:
	default:
		return apierr.Conflict("Locations of an image in status %s cannot be changed.", img.Status)
	}
	switch op.Op {
	case "add":
		if len(op.Path) != 2 {
			return apierr.BadRequest("Use /locations/- or /locations/<index> to add a location.")
		}
		loc, vd, err := parseLocation(op.Value)
		if err != nil {
			return err
		}
		for _, l := range img.Locations {
			if l.URL == loc.URL {
				return apierr.BadRequest("Location %s is already in the list.", loc.URL)
			}
		}
		idx := len(img.Locations)
		if op.Path[1] != "-" {
			i, err := strconv.Atoi(op.Path[1])
			if err != nil || i < 0 || i > len(img.Locations) {
				return apierr.BadRequest("Invalid location index %s.", op.Path[1])
			}
			idx = i
		}
		if err := applyValidation(img, vd); err != nil {
			return err
		}
		img.Locations = slices.Insert(img.Locations, idx, loc)
		if img.Status == StatusQueued {
			img.Status = StatusActive
		}
	case "replace":
		if len(op.Path) != 1 {
			return apierr.BadRequest("Replace the whole of /locations.")
		}
		list, ok := op.Value.([]any)
		if !ok {
			return apierr.BadRequest("Invalid value for locations: must be a list.")
		}
		var locs []Location
		var vds []map[string]string
		for _, v := range list {
			l, vd, err := parseLocation(v)
			if err != nil {
				return err
			}
			locs, vds = append(locs, l), append(vds, vd)
		}
		if len(img.Locations) > 0 {
			// Only the metadata of the existing locations may change.
			if len(locs) != len(img.Locations) {
				return apierr.BadRequest("Locations can only be replaced by the same locations with changed metadata.")
			}
			for i := range locs {
				if locs[i].URL != img.Locations[i].URL {
					return apierr.BadRequest("Locations can only be replaced by the same locations with changed metadata.")
				}
			}
		}
		for _, vd := range vds {
			if err := applyValidation(img, vd); err != nil {
				return err
			}
		}
		if reflect.DeepEqual(locs, img.Locations) {
			return nil
		}
		img.Locations = locs
		if img.Status == StatusQueued && len(locs) > 0 {
			img.Status = StatusActive
		}
	case "remove":
		if len(op.Path) != 2 {
			return apierr.Forbidden("Cannot remove all locations.")
		}
		i, err := strconv.Atoi(op.Path[1])
		if err != nil || i < 0 || i >= len(img.Locations) {
			return apierr.BadRequest("Invalid location index %s.", op.Path[1])
		}
		if len(img.Locations) == 1 {
			return apierr.Forbidden("Cannot remove the last location of an image.")
		}
		img.Locations = slices.Delete(img.Locations, i, i+1)
	}
	return nil
}
