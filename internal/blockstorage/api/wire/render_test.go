package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/blockstorage/api/wire"
)

func TestRender(t *testing.T) {
	if got := wire.Stamp(time.Time{}); got != nil {
		t.Errorf("Stamp(zero) = %v, want nil", got)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600))
	if got := wire.Stamp(at); got != "2025-01-02T02:04:05.000006" {
		t.Errorf("Stamp = %v", got)
	}
	if wire.Nullable("") != nil || wire.Nullable("a") != "a" {
		t.Error("Nullable")
	}
	for _, tc := range []struct {
		raw     string
		want    bool
		wantErr bool
	}{
		{"", false, false}, {"null", false, false}, {"true", true, false}, {"false", false, false},
		{`"True"`, true, false}, {`"no"`, false, false}, {`"maybe"`, false, true}, {"1", false, true},
	} {
		got, err := wire.Flag(json.RawMessage(tc.raw), "force")
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("Flag(%s) = %v, %v; want %v, error %v", tc.raw, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSortByAndKeep(t *testing.T) {
	lq := wire.ListQuery{SortKeys: []string{"display_name", "id"}, SortDirs: []string{"asc", "asc"}}
	if err := lq.SortBy(map[string]string{"display_name": "name", "id": "id"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"name", "id"}, lq.SortKeys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if err := (&wire.ListQuery{SortKeys: []string{"bogus"}}).SortBy(map[string]string{"id": "id"}); err == nil {
		t.Error("unknown sort key: no error")
	}
	page := []wire.Item{{"id": "1", "name": "a", "size": 2}}
	wire.Keep(page, "id", "name", "links")
	if diff := cmp.Diff([]wire.Item{{"id": "1", "name": "a", "links": nil}}, page); diff != "" {
		t.Errorf("Keep (-want +got):\n%s", diff)
	}
}
