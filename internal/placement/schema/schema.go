// Package schema words the requests that fail Placement's JSON schemas as
// Placement does. Placement validates every body and query string with
// jsonschema and answers a 400 whose detail is jsonschema's own text
// under "JSON does not validate: " (bodies) or "Invalid query string
// parameters: " (queries): the message ("'name' is a required
// property") and the keyword that failed ("Failed validating 'required'
// in schema['properties']..."). Clients and Placement's own functional
// tests match on both, so every check of the placement service and its
// API builds its refusal here, in one wording.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// The prefixes of Placement's schema errors.
const (
	bodyPrefix  = "JSON does not validate: "
	queryPrefix = "Invalid query string parameters: "
)

// Items in a path steps into an array's items.
const Items = "[]"

// Fail is a body that fails keyword at path (the property names from the
// schema's root, each under 'properties', or Items): msg is jsonschema's message.
func Fail(keyword, msg string, path ...string) *apierr.Error {
	return apierr.BadRequest("%s", bodyPrefix+detail(keyword, msg, path))
}

// QueryFail is Fail for a query string.
func QueryFail(keyword, msg string, path ...string) *apierr.Error {
	return apierr.BadRequest("%s", queryPrefix+detail(keyword, msg, path))
}

func detail(keyword, msg string, path []string) string {
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString("\n\nFailed validating '" + keyword + "' in schema")
	for _, p := range path {
		if p == Items {
			b.WriteString("['items']")
			continue
		}
		b.WriteString("['properties']['" + p + "']")
	}
	return b.String()
}

// Required is a missing property of the object at path.
func Required(prop string, path ...string) *apierr.Error {
	return Fail("required", pyfmt.Repr(prop)+" is a required property", path...)
}

// Additional is a property the schema does not allow (or not at this
// microversion).
func Additional(prop string, path ...string) *apierr.Error {
	return Fail("additionalProperties", "Additional properties are not allowed ("+pyfmt.Repr(prop)+" was unexpected)", path...)
}

// Type is a value of the wrong JSON type; want is the schema's type name
// (integer, string, array, object).
func Type(v any, want string, path ...string) *apierr.Error {
	return Fail("type", pyfmt.Repr(v)+" is not of type "+pyfmt.Repr(want), path...)
}

// Format is a string that is not of a format (uuid).
func Format(v, format string, path ...string) *apierr.Error {
	return Fail("format", pyfmt.Repr(v)+" is not a "+pyfmt.Repr(format), path...)
}

// Pattern is a string that does not match the schema's pattern.
func Pattern(v, pattern string, path ...string) *apierr.Error {
	return Fail("pattern", pyfmt.Repr(v)+" does not match "+pyfmt.Repr(pattern), path...)
}

// Length checks a string's length against minLength and maxLength,
// returning jsonschema's refusal or nil; query words it for a query
// string.
func Length(v string, min, max int, query bool, path ...string) *apierr.Error {
	fail := Fail
	if query {
		fail = QueryFail
	}
	n := len([]rune(v))
	switch {
	case n < min && n == 0:
		return fail("minLength", pyfmt.Repr(v)+" should be non-empty", path...)
	case n < min:
		return fail("minLength", pyfmt.Repr(v)+" is too short", path...)
	case n > max:
		return fail("maxLength", pyfmt.Repr(v)+" is too long", path...)
	}
	return nil
}

// MinItems is an array with fewer items than the schema's minItems.
func MinItems(v any, path ...string) *apierr.Error {
	return Fail("minItems", pyfmt.Repr(v)+" is too short", path...)
}

// MinProperties is an object with fewer properties than the schema's
// minProperties.
func MinProperties(v any, path ...string) *apierr.Error {
	return Fail("minProperties", pyfmt.Repr(v)+" does not have enough properties", path...)
}

// Decode reads a JSON body strictly into dst (httpapi.DecodeBytes) and
// words what fails as Placement does: a syntax error is "Malformed
// JSON", anything else "JSON does not validate"; a value of the wrong
// type is jsonschema's "'x' is not of type 'integer'", quoting the value
// the client sent.
func Decode(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apierr.BadRequest("Malformed JSON: the request body is empty; a JSON object is required.")
	}
	err := httpapi.DecodeBytes(body, dst, true)
	he, ok := apierr.As(err)
	if !ok || he.Code != http.StatusBadRequest {
		return err
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) || errors.Is(he.Err, io.ErrUnexpectedEOF):
		he.Message = "Malformed JSON: " + he.Message
	case errors.As(err, &typ) && typ.Field != "":
		path := strings.Split(typ.Field, ".")
		return Type(offending(valueAt(body, path), typ.Value), typeName(typ.Type), path...)
	default:
		// jsonschema quotes names with single quotes.
		msg := strings.Replace(he.Message, `("`, `('`, 1)
		msg = strings.Replace(msg, `" was unexpected)`, `' was unexpected)`, 1)
		he.Message = bodyPrefix + msg
	}
	return err
}

// valueAt is the JSON value at path in body, nil when there is none.
func valueAt(body []byte, path []string) any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// offending is the value of JSON kind kind ("string", "number", …) in
// v: v itself, or for a map's or list's member of the wrong type (which
// encoding/json reports at the container's path) the first such member,
// which is what jsonschema names.
func offending(v any, kind string) any {
	// "number -5": the kind is the first word.
	kind, _, _ = strings.Cut(kind, " ")
	if jsonKind(v) == kind {
		return v
	}
	var members []any
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			members = append(members, x[k])
		}
	case []any:
		members = x
	}
	for _, m := range members {
		if jsonKind(m) == kind {
			return m
		}
	}
	return v
}

// jsonKind names a decoded JSON value's kind as encoding/json's
// UnmarshalTypeError.Value does (without a number's digits).
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// typeName is the JSON schema type of a Go type.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// Media wraps a handler with Placement's media-type checks (its
// require_content and check_accept decorators and the content-length
// tests of its WSGI handler): a Content-Length that is not an integer,
// or a body without a Content-Type, is a 400;
// when body is set, a Content-Type other than application/json is a 415
// (an absent one named None); an Accept header that admits no
// application/json is a 406.
func Media(h httpapi.HandlerFunc, body, accept bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ct := r.Header.Get("Content-Type")
		if _, err := strconv.Atoi(strings.TrimSpace(r.Header.Get("Content-Length"))); err != nil && r.Header.Get("Content-Length") != "" {
			// net/http's server refuses such a request itself; this
			// answers one served in process.
			return apierr.BadRequest("content-length header must be an integer")
		}
		if r.ContentLength > 0 && ct == "" {
			return apierr.BadRequest("content-type header required when content-length > 0")
		}
		if mt, _, _ := strings.Cut(ct, ";"); body && strings.ToLower(strings.TrimSpace(mt)) != "application/json" {
			if ct == "" {
				ct = "None"
			}
			return apierr.New(http.StatusUnsupportedMediaType, "The media type %s is not supported, use application/json", ct)
		}
		if a := r.Header.Get("Accept"); accept && a != "" && !acceptsJSON(a) {
			return apierr.New(http.StatusNotAcceptable, "Only application/json is provided")
		}
		return h(w, r)
	}
}

// acceptsJSON reports whether an Accept header admits application/json.
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(part, ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "*/*", "application/*", "application/json":
			return true
		}
	}
	return false
}
