// Package query reads Placement's query strings: the resources,
// required and member_of grammar that GET /resource_providers and GET
// /allocation_candidates share, and the request groups of an allocation
// candidates query. Each function takes the request's microversion
// (1.minor) and answers a 400 in Placement's words for what that version
// does not accept.
package query

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/candidates"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Suffixes of granular request groups: numbers from 1.25, and from 1.33
// any short name.
var (
	numericSuffix = regexp.MustCompile(`^[0-9]+$`)
	anySuffix     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
)

// Candidates turns GET /allocation_candidates' query string into the
// core's query: its request groups, sorted by suffix, and the query-wide
// parameters, each accepted from the microversion that introduced it.
func Candidates(q url.Values, minor int) (candidates.Query, error) {
	var cq candidates.Query
	groups := map[string]*candidates.Group{}
	group := func(s string) *candidates.Group {
		g := groups[s]
		if g == nil {
			g = &candidates.Group{Suffix: s}
			groups[s] = g
		}
		return g
	}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		switch k {
		case "limit":
			if minor < 16 {
				return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('limit' was unexpected)")
			}
			n, err := strconv.Atoi(vs[len(vs)-1])
			if err != nil || n < 1 {
				return cq, apierr.BadRequest("Invalid query string parameters: '%s' does not match '^[1-9][0-9]*$'", vs[len(vs)-1])
			}
			cq.Limit = n
			continue
		case "group_policy":
			if minor < 25 {
				return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('group_policy' was unexpected)")
			}
			switch vs[len(vs)-1] {
			case "isolate":
				cq.Isolate = true
			case "none":
			default:
				return cq, apierr.BadRequest("Invalid query string parameters: '%s' is not one of ['none', 'isolate']", vs[len(vs)-1])
			}
			continue
		case "root_required":
			if minor < 35 {
				return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('root_required' was unexpected)")
			}
			req, forb, err := Required(vs, minor)
			if err != nil {
				return cq, err
			}
			cq.RootRequired, cq.RootForbidden = req, forb
			continue
		case "same_subtree":
			if minor < 36 {
				return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('same_subtree' was unexpected)")
			}
			for _, v := range vs {
				var list []string
				for _, sfx := range strings.Split(v, ",") {
					if sfx = strings.TrimSpace(sfx); !anySuffix.MatchString(sfx) {
						return cq, apierr.BadRequest("Invalid query string parameters: Expected 'same_subtree' parameter value of the form: _A,_B. Got: %s", v)
					}
					list = append(list, sfx)
				}
				cq.SameSubtree = append(cq.SameSubtree, list)
			}
			continue
		}
		var base, suffix string
		for _, b := range []string{"resources", "required", "member_of", "in_tree"} {
			if rest, ok := strings.CutPrefix(k, b); ok {
				base, suffix = b, rest
				break
			}
		}
		if base == "" {
			return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
		}
		if suffix != "" {
			ok := minor >= 25 && numericSuffix.MatchString(suffix) || minor >= 33 && anySuffix.MatchString(suffix)
			if !ok {
				return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
			}
		}
		minV := map[string]int{"resources": 10, "required": 17, "member_of": 21, "in_tree": 31}[base]
		if minor < minV {
			return cq, apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
		}
		g := group(suffix)
		switch base {
		case "resources":
			res, err := Resources(vs[len(vs)-1])
			if err != nil {
				return cq, err
			}
			g.Resources = res
		case "required":
			req, forb, err := Required(vs, minor)
			if err != nil {
				return cq, err
			}
			g.Required, g.Forbidden = append(g.Required, req...), append(g.Forbidden, forb...)
		case "member_of":
			any, forb, err := MemberOf(vs, minor)
			if err != nil {
				return cq, err
			}
			g.MemberOf, g.ForbiddenAggregates = any, forb
		case "in_tree":
			t := vs[len(vs)-1]
			if !pl.IsUUID(t) {
				return cq, apierr.BadRequest("Invalid query string parameters: Expected 'in_tree' parameter to be a format of uuid. Got: %s", t)
			}
			g.InTree = pl.NormUUID(t)
		}
	}
	suffixed := 0
	for s, g := range groups {
		if len(g.Resources) == 0 && s == "" && len(groups) == 1 {
			return cq, apierr.BadRequest("Invalid query string parameters: 'resources' is a required property").WithType(pl.CodeMissingValue)
		}
		if len(g.Resources) == 0 && s != "" && minor < 35 {
			return cq, apierr.BadRequest("All request groups must specify resources. Resourceless request group found: %s", s).WithType(pl.CodeMissingValue)
		}
		if s != "" {
			suffixed++
		}
	}
	for _, list := range cq.SameSubtree {
		for _, sfx := range list {
			if groups[sfx] == nil {
				return cq, apierr.BadRequest("No matching request group found for same_subtree suffix %s", sfx)
			}
		}
	}
	if len(groups) == 0 {
		return cq, apierr.BadRequest("Invalid query string parameters: 'resources' is a required property").WithType(pl.CodeMissingValue)
	}
	if suffixed > 1 && !q.Has("group_policy") {
		return cq, apierr.BadRequest("The \"group_policy\" parameter is required when specifying more than one \"resources{N}\" parameter.").WithType(pl.CodeMissingValue)
	}
	for _, s := range slices.Sorted(maps.Keys(groups)) {
		cq.Groups = append(cq.Groups, *groups[s])
	}
	cq.Flat = minor < 29
	return cq, nil
}

