package wire

import (
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// This file holds the pieces of Nova's JSON schemas (nova/api/validation/
// parameter_types.py) that server requests share, with Nova's messages.

func InvalidField(field string, raw json.RawMessage, why string) error {
	return BadRequest("Invalid input for field/attribute %s. Value: %s. %s", field, raw, why)
}

// OnlyFields refuses fields of obj outside allowed, as additionalProperties
// false does. Fields are checked in sorted order so the message is stable.
func OnlyFields(obj string, fields map[string]json.RawMessage, allowed []string) error {
	for _, k := range Keys(fields) {
		if !slices.Contains(allowed, k) {
			return BadRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", obj, k)
		}
	}
	return nil
}

// Required refuses an object that lacks one of names.
func Required(obj string, fields map[string]json.RawMessage, names ...string) error {
	for _, n := range names {
		if _, ok := fields[n]; !ok {
			return BadRequest("Invalid input for field/attribute %s. '%s' is a required property", obj, n)
		}
	}
	return nil
}

// ObjectField reads a JSON object; null is refused unless nullOK (then
// it gives a nil map).
func ObjectField(field string, raw json.RawMessage, nullOK bool) (map[string]json.RawMessage, error) {
	if string(raw) == "null" && nullOK {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, InvalidField(field, raw, string(raw)+" is not of type 'object'")
	}
	return m, nil
}

func StringField(field string, raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", InvalidField(field, raw, string(raw)+" is not of type 'string'")
	}
	return s, nil
}

// NullableString reads a string or null (nil).
func NullableString(field string, raw json.RawMessage) (*string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, InvalidField(field, raw, string(raw)+" is not of type 'string', 'null'")
	}
	return &s, nil
}

func LengthBetween(field string, raw json.RawMessage, s string, min, max int) error {
	n := len([]rune(s))
	if n < min {
		return InvalidField(field, raw, strconv.Quote(s)+" is too short")
	}
	if max > 0 && n > max {
		return InvalidField(field, raw, strconv.Quote(s)+" is too long")
	}
	return nil
}

// NameField is parameter_types.name: 1–255 printable characters, no
// leading or trailing whitespace.
func NameField(field string, raw json.RawMessage) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := LengthBetween(field, raw, s, 1, 255); err != nil {
		return "", err
	}
	if strings.TrimSpace(s) != s || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return "", InvalidField(field, raw, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.")
	}
	return s, nil
}

// DescriptionField is parameter_types.description: a string of at most
// 255 printable characters, or null ("").
func DescriptionField(raw json.RawMessage) (string, error) {
	p, err := NullableString("description", raw)
	if err != nil || p == nil {
		return "", err
	}
	if err := LengthBetween("description", raw, *p, 0, 255); err != nil {
		return "", err
	}
	if strings.IndexFunc(*p, func(r rune) bool { return !unicode.IsPrint(r) && !unicode.IsSpace(r) }) >= 0 {
		return "", InvalidField("description", raw, "An invalid 'description' value was provided. The description must be: printable characters.")
	}
	return *p, nil
}

// IPField reads an IPv4 (v=4) or IPv6 (v=6) address.
func IPField(field string, raw json.RawMessage, v int) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil || (v == 4 && !a.Is4()) || (v == 6 && !a.Is6()) || (v == 0 && !a.IsValid()) {
		kind := map[int]string{4: "ipv4", 6: "ipv6", 0: "ip-address"}[v]
		return "", InvalidField(field, raw, strconv.Quote(s)+" is not a '"+kind+"'")
	}
	if v == 6 {
		// Nova stores access_ip_v6 as an address and shows it back
		// in canonical form (RFC 5952: "::babe:dc0c:1602").
		return a.String(), nil
	}
	return s, nil
}

func DiskConfigField(raw json.RawMessage) (string, error) {
	s, err := StringField("OS-DCF:diskConfig", raw)
	if err != nil {
		return "", err
	}
	if s != "AUTO" && s != "MANUAL" {
		return "", InvalidField("OS-DCF:diskConfig", raw, strconv.Quote(s)+" is not one of ['AUTO', 'MANUAL']")
	}
	return s, nil
}

