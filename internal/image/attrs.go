package image

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// readOnly are the attributes clients may never set (403).
var readOnly = []string{"status", "checksum", "os_hash_algo", "os_hash_value", "size",
	"virtual_size", "created_at", "updated_at", "self", "file", "schema", "direct_url", "stores"}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

const maxInt32 = math.MaxInt32

// toInt reads a JSON integer (json.Number or float64 without fraction).
func toInt(name string, v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil || i < 0 || i > maxInt32 {
			return 0, apierr.BadRequest("Invalid value for %s: %s is not a valid non-negative integer.", name, n)
		}
		return int(i), nil
	case float64:
		if n != math.Trunc(n) || n < 0 || n > maxInt32 {
			return 0, apierr.BadRequest("Invalid value for %s: %v is not a valid non-negative integer.", name, n)
		}
		return int(n), nil
	}
	return 0, apierr.BadRequest("Invalid value for %s: must be an integer.", name)
}

func toBool(name string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, apierr.BadRequest("Invalid value for %s: must be a boolean.", name)
	}
	return b, nil
}

// toNullString reads a string or null, at most 255 characters.
func toNullString(name string, v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, apierr.BadRequest("Invalid value for %s: must be a string or null.", name)
	}
	if len([]rune(s)) > 255 {
		return nil, apierr.BadRequest("Invalid value for %s: longer than 255 characters.", name)
	}
	return &s, nil
}

func toEnum(name string, v any, allowed []string, nullable bool) (string, error) {
	if v == nil && nullable {
		return "", nil
	}
	s, ok := v.(string)
	if !ok || !slices.Contains(allowed, s) {
		return "", apierr.BadRequest("Invalid value '%v' for %s: must be one of %s.", v, name, strings.Join(allowed, ", "))
	}
	return s, nil
}

func toTags(v any, max int) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, apierr.BadRequest("Invalid value for tags: must be a list of strings.")
	}
	out := []string{}
	for _, t := range list {
		s, ok := t.(string)
		if !ok {
			return nil, apierr.BadRequest("Invalid value for tags: must be a list of strings.")
		}
		if err := validTag(s); err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if max >= 0 && len(out) > max {
		return nil, apierr.TooLarge("Maximum number of tags exceeded.")
	}
	slices.Sort(out)
	return out, nil
}

func validTag(s string) error {
	if s == "" || len([]rune(s)) > 255 {
		return apierr.BadRequest("Invalid tag %q: tags are 1 to 255 characters.", s)
	}
	return nil
}

// setAttr sets one attribute or extra property of img from a JSON value.
// creating allows the attributes only settable at creation (id).
func (s *Service) setAttr(c Caller, img *Image, name string, v any, creating bool) error {
	if slices.Contains(readOnly, name) {
		return apierr.Forbidden("Attribute '%s' is read-only.", name)
	}
	switch name {
	case "id":
		if !creating {
			return apierr.Forbidden("Attribute 'id' is read-only.")
		}
		id, ok := v.(string)
		if !ok || !uuidRe.MatchString(id) {
			return apierr.BadRequest("Invalid value for id: must be a UUID.")
		}
		u, err := uuid.Parse(id)
		if err != nil {
			return apierr.BadRequest("Invalid value for id: must be a UUID.")
		}
		img.ID = u.String()
	case "name":
		n, err := toNullString(name, v)
		if err != nil {
			return err
		}
		img.Name = n
	case "visibility":
		vis, err := toEnum(name, v, []string{Public, Private, Shared, Community}, false)
		if err != nil {
			return err
		}
		if vis != img.Visibility || creating {
			switch vis {
			case Public:
				if err := c.Authorize("publicize_image", img); err != nil {
					return err
				}
			case Community:
				if err := c.Authorize("communitize_image", img); err != nil {
					return err
				}
			}
		}
		img.Visibility = vis
	case "protected":
		b, err := toBool(name, v)
		if err != nil {
			return err
		}
		img.Protected = b
	case "os_hidden":
		b, err := toBool(name, v)
		if err != nil {
			return err
		}
		img.Hidden = b
	case "disk_format", "container_format":
		allowed := DiskFormats()
		if name == "container_format" {
			allowed = ContainerFormats()
		}
		f, err := toEnum(name, v, allowed, true)
		if err != nil {
			return err
		}
		cur := img.DiskFormat
		if name == "container_format" {
			cur = img.ContainerFormat
		}
		if !creating && f != cur && img.Status != StatusQueued {
			return apierr.Forbidden("Attribute %s can be only replaced for a queued image.", name)
		}
		if name == "disk_format" {
			img.DiskFormat = f
		} else {
			img.ContainerFormat = f
		}
	case "min_disk", "min_ram":
		n, err := toInt(name, v)
		if err != nil {
			return err
		}
		if name == "min_disk" {
			img.MinDisk = n
		} else {
			img.MinRAM = n
		}
	case "tags":
		tags, err := toTags(v, s.cfg.MaxTags)
		if err != nil {
			return err
		}
		img.Tags = tags
	case "owner":
		o, err := toNullString(name, v)
		if err != nil {
			return err
		}
		owner := ""
		if o != nil {
			owner = *o
		}
		if owner != img.Owner && !c.Admin && owner != c.ProjectID {
			return apierr.Forbidden("You are not permitted to modify 'owner' on this image.")
		}
		img.Owner = owner
	case "locations":
		return apierr.Forbidden("Attribute 'locations' can only be changed through the locations API or a patch on /locations.")
	default:
		return s.setProperty(img, name, v)
	}
	return nil
}

func (s *Service) setProperty(img *Image, name string, v any) error {
	if IsReserved(name) {
		return apierr.Forbidden("Attribute '%s' is reserved.", name)
	}
	if name == "" || len([]rune(name)) > 255 {
		return apierr.BadRequest("Property names are 1 to 255 characters.")
	}
	str, ok := v.(string)
	if !ok {
		return apierr.BadRequest("Invalid value for property '%s': must be a string.", name)
	}
	if len(str) > 65535 {
		return apierr.BadRequest("Invalid value for property '%s': too long.", name)
	}
	if _, exists := img.Properties[name]; !exists && s.cfg.MaxProperties >= 0 && len(img.Properties) >= s.cfg.MaxProperties {
		return apierr.TooLarge("Maximum number of image properties exceeded.")
	}
	if img.Properties == nil {
		img.Properties = map[string]string{}
	}
	img.Properties[name] = str
	return nil
}
