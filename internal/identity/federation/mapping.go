package federation

import (
	"fmt"
	"net/textproto"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// The two kinds of mapped users: an ephemeral user is shadowed in the
// IdP's domain; a local user must already exist.
const (
	Ephemeral = "ephemeral"
	Local     = "local"
)

// Validate checks a mapping body ({"rules": [...], ...}) against
// Keystone's mapping schema (schema version 1.0). Its error, as
// Keystone's, lists every violation in jsonschema's words, one per line.
func Validate(mapping map[string]any) error {
	v := &validator{}
	v.mapping(mapping)
	if len(v.msgs) == 0 {
		return nil
	}
	sort.Strings(v.msgs)
	return &RuleError{Msg: strings.Join(v.msgs, "\n") + "\n"}
}

// RuleError is an invalid mapping: its message is Keystone's.
type RuleError struct{ Msg string }

func (e *RuleError) Error() string { return e.Msg }

type validator struct{ msgs []string }

func (v *validator) add(format string, args ...any) {
	v.msgs = append(v.msgs, fmt.Sprintf(format, args...))
}

// obj checks that x is an object with the required keys and, when
// allowed is not nil, no others. It returns the object, or nil.
func (v *validator) obj(x any, required []string, allowed map[string]bool) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.add("%s is not of type 'object'", pyfmt.Repr(x))
		return nil
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			v.add("%s is a required property", pyfmt.Repr(k))
		}
	}
	if allowed != nil {
		var extra []string
		for k := range m {
			if !allowed[k] {
				extra = append(extra, pyfmt.Repr(k))
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			verb := "was"
			if len(extra) > 1 {
				verb = "were"
			}
			v.add("Additional properties are not allowed (%s %s unexpected)", strings.Join(extra, ", "), verb)
		}
	}
	return m
}

func (v *validator) str(x any) {
	if _, ok := x.(string); !ok {
		v.add("%s is not of type 'string'", pyfmt.Repr(x))
	}
}

func (v *validator) arr(x any, minItems int) []any {
	a, ok := x.([]any)
	if !ok {
		v.add("%s is not of type 'array'", pyfmt.Repr(x))
		return nil
	}
	if len(a) < minItems {
		v.add("%s is too short", pyfmt.Repr(a))
		return nil
	}
	return a
}

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func (v *validator) mapping(m map[string]any) {
	if _, ok := m["rules"]; !ok {
		v.add("'rules' is a required property")
		return
	}
	for _, r := range v.arr(m["rules"], 1) {
		rule := v.obj(r, []string{"local", "remote"}, set("local", "remote"))
		if rule == nil {
			continue
		}
		if l, ok := rule["local"]; ok {
			for _, x := range v.arr(l, 0) {
				v.local(x)
			}
		}
		if rm, ok := rule["remote"]; ok {
			for _, x := range v.arr(rm, 1) {
				if !validRemote(x) {
					v.add("%s is not valid under any of the given schemas", pyfmt.Repr(x))
				}
			}
		}
	}
}

// idOrName is the schema of {"id": ..., "name": ...} references.
func (v *validator) idOrName(x any) {
	if m := v.obj(x, nil, set("id", "name")); m != nil {
		for _, k := range []string{"id", "name"} {
			if s, ok := m[k]; ok {
				v.str(s)
			}
		}
	}
}