var (
	hostnameRe = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$`)
	fqdnRe     = regexp.MustCompile(`^[a-zA-Z0-9-._]*$`)
	MetaKeyRe  = regexp.MustCompile(`^[a-zA-Z0-9-_:. ]{1,255}$`)
)

// HostnameField is parameter_types.hostname (2.90).
func HostnameField(raw json.RawMessage) (string, error) {
	s, err := StringField("hostname", raw)
	if err != nil {
		return "", err
	}
	if err := LengthBetween("hostname", raw, s, 2, 63); err != nil {
		return "", err
	}
	if !hostnameRe.MatchString(s) {
		return "", InvalidField("hostname", raw, strconv.Quote(s)+" does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'")
	}
	return s, nil
}

// FQDNField is parameter_types.fqdn (host and hypervisor_hostname, 2.74).
func FQDNField(field string, raw json.RawMessage) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := LengthBetween(field, raw, s, 1, 255); err != nil {
		return "", err
	}
	if !fqdnRe.MatchString(s) {
		return "", InvalidField(field, raw, strconv.Quote(s)+" does not match '^[a-zA-Z0-9-._]*$'")
	}
	return s, nil
}

// MetadataField is parameter_types.metadata: keys 1–255 characters of
// [a-zA-Z0-9-_:. ], string values of at most 255.
func MetadataField(field string, raw json.RawMessage) (map[string]string, error) {
	m, err := ObjectField(field, raw, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for _, k := range Keys(m) {
		if !MetaKeyRe.MatchString(k) {
			return nil, InvalidField(field, raw, "Additional properties are not allowed ('"+k+"' was unexpected)")
		}
		v, err := StringField(k, m[k])
		if err != nil {
			return nil, err
		}
		if err := LengthBetween(k, m[k], v, 0, 255); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// IsUUID is oslo's is_uuid_like: any case, dashes optional.
func IsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && (len(s) == 36 || len(s) == 32)
}

func UUIDField(field string, raw json.RawMessage) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	if !IsUUID(s) {
		return "", InvalidField(field, raw, strconv.Quote(s)+" is not a 'uuid'")
	}
	return s, nil
}

// Base64Field checks a base64 string of at most max characters.
func Base64Field(field string, raw json.RawMessage, max int) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	if max > 0 && len(s) > max {
		return "", InvalidField(field, raw, "is too long")
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
		return "", InvalidField(field, raw, strconv.Quote(s)+" is not a 'base64'")
	}
	return s, nil
}

// BoolField is parameter_types.boolean.
func BoolField(field string, raw json.RawMessage) (bool, error) {
	b, err := NovaBool(raw)
	if err != nil {
		return false, InvalidField(field, raw, string(raw)+" is not of type 'boolean', 'string'")
	}
	return b, nil
}

// CountField reads parameter_types.positive_integer (min 1) or
// non_negative_integer (min 0): an integer or a string of digits.
func CountField(field string, raw json.RawMessage, min int) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		v, err := strconv.Atoi(n.String())
		if err != nil || v < min {
			return 0, InvalidField(field, raw, string(raw)+" is less than the minimum of "+strconv.Itoa(min))
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, InvalidField(field, raw, string(raw)+" is not of type 'integer', 'string'")
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, InvalidField(field, raw, strconv.Quote(s)+" does not match '^[0-9]*$'")
	}
	if v < min {
		return 0, InvalidField(field, raw, strconv.Quote(s)+" is less than the minimum of "+strconv.Itoa(min))
	}
	return v, nil
}

// FlavorRefField is parameter_types.flavor_ref: a non-empty string or an
// integer.
func FlavorRefField(raw json.RawMessage) (string, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", InvalidField("flavorRef", raw, string(raw)+" is not of type 'string', 'integer'")
	}
	if s == "" {
		return "", InvalidField("flavorRef", raw, "'' is too short")
	}
	return s, nil
}

// TagField is parameter_types.tag: 1–60 characters without ',' or '/'.
func TagField(field string, raw json.RawMessage) (string, error) {
	s, err := StringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := LengthBetween(field, raw, s, 1, 60); err != nil {
		return "", err
	}
	if strings.ContainsAny(s, ",/") {
		return "", InvalidField(field, raw, strconv.Quote(s)+" does not match '^[^,/]*$'")
	}
	return s, nil
}

// TagList reads an array of tags of at most 50.
func TagList(field string, raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, InvalidField(field, raw, string(raw)+" is not of type 'array'")
	}
	if len(items) > 50 {
		return nil, InvalidField(field, raw, "is too long")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		t, err := TagField(field, it)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// TrustedCerts is parameter_types.trusted_certs: null or 1–50 unique
// non-empty strings.
func TrustedCerts(raw json.RawMessage) ([]string, error) {
	const f = "trusted_image_certificates"
	if string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, InvalidField(f, raw, string(raw)+" is not of type 'array', 'null'")
	}
	if len(items) < 1 || len(items) > 50 {
		return nil, InvalidField(f, raw, "has the wrong number of items")
	}
	var out []string
	for _, it := range items {
		s, err := StringField(f, it)
		if err != nil {
			return nil, err
		}
		if s == "" || slices.Contains(out, s) {
			return nil, InvalidField(f, raw, "has non-unique or empty elements")
		}
		out = append(out, s)
	}
	return out, nil
}
