package directory

import (
	"encoding/json"
	"testing"
)

// FuzzCreateUserRequest feeds arbitrary JSON to the user create decoder:
// it must answer with a request or an error, never panic, and never keep
// the password among the extra attributes.
func FuzzCreateUserRequest(f *testing.F) {
	f.Add(`{"name": "u", "password": "p", "email": "e", "enabled": true}`)
	f.Add(`{"name": 1, "options": {"lock_password": "x"}}`)
	f.Add(`{"name": "u", "password": null, "domain_id": ["x"], "default_project_id": null}`)
	f.Add(`{"name": "u", "options": [], "description": {}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil || m == nil {
			return
		}
		req, err := decodeCreateUser(m)
		if err != nil {
			return
		}
		if _, ok := req.User.Extra["password"]; ok {
			t.Fatal("password kept as an extra attribute")
		}
		if req.User == nil {
			t.Fatal("no user and no error")
		}
	})
}

// FuzzProjectPatch does the same for the project update decoder.
func FuzzProjectPatch(f *testing.F) {
	f.Add(`{"name": "p", "tags": ["a", 1], "enabled": "no"}`)
	f.Add(`{"options": {"immutable": true}, "parent_id": null}`)
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil || m == nil {
			return
		}
		parseProjectPatch(m)
	})
}
