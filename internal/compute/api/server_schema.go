package api

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

func invalidField(field string, raw json.RawMessage, why string) error {
	return badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, raw, why)
}

// onlyFields refuses fields of obj outside allowed, as additionalProperties
// false does. Fields are checked in sorted order so the message is stable.
func onlyFields(obj string, fields map[string]json.RawMessage, allowed []string) error {
	for _, k := range keys(fields) {
		if !slices.Contains(allowed, k) {
			return badRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", obj, k)
		}
	}
	return nil
}

// required refuses an object that lacks one of names.
func required(obj string, fields map[string]json.RawMessage, names ...string) error {
	for _, n := range names {
		if _, ok := fields[n]; !ok {
			return badRequest("Invalid input for field/attribute %s. '%s' is a required property", obj, n)
		}
	}
	return nil
}

// objectField reads a JSON object; null is refused unless nullOK (then
// it gives a nil map).
func objectField(field string, raw json.RawMessage, nullOK bool) (map[string]json.RawMessage, error) {
	if string(raw) == "null" && nullOK {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, invalidField(field, raw, string(raw)+" is not of type 'object'")
	}
	return m, nil
}

func stringField(field string, raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalidField(field, raw, string(raw)+" is not of type 'string'")
	}
	return s, nil
}

// nullableString reads a string or null (nil).
func nullableString(field string, raw json.RawMessage) (*string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, invalidField(field, raw, string(raw)+" is not of type 'string', 'null'")
	}
	return &s, nil
}

func lengthBetween(field string, raw json.RawMessage, s string, min, max int) error {
	n := len([]rune(s))
	if n < min {
		return invalidField(field, raw, strconv.Quote(s)+" is too short")
	}
	if max > 0 && n > max {
		return invalidField(field, raw, strconv.Quote(s)+" is too long")
	}
	return nil
}

// nameField is parameter_types.name: 1–255 printable characters, no
// leading or trailing whitespace.
func nameField(field string, raw json.RawMessage) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := lengthBetween(field, raw, s, 1, 255); err != nil {
		return "", err
	}
	if strings.TrimSpace(s) != s || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return "", invalidField(field, raw, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.")
	}
	return s, nil
}

// descriptionField is parameter_types.description: a string of at most
// 255 printable characters, or null ("").
func descriptionField(raw json.RawMessage) (string, error) {
	p, err := nullableString("description", raw)
	if err != nil || p == nil {
		return "", err
	}
	if err := lengthBetween("description", raw, *p, 0, 255); err != nil {
		return "", err
	}
	if strings.IndexFunc(*p, func(r rune) bool { return !unicode.IsPrint(r) && !unicode.IsSpace(r) }) >= 0 {
		return "", invalidField("description", raw, "An invalid 'description' value was provided. The description must be: printable characters.")
	}
	return *p, nil
}

// ipField reads an IPv4 (v=4) or IPv6 (v=6) address.
func ipField(field string, raw json.RawMessage, v int) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil || (v == 4 && !a.Is4()) || (v == 6 && !a.Is6()) || (v == 0 && !a.IsValid()) {
		kind := map[int]string{4: "ipv4", 6: "ipv6", 0: "ip-address"}[v]
		return "", invalidField(field, raw, strconv.Quote(s)+" is not a '"+kind+"'")
	}
	if v == 6 {
		// Nova stores access_ip_v6 as an address and shows it back
		// in canonical form (RFC 5952: "::babe:dc0c:1602").
		return a.String(), nil
	}
	return s, nil
}

func diskConfigField(raw json.RawMessage) (string, error) {
	s, err := stringField("OS-DCF:diskConfig", raw)
	if err != nil {
		return "", err
	}
	if s != "AUTO" && s != "MANUAL" {
		return "", invalidField("OS-DCF:diskConfig", raw, strconv.Quote(s)+" is not one of ['AUTO', 'MANUAL']")
	}
	return s, nil
}

