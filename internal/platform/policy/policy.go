// Package policy implements the oslo.policy rule language that OpenStack
// services use for authorization, with per-service defaults and an operator
// policy.yaml (or policy.json) override.
//
// Rule syntax: "@" (always), "!" (never), "rule:NAME", "role:NAME",
// generic checks "KIND:MATCH" where KIND is a credential attribute (dotted
// paths such as token.domain.id allowed) and MATCH is a literal, 'quoted
// constant', True/False, or a %(target.attr)s substitution from the target;
// combined with "and", "or", "not" and parentheses. An empty rule allows.
package policy

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Enforcer evaluates named rules. It is safe for concurrent use.
type Enforcer struct {
	mu    sync.RWMutex
	rules map[string]Check
	raw   map[string]string
	// attrs and keys remember what Attrs and TargetKeys found; Set
	// forgets them.
	attrs map[string][]string
	keys  map[string][]string
}

// New parses defaults and returns an Enforcer.
func New(defaults map[string]string) (*Enforcer, error) {
	e := &Enforcer{rules: map[string]Check{}, raw: map[string]string{}}
	if err := e.Set(defaults); err != nil {
		return nil, err
	}
	return e, nil
}

// Set adds or replaces rules.
func (e *Enforcer) Set(rules map[string]string) error {
	parsed := make(map[string]Check, len(rules))
	for name, text := range rules {
		c, err := Parse(text)
		if err != nil {
			return fmt.Errorf("policy rule %q: %w", name, err)
		}
		parsed[name] = c
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, c := range parsed {
		e.rules[name] = c
		e.raw[name] = rules[name]
	}
	e.attrs, e.keys = nil, nil
	return nil
}

// Load returns an Enforcer of a service's defaults with the operator's
// override file at path applied (see LoadFile): what every service does
// when it starts.
func Load(defaults map[string]string, path string) (*Enforcer, error) {
	e, err := New(defaults)
	if err != nil {
		return nil, err
	}
	if err := e.LoadFile(path); err != nil {
		return nil, err
	}
	return e, nil
}

// LoadFile applies an operator override file (YAML or JSON: a map from rule
// name to rule text). A missing file is not an error.
func (e *Enforcer) LoadFile(path string) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var m map[string]string
	if err := yaml.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("policy file %s: %w", path, err)
	}
	return e.Set(m)
}

