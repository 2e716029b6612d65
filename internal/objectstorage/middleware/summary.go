package middleware

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// SummaryFormats returns the response types bulk operations (bulk
// delete, archive extraction, SLO's manifest delete and upload errors)
// can answer in, in Swift's order of preference (ACCEPTABLE_FORMATS).
func SummaryFormats() []string {
	return []string{"text/plain", "application/json", "application/xml", "text/xml"}
}

// Summary is the body a bulk operation ends with: a few named values
// ("Number Deleted", "Response Status", ...) and a list of
// [quoted name, status or message] failures.
type Summary struct {
	Values map[string]any
	Errors [][2]string
}

// Render returns the summary in the given format as Swift's
// get_heartbeat_response_body writes it: JSON with an "Errors" array, XML
// under root (without declaration), or "Key: value" lines followed by
// "Errors:" and one "name, status" line each.
func (s Summary) Render(format, root string) []byte {
	keys := make([]string, 0, len(s.Values))
	for k := range s.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	errs := s.Errors
	if errs == nil {
		errs = [][2]string{}
	}
	switch {
	case format == "application/json":
		m := make(map[string]any, len(s.Values)+1)
		for k, v := range s.Values {
			m[k] = v
		}
		list := make([][]string, len(errs))
		for i, e := range errs {
			list[i] = []string{e[0], e[1]}
		}
		m["Errors"] = list
		// Python's json.dumps separates with ", " and ": " and escapes
		// non-ASCII; the keys come out sorted here, which no client can
		// tell from Swift's insertion order.
		return PyJSON(m)
	case strings.HasSuffix(format, "/xml"):
		var b strings.Builder
		b.WriteString("<" + root + ">\n")
		for _, k := range keys {
			x := strings.ToLower(strings.ReplaceAll(k, " ", "_"))
			fmt.Fprintf(&b, "<%s>%s</%s>\n", x, html.EscapeString(fmt.Sprint(s.Values[k])), x)
		}
		b.WriteString("<errors>\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "<object><name>%s</name><status>%s</status></object>\n",
				html.EscapeString(e[0]), html.EscapeString(e[1]))
		}
		b.WriteString("</errors>\n</" + root + ">\n")
		return []byte(b.String())
	default:
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %v\n", k, s.Values[k])
		}
		b.WriteString("Errors:\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "%s, %s\n", e[0], e[1])
		}
		return []byte(b.String())
	}
}

// StatusLine returns Swift's status text for a code, "404 Not Found".
func StatusLine(code int) string {
	return fmt.Sprintf("%d %s", code, swift.Reason(code))
}
