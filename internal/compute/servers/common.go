package servers

import (
	"crypto/rand"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
)

// sanitizeHostname is Nova's utils.sanitize_hostname: latin-1 only,
// at most 63 characters, spaces, underscores and dots become hyphens,
// other non-word characters go, lower case, no leading or trailing '.'
// or '-'; an empty result is def.
func sanitizeHostname(name, def string) string {
	var rs []rune
	for _, r := range name {
		if r <= 0xff {
			rs = append(rs, r)
		}
	}
	if len(rs) > 63 {
		rs = rs[:63]
	}
	var b strings.Builder
	for _, r := range rs {
		switch {
		case r == ' ' || r == '_' || r == '.' || r == '-':
			b.WriteRune('-')
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 0xc0 && r != 0xd7 && r != 0xf7:
			b.WriteRune(r) // latin-1 letters are \w
		}
	}
	h := strings.Trim(strings.ToLower(b.String()), ".-")
	if h == "" {
		r := []rune(def)
		if len(r) > 63 {
			r = r[:63]
		}
		return string(r)
	}
	return h
}

// copyMap returns a copy of m, never nil.
func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// reservationID is Nova's generate_uid('r'): "r-" and 8 [a-z0-9].
func reservationID() string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	// crypto/rand.Read never returns an error.
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return "r-" + string(b)
}

// imageDiskConfig is the diskConfig an image asks for by default: AUTO
// when its auto_disk_config property is true, as Nova reads it.
func imageDiskConfig(img *compute.ImageMeta) string {
	if img == nil {
		return ""
	}
	if b, err := strconv.ParseBool(img.Properties["auto_disk_config"]); err == nil && b {
		return compute.DiskConfigAuto
	}
	return ""
}
