// Package match holds the comparisons the services' list filters apply
// to a value, whatever query syntax brought them: a time bound such as
// Cinder's created_at=gt:T or Keystone's password_expires_at=lt:T.
package match

import "time"

// Time is one comparison of a time filter: Op is gt, gte, lt, lte, eq or
// neq, At the time compared with.
type Time struct {
	Op string
	At time.Time
}

// Holds reports whether t satisfies the comparison; an unknown Op holds
// for nothing.
func (m Time) Holds(t time.Time) bool {
	switch m.Op {
	case "gt":
		return t.After(m.At)
	case "gte":
		return !t.Before(m.At)
	case "lt":
		return t.Before(m.At)
	case "lte":
		return !t.After(m.At)
	case "eq":
		return t.Equal(m.At)
	case "neq":
		return !t.Equal(m.At)
	}
	return false
}
