package query

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/placement/candidates"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// status is the HTTP status and Placement code of err ("" for success).
func status(err error) (int, string) {
	if e, ok := apierr.As(err); ok {
		return e.Code, e.Type
	}
	return apierr.Status(err), ""
}

func TestResources(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]int64
		code string // Placement's code of the 400, "" for success
	}{
		{"VCPU:1,MEMORY_MB:512", map[string]int64{"VCPU": 1, "MEMORY_MB": 512}, ""},
		{" VCPU:2 ", map[string]int64{"VCPU": 2}, ""},
		{"", nil, "placement.query.bad_value"},
		{"VCPU", nil, "placement.query.bad_value"},
		{"VCPU:0", nil, "placement.query.bad_value"},
		{"VCPU:-1", nil, "placement.query.bad_value"},
		{"VCPU:2147483648", nil, "placement.query.bad_value"},
		{"VCPU:1,VCPU:2", nil, "placement.query.bad_value"},
	}
	for _, tt := range tests {
		got, err := Resources(tt.in)
		if st, code := status(err); code != tt.code || (tt.code != "" && st != 400) {
			t.Errorf("Resources(%q) error = %v, want code %q", tt.in, err, tt.code)
			continue
		}
		if diff := cmp.Diff(tt.want, got); tt.code == "" && diff != "" {
			t.Errorf("Resources(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestRequiredAndMemberOf(t *testing.T) {
	const a, b = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	req, forb, err := Required([]string{"A,!B", "in:C,D"}, 39)
	if err != nil || !cmp.Equal(req, [][]string{{"A"}, {"C", "D"}}) || !cmp.Equal(forb, []string{"B"}) {
		t.Errorf("Required at 1.39 = %v %v %v", req, forb, err)
	}
	// Before 1.22 "!B" is a trait name like any other.
	if req, forb, err := Required([]string{"A,!B"}, 21); err != nil || !cmp.Equal(req, [][]string{{"A"}, {"!B"}}) || forb != nil {
		t.Errorf("Required at 1.21 = %v %v %v", req, forb, err)
	}
	if _, _, err := Required([]string{"A,,B"}, 39); !apierr.IsBadRequest(err) {
		t.Errorf("an empty trait: %v", err)
	}

	any, none, err := MemberOf([]string{"in:" + a + "," + b, "!" + b}, 32)
	if err != nil || !cmp.Equal(any, [][]string{{a, b}}) || !cmp.Equal(none, []string{b}) {
		t.Errorf("MemberOf at 1.32 = %v %v %v", any, none, err)
	}
	if _, _, err := MemberOf([]string{"!" + a}, 31); !apierr.IsBadRequest(err) {
		t.Errorf("a forbidden aggregate before 1.32: %v", err)
	}
	// Before 1.24 only the last member_of counts.
	if any, _, err := MemberOf([]string{a, b}, 23); err != nil || !cmp.Equal(any, [][]string{{b}}) {
		t.Errorf("MemberOf at 1.23 = %v %v", any, err)
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name  string
		query string
		minor int
		want  candidates.Query
		code  string // Placement's code of the 400 ("" for success, "-" for one without)
	}{
		{"unsuffixed", "resources=VCPU:1&limit=5", 16,
			candidates.Query{Limit: 5, Flat: true, Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 1}}}}, ""},
		{"granular", "resources1=VCPU:1&resources_X=MEMORY_MB:64&group_policy=isolate", 33,
			candidates.Query{Isolate: true, Groups: []candidates.Group{
				{Suffix: "1", Resources: map[string]int64{"VCPU": 1}},
				{Suffix: "_X", Resources: map[string]int64{"MEMORY_MB": 64}}}}, ""},
		{"limit before 1.16", "resources=VCPU:1&limit=5", 15, candidates.Query{}, "-"},
		{"no resources", "required=A", 17, candidates.Query{}, "placement.query.missing_value"},
		{"group_policy needed", "resources1=VCPU:1&resources2=VCPU:1", 25, candidates.Query{}, "placement.query.missing_value"},
		{"named suffix before 1.33", "resources_X=VCPU:1", 32, candidates.Query{}, "-"},
		{"same_subtree without its group", "resources=VCPU:1&same_subtree=_A,_B", 36, candidates.Query{}, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			got, err := Candidates(v, tt.minor)
			st, code := status(err)
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.code == "-" && (st != 400 || code != ""):
				t.Fatalf("err = %v, want a 400 without a code", err)
			case tt.code != "" && tt.code != "-" && (st != 400 || code != tt.code):
				t.Fatalf("err = %v, want a 400 %s", err, tt.code)
			}
			if diff := cmp.Diff(tt.want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Shuffle" }, cmp.Ignore())); tt.code == "" && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
