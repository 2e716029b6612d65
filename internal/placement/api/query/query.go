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
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Suffixes of granular request groups: numbers from 1.25, and from 1.33
// any short name.
var (
	numericSuffix = regexp.MustCompile(`^[1-9][0-9]*$`)
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
				return cq, unexpected(k, minor)
			}
			// A repeated parameter counts once, the first, as in
			// Placement (webob's GET.get).
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 {
				return cq, schema.QueryFail("pattern", pyfmt.Repr(vs[0])+" does not match '^[1-9][0-9]*$'", "limit")
			}
			cq.Limit = n
			continue
		case "group_policy":
			if minor < 25 {
				return cq, unexpected(k, minor)
			}
			switch vs[0] {
			case "isolate":
				cq.Isolate = true
			case "none":
			default:
				return cq, schema.QueryFail("enum", pyfmt.Repr(vs[0])+" is not one of ['none', 'isolate']", "group_policy")
			}
			continue
		case "root_required":
			if minor < 35 {
				return cq, unexpected(k, minor)
			}
			if len(vs) > 1 {
				return cq, apierr.BadRequest("Query parameter 'root_required' may be specified only once.").WithType(pl.CodeDuplicateKey)
			}
			req, forb, err := Required(vs, minor)
			if err != nil {
				return cq, err
			}
			var both []string
			for _, r := range req {
				if slices.Contains(forb, r[0]) {
					both = append(both, r[0])
				}
			}
			if len(both) > 0 {
				return cq, apierr.BadRequest("Conflicting required and forbidden traits found in root_required: %s", strings.Join(both, ", ")).WithType(pl.CodeBadValue)
			}
			cq.RootRequired, cq.RootForbidden = req, forb
			continue
		case "same_subtree":
			if minor < 36 {
				return cq, unexpected(k, minor)
			}
			for _, v := range vs {
				var list []string
				for _, sfx := range strings.Split(v, ",") {
					if sfx = strings.TrimSpace(sfx); sfx == "" {
						return cq, apierr.BadRequest("Empty string (unsuffixed group) can not be specified in `same_subtree` query param.").WithType(pl.CodeBadValue)
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
			return cq, unexpected(k, minor)
		}
		if suffix != "" {
			ok := minor >= 25 && numericSuffix.MatchString(suffix) || minor >= 33 && anySuffix.MatchString(suffix)
			if !ok {
				return cq, unexpected(k, minor)
			}
		}
		minV := map[string]int{"resources": 10, "required": 17, "member_of": 21, "in_tree": 31}[base]
		if minor < minV {
			return cq, unexpected(k, minor)
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
	inSubtree := map[string]bool{}
	for _, list := range cq.SameSubtree {
		var bad []string
		for _, sfx := range list {
			if groups[sfx] == nil {
				bad = append(bad, sfx)
			}
			inSubtree[sfx] = true
		}
		if len(bad) > 0 {
			return cq, apierr.BadRequest("Real suffixes should be specified in `same_subtree`: %s not found in %s.",
				strings.Join(bad, ", "), strings.Join(slices.DeleteFunc(slices.Sorted(maps.Keys(groups)), func(s string) bool { return s == "" }), ", ")).WithType(pl.CodeBadValue)
		}
	}
	if err := orphans(groups, minor); err != nil {
		return cq, err
	}
	suffixed := 0
	for _, s := range slices.Sorted(maps.Keys(groups)) {
		g := groups[s]
		if len(g.Resources) == 0 && s != "" && !inSubtree[s] {
			return cq, apierr.BadRequest("Resourceless suffixed group request should be specified in `same_subtree` query param: %s", s).WithType(pl.CodeBadValue)
		}
		if s != "" {
			suffixed++
		}
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

// orphans refuses request groups without resources as the microversion
// does: before 1.25 the schema requires resources; until 1.36 every
// group needs resources, and Placement names the required and member_of
// keys of those that have none; from 1.36 (resourceless groups, checked by the caller
// against same_subtree) one group at least must have some.
func orphans(groups map[string]*candidates.Group, minor int) error {
	missing := func(format string, args ...any) error {
		return apierr.BadRequest(format, args...).WithType(pl.CodeMissingValue)
	}
	switch {
	case minor < 25:
		if g := groups[""]; g == nil || len(g.Resources) == 0 {
			return missing("Invalid query string parameters: 'resources' is a required property")
		}
		return nil
	case minor >= 36:
		for _, g := range groups {
			if len(g.Resources) > 0 {
				return nil
			}
		}
		return missing("There must be at least one resources or resources[$S] parameter.")
	}
	for _, kind := range []struct {
		what, key string
		has       func(*candidates.Group) bool
	}{
		{"traits", "required", func(g *candidates.Group) bool { return len(g.Required) > 0 || len(g.Forbidden) > 0 }},
		{"member_of", "member_of", func(g *candidates.Group) bool { return len(g.MemberOf) > 0 || len(g.ForbiddenAggregates) > 0 }},
	} {
		var keys []string
		for _, s := range slices.Sorted(maps.Keys(groups)) {
			if g := groups[s]; len(g.Resources) == 0 && kind.has(g) {
				keys = append(keys, kind.key+s)
			}
		}
		if len(keys) > 0 {
			return missing("All %s parameters must be associated with resources.  Found the following orphaned %s keys: %s", kind.what, kind.what, strings.Join(keys, ", "))
		}
	}
	for _, g := range groups {
		if len(g.Resources) == 0 {
			return missing("All request groups must specify resources.")
		}
	}
	if len(groups) == 0 {
		return missing("At least one request group (`resources` or `resources{$S}`) is required.")
	}
	return nil
}

// unexpected refuses a query parameter the microversion does not know,
// as Placement's schema words it: from 1.25, when the request groups are
// pattern properties, jsonschema lists the patterns.
func unexpected(k string, minor int) error {
	if minor < 25 {
		return apierr.BadRequest("Invalid query string parameters: Additional properties are not allowed ('%s' was unexpected)", k)
	}
	sfx := "[1-9][0-9]*"
	if minor >= 33 {
		sfx = "([a-zA-Z0-9_-]{1,64})?"
	}
	var pats []string
	for _, b := range []string{"in_tree", "member_of", "required", "resources"} {
		if b != "in_tree" || minor >= 31 {
			pats = append(pats, "'^"+b+sfx+"$'")
		}
	}
	return apierr.BadRequest("Invalid query string parameters: '%s' does not match any of the regexes: %s", k, strings.Join(pats, ", "))
}

// Resources reads "VCPU:1,MEMORY_MB:512".
func Resources(s string) (map[string]int64, error) {
	out := map[string]int64{}
	// Placement names the part that is wrong, "empty string" for none.
	bad := func(got string) error {
		return apierr.BadRequest("Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: %s.", got).WithType(pl.CodeBadValue)
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad("empty string")
	}
	for _, part := range strings.Split(s, ",") {
		rc, amt, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || rc == "" || strings.Contains(amt, ":") {
			return nil, bad(part)
		}
		n, ok := amount(amt)
		if !ok {
			if i, err := strconv.ParseInt(amt, 10, 64); err == nil && i < 1 {
				return nil, apierr.BadRequest("Requested resource %s requires amount >= 1. Got: %d.", rc, i).WithType(pl.CodeBadValue)
			}
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
	// Before 1.39 a repeated required counts once, the last one.
	if minor < 39 && len(vs) > 1 {
		vs = vs[len(vs)-1:]
	}
	var req [][]string
	var forb []string
	for _, v := range vs {
		if strings.HasPrefix(v, "in:") && minor < 39 {
			return nil, nil, apierr.BadRequest("The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39.")
		}
		if rest, ok := strings.CutPrefix(v, "in:"); ok {
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
		// Forbidden traits (!T) come with 1.22, and so does the form
		// the refusal shows.
		form := "HW_CPU_X86_VMX,CUSTOM_MAGIC"
		if minor >= 22 {
			form = "HW_CPU_X86_VMX,!CUSTOM_MAGIC"
		}
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" || t == "!" || (minor < 22 && strings.HasPrefix(t, "!")) {
				return nil, nil, apierr.BadRequest("Invalid query string parameters: Expected 'required' parameter value of the form: %s. Got: %s", form, v)
			}
			if rest, ok := strings.CutPrefix(t, "!"); ok {
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
		return nil, nil, apierr.BadRequest("Multiple member_of parameters are not supported")
	}
	var any [][]string
	var forbidden []string
	for _, v := range vs {
		neg := false
		if rest, ok := strings.CutPrefix(v, "!"); ok {
			if minor < 32 {
				return nil, nil, apierr.BadRequest("Forbidden member_of parameters are not supported in the specified microversion")
			}
			neg, v = true, rest
		}
		v, in := strings.CutPrefix(v, "in:")
		if !in && strings.Contains(v, ",") {
			return nil, nil, apierr.BadRequest("Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid microversion.")
		}
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
