package volumes

import (
	"maps"
	"testing"
)

func TestPyDict(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want map[string]string
		ok   bool
	}{
		{`{"a": "x", "b": true, "c": null, "d": 3, "e": 1.5}`, map[string]string{"a": "x", "b": "True", "c": "None", "d": "3", "e": "1.5"}, true},
		{`{"a": [1]}`, nil, false},
		{`{"a": {"b": 1}}`, nil, false},
		{`{'a': 'x', 'b': True}`, map[string]string{"a": "x", "b": "True"}, true},
		{`{'a': 'x'} tail`, nil, false},
	} {
		got, ok := pyDict(tt.in)
		if ok != tt.ok || !maps.Equal(got, tt.want) {
			t.Errorf("pyDict(%s) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
