package schema

import (
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestWording(t *testing.T) {
	var gen struct {
		Generation *int64    `json:"resource_provider_generation"`
		Traits     *[]string `json:"traits"`
		Nested     struct {
			N int `json:"n"`
		} `json:"nested"`
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"required", Required("name"), "JSON does not validate: 'name' is a required property\n\nFailed validating 'required' in schema"},
		{"nested path", Required("resources", "allocations", Items), "in schema['properties']['allocations']['items']"},
		{"empty", Length("", 1, 255, false, "project_id"), "'' should be non-empty\n\nFailed validating 'minLength' in schema['properties']['project_id']"},
		{"too short", Length("ab", 3, 255, false), "'ab' is too short"},
		{"too long", Length("abcd", 1, 3, false), "'abcd' is too long\n\nFailed validating 'maxLength'"},
		{"query", Length("", 1, 255, true, "user_id"), "Invalid query string parameters: '' should be non-empty"},
		{"format", Format("x", "uuid", "uuid"), "'x' is not a 'uuid'\n\nFailed validating 'format'"},
		{"pattern", Pattern("VCPU", "^CUSTOM_[A-Z0-9_]+$"), "'VCPU' does not match '^CUSTOM_[A-Z0-9_]+$'\n\nFailed validating 'pattern'"},
		{"type of a value", Decode([]byte(`{"resource_provider_generation":"invalid_generation"}`), &gen),
			"'invalid_generation' is not of type 'integer'\n\nFailed validating 'type' in schema['properties']['resource_provider_generation']"},
		{"type of a list", Decode([]byte(`{"traits":"invalid_type"}`), &gen), "'invalid_type' is not of type 'array'"},
		{"type nested", Decode([]byte(`{"nested":{"n":true}}`), &gen), "True is not of type 'integer'\n\nFailed validating 'type' in schema['properties']['nested']['properties']['n']"},
		{"member of a map", Decode([]byte(`{"mappings":{"alpha":"beta"}}`), &struct {
			Mappings map[string][]string `json:"mappings"`
		}{}), "'beta' is not of type 'array'"},
		{"member of a list", Decode([]byte(`{"traits":["a",1]}`), &gen), "1 is not of type 'string'"},
		{"unknown property", Decode([]byte(`{"color":"blue"}`), &gen), "JSON does not validate: Additional properties are not allowed ('color' was unexpected)"},
		{"syntax", Decode([]byte(`{"traits":`), &gen), "Malformed JSON: "},
		{"empty body", Decode([]byte(" "), &gen), "Malformed JSON: "},
	}
	for _, tt := range tests {
		if !apierr.IsBadRequest(tt.err) || !strings.Contains(apierr.Message(tt.err), tt.want) {
			t.Errorf("%s: %v, want a 400 with %q", tt.name, tt.err, tt.want)
		}
	}
	if err := Length("ok", 1, 255, false); err != nil {
		t.Errorf("Length of a good value = %v", err)
	}
}

func TestAcceptsJSON(t *testing.T) {
	for _, tt := range []struct {
		accept string
		want   bool
	}{
		{"application/json", true}, {"*/*", true}, {"text/html,*/*;q=0.8", true}, {"application/*", true},
		{"text/plain", false}, {"text/html,application/xhtml+xml,application/xml;q=0.9", false}, {"application/json;q=0", false},
	} {
		if got := acceptsJSON(tt.accept); got != tt.want {
			t.Errorf("acceptsJSON(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}
