package policy

import (
	"sort"
	"strings"
)

// Attrs returns the attributes that have a rule of their own under action
// ("binding:host_id" for the rule "get_port:binding:host_id"), sorted.
// A list renders hundreds of items with the same action, so the answer
// is computed once per rule set and kept until Set changes the rules; the
// caller must not modify the slice.
func (e *Enforcer) Attrs(action string) []string {
	e.mu.RLock()
	attrs, ok := e.attrs[action]
	e.mu.RUnlock()
	if ok {
		return attrs
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	prefix := action + ":"
	attrs = []string{}
	for name := range e.rules {
		if a, ok := strings.CutPrefix(name, prefix); ok && a != "" {
			attrs = append(attrs, a)
		}
	}
	sort.Strings(attrs)
	if e.attrs == nil {
		e.attrs = map[string][]string{}
	}
	e.attrs[action] = attrs
	return attrs
}

// TargetKeys returns the top-level keys of the target that evaluating
// rule may read, following the rules it names; none means its outcome
// depends on the credentials alone, so that a caller may evaluate it once
// for many targets. A key read through a path ("%(target.user.id)s") is
// listed in every spelling the lookup may use, so a target holding just
// the listed keys decides the rule as the whole target would. Like Attrs
// it is kept until Set changes the rules; the caller must not modify the
// slice.
func (e *Enforcer) TargetKeys(rule string) []string {
	e.mu.RLock()
	keys, ok := e.keys[rule]
	e.mu.RUnlock()
	if ok {
		return keys
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	set := map[string]bool{}
	e.collect(rule, set, map[string]bool{})
	keys = make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if e.keys == nil {
		e.keys = map[string][]string{}
	}
	e.keys[rule] = keys
	return keys
}

// collect adds the target keys of the named rule to set; seen stops a
// rule cycle. The caller holds e.mu.
func (e *Enforcer) collect(rule string, set, seen map[string]bool) {
	if seen[rule] {
		return
	}
	seen[rule] = true
	if c, ok := e.rules[rule]; ok {
		e.walk(c, set, seen)
	}
}

func (e *Enforcer) walk(c Check, set, seen map[string]bool) {
	switch c := c.(type) {
	case notCheck:
		e.walk(c.c, set, seen)
	case andCheck:
		for _, x := range c.cs {
			e.walk(x, set, seen)
		}
	case orCheck:
		for _, x := range c.cs {
			e.walk(x, set, seen)
		}
	case ruleCheck:
		e.collect(c.name, set, seen)
	case roleCheck:
		substKeys(c.match, set)
	case genericCheck:
		substKeys(c.match, set)
	case fieldCheck:
		set[c.field] = true
	}
}

// substKeys adds the target keys a %(name)s substitution may read (see
// substitute and lookup): the name itself, the first step of its path,
// and both again without a "target." prefix.
func substKeys(match string, set map[string]bool) {
	if !strings.HasPrefix(match, "%(") || !strings.HasSuffix(match, ")s") {
		return
	}
	key := match[2 : len(match)-2]
	for _, k := range []string{key, strings.TrimPrefix(key, "target.")} {
		set[k] = true
		first, _, _ := strings.Cut(k, ".")
		set[first] = true
	}
}