func (v *validator) local(x any) {
	m := v.obj(x, nil, set("user", "projects", "group", "groups", "group_ids", "domain"))
	if m == nil {
		return
	}
	if u, ok := m["user"]; ok {
		if um := v.obj(u, nil, set("id", "name", "email", "domain", "type")); um != nil {
			for _, k := range []string{"id", "name", "email"} {
				if s, ok := um[k]; ok {
					v.str(s)
				}
			}
			if d, ok := um["domain"]; ok {
				v.idOrName(d)
			}
			if t, ok := um["type"]; ok {
				if s, _ := t.(string); s != Ephemeral && s != Local {
					v.add("%s is not one of ['ephemeral', 'local']", pyfmt.Repr(t))
				}
			}
		}
	}
	if ps, ok := m["projects"]; ok {
		for _, p := range v.arr(ps, 0) {
			pm := v.obj(p, []string{"name", "roles"}, set("name", "roles"))
			if pm == nil {
				continue
			}
			if n, ok := pm["name"]; ok {
				v.str(n)
			}
			if rs, ok := pm["roles"]; ok {
				for _, r := range v.arr(rs, 0) {
					if rm := v.obj(r, []string{"name"}, set("name")); rm != nil {
						if n, ok := rm["name"]; ok {
							v.str(n)
						}
					}
				}
			}
		}
	}
	if g, ok := m["group"]; ok {
		if _, isObj := g.(map[string]any); !isObj {
			v.add("%s is not of type 'object'", pyfmt.Repr(g))
		} else if !validGroup(g) {
			v.add("%s is not valid under any of the given schemas", pyfmt.Repr(g))
		}
	}
	for _, k := range []string{"groups", "group_ids"} {
		if s, ok := m[k]; ok {
			v.str(s)
		}
	}
	if d, ok := m["domain"]; ok {
		v.idOrName(d)
	}
}

// valid reports whether running check finds nothing wrong.
func valid(check func(v *validator)) bool {
	v := &validator{}
	check(v)
	return len(v.msgs) == 0
}

// validGroup is the oneOf of group_by_id and group_by_name.
func validGroup(g any) bool {
	byID := valid(func(v *validator) {
		if m := v.obj(g, []string{"id"}, set("id")); m != nil {
			v.str(m["id"])
		}
	})
	byName := valid(func(v *validator) {
		if m := v.obj(g, []string{"name", "domain"}, set("name", "domain")); m != nil {
			v.str(m["name"])
			v.idOrName(m["domain"])
		}
	})
	return byID != byName
}

// validRemote is the oneOf of the remote requirement kinds: exactly one
// must accept x.
func validRemote(x any) bool {
	kind := func(key string, regex bool) func(v *validator) {
		return func(v *validator) {
			req := []string{"type"}
			allowed := set("type")
			if key != "" {
				req = append(req, key)
				allowed[key] = true
			}
			if regex {
				allowed["regex"] = true
			}
			m := v.obj(x, req, allowed)
			if m == nil {
				return
			}
			v.str(m["type"])
			if key != "" {
				if _, ok := m[key]; ok {
					v.arr(m[key], 0)
				}
			}
			if r, ok := m["regex"]; ok {
				if _, isBool := r.(bool); !isBool {
					v.add("%s is not of type 'boolean'", pyfmt.Repr(r))
				}
			}
		}
	}
	n := 0
	for _, k := range []func(*validator){kind("", false), kind("any_one_of", true), kind("not_any_of", true), kind("blacklist", false), kind("whitelist", false)} {
		if valid(k) {
			n++
		}
	}
	return n == 1
}

// Assertion is what the identity provider asserted, by attribute name:
// for gostack the request headers a trusted front end set. A value holds
// several values separated by ";", as Keystone reads them.
type Assertion map[string]string

// Get returns the attribute name, looked up as written and then as an
// HTTP header name (headers arrive in canonical form).
func (a Assertion) Get(name string) (string, bool) {
	if v, ok := a[name]; ok {
		return v, true
	}
	v, ok := a[textproto.CanonicalMIMEHeaderKey(name)]
	return v, ok
}

// Ref names a domain (or a group's domain) by id or name.
type Ref struct{ ID, Name string }

// MappedUser is the user a mapping yields.
type MappedUser struct {
	ID, Name, Email, Type string
	Domain                *Ref
}

// GroupName is a group named with its domain.
type GroupName struct {
	Name   string
	Domain Ref
}

// MappedProject is a project a mapping provisions with its roles.
type MappedProject struct {
	Name  string
	Roles []string
}

