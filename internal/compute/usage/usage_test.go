package usage

import (
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
)

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
		inst := &compute.Instance{LaunchedAt: tc.launched, TerminatedAt: tc.terminated}
		if got := usageHours(inst, start, stop); got != tc.want {
			t.Errorf("usageHours(%v, %v) = %v, want %v", tc.launched, tc.terminated, got, tc.want)
		}
	}
}