// Resources reads "VCPU:1,MEMORY_MB:512".
func Resources(s string) (map[string]int64, error) {
	out := map[string]int64{}
	bad := func() error {
		return apierr.BadRequest("Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: %s.", s).WithType(pl.CodeBadValue)
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad()
	}
	for _, part := range strings.Split(s, ",") {
		rc, amt, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || rc == "" {
			return nil, bad()
		}
		n, ok := amount(amt)
		if !ok {
			return nil, apierr.BadRequest("Requested resource %s expected positive integer amount. Got: %s.", rc, amt).WithType(pl.CodeBadValue)
		}
		if _, dup := out[rc]; dup {
			return nil, apierr.BadRequest("Badly formed resources parameter: resource class %s appears more than once.", rc).WithType(pl.CodeBadValue)
		}
		out[rc] = n
	}
	return out, nil
}

// amount reads a positive amount of at most MaxInt, in plain digits.
func amount(s string) (int64, bool) {
	var n int64
	if s == "" || len(s) > 10 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n >= 1 && n <= pl.MaxInt
}

// Required reads required values: "A,!B", from 1.39 "in:A,B".
// Several values are ANDed.
func Required(vs []string, minor int) ([][]string, []string, error) {
	var req [][]string
	var forb []string
	for _, v := range vs {
		if rest, ok := strings.CutPrefix(v, "in:"); ok && minor >= 39 {
			var any []string
			for _, t := range strings.Split(rest, ",") {
				if t = strings.TrimSpace(t); t == "" || strings.HasPrefix(t, "!") {
					return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: %s", v)
				}
				any = append(any, t)
			}
			req = append(req, any)
			continue
		}
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC. Got: %s", v)
			}
			if rest, ok := strings.CutPrefix(t, "!"); ok && minor >= 22 {
				if rest == "" {
					return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC. Got: %s", v)
				}
				forb = append(forb, rest)
				continue
			}
			req = append(req, []string{t})
		}
	}
	return req, forb, nil
}

// MemberOf reads member_of values: "in:a,b" (any of), "a", and from
// 1.32 "!a" / "!in:a,b" (none of). Several values (1.24) are ANDed.
func MemberOf(vs []string, minor int) ([][]string, []string, error) {
	if len(vs) > 1 && minor < 24 {
		vs = vs[len(vs)-1:]
	}
	var any [][]string
	var forbidden []string
	for _, v := range vs {
		neg := false
		if rest, ok := strings.CutPrefix(v, "!"); ok {
			if minor < 32 {
				return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: %s", v)
			}
			neg, v = true, rest
		}
		v = strings.TrimPrefix(v, "in:")
		var ids []string
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if !pl.IsUUID(id) {
				return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: %s", v)
			}
			ids = append(ids, pl.NormUUID(id))
		}
		if neg {
			forbidden = append(forbidden, ids...)
		} else {
			any = append(any, ids)
		}
	}
	return any, forbidden, nil
}