// Mapped is what a mapping makes of an assertion.
type Mapped struct {
	User       MappedUser
	GroupIDs   []string
	GroupNames []GroupName
	Projects   []MappedProject
}

// Process applies the rules of a valid mapping to an assertion as
// Keystone's RuleProcessor does: every rule whose remote requirements
// all hold contributes its local part, with {N} replaced by the values of
// the N-th requirement that maps values directly. An error means the
// mapping yields no usable identity (an authentication failure).
func Process(rules []any, a Assertion) (*Mapped, error) {
	var locals []map[string]any
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		remotes, _ := rule["remote"].([]any)
		localList, _ := rule["local"].([]any)
		direct, ok := matchRemote(remotes, a)
		if !ok {
			continue
		}
		for _, l := range localList {
			lm, _ := l.(map[string]any)
			if len(direct) > 0 {
				sub, err := substitute(lm, direct)
				if err != nil {
					return nil, err
				}
				lm = sub.(map[string]any)
			}
			locals = append(locals, lm)
		}
	}
	return transform(locals)
}

// matchRemote checks a rule's requirements; it returns the values of the
// requirements that map directly, in order.
func matchRemote(reqs []any, a Assertion) ([][]string, bool) {
	direct := [][]string{}
	for _, x := range reqs {
		req, _ := x.(map[string]any)
		typ, _ := req["type"].(string)
		raw, ok := a.Get(typ)
		if !ok || raw == "" {
			return nil, false
		}
		values := strings.Split(raw, ";")
		regex, _ := req["regex"].(bool)
		if list, ok := req["any_one_of"].([]any); ok {
			if !anyMatch(list, values, regex) {
				return nil, false
			}
			continue
		}
		if list, ok := req["not_any_of"].([]any); ok {
			if anyMatch(list, values, regex) {
				return nil, false
			}
			continue
		}
		if list, ok := req["blacklist"].([]any); ok {
			values = filter(values, list, false)
		} else if list, ok := req["whitelist"].([]any); ok {
			values = filter(values, list, true)
		}
		direct = append(direct, values)
	}
	return direct, true
}

func anyMatch(patterns []any, values []string, regex bool) bool {
	for _, p := range patterns {
		ps, _ := p.(string)
		for _, v := range values {
			if regex {
				// An invalid pattern matches nothing.
				if re, err := regexp.Compile(ps); err == nil && re.MatchString(v) {
					return true
				}
			} else if ps == v {
				return true
			}
		}
	}
	return false
}

func filter(values []string, list []any, keep bool) []string {
	in := map[string]bool{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			in[s] = true
		}
	}
	out := []string{}
	for _, v := range values {
		if in[v] == keep {
			out = append(out, v)
		}
	}
	return out
}

// DirectMapError is a local part naming a remote value that does not
// exist ({1} with one direct requirement).
type DirectMapError struct{}

func (DirectMapError) Error() string {
	return "Local section in mapping refers to a remote match that doesn't exist (e.g. {0} in a local section)."
}

// substitute replaces {N} in every string of a local part.
func substitute(x any, direct [][]string) (any, error) {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			nv, err := substitute(v, direct)
			if err != nil {
				return nil, err
			}
			out[k] = nv
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			nv, err := substitute(v, direct)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	case string:
		return format(t, direct)
	}
	return x, nil
}

// format is Python's str.format with positional fields only: a field of
// one value becomes that value, of several the list's repr.
func format(s string, direct [][]string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' && i+1 < len(s) && s[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		if c == '}' && i+1 < len(s) && s[i+1] == '}' {
			b.WriteByte('}')
			i++
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", DirectMapError{}
		}
		n, err := strconv.Atoi(s[i+1 : i+end])
		if err != nil || n < 0 || n >= len(direct) {
			return "", DirectMapError{}
		}
		if v := direct[n]; len(v) == 1 {
			b.WriteString(v[0])
		} else {
			b.WriteString(pyfmt.Repr(v))
		}
		i += end
	}
	return b.String(), nil
}

