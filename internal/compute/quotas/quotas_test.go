package quotas

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/quota"
)

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
