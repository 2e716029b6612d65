package backend

import (
	"net/http"
	"testing"
)

func TestBest(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		overrides map[int]int
		want      int
		ok        bool
	}{
		{"all created", []int{201, 201, 201}, nil, 201, true},
		{"quorum created", []int{201, 201, 503}, nil, 201, true},
		{"highest of class", []int{201, 202, 503}, nil, 202, true},
		{"no quorum", []int{201, 404, 503}, nil, 0, false},
		{"quorum not found", []int{404, 404, 204}, nil, 404, true},
		{"client errors", []int{409, 404, 503}, nil, 409, true},
		{"delete override", []int{204, 404, 503}, map[int]int{404: 204}, 204, true},
		{"override never picked", []int{404, 404, 204}, map[int]int{404: 204}, 404, true},
		{"server errors", []int{503, 500, 503}, nil, 0, false},
	}
	for _, tt := range tests {
		var resps []Response
		for _, s := range tt.statuses {
			resps = append(resps, Response{Status: s, Header: http.Header{}})
		}
		got, ok := Best(resps, 0, tt.overrides)
		if ok != tt.ok || (ok && got.Status != tt.want) {
			t.Errorf("%s: Best = %d, %v; want %d, %v", tt.name, got.Status, ok, tt.want, tt.ok)
		}
	}
}
