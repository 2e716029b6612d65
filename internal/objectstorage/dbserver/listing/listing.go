// Package listing renders Swift's account and container listings the way
// Swift's servers and its listing_formats middleware do — JSON as
// Python's json.dumps writes it, XML as ElementTree writes it, plain text
// one name a line — and negotiates the format from the format query
// parameter and the Accept header.
package listing

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Content types a listing can have.
const (
	Plain   = "text/plain"
	JSON    = "application/json"
	XML     = "application/xml"
	TextXML = "text/xml"
)

var formats = map[string]string{"plain": Plain, "json": JSON, "xml": XML}

// offers is what a listing can be rendered as, in Swift's order of
// preference when the client accepts several equally.
var offers = []string{Plain, JSON, XML, TextXML}

// ContentType returns the listing format of r, as Swift's
// get_listing_content_type: the format query parameter when given (an
// unknown value means plain text), else the best match of the Accept
// header. A malformed Accept header is a 400 "Invalid Accept header"; an
// Accept header matching no format is a 406.
func ContentType(r *http.Request) (string, error) {
	accept := r.Header.Get("Accept")
	if f := r.URL.Query().Get("format"); f != "" {
		ct, ok := formats[strings.ToLower(f)]
		if !ok {
			ct = Plain
		}
		accept = ct
	}
	ct, err := bestMatch(accept, offers)
	if err != nil {
		return "", swift.NewError(http.StatusBadRequest, "Invalid Accept header")
	}
	if ct == "" {
		return "", swift.NewError(http.StatusNotAcceptable, "")
	}
	return ct, nil
}

const token = `[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`

var acceptRE = regexp.MustCompile(`^\s*(` + token + `)/(` + token + `)((?:\s*;\s*(?:` + token +
	`)\s*=\s*(?:` + token + `|"(?:[^"\\]|(?:\\.))*"))*?\s*)$`)

var errAccept = errors.New("invalid Accept header")

// bestMatch is swob's Accept.best_match: the media ranges sorted by
// quality and then exact before wildcard (stable otherwise), the first
// offer a range matches.
func bestMatch(header string, offers []string) (string, error) {
	if header == "" {
		return offers[0], nil
	}
	type rng struct {
		typ, sub string
		q        float64
		exact    bool
	}
	var ranges []rng
	for _, part := range strings.Split(header, ",") {
		m := acceptRE.FindStringSubmatch(part)
		if m == nil {
			return "", errAccept
		}
		q := 1.0
		seenQ := false
		for _, p := range strings.Split(m[3], ";") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			name, value, ok := strings.Cut(p, "=")
			if !ok || strings.Contains(value, "=") {
				return "", errAccept
			}
			if strings.TrimSpace(name) == "q" {
				if seenQ {
					return "", errAccept
				}
				seenQ = true
				f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil {
					return "", errAccept
				}
				q = f
			}
		}
		ranges = append(ranges, rng{m[1], m[2], q, m[1] != "*" && m[2] != "*"})
	}
	slices.SortStableFunc(ranges, func(a, b rng) int {
		switch {
		case a.q != b.q:
			if a.q > b.q {
				return -1
			}
			return 1
		case a.exact != b.exact:
			if a.exact {
				return -1
			}
			return 1
		}
		return 0
	})
	for _, r := range ranges {
		for _, o := range offers {
			typ, sub, _ := strings.Cut(o, "/")
			if (r.typ == "*" || r.typ == typ) && (r.sub == "*" || r.sub == sub) {
				return o, nil
			}
		}
	}
	return "", nil
}

