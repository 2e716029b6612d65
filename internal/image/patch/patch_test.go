package patch_test

import (
	"reflect"
	"testing"

	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		body string
		want []patch.Op // nil: a 400
	}{
		{`[{"op": "replace", "path": "/name", "value": "x"}]`, []patch.Op{{Op: "replace", Path: []string{"name"}, Value: "x", HasValue: true}}},
		{`[{"add": "/locations/-", "value": {}}, {"remove": "/k"}]`, []patch.Op{
			{Op: "add", Path: []string{"locations", "-"}, Value: map[string]any{}, HasValue: true},
			{Op: "remove", Path: []string{"k"}}}},
		{`[{"op": "add", "path": "/a~1b~0", "value": "v"}]`, []patch.Op{{Op: "add", Path: []string{"a/b~"}, Value: "v", HasValue: true}}},
		{`{}`, nil},
		{`[null]`, nil},
		{`[{"op": "move", "path": "/name", "value": "x"}]`, nil},
		{`[{"op": "remove", "path": "/name", "value": "x"}]`, nil},
		{`[{"op": "add", "path": "/name"}]`, nil},
		{`[{"op": "add", "path": "name", "value": "x"}]`, nil},
		{`[{"op": "add", "path": "/name/x", "value": "x"}]`, nil},
		{`[{"op": "add", "path": "/a~2", "value": "x"}]`, nil},
		{`[{"add": "/a", "remove": "/b"}]`, nil},
		{`[{"op": "add", "path": "/a", "value": "x", "extra": 1}]`, nil},
	} {
		got, err := patch.Parse([]byte(tt.body))
		if tt.want == nil {
			if !apierr.IsBadRequest(err) {
				t.Errorf("%s: got %v, %v; want a 400", tt.body, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.body, got, err, tt.want)
		}
	}
}
