package compute

import (
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/quota"
)

func TestSanitizeHostname(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"My Server", "my-server"},
		{"a_b.c", "a-b-c"},
		{"--x--", "x"},
		{"héllo wörld", "héllo-wörld"},
		{"日本", "Server-1"},
		{"a!@#b", "ab"},
		{string(make([]byte, 70)), "Server-1"},
	} {
		if got := sanitizeHostname(tc.in, "Server-1"); got != tc.want {
			t.Errorf("sanitizeHostname(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := ""
	for range 70 {
		long += "a"
	}
	if got := sanitizeHostname(long, ""); len(got) != 63 {
		t.Errorf("long hostname has %d characters", len(got))
	}
}

func TestParseAZ(t *testing.T) {
	for _, tc := range []struct{ in, az, host, node string }{
		{"nova", "nova", "", ""},
		{"nova:h1", "nova", "h1", ""},
		{"nova:h1:n1", "nova", "h1", "n1"},
		{"nova::n1", "nova", "", "n1"},
		{":h1", "", "h1", ""},
	} {
		az, host, node, err := parseAZ(tc.in)
		if err != nil || az != tc.az || host != tc.host || node != tc.node {
			t.Errorf("parseAZ(%q) = %q %q %q %v", tc.in, az, host, node, err)
		}
	}
	if _, _, _, err := parseAZ("a:b:c:d"); err == nil {
		t.Error("a:b:c:d parsed")
	}
}

func TestStateCheck(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		sc   stateCheck
		inst Instance
		want string // "" = allowed
	}{
		{"soft reboot active", stateCheck{vm: []string{VMActive}}, Instance{ID: "i", VMState: VMActive, LaunchedAt: &now}, ""},
		{"soft reboot while rebooting", stateCheck{vm: []string{VMActive}}, Instance{ID: "i", VMState: VMActive, TaskState: TaskRebooting, LaunchedAt: &now},
			"Cannot 'reboot' instance i while it is in task_state rebooting"},
		{"hard reboot while rebooting", stateCheck{vm: []string{VMActive}, task: allowReboot}, Instance{ID: "i", VMState: VMActive, TaskState: TaskRebooting, LaunchedAt: &now}, ""},
		{"stopped", stateCheck{vm: []string{VMActive}}, Instance{ID: "i", VMState: VMStopped, LaunchedAt: &now},
			"Cannot 'reboot' instance i while it is in vm_state stopped"},
		{"never launched", stateCheck{vm: []string{VMError}}, Instance{ID: "i", VMState: VMError},
			"Instance i is in an invalid state for 'reboot'"},
		{"any task", stateCheck{anyTask: true, notLaunched: true}, Instance{ID: "i", VMState: VMBuilding, TaskState: TaskScheduling}, ""},
	} {
		err := tc.sc.check("reboot", &tc.inst)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestQuotaMessage(t *testing.T) {
	got := quotaMessage([]quota.Over{{Resource: "instances", Limit: 10, Used: 10, Requested: 1}}, map[string]string{"instances": "1"})
	if want := "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = quotaMessage([]quota.Over{{Resource: "instances", Limit: 10, Used: 9, Requested: 2}, {Resource: "cores", Limit: 20, Used: 19, Requested: 2}},
		map[string]string{"instances": "2-3"})
	if want := "Quota exceeded for instances, cores: Requested 2-3, 2, but already used 9, 19 of 10, 20 instances, cores"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUsageHours(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	stop := start.Add(24 * time.Hour)
	at := func(h int) *time.Time { t := start.Add(time.Duration(h) * time.Hour); return &t }
	for _, tc := range []struct {
		launched, terminated *time.Time
		want                 float64
	}{
		{nil, nil, 0},
		{at(-5), nil, 24},
		{at(2), at(5), 3},
		{at(-10), at(-1), 0},
		{at(30), nil, 0},
		{at(20), at(40), 4},
	} {
		inst := &Instance{LaunchedAt: tc.launched, TerminatedAt: tc.terminated}
		if got := usageHours(inst, start, stop); got != tc.want {
			t.Errorf("usageHours(%v, %v) = %v, want %v", tc.launched, tc.terminated, got, tc.want)
		}
	}
}

func TestValidTag(t *testing.T) {
	for tag, ok := range map[string]bool{"a": true, "": false, "a/b": false, "a,b": false, "x y": true,
		"0123456789012345678901234567890123456789012345678901234567890": false} {
		if err := validTag(tag); (err == nil) != ok {
			t.Errorf("validTag(%q) = %v", tag, err)
		}
	}
}
