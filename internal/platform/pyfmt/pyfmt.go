// Package pyfmt writes values as Python's str() and repr() write them.
// OpenStack's messages quote what the client sent through these two
// (jsonschema's "'x' is not of type 'integer'", Swift's "Invalid ACL
// 'x'"), and some protocols sign or compare a value's str() (EC2
// credentials, policy checks, list filters), so every service that
// answers as its Python original does needs the same rendering. Values
// are those JSON decoding gives (nil, bool, string, float64, []any,
// map[string]any) and the plain Go types a service fills in.
package pyfmt

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Str is Python's str() of v: None, True and False, a string as it is,
// a number without a fraction as the integer JSON sent (Python decodes
// 3 as an int, where Go has 3.0), anything else as fmt prints it.
func Str(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case float64:
		return number(x)
	}
	return fmt.Sprint(v)
}

// Repr is Python's repr() of a JSON value: strings quoted, lists and
// objects written out with their members' repr ({'k': [1, 'a']}). An
// object's keys come sorted, since Go's maps keep no order to follow.
func Repr(v any) string {
	switch x := v.(type) {
	case string:
		return Quote(x)
	case []string:
		return list(len(x), func(i int) string { return Quote(x[i]) })
	case []any:
		return list(len(x), func(i int) string { return Repr(x[i]) })
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = Quote(k) + ": " + Repr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return Str(v)
}

// Quote is Python's repr() of a str: in single quotes, or double ones
// when s holds a single quote and no double one; the backslash, the
// quote and control characters escaped.
func Quote(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	var b strings.Builder
	b.WriteString(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case string(r) == q:
			b.WriteString(`\` + q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(q)
	return b.String()
}

// number writes a JSON number: one without a fraction that fits an int64
// as the integer, any other in Go's shortest form (1.5, 1e+21).
func number(x float64) string {
	if x == float64(int64(x)) {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// list writes a Python list of n members.
func list(n int, member func(int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = member(i)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