// ISO returns t as Swift's Timestamp.isoformat: UTC with microseconds
// and no zone, e.g. "2014-06-10T22:43:00.581860".
func ISO(t swift.Timestamp) string {
	raw := t.Raw()
	sec := raw / 100000
	us := (raw % 100000) * 10
	// Every row of a listing page formats its time: the civil date is
	// computed directly (days to year/month/day as in Hinnant's
	// civil_from_days) instead of through time.Format, which costs a
	// tenth of a 10,000-object page.
	if sec < 0 || sec >= maxISOSec {
		return time.Unix(sec, us*1000).UTC().Format("2006-01-02T15:04:05.000000")
	}
	var b [26]byte
	days, rem := sec/86400, sec%86400
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	put := func(at int, v int64, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, m, 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = 'T'
	put(11, rem/3600, 2)
	b[13] = ':'
	put(14, rem/60%60, 2)
	b[16] = ':'
	put(17, rem%60, 2)
	b[19] = '.'
	put(20, us, 6)
	return string(b[:])
}

// maxISOSec is the first second of the year 10000, past which the fast
// formatting of ISO would need a fifth year digit.
const maxISOSec = 253402300800

// ISOString is ISO of a stored timestamp string ("" if it does not
// parse).
func ISOString(s string) string {
	t, err := swift.ParseTimestamp(s)
	if err != nil {
		return ""
	}
	return ISO(t)
}

// AppendJSONString appends s as Python's json.dumps writes a string with
// ensure_ascii: every non-ASCII character as \uXXXX (surrogate pairs
// beyond the BMP), control characters escaped.
func AppendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		// Copy the run of characters that need no escaping at once.
		j := i
		for j < len(s) && s[j] >= 0x20 && s[j] < utf8.RuneSelf && s[j] != '"' && s[j] != '\\' {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				b = append(b, '\\', '"')
			case c == '\\':
				b = append(b, '\\', '\\')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		u := func(v rune) {
			b = append(b, '\\', 'u', hexd[v>>12&15], hexd[v>>8&15], hexd[v>>4&15], hexd[v&15])
		}
		if r >= 0x10000 {
			v := r - 0x10000
			u(0xd800 + (v>>10)&0x3ff)
			u(0xdc00 + v&0x3ff)
		} else {
			u(r)
		}
	}
	return append(b, '"')
}

