package listing

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// TestISOMatchesTimeFormat checks the direct civil-date formatting
// against time.Format over the whole range Swift's timestamps take, leap
// days and year ends included.
func TestISOMatchesTimeFormat(t *testing.T) {
	want := func(raw int64) string {
		return time.Unix(raw/100000, (raw%100000)*10*1000).UTC().Format("2006-01-02T15:04:05.000000")
	}
	raws := []int64{0, 1, 99999, 100000, 951782400 * 100000, 951868799*100000 + 99999, 4107542400 * 100000,
		1733560000*100000 + 12345, 253402300799*100000 + 99999, 253402300800 * 100000}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		raws = append(raws, rng.Int64N(253402300900*100000))
	}
	for _, raw := range raws {
		if got, w := ISO(swift.FromRaw(raw)), want(raw); got != w {
			t.Fatalf("ISO(%d) = %s, want %s", raw, got, w)
		}
	}
}
