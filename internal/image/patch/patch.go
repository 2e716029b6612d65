// Package patch decodes the bodies of Glance's image updates (PATCH
// /v2/images/{id}): JSON-patch documents in the two media types Glance
// accepts, into operations on one attribute, property or location. It
// checks their shape only; what an operation may change is the image
// service's business.
package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Media types Glance accepts on PATCH /v2/images/{id}.
const (
	V21 = "application/openstack-images-v2.1-json-patch"
	V20 = "application/openstack-images-v2.0-json-patch"
)

// Op is one operation of an image update. Path is the decoded JSON
// pointer: ["name"], ["locations", "-"], ["locations", "0"].
type Op struct {
	Op       string // add, replace or remove
	Path     []string
	Value    any
	HasValue bool
}

// MaxOps bounds one update (Glance has no limit but the body size).
const MaxOps = 1000

// Parse decodes an update body: a JSON list of operations, each
// either {"op": "add", "path": "/name", "value": ...} (v2.1) or
// {"add": "/name", "value": ...} (v2.0). Numbers keep their text
// (json.Number) so that integers can be told from floats.
func Parse(body []byte) ([]Op, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw []map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, apierr.BadRequest("Request body must be a JSON array of operation objects.")
	}
	if dec.More() {
		return nil, apierr.BadRequest("Request body must be a JSON array of operation objects.")
	}
	if len(raw) > MaxOps {
		return nil, apierr.BadRequest("Too many operations in one update (at most %d).", MaxOps)
	}
	ops := make([]Op, 0, len(raw))
	for _, m := range raw {
		if m == nil {
			return nil, apierr.BadRequest("Operations must be JSON objects.")
		}
		var op Op
		var path any
		if o, ok := m["op"]; ok {
			s, ok := o.(string)
			if !ok {
				return nil, apierr.BadRequest("Operation 'op' must be a string.")
			}
			op.Op = s
			if path, ok = m["path"]; !ok {
				return nil, apierr.BadRequest("Operation \"%s\" requires a member named \"path\".", s)
			}
			for k := range m {
				if k != "op" && k != "path" && k != "value" {
					return nil, apierr.BadRequest("Operation objects contain an unexpected member %q.", k)
				}
			}
		} else {
			found := 0
			for _, name := range []string{"add", "replace", "remove"} {
				if p, ok := m[name]; ok {
					op.Op, path = name, p
					found++
				}
			}
			if found != 1 {
				return nil, apierr.BadRequest("Operation objects must contain exactly one member named \"add\", \"remove\", or \"replace\".")
			}
			for k := range m {
				if k != op.Op && k != "value" {
					return nil, apierr.BadRequest("Operation objects contain an unexpected member %q.", k)
				}
			}
		}
		switch op.Op {
		case "add", "replace", "remove":
		default:
			return nil, apierr.BadRequest("Invalid operation: %q. Supported operations are add, replace and remove.", op.Op)
		}
		ps, ok := path.(string)
		if !ok {
			return nil, apierr.BadRequest("Pointer must be a string.")
		}
		segs, err := parsePointer(ps)
		if err != nil {
			return nil, err
		}
		op.Path = segs
		op.Value, op.HasValue = m["value"]
		if op.Op != "remove" && !op.HasValue {
			return nil, apierr.BadRequest("Operation \"%s\" requires a member named \"value\".", op.Op)
		}
		if op.Op == "remove" && op.HasValue {
			return nil, apierr.BadRequest("Operation \"remove\" does not take a \"value\".")
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// parsePointer decodes a JSON pointer of one or two segments.
func parsePointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, apierr.BadRequest("Pointer `%s` does not start with \"/\".", p)
	}
	parts := strings.Split(p[1:], "/")
	if len(parts) > 2 {
		return nil, apierr.BadRequest("Pointer `%s` is too deep.", p)
	}
	for i, s := range parts {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(s, "~0", ""), "~1", ""), "~") {
			return nil, apierr.BadRequest("Pointer `%s` contains \"~\" not part of a recognized escape sequence.", p)
		}
		s = strings.ReplaceAll(s, "~1", "/")
		parts[i] = strings.ReplaceAll(s, "~0", "~")
		if parts[i] == "" {
			return nil, apierr.BadRequest("Pointer `%s` contains an empty segment.", p)
		}
	}
	if len(parts) == 2 && parts[0] != "locations" {
		return nil, apierr.BadRequest("Pointer `%s` is not valid: only /locations takes an index.", p)
	}
	return parts, nil
}

// String renders op for messages.
func (op Op) String() string {
	return fmt.Sprintf("%s /%s", op.Op, strings.Join(op.Path, "/"))
}