// appendXMLText appends s escaped as ElementTree escapes element text.
func appendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendXMLAttr appends s escaped as ElementTree escapes an attribute.
func appendXMLAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\n':
			b = append(b, "&#10;"...)
		case '\r':
			b = append(b, "&#13;"...)
		case '\t':
			b = append(b, "&#09;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Object is one entry of a container listing: an object, or a subdir
// when Subdir is set (then only Name counts).
type Object struct {
	Name         string
	Hash         string
	Bytes        int64
	ContentType  string
	LastModified string // isoformat
	Subdir       bool
}

// Container is one entry of an account listing: a container, or a subdir
// when Subdir is set. StoragePolicy is left out when empty.
type Container struct {
	Name          string
	Count, Bytes  int64
	LastModified  string // isoformat
	StoragePolicy string
	Subdir        bool
}

// ObjectsJSON renders a container listing as Swift's JSON:
// [{"bytes", "hash", "name", "content_type", "last_modified"}] and
// {"subdir"} entries.
func ObjectsJSON(b []byte, objs []Object) []byte {
	b = append(b, '[')
	for i, o := range objs {
		if i > 0 {
			b = append(b, ", "...)
		}
		if o.Subdir {
			b = append(b, `{"subdir": `...)
			b = AppendJSONString(b, o.Name)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"bytes": `...)
		b = strconv.AppendInt(b, o.Bytes, 10)
		b = append(b, `, "hash": `...)
		b = AppendJSONString(b, o.Hash)
		b = append(b, `, "name": `...)
		b = AppendJSONString(b, o.Name)
		b = append(b, `, "content_type": `...)
		b = AppendJSONString(b, o.ContentType)
		b = append(b, `, "last_modified": `...)
		b = AppendJSONString(b, o.LastModified)
		b = append(b, '}')
	}
	return append(b, ']')
}

// ObjectsXML renders a container listing as Swift's XML.
func ObjectsXML(b []byte, container string, objs []Object) []byte {
	b = append(b, xmlDecl...)
	b = append(b, `<container name="`...)
	b = appendXMLAttr(b, container)
	if len(objs) == 0 {
		return append(b, `" />`...)
	}
	b = append(b, `">`...)
	for _, o := range objs {
		if o.Subdir {
			b = append(b, `<subdir name="`...)
			b = appendXMLAttr(b, o.Name)
			b = append(b, `"><name>`...)
			b = appendXMLText(b, o.Name)
			b = append(b, `</name></subdir>`...)
			continue
		}
		b = append(b, `<object><name>`...)
		b = appendXMLText(b, o.Name)
		b = append(b, `</name><hash>`...)
		b = appendXMLText(b, o.Hash)
		b = append(b, `</hash><bytes>`...)
		b = strconv.AppendInt(b, o.Bytes, 10)
		b = append(b, `</bytes><content_type>`...)
		b = appendXMLText(b, o.ContentType)
		b = append(b, `</content_type><last_modified>`...)
		b = appendXMLText(b, o.LastModified)
		b = append(b, `</last_modified></object>`...)
	}
	return append(b, `</container>`...)
}

// ObjectsPlain renders a container listing as one name a line.
func ObjectsPlain(b []byte, objs []Object) []byte {
	for _, o := range objs {
		b = append(b, o.Name...)
		b = append(b, '\n')
	}
	return b
}

// ContainersJSON renders an account listing as Swift's JSON:
// [{"name", "count", "bytes", "last_modified"[, "storage_policy"]}] and
// {"subdir"} entries.
func ContainersJSON(b []byte, cs []Container) []byte {
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ", "...)
		}
		if c.Subdir {
			b = append(b, `{"subdir": `...)
			b = AppendJSONString(b, c.Name)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"name": `...)
		b = AppendJSONString(b, c.Name)
		b = append(b, `, "count": `...)
		b = strconv.AppendInt(b, c.Count, 10)
		b = append(b, `, "bytes": `...)
		b = strconv.AppendInt(b, c.Bytes, 10)
		b = append(b, `, "last_modified": `...)
		b = AppendJSONString(b, c.LastModified)
		if c.StoragePolicy != "" {
			b = append(b, `, "storage_policy": `...)
			b = AppendJSONString(b, c.StoragePolicy)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// ContainersXML renders an account listing as Swift's XML.
func ContainersXML(b []byte, account string, cs []Container) []byte {
	b = append(b, xmlDecl...)
	b = append(b, `<account name="`...)
	b = appendXMLAttr(b, account)
	b = append(b, "\">\n"...)
	for _, c := range cs {
		if c.Subdir {
			b = append(b, `<subdir name="`...)
			b = appendXMLAttr(b, c.Name)
			b = append(b, "\" />\n"...)
			continue
		}
		b = append(b, `<container><name>`...)
		b = appendXMLText(b, c.Name)
		b = append(b, `</name><count>`...)
		b = strconv.AppendInt(b, c.Count, 10)
		b = append(b, `</count><bytes>`...)
		b = strconv.AppendInt(b, c.Bytes, 10)
		b = append(b, `</bytes><last_modified>`...)
		b = appendXMLText(b, c.LastModified)
		b = append(b, `</last_modified>`...)
		if c.StoragePolicy != "" {
			b = append(b, `<storage_policy>`...)
			b = appendXMLText(b, c.StoragePolicy)
			b = append(b, `</storage_policy>`...)
		}
		b = append(b, "</container>\n"...)
	}
	return append(b, `</account>`...)
}

// ContainersPlain renders an account listing as one name a line.
func ContainersPlain(b []byte, cs []Container) []byte {
	for _, c := range cs {
		b = append(b, c.Name...)
		b = append(b, '\n')
	}
	return b
}

// ParseObjects reads a JSON container listing (as ObjectsJSON writes
// it), for a proxy that asks its backends for JSON and renders the
// format the client wants.
func ParseObjects(b []byte) ([]Object, error) {
	var raw []struct {
		Name         *string `json:"name"`
		Subdir       *string `json:"subdir"`
		Hash         string  `json:"hash"`
		Bytes        int64   `json:"bytes"`
		ContentType  string  `json:"content_type"`
		LastModified string  `json:"last_modified"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(raw))
	for _, r := range raw {
		switch {
		case r.Subdir != nil:
			out = append(out, Object{Name: *r.Subdir, Subdir: true})
		case r.Name != nil:
			out = append(out, Object{Name: *r.Name, Hash: r.Hash, Bytes: r.Bytes, ContentType: r.ContentType, LastModified: r.LastModified})
		default:
			return nil, errors.New("listing entry without name or subdir")
		}
	}
	return out, nil
}

// ParseContainers reads a JSON account listing (as ContainersJSON
// writes it).
func ParseContainers(b []byte) ([]Container, error) {
	var raw []struct {
		Name          *string `json:"name"`
		Subdir        *string `json:"subdir"`
		Count         int64   `json:"count"`
		Bytes         int64   `json:"bytes"`
		LastModified  string  `json:"last_modified"`
		StoragePolicy string  `json:"storage_policy"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]Container, 0, len(raw))
	for _, r := range raw {
		switch {
		case r.Subdir != nil:
			out = append(out, Container{Name: *r.Subdir, Subdir: true})
		case r.Name != nil:
			out = append(out, Container{Name: *r.Name, Count: r.Count, Bytes: r.Bytes, LastModified: r.LastModified, StoragePolicy: r.StoragePolicy})
		default:
			return nil, errors.New("listing entry without name or subdir")
		}
	}
	return out, nil
}
