package wire

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/policy"
)

// Caller is the caller's credentials as the policy reads them, worked out
// once for a request whose handler checks many items: a list of a
// thousand ports would otherwise rebuild them for every rule of every
// item.
type Caller struct {
	Policy *policy.Enforcer
	Values map[string]any
}

// Caller returns the request's caller.
func (c *Ctx) Caller(r *http.Request) *Caller {
	return &Caller{Policy: c.Policy, Values: Creds(r).PolicyValues()}
}

// Allowed reports whether rule passes for the caller on target.
func (cl *Caller) Allowed(rule string, target map[string]any) bool {
	return cl.Policy.Enforce(rule, target, cl.Values)
}

// Hide removes from item the attributes the caller may not read under
// action ("get_network:provider:network_type" refused): only the
// attributes that have a rule are looked at.
func (cl *Caller) Hide(action string, item Item) Item {
	for _, a := range cl.Policy.Attrs(action) {
		if _, ok := item[a]; ok && !cl.Allowed(action+":"+a, item) {
			delete(item, a)
		}
	}
	return item
}

// Hiding is what the attribute rules of one action hide from a caller,
// worked out once for a list: a rule that does not read the item (the
// default "rule:context_is_admin" of get_port:binding:host_id) is
// decided once, the others item by item with Refused.
type Hiding struct {
	cl     *Caller
	action string
	// Fixed holds the attributes whose rule does not read the item: true
	// when the caller may not read them.
	Fixed map[string]bool
	// PerItem holds the attributes whose rule reads the item, with the
	// target keys it reads.
	PerItem map[string][]string
}

// Hiding works out what the attribute rules of action hide.
func (cl *Caller) Hiding(action string) Hiding {
	h := Hiding{cl: cl, action: action, Fixed: map[string]bool{}, PerItem: map[string][]string{}}
	for _, a := range cl.Policy.Attrs(action) {
		rule := action + ":" + a
		if keys := cl.Policy.TargetKeys(rule); len(keys) > 0 {
			h.PerItem[a] = keys
			continue
		}
		h.Fixed[a] = !cl.Allowed(rule, map[string]any{})
	}
	return h
}

// Refused reports whether the caller may not read attr of the item
// target (which holds at least the keys PerItem names for attr).
func (h Hiding) Refused(attr string, target map[string]any) bool {
	if hidden, ok := h.Fixed[attr]; ok {
		return hidden
	}
	if _, ok := h.PerItem[attr]; !ok {
		return false
	}
	return !h.cl.Allowed(h.action+":"+attr, target)
}

// WriteRaw writes body, already JSON, with status.
func WriteRaw(w http.ResponseWriter, status int, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