var (
	hostnameRe = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$`)
	fqdnRe     = regexp.MustCompile(`^[a-zA-Z0-9-._]*$`)
	metaKeyRe  = regexp.MustCompile(`^[a-zA-Z0-9-_:. ]{1,255}$`)
)

// hostnameField is parameter_types.hostname (2.90).
func hostnameField(raw json.RawMessage) (string, error) {
	s, err := stringField("hostname", raw)
	if err != nil {
		return "", err
	}
	if err := lengthBetween("hostname", raw, s, 2, 63); err != nil {
		return "", err
	}
	if !hostnameRe.MatchString(s) {
		return "", invalidField("hostname", raw, strconv.Quote(s)+" does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'")
	}
	return s, nil
}

// fqdnField is parameter_types.fqdn (host and hypervisor_hostname, 2.74).
func fqdnField(field string, raw json.RawMessage) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := lengthBetween(field, raw, s, 1, 255); err != nil {
		return "", err
	}
	if !fqdnRe.MatchString(s) {
		return "", invalidField(field, raw, strconv.Quote(s)+" does not match '^[a-zA-Z0-9-._]*$'")
	}
	return s, nil
}

// metadataField is parameter_types.metadata: keys 1–255 characters of
// [a-zA-Z0-9-_:. ], string values of at most 255.
func metadataField(field string, raw json.RawMessage) (map[string]string, error) {
	m, err := objectField(field, raw, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for _, k := range keys(m) {
		if !metaKeyRe.MatchString(k) {
			return nil, invalidField(field, raw, "Additional properties are not allowed ('"+k+"' was unexpected)")
		}
		v, err := stringField(k, m[k])
		if err != nil {
			return nil, err
		}
		if err := lengthBetween(k, m[k], v, 0, 255); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// isUUID is oslo's is_uuid_like: any case, dashes optional.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && (len(s) == 36 || len(s) == 32)
}

func uuidField(field string, raw json.RawMessage) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	if !isUUID(s) {
		return "", invalidField(field, raw, strconv.Quote(s)+" is not a 'uuid'")
	}
	return s, nil
}

// base64Field checks a base64 string of at most max characters.
func base64Field(field string, raw json.RawMessage, max int) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	if max > 0 && len(s) > max {
		return "", invalidField(field, raw, "is too long")
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
		return "", invalidField(field, raw, strconv.Quote(s)+" is not a 'base64'")
	}
	return s, nil
}

// boolField is parameter_types.boolean.
func boolField(field string, raw json.RawMessage) (bool, error) {
	b, err := novaBool(raw)
	if err != nil {
		return false, invalidField(field, raw, string(raw)+" is not of type 'boolean', 'string'")
	}
	return b, nil
}

// intField reads parameter_types.positive_integer (min 1) or
// non_negative_integer (min 0): an integer or a string of digits.
func countField(field string, raw json.RawMessage, min int) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		v, err := strconv.Atoi(n.String())
		if err != nil || v < min {
			return 0, invalidField(field, raw, string(raw)+" is less than the minimum of "+strconv.Itoa(min))
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, invalidField(field, raw, string(raw)+" is not of type 'integer', 'string'")
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, invalidField(field, raw, strconv.Quote(s)+" does not match '^[0-9]*$'")
	}
	if v < min {
		return 0, invalidField(field, raw, strconv.Quote(s)+" is less than the minimum of "+strconv.Itoa(min))
	}
	return v, nil
}

// flavorRefField is parameter_types.flavor_ref: a non-empty string or an
// integer.
func flavorRefField(raw json.RawMessage) (string, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalidField("flavorRef", raw, string(raw)+" is not of type 'string', 'integer'")
	}
	if s == "" {
		return "", invalidField("flavorRef", raw, "'' is too short")
	}
	return s, nil
}

// tagField is parameter_types.tag: 1–60 characters without ',' or '/'.
func tagField(field string, raw json.RawMessage) (string, error) {
	s, err := stringField(field, raw)
	if err != nil {
		return "", err
	}
	if err := lengthBetween(field, raw, s, 1, 60); err != nil {
		return "", err
	}
	if strings.ContainsAny(s, ",/") {
		return "", invalidField(field, raw, strconv.Quote(s)+" does not match '^[^,/]*$'")
	}
	return s, nil
}

// tagList reads an array of tags of at most 50.
func tagList(field string, raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, invalidField(field, raw, string(raw)+" is not of type 'array'")
	}
	if len(items) > 50 {
		return nil, invalidField(field, raw, "is too long")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		t, err := tagField(field, it)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// trustedCerts is parameter_types.trusted_certs: null or 1–50 unique
// non-empty strings.
func trustedCerts(raw json.RawMessage) ([]string, error) {
	const f = "trusted_image_certificates"
	if string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, invalidField(f, raw, string(raw)+" is not of type 'array', 'null'")
	}
	if len(items) < 1 || len(items) > 50 {
		return nil, invalidField(f, raw, "has the wrong number of items")
	}
	var out []string
	for _, it := range items {
		s, err := stringField(f, it)
		if err != nil {
			return nil, err
		}
		if s == "" || slices.Contains(out, s) {
			return nil, invalidField(f, raw, "has non-unique or empty elements")
		}
		out = append(out, s)
	}
	return out, nil
}
