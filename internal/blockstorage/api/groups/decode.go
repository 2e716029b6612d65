package groups

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
)

// object reads the request's envelope {key: {...}} as its attributes,
// refusing any attribute but allowed, as Cinder's JSON schemas for
// groups and group snapshots do (additionalProperties: false).
func object(r *http.Request, key string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := wire.Body(r, key, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: None. None is not of type 'object'", key)
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Additional properties are not allowed ('%s' was unexpected)", key, k)
		}
	}
	return m, nil
}

// text reads an optional string attribute of at most max characters;
// absent and null are nil.
func text(m map[string]json.RawMessage, key string, max int) (*string, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", key, raw, raw)
	}
	if utf8.RuneCountInString(s) > max {
		return nil, blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", key, s, s)
	}
	return &s, nil
}

// value is a string attribute's value, "" when absent.
func value(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