// literalList reads a value that may be a Python list literal of strings
// ("['a', 'b']", what a multi-valued direct map renders); anything else
// is one value.
func literalList(s string) []string {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return []string{s}
	}
	body := strings.TrimSpace(t[1 : len(t)-1])
	out := []string{}
	for body != "" {
		q := body[0]
		if q != '\'' && q != '"' {
			return []string{s}
		}
		var cur strings.Builder
		j := 1
		for ; j < len(body) && body[j] != q; j++ {
			if body[j] == '\\' && j+1 < len(body) {
				j++
			}
			cur.WriteByte(body[j])
		}
		if j >= len(body) {
			return []string{s}
		}
		out = append(out, cur.String())
		body = strings.TrimSpace(body[j+1:])
		if strings.HasPrefix(body, ",") {
			body = strings.TrimSpace(body[1:])
		} else if body != "" {
			return []string{s}
		}
	}
	return out
}

func refOf(x any) *Ref {
	m, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	id, _ := m["id"].(string)
	name, _ := m["name"].(string)
	return &Ref{ID: id, Name: name}
}

// transform gathers the local parts into one identity, as Keystone's
// RuleProcessor._transform: the first user wins, groups accumulate.
func transform(locals []map[string]any) (*Mapped, error) {
	if len(locals) == 0 {
		return nil, &RuleError{Msg: "Could not map any federated user properties to identity values. Check debug logs or the mapping used for additional details."}
	}
	out := &Mapped{}
	userSet := false
	ids := map[string]bool{}
	addID := func(id string) {
		if !ids[id] {
			ids[id] = true
			out.GroupIDs = append(out.GroupIDs, id)
		}
	}
	names := map[GroupName]bool{}
	addName := func(g GroupName) {
		if !names[g] {
			names[g] = true
			out.GroupNames = append(out.GroupNames, g)
		}
	}
	for _, l := range locals {
		if u, ok := l["user"].(map[string]any); ok && !userSet {
			userSet = true
			out.User.ID, _ = u["id"].(string)
			out.User.Name, _ = u["name"].(string)
			out.User.Email, _ = u["email"].(string)
			out.User.Type, _ = u["type"].(string)
			out.User.Domain = refOf(u["domain"])
		}
		if g, ok := l["group"].(map[string]any); ok {
			if id, ok := g["id"].(string); ok {
				addID(id)
			} else if name, ok := g["name"].(string); ok {
				if d := refOf(g["domain"]); d != nil {
					addName(GroupName{Name: name, Domain: *d})
				}
			}
		}
		if gs, ok := l["groups"].(string); ok {
			d := refOf(l["domain"])
			if d == nil {
				return nil, &RuleError{Msg: fmt.Sprintf("Invalid rule: %s. Both 'groups' and 'domain' keywords must be specified.", pyfmt.Repr(l))}
			}
			for _, n := range literalList(gs) {
				addName(GroupName{Name: n, Domain: *d})
			}
		}
		if gs, ok := l["group_ids"].(string); ok {
			for _, id := range literalList(gs) {
				addID(id)
			}
		}
		if ps, ok := l["projects"].([]any); ok {
			out.Projects = nil
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				mp := MappedProject{}
				mp.Name, _ = pm["name"].(string)
				rs, _ := pm["roles"].([]any)
				for _, r := range rs {
					rm, _ := r.(map[string]any)
					if n, ok := rm["name"].(string); ok {
						mp.Roles = append(mp.Roles, n)
					}
				}
				out.Projects = append(out.Projects, mp)
			}
		}
	}
	switch out.User.Type {
	case "":
		out.User.Type = Ephemeral
	case Ephemeral, Local:
	default:
		return nil, &RuleError{Msg: fmt.Sprintf("User type %s not supported", out.User.Type)}
	}
	return out, nil
}
