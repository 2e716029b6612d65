package directory

import (
	"net/http"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// stringOps are Keystone's string filter operators (name__contains=...).
func stringOps() []string {
	return []string{"contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "equals", "iequals"}
}

// nameOps collects name__<op> filters.
func nameOps(r *http.Request, attr string) []directory.StringOp {
	var out []directory.StringOp
	q := r.URL.Query()
	for _, op := range stringOps() {
		if q.Has(attr + "__" + op) {
			out = append(out, directory.StringOp{Op: op, Value: q.Get(attr + "__" + op)})
		}
	}
	return out
}

// timeOps parses password_expires_at=<op>:<timestamp>[,<op>:<timestamp>].
func timeOps(r *http.Request, attr string) ([]directory.TimeOp, error) {
	raw := r.URL.Query().Get(attr)
	if raw == "" {
		return nil, nil
	}
	var out []directory.TimeOp
	for _, part := range strings.Split(raw, ",") {
		op, ts, ok := strings.Cut(part, ":")
		if !ok {
			op, ts = "eq", part
		}
		switch op {
		case "lt", "lte", "gt", "gte", "eq", "neq":
		default:
			return nil, apierr.BadRequest("Invalid input for filter '%s': unknown operator %s.", attr, directory.Quote(op))
		}
		var t time.Time
		var err error
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"} {
			if t, err = time.Parse(layout, ts); err == nil {
				break
			}
		}
		if err != nil {
			return nil, apierr.BadRequest("Invalid input for filter '%s': %s is not a timestamp.", attr, directory.Quote(ts))
		}
		out = append(out, directory.TimeOp{Op: op, At: t.UTC()})
	}
	return out, nil
}
