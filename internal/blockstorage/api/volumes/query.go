package volumes

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// userFilters are the volume filters a non-admin may use (Cinder's
// default resource_filters.json); an admin may filter on any attribute.
func userFilter(key string) bool {
	switch key {
	case "name", "status", "metadata", "bootable", "migration_status", "availability_zone", "group_id", "size",
		"created_at", "updated_at", "consumes_quota":
		return true
	}
	return false
}

// gatedFilter reports the microversion (3.x) from which a filter counts;
// older requests drop it, as Cinder does.
func gatedFilter(key string) int {
	switch key {
	case "glance_metadata":
		return 4
	case "group_id":
		return 10
	case "created_at", "updated_at":
		return 60
	case "consumes_quota":
		return 65
	}
	return 0
}

// notFilters are the list's own parameters.
func notFilter(key string) bool {
	switch key {
	case "limit", "marker", "offset", "sort", "sort_key", "sort_dir", "with_count", "all_tenants", "project_id":
		return true
	}
	return false
}

// parseQuery reads a volume list's filters as Cinder does: unknown
// filters are an error for a non-admin from 3.31 (dropped before), an
// admin's filter on an attribute volumes lack selects nothing, values
// are Python literals (metadata={'k': 'v'}).
func parseQuery(r *http.Request, sc blockstorage.Scope) (volumes.Query, bool, error) {
	all := wire.AllTenants(r, sc)
	var q volumes.Query
	vals := r.URL.Query()
	if all {
		q.ProjectID = vals.Get("project_id")
	}
	var invalid []string
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if notFilter(key) || (key == "with_count" && wire.AtLeast(r, 45)) {
			continue
		}
		if mv := gatedFilter(key); mv > 0 && !wire.AtLeast(r, mv) {
			continue
		}
		if !sc.Admin && !userFilter(key) {
			if wire.AtLeast(r, 31) {
				invalid = append(invalid, key)
			}
			continue
		}
		if err := setFilter(&q, r, key, vals.Get(key)); err != nil {
			return q, false, err
		}
	}
	if len(invalid) > 0 {
		return q, false, blockstorage.BadRequest("Invalid filters %s are found in query options.", strings.Join(invalid, ","))
	}
	return q, all, nil
}

// setFilter reads one filter into q.
func setFilter(q *volumes.Query, r *http.Request, key, val string) error {
	switch key {
	case "name", "display_name":
		q.Name = &val
	case "description", "display_description":
		q.Description = &val
	case "name~", "display_name~":
		q.NameLike = &val
	case "description~", "display_description~":
		q.DescriptionLike = &val
	case "status":
		q.Status = literalString(val)
	case "availability_zone":
		q.Zone = literalString(val)
	case "migration_status":
		q.Migration = literalString(val)
	case "group_id":
		q.GroupID = literalString(val)
	case "host":
		q.Host = literalString(val)
	case "user_id":
		q.UserID = literalString(val)
	case "id":
		q.ID = literalString(val)
	case "volume_type_id":
		q.TypeID = literalString(val)
	case "size":
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			q.Impossible = true // a size that is not a number matches no volume
			return nil
		}
		q.Size = &n
	case "bootable", "encrypted", "multiattach", "consumes_quota":
		b, err := boolFilter(key, val, wire.AtLeast(r, 2))
		if err != nil {
			return err
		}
		switch key {
		case "bootable":
			q.Bootable = &b
		case "encrypted":
			q.Encrypted = &b
		case "multiattach":
			q.Multiattach = &b
		default:
			q.Quota = &b
		}
	case "metadata", "glance_metadata":
		m, ok := pyDict(val)
		if !ok {
			return blockstorage.BadRequest("Invalid input received: %s must be a dictionary, got '%s'.", key, val)
		}
		if key == "metadata" {
			q.Metadata = m
		} else {
			q.ImageMetadata = m
		}
	case "created_at", "updated_at":
		bounds, err := timeFilter(key, val)
		if err != nil {
			return err
		}
		if key == "created_at" {
			q.CreatedAt = bounds
		} else {
			q.UpdatedAt = bounds
		}
	default:
		// Cinder's database layer answers a filter on an attribute
		// volumes do not have with nothing.
		q.Impossible = true
	}
	return nil
}

