package match

import (
	"testing"
	"time"
)

func TestTimeHolds(t *testing.T) {
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	before, after := at.Add(-time.Second), at.Add(time.Second)
	for _, c := range []struct {
		op                string
		before, at, after bool
	}{
		{"gt", false, false, true},
		{"gte", false, true, true},
		{"lt", true, false, false},
		{"lte", true, true, false},
		{"eq", false, true, false},
		{"neq", true, false, true},
		{"like", false, false, false},
	} {
		m := Time{Op: c.op, At: at}
		if m.Holds(before) != c.before || m.Holds(at) != c.at || m.Holds(after) != c.after {
			t.Errorf("%s: before %v at %v after %v", c.op, m.Holds(before), m.Holds(at), m.Holds(after))
		}
	}
}