// Rules returns the rule texts currently in force, sorted by name.
func (e *Enforcer) Rules() [][2]string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([][2]string, 0, len(e.raw))
	for k, v := range e.raw {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Enforce reports whether creds may perform rule on target. An unknown rule
// is refused.
func (e *Enforcer) Enforce(rule string, target, creds map[string]any) bool {
	e.mu.RLock()
	c, ok := e.rules[rule]
	e.mu.RUnlock()
	if !ok {
		return false
	}
	return c.Check(&env{e: e, target: target, creds: creds})
}

// Has reports whether rule is defined (Neutron's attribute rules, such as
// "create_network:shared", apply only where one exists).
func (e *Enforcer) Has(rule string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.rules[rule]
	return ok
}

type env struct {
	e      *Enforcer
	target map[string]any
	creds  map[string]any
	depth  int
}

// Check is a parsed rule.
type Check interface {
	Check(*env) bool
	String() string
}

type trueCheck struct{}
type falseCheck struct{}
type notCheck struct{ c Check }
type andCheck struct{ cs []Check }
type orCheck struct{ cs []Check }
type ruleCheck struct{ name string }
type roleCheck struct{ match string }
type genericCheck struct{ kind, match string }

func (trueCheck) Check(*env) bool    { return true }
func (trueCheck) String() string     { return "@" }
func (falseCheck) Check(*env) bool   { return false }
func (falseCheck) String() string    { return "!" }
func (n notCheck) Check(v *env) bool { return !n.c.Check(v) }
func (n notCheck) String() string    { return "not " + n.c.String() }

func (a andCheck) Check(v *env) bool {
	for _, c := range a.cs {
		if !c.Check(v) {
			return false
		}
	}
	return true
}

func (a andCheck) String() string { return join(a.cs, " and ") }

func (o orCheck) Check(v *env) bool {
	for _, c := range o.cs {
		if c.Check(v) {
			return true
		}
	}
	return false
}

func (o orCheck) String() string { return join(o.cs, " or ") }

func join(cs []Check, sep string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func (r ruleCheck) Check(v *env) bool {
	if v.depth > 50 {
		return false // a rule cycle
	}
	v.e.mu.RLock()
	c, ok := v.e.rules[r.name]
	v.e.mu.RUnlock()
	if !ok {
		return false
	}
	v.depth++
	defer func() { v.depth-- }()
	return c.Check(v)
}

func (r ruleCheck) String() string { return "rule:" + r.name }

func (r roleCheck) Check(v *env) bool {
	want, ok := substitute(r.match, v.target)
	if !ok {
		return false
	}
	want = strings.ToLower(want)
	switch roles := v.creds["roles"].(type) {
	case []string:
		for _, have := range roles {
			if strings.ToLower(have) == want {
				return true
			}
		}
	case []any:
		for _, have := range roles {
			if s, ok := have.(string); ok && strings.ToLower(s) == want {
				return true
			}
		}
	}
	return false
}

func (r roleCheck) String() string { return "role:" + r.match }

func (g genericCheck) Check(v *env) bool {
	want, ok := substitute(g.match, v.target)
	if !ok {
		return false
	}
	// A quoted constant on the left compares against the match directly.
	if len(g.kind) >= 2 && (g.kind[0] == '\'' || g.kind[0] == '"') && g.kind[len(g.kind)-1] == g.kind[0] {
		return g.kind[1:len(g.kind)-1] == want
	}
	have, ok := lookup(v.creds, g.kind)
	if !ok {
		return false
	}
	switch h := have.(type) {
	case []string:
		for _, s := range h {
			if s == want {
				return true
			}
		}
		return false
	case []any:
		for _, s := range h {
			if pyfmt.Str(s) == want {
				return true
			}
		}
		return false
	}
	return pyfmt.Str(have) == want
}

func (g genericCheck) String() string { return g.kind + ":" + g.match }

// fieldCheck is Neutron's "field:<resource>:<attribute>=<value>": true
// when the target's attribute, rendered as Python would, equals value.
type fieldCheck struct{ field, value string }

func (f fieldCheck) Check(v *env) bool {
	have, ok := v.target[f.field]
	if !ok {
		return false
	}
	if pat, ok := strings.CutPrefix(f.value, "~"); ok {
		// "=~" is a regular expression match (Neutron's network_device).
		re, err := regexp.Compile(pat)
		return err == nil && re.MatchString(pyfmt.Str(have))
	}
	return pyfmt.Str(have) == f.value
}

func (f fieldCheck) String() string { return "field:" + f.field + "=" + f.value }

// lookup finds key in m either as a flat key ("target.user.id") or as a
// path through nested maps.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	cur := any(m)
	for _, part := range strings.Split(key, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// substitute resolves %(name)s against target. A literal is returned as is;
// True/False keep their spelling. A missing substitution fails the check.
func substitute(match string, target map[string]any) (string, bool) {
	if strings.HasPrefix(match, "%(") && strings.HasSuffix(match, ")s") {
		key := match[2 : len(match)-2]
		v, ok := lookup(target, key)
		if !ok {
			// oslo.policy allows %(target.x)s where the target was passed
			// without the "target." prefix.
			if k, cut := strings.CutPrefix(key, "target."); cut {
				v, ok = lookup(target, k)
			}
		}
		if !ok || v == nil {
			return "", false
		}
		return pyfmt.Str(v), true
	}
	if len(match) >= 2 && (match[0] == '\'' || match[0] == '"') && match[len(match)-1] == match[0] {
		return match[1 : len(match)-1], true
	}
	return match, true
}
