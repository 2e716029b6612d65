package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Version is an API microversion such as 2.90.
type Version struct{ Major, Minor int }

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	return v.Major < o.Major || (v.Major == o.Major && v.Minor < o.Minor)
}

// AtLeast reports whether v >= o.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

// ParseVersion parses "X.Y".
func ParseVersion(s string) (Version, error) {
	maj, min, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return Version{}, fmt.Errorf("invalid version %q", s)
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return Version{}, fmt.Errorf("invalid version %q", s)
	}
	return Version{a, b}, nil
}

// Window is an inclusive microversion range; a zero bound is open.
type Window struct{ Min, Max Version }

// Contains reports whether v is inside w.
func (w Window) Contains(v Version) bool {
	if w.Min != (Version{}) && v.Less(w.Min) {
		return false
	}
	if w.Max != (Version{}) && w.Max.Less(v) {
		return false
	}
	return true
}

// Negotiator implements OpenStack microversion negotiation for one service.
type Negotiator struct {
	ServiceType  string // "compute", "placement", "volume"
	LegacyHeader string // e.g. "X-OpenStack-Nova-API-Version"
	Min, Max     Version
	// Refusal, when set, words the refusal of the requested version raw
	// as the service does: the 400 of a malformed one (bad) or the 406 of
	// one out of range. Nil gives Nova's and Cinder's wording.
	Refusal func(raw string, bad bool) string
	// Vary is the Vary value naming the version header; empty gives
	// "OpenStack-API-Version" (Placement writes it in lower case).
	Vary string
}

// Negotiate reads the requested version, answers 406 when it is out of
// range, and sets the response headers.
func (n *Negotiator) Negotiate(w http.ResponseWriter, r *http.Request) (Version, error) {
	raw := ""
	for _, h := range r.Header.Values("OpenStack-API-Version") {
		for _, part := range strings.Split(h, ",") {
			st, val, ok := strings.Cut(strings.TrimSpace(part), " ")
			if ok && strings.EqualFold(st, n.ServiceType) {
				raw = strings.TrimSpace(val)
			}
		}
	}
	if raw == "" && n.LegacyHeader != "" {
		raw = strings.TrimSpace(r.Header.Get(n.LegacyHeader))
	}
	v := n.Min
	switch {
	case raw == "":
	case strings.EqualFold(raw, "latest"):
		v = n.Max
	default:
		pv, err := ParseVersion(raw)
		if err != nil {
			if n.Refusal != nil {
				return Version{}, apierr.BadRequest("%s", n.Refusal(raw, true))
			}
			return Version{}, &apierr.Error{Code: http.StatusBadRequest, Message: fmt.Sprintf("API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", raw)}
		}
		if pv.Less(n.Min) || n.Max.Less(pv) {
			if n.Refusal != nil {
				return Version{}, apierr.New(http.StatusNotAcceptable, "%s", n.Refusal(raw, false))
			}
			return Version{}, &apierr.Error{Code: http.StatusNotAcceptable, Message: fmt.Sprintf("Version %s is not supported by the API. Minimum is %s and maximum is %s.", raw, n.Min, n.Max)}
		}
		v = pv
	}
	w.Header().Set("OpenStack-API-Version", n.ServiceType+" "+v.String())
	if n.LegacyHeader != "" {
		w.Header().Set(n.LegacyHeader, v.String())
	}
	vary := n.Vary
	if vary == "" {
		vary = "OpenStack-API-Version"
	}
	w.Header().Add("Vary", vary)
	if n.LegacyHeader != "" {
		w.Header().Add("Vary", n.LegacyHeader)
	}
	return v, nil
}

// VersionFrom returns the negotiated microversion of the request.
func VersionFrom(ctx context.Context) Version {
	v, _ := ctx.Value(versionKey).(Version)
	return v
}
