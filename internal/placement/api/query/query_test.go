package query

import (
	"net/url"
	"strings"
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
	// Before 1.22 "!B" is refused, as Placement's resource-provider.yaml
	// expects ("list providers forbidden 1.21").
	if req, forb, err := Required([]string{"A,!B"}, 21); !apierr.IsBadRequest(err) {
		t.Errorf("Required at 1.21 = %v %v %v, want a 400", req, forb, err)
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
	// Before 1.24 a second member_of is refused (Placement's
	// resource-provider-aggregates.yaml).
	if any, _, err := MemberOf([]string{a, b}, 23); !apierr.IsBadRequest(err) {
		t.Errorf("MemberOf at 1.23 = %v %v, want a 400", any, err)
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
		// Placement's granular-same-subtree.yaml: these refusals carry
		// placement.query.bad_value.
		{"same_subtree without its group", "resources=VCPU:1&same_subtree=_A,_B", 36, candidates.Query{}, "placement.query.bad_value"},
		{"same_subtree with an empty suffix", "resources_A=VCPU:1&group_policy=none&same_subtree=_A,,_A", 36, candidates.Query{}, "placement.query.bad_value"},
		{"resourceless group outside same_subtree", "resources1=VCPU:1&required2=HW_NUMA_ROOT&group_policy=none", 36, candidates.Query{}, "placement.query.bad_value"},
		{"no resources at all", "member_of1=11111111-1111-1111-1111-111111111111&group_policy=none", 36, candidates.Query{}, "placement.query.missing_value"},
		{"resourceless group before 1.36", "resources1=VCPU:1&required2=HW_NUMA_ROOT&group_policy=none", 35, candidates.Query{}, "placement.query.missing_value"},
		{"root_required twice", "resources=VCPU:1&root_required=A&root_required=B", 35, candidates.Query{}, "placement.query.duplicate_key"},
		{"root_required required and forbidden", "resources=VCPU:1&root_required=A,!A", 35, candidates.Query{}, "placement.query.bad_value"},
		{"zero-led suffix before 1.33", "resources01=VCPU:1", 25, candidates.Query{}, "-"},
		{"orphaned traits keys", "required=FOO&required1=BAR", 25, candidates.Query{}, "placement.query.missing_value"},
		{"no group at all", "group_policy=isolate", 25, candidates.Query{}, "placement.query.missing_value"},
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

// TestQueryWording pins the refusals Placement's gabbi tests match on
// (resource-provider-resources-query.yaml, resource-provider.yaml,
// resource-provider-aggregates.yaml, allocation-candidates.yaml).
func TestQueryWording(t *testing.T) {
	const agg = "11111111-1111-1111-1111-111111111111"
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"empty resources", func() error { _, err := Resources(""); return err }, "Got: empty string."},
		{"trailing comma", func() error { _, err := Resources("DISK_GB:500,"); return err }, "Got: ."},
		{"bad part named", func() error { _, err := Resources("VCPU:1,DISK_GB"); return err }, "Got: DISK_GB."},
		{"negative amount", func() error { _, err := Resources("VCPU:-2"); return err }, "Requested resource VCPU requires amount >= 1. Got: -2."},
		{"not a number", func() error { _, err := Resources("VCPU:fred"); return err }, "Requested resource VCPU expected positive integer amount. Got: fred."},
		{"forbidden at 1.21", func() error { _, _, err := Required([]string{"!STORAGE_DISK_SSD"}, 21); return err },
			"Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: !STORAGE_DISK_SSD"},
		{"empty at 1.21", func() error { _, _, err := Required([]string{""}, 21); return err },
			"Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC."},
		{"empty at 1.22", func() error { _, _, err := Required([]string{""}, 22); return err },
			"Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC."},
		{"two member_of at 1.23", func() error { _, _, err := MemberOf([]string{agg, agg}, 23); return err },
			"Multiple member_of parameters are not supported"},
		{"orphaned traits keys", func() error {
			_, err := Candidates(url.Values{"required": {"FOO"}, "required1": {"BAR"}}, 25)
			return err
		},
			"All traits parameters must be associated with resources.  Found the following orphaned traits keys: required, required1"},
		{"orphaned member_of", func() error { _, err := Candidates(url.Values{"member_of": {"!" + agg}}, 32); return err },
			"Found the following orphaned member_of keys: member_of"},
		{"no request group", func() error { _, err := Candidates(url.Values{"group_policy": {"isolate"}}, 25); return err },
			"At least one request group (`resources` or `resources{$S}`) is required."},
		{"no resources before 1.25", func() error { _, err := Candidates(url.Values{}, 24); return err }, "'resources' is a required property"},
		{"no resources from 1.36", func() error {
			_, err := Candidates(url.Values{"member_of1": {agg}, "group_policy": {"none"}}, 36)
			return err
		},
			"There must be at least one resources or resources[$S] parameter."},
		{"in: before 1.39", func() error { _, _, err := Required([]string{"in:A,B"}, 38); return err },
			"The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39."},
		{"member_of list without in:", func() error { _, _, err := MemberOf([]string{agg + "," + agg}, 24); return err },
			"Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword"},
		{"bad limit", func() error {
			_, err := Candidates(url.Values{"resources": {"VCPU:1"}, "limit": {"cow"}}, 16)
			return err
		},
			"Failed validating 'pattern'"},
		{"forbidden member_of at 1.31", func() error { _, _, err := MemberOf([]string{"!in:" + agg}, 31); return err },
			"Forbidden member_of parameters are not supported in the specified microversion"},
	}
	for _, tt := range tests {
		err := tt.call()
		if !apierr.IsBadRequest(err) || !strings.Contains(apierr.Message(err), tt.want) {
			t.Errorf("%s: %v, want a 400 with %q", tt.name, err, tt.want)
		}
	}
}

// TestRepeatedParameters pins which of a repeated parameter counts, as
// Placement's allocation-candidates.yaml and *-any-traits.yaml expect:
// the first limit and group_policy, the last required before 1.39.
func TestRepeatedParameters(t *testing.T) {
	q := url.Values{"resources1": {"VCPU:1"}, "resources2": {"VCPU:1"}, "limit": {"10", "1"}, "group_policy": {"isolate", "none"}}
	cq, err := Candidates(q, 25)
	if err != nil || cq.Limit != 10 || !cq.Isolate {
		t.Errorf("limit %d isolate %v, %v; want the first of each", cq.Limit, cq.Isolate, err)
	}
	if req, _, err := Required([]string{"A", "B"}, 38); err != nil || !cmp.Equal(req, [][]string{{"B"}}) {
		t.Errorf("Required at 1.38 = %v, %v; want the last only", req, err)
	}
	if req, _, err := Required([]string{"A", "B"}, 39); err != nil || !cmp.Equal(req, [][]string{{"A"}, {"B"}}) {
		t.Errorf("Required at 1.39 = %v, %v; want both", req, err)
	}
}