// literalString is a filter value as Cinder's literal_eval leaves a
// string: quotes of a quoted one go.
func literalString(val string) *string {
	if n := len(val); n >= 2 && (val[0] == '\'' || val[0] == '"') && val[n-1] == val[0] {
		val = val[1 : n-1]
	}
	return &val
}

// boolFilter reads a boolean filter: from 3.2 strictly (true, false, 1,
// 0, yes, no, on, off, t, f, y, n), before as Cinder did then (anything
// but a spelling of false is true).
func boolFilter(key, val string, strict bool) (bool, error) {
	if strict {
		b, ok := wire.Bool(val)
		if !ok {
			return false, blockstorage.BadRequest("Invalid input received: '%s = %s'", key, val)
		}
		return b, nil
	}
	switch val {
	case "False", "false", "FALSE", "":
		return false, nil
	}
	return true, nil
}

// timeFilter reads 3.60's time comparisons: op:time[,op:time].
func timeFilter(key, val string) ([]volumes.TimeBound, error) {
	var out []volumes.TimeBound
	for _, unit := range strings.Split(val, ",") {
		op, at, ok := strings.Cut(unit, ":")
		if !ok {
			return nil, blockstorage.BadRequest("Invalid %s value", key)
		}
		if !slices.Contains([]string{"gt", "gte", "eq", "neq", "lt", "lte"}, op) {
			return nil, blockstorage.BadRequest("Invalid %s operator", op)
		}
		t, err := parseISOTime(at)
		if err != nil {
			return nil, blockstorage.BadRequest("Invalid %s value", at)
		}
		out = append(out, volumes.TimeBound{Op: op, At: t})
	}
	return out, nil
}

func parseISOTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apierr.BadRequest("Invalid time %s", s)
}

// pyDict reads a dictionary of scalars written as JSON or as a Python
// literal ({'k': 'v'}, what clients that format a dict with str() send);
// values become strings (True -> "True", 1 -> "1").
func pyDict(s string) (map[string]string, bool) {
	var raw map[string]any
	if json.Unmarshal([]byte(s), &raw) == nil {
		out := make(map[string]string, len(raw))
		for k, v := range raw {
			switch v.(type) {
			case []any, map[string]any:
				return nil, false
			}
			out[k] = pyfmt.Str(v)
		}
		return out, true
	}
	p := pyParser{s: strings.TrimSpace(s)}
	m, ok := p.dict()
	if !ok || strings.TrimSpace(p.s[p.i:]) != "" {
		return nil, false
	}
	return m, true
}

// pyParser reads a Python dict literal of string keys and scalar values.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) dict() (map[string]string, bool) {
	out := map[string]string{}
	if !p.eat('{') {
		return nil, false
	}
	if p.eat('}') {
		return out, true
	}
	for {
		k, ok := p.scalar()
		if !ok || !p.eat(':') {
			return nil, false
		}
		v, ok := p.scalar()
		if !ok {
			return nil, false
		}
		out[k] = v
		if p.eat('}') {
			return out, true
		}
		if !p.eat(',') {
			return nil, false
		}
		if p.eat('}') {
			return out, true
		}
	}
}

// scalar reads a quoted string (with backslash escapes) or a bare word
// (a number, True, False, None).
func (p *pyParser) scalar() (string, bool) {
	p.skip()
	if p.i >= len(p.s) {
		return "", false
	}
	if q := p.s[p.i]; q == '\'' || q == '"' {
		var b strings.Builder
		for p.i++; p.i < len(p.s); p.i++ {
			c := p.s[p.i]
			switch {
			case c == '\\' && p.i+1 < len(p.s):
				p.i++
				b.WriteByte(p.s[p.i])
			case c == q:
				p.i++
				return b.String(), true
			default:
				b.WriteByte(c)
			}
		}
		return "", false
	}
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(",:}] \t", rune(p.s[p.i])) {
		p.i++
	}
	return p.s[start:p.i], p.i > start
}
